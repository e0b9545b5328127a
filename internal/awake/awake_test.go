package awake

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A Keeper runs its command from Hold to Release, once however often it is
// held, and never without a command.
func TestKeeperRunsItsCommandWhileHeld(t *testing.T) {
	marks := filepath.Join(t.TempDir(), "marks")
	// The command notes each start, then runs until it is killed.
	k := &Keeper{Command: []string{"sh", "-c", "echo started >> " + marks + "; exec sleep 60"}}
	if err := k.Hold(); err != nil {
		t.Fatal(err)
	}
	if err := k.Hold(); err != nil {
		t.Fatal(err)
	}
	if !k.Held() {
		t.Fatal("not held after Hold")
	}
	pid := k.cmd.Process.Pid
	waitFor(t, func() bool { data, _ := os.ReadFile(marks); return strings.Count(string(data), "started") == 1 })
	k.Release()
	if k.Held() {
		t.Fatal("held after Release")
	}
	if err := os.Remove(marks); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("/proc", pidArg(pid), "cmdline")); err == nil {
		t.Errorf("the command (pid %d) still runs after Release", pid)
	}
	k.Release()

	none := &Keeper{}
	if err := none.Hold(); err != nil || none.Held() {
		t.Errorf("a keeper without a command: held %v, %v", none.Held(), err)
	}
}

func TestKeeperSaysWhenItsCommandCannotStart(t *testing.T) {
	k := &Keeper{Command: []string{filepath.Join(t.TempDir(), "no-such-tool")}}
	if err := k.Hold(); err == nil || k.Held() {
		t.Errorf("a missing tool: held %v, %v", k.Held(), err)
	}
}

func TestSystemCommand(t *testing.T) {
	got := strings.Join(command(42), " ")
	if got != "" && !strings.Contains(got, "42") {
		t.Errorf("the command %q does not end with auwatchd (pid 42)", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
