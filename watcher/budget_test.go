package watcher

import (
	"maps"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// waitForRescanned waits until Rescanned returns want.
func waitForRescanned(t *testing.T, w *Watcher, want map[string]int) {
	t.Helper()
	for deadline := time.Now().Add(waitLimit); ; time.Sleep(10 * time.Millisecond) {
		got := w.Rescanned()
		if maps.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Rescanned() = %v after %v, want %v", got, waitLimit, want)
		}
	}
}

// With a budget for three watches, the folder and its two nearest directories are watched;
// the deeper ones are rescanned, their videos still found, and the count follows the tree.
func TestWatchBudgetLeavesDeepDirectoriesToRescans(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"a/x", "a/y", "b"} {
		mkdir(t, filepath.Join(root, d))
	}
	w := startWatcher(t, Config{WatchBudget: 3 * watchCost(0)}, root)
	waitForRescanned(t, w, map[string]int{root: 2})

	expectCandidate(t, w, writeFile(t, filepath.Join(root, "a", "y", "deep.mp4"), "deep"))
	if err := os.Remove(filepath.Join(root, "a", "x")); err != nil {
		t.Fatal(err)
	}
	waitForRescanned(t, w, map[string]int{root: 1})
	if err := os.RemoveAll(filepath.Join(root, "a")); err != nil {
		t.Fatal(err)
	}
	waitForRescanned(t, w, map[string]int{})
}

// The budget goes to every watched folder's top directories before any deeper one.
func TestWatchBudgetServesEveryFolderFirst(t *testing.T) {
	t.Parallel()
	big, small := t.TempDir(), t.TempDir()
	for _, d := range []string{"a", "b", "a/x", "b/y"} {
		mkdir(t, filepath.Join(big, d))
	}
	mkdir(t, filepath.Join(small, "c"))
	w := startWatcher(t, Config{WatchBudget: 4 * watchCost(0)}, big)
	waitForRescanned(t, w, map[string]int{big: 1}) // b/y
	// Added later, small finds the budget spent; the rescans then hand it out anew: both
	// folders and big's a and b are watched; a/x, b/y and small's c are rescanned.
	w.SetFolders([]string{big, small})
	waitForRescanned(t, w, map[string]int{big: 2, small: 1})
}

// The default budget is half the open-files limit the process runs with, within its bounds.
func TestDefaultWatchBudgetIsHalfTheOpenFilesLimit(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if got, want := DefaultWatchBudget(), int(min(lim.Cur/2, maxWatchBudget)); got != max(want, minWatchBudget) {
		t.Errorf("DefaultWatchBudget() = %d with the limit %d, want %d", got, lim.Cur, want)
	}
	cfg, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.WatchBudget != DefaultWatchBudget() {
		t.Errorf("a zero budget became %d, want the default %d", cfg.WatchBudget, DefaultWatchBudget())
	}
	if _, err := (Config{WatchBudget: -1}).withDefaults(); err == nil {
		t.Error("a negative budget was accepted")
	}
}
