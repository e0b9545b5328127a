package main

import (
	"os"
	"runtime"
)

// AppKit draws menus only on the main thread: keep the main goroutine, which
// runs the menu bar, on it.
func init() {
	runtime.LockOSThread()
	runFromAppBundle()
}

// runFromAppBundle starts the daemon when auwatchd.app is opened from the
// Finder or at login, whatever arguments the system adds.
func runFromAppBundle() {
	if exe, err := os.Executable(); err == nil {
		os.Args = append(os.Args[:1:1], bundleArgs(exe, os.Args[1:])...)
	}
}
