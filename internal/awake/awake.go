// Package awake keeps the computer from sleeping while auwatchd measures
// videos: an overnight batch must not stall when the user walks away. It
// holds the system's own tool for that (caffeinate on macOS,
// systemd-inhibit on Linux) as a child process, and lets go when idle.
package awake

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
)

// Keeper holds the computer awake between Hold and Release. Its zero value
// with no command does nothing.
type Keeper struct {
	// Command is the program, with its arguments, that keeps the computer
	// awake for as long as it runs; nil where the system has none.
	Command []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// New returns a Keeper with this system's command, if it has one.
func New() *Keeper {
	return &Keeper{Command: command(os.Getpid())}
}

// Hold starts keeping the computer awake; holding it again changes nothing.
func (k *Keeper) Hold() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cmd != nil || len(k.Command) == 0 {
		return nil
	}
	cmd := exec.Command(k.Command[0], k.Command[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("keep the computer awake with %s: %w", k.Command[0], err)
	}
	k.cmd = cmd
	return nil
}

// Release lets the computer sleep again.
func (k *Keeper) Release() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cmd == nil {
		return
	}
	k.cmd.Process.Kill()
	k.cmd.Wait()
	k.cmd = nil
}

// Held reports whether the computer is being kept awake.
func (k *Keeper) Held() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cmd != nil
}

// pidArg is the process id as an argument.
func pidArg(pid int) string { return strconv.Itoa(pid) }
