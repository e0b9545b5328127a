//go:build !darwin

package awake

import "os/exec"

// command is systemd-inhibit blocking sleep and idle for as long as its
// child runs, where systemd is the init system; nil elsewhere. The child
// waits for auwatchd (pid) and so ends with it.
func command(pid int) []string {
	if _, err := exec.LookPath("systemd-inhibit"); err != nil {
		return nil
	}
	return []string{"systemd-inhibit", "--what=sleep:idle", "--who=auwatchd", "--why=measuring videos", "--mode=block",
		"tail", "--pid=" + pidArg(pid), "-f", "/dev/null"}
}
