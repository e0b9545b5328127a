package main

import "syscall"

// peakRSSMB returns the process's peak resident set size (macOS reports bytes).
func peakRSSMB() float64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return float64(u.Maxrss) / (1 << 20)
}
