package testenv

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// StartReadingLine starts cmd, stopped when the test ends, and returns the
// first line it writes on file descriptor 3 (Xvfb's display number,
// dbus-daemon's address).
func StartReadingLine(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s (scripts/deps.sh installs it): %v", cmd.Path, err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		lines <- strings.TrimSpace(line)
	}()
	select {
	case line := <-lines:
		if line == "" {
			t.Fatalf("%s printed nothing", cmd.Path)
		}
		return line
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start", cmd.Path)
		return ""
	}
}

// StartSessionBus starts a private D-Bus session bus, with nothing on it,
// for the test, and returns its address.
func StartSessionBus(t *testing.T) string {
	t.Helper()
	return StartReadingLine(t, exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=3"))
}
