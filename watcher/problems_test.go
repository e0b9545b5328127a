package watcher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// waitForProblems polls Problems until ok accepts them, and returns them.
func waitForProblems(t *testing.T, w *Watcher, what string, ok func([]Problem) bool) []Problem {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		p := w.Problems()
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("problems %v after %v, want %s", p, waitLimit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDirectoryThatCannotBeWatchedIsRescanned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	full := mkdir(t, filepath.Join(dir, "full"))
	w := newTestWatcher(t, Config{})
	var limitReached atomic.Bool
	limitReached.Store(true)
	w.addWatch = func(d string) error {
		if d == full && limitReached.Load() {
			return fmt.Errorf("inotify_add_watch %s: %w", d, syscall.ENOSPC)
		}
		return w.notify.Add(d)
	}
	started := time.Now()
	runWatcher(t, w, dir)

	path := writeFile(t, filepath.Join(full, "clip.mp4"), "clip")
	expectCandidate(t, w, path)
	p := w.Problems()
	if len(p) != 1 || p[0].Op != OpWatchDirectory || p[0].Path != full || p[0].Folder != dir {
		t.Fatalf("problems %v, want only that %s cannot be watched", p, full)
	}
	if !strings.Contains(p[0].Err, "fs.inotify.max_user_watches") {
		t.Errorf("error %q does not say which limit to raise", p[0].Err)
	}
	if p[0].Since.Before(started) || p[0].Since.After(time.Now()) {
		t.Errorf("problem since %v, want after %v", p[0].Since, started)
	}
	if !strings.Contains(p[0].String(), "cannot watch directory "+full+": ") {
		t.Errorf("String() = %q", p[0])
	}

	// Once the watch can be added, the next rescan resolves the problem, and events work.
	limitReached.Store(false)
	waitForProblems(t, w, "none", func(p []Problem) bool { return len(p) == 0 })
	expectCandidate(t, w, writeFile(t, filepath.Join(full, "second.mp4"), "second"))
}

func TestProblemOfARemovedDirectoryIsDropped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gone := mkdir(t, filepath.Join(dir, "gone"))
	w := newTestWatcher(t, Config{})
	w.addWatch = func(d string) error {
		if d == gone {
			return syscall.ENOSPC
		}
		return w.notify.Add(d)
	}
	runWatcher(t, w, dir)
	waitForProblems(t, w, "one for "+gone, func(p []Problem) bool { return len(p) == 1 && p[0].Path == gone })
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	waitForProblems(t, w, "none", func(p []Problem) bool { return len(p) == 0 })
}

func TestBackendErrorIsListedForARescanInterval(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := startWatcher(t, Config{}, dir)
	sent := time.Now()
	w.notify.Errors <- errors.New("read inotify: input/output error")
	p := waitForProblems(t, w, "the backend's error", func(p []Problem) bool { return len(p) == 1 })
	if p[0].Op != OpReceiveEvents || p[0].Path != "" || p[0].Err != "read inotify: input/output error" {
		t.Fatalf("problem %+v, want the backend's error", p[0])
	}
	waitForProblems(t, w, "none", func(p []Problem) bool { return len(p) == 0 })
	if listed := time.Since(sent); listed < testRescan {
		t.Errorf("the backend's error was listed for %v, want at least one rescan interval (%v)", listed, testRescan)
	}
	// The watcher goes on reporting videos.
	expectCandidate(t, w, writeFile(t, filepath.Join(dir, "after.mp4"), "after"))
}
