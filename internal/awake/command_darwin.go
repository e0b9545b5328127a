package awake

// command is caffeinate preventing idle sleep, and ending by itself should
// auwatchd (pid) die without releasing it.
func command(pid int) []string {
	return []string{"caffeinate", "-i", "-w", pidArg(pid)}
}
