package watcher

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestStabilityNeedsQuietAndTwoEqualPolls drives the stability check with synthetic times and
// changes the file without telling the watcher, as on a volume that sends no events.
func TestStabilityNeedsQuietAndTwoEqualPolls(t *testing.T) {
	t.Parallel()
	w, _, path, start := stabilityFixture(t)

	steps := []struct {
		at       time.Duration
		appendTo bool // grow the file before this poll, without an event
		wantSize int64
	}{
		{at: 500 * time.Millisecond},          // still in the quiet period
		{at: time.Second},                     // first stat
		{at: 2 * time.Second, appendTo: true}, // stat differs: the quiet period starts over
		{at: 2500 * time.Millisecond},         // quiet again, but not for long enough
		{at: 3 * time.Second, wantSize: 2},    // same stat as at 2 s: complete
		{at: 10 * time.Second},                // reported once only
	}
	for _, step := range steps {
		if step.appendTo {
			appendByte(t, path)
		}
		if !w.checkPending(context.Background(), start.Add(step.at)) {
			t.Fatal("checkPending stopped with a live context")
		}
		select {
		case c := <-w.Candidates():
			if step.wantSize == 0 || c.Size != step.wantSize || c.Path != path {
				t.Fatalf("at %v: candidate %+v, want none", step.at, c)
			}
		default:
			if step.wantSize != 0 {
				t.Fatalf("at %v: no candidate, want %s of size %d", step.at, path, step.wantSize)
			}
		}
	}
}

// TestEventRestartsStability checks that activity after the first stat restarts both the quiet
// period and the stat comparison.
func TestEventRestartsStability(t *testing.T) {
	t.Parallel()
	w, dir, path, start := stabilityFixture(t)
	w.checkPending(context.Background(), start.Add(time.Second))
	w.touch(path, dir, start.Add(1500*time.Millisecond))
	// Quiet until 2.5 s, first stat then, second at 3 s.
	for _, at := range []time.Duration{2 * time.Second, 2400 * time.Millisecond, 2500 * time.Millisecond} {
		w.checkPending(context.Background(), start.Add(at))
		select {
		case c := <-w.Candidates():
			t.Fatalf("at %v: candidate %+v before a new quiet period and two polls", at, c)
		default:
		}
	}
	w.checkPending(context.Background(), start.Add(3*time.Second))
	select {
	case c := <-w.Candidates():
		if c.Path != path {
			t.Fatalf("candidate %s, want %s", c.Path, path)
		}
	default:
		t.Fatal("no candidate after a quiet period and two equal polls")
	}
}

func appendByte(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("b"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// stabilityFixture makes a watcher with 1 s quiet and poll times that has
// just seen an event for v.mp4 in dir at start.
func stabilityFixture(t *testing.T) (w *Watcher, dir, path string, start time.Time) {
	t.Helper()
	dir = t.TempDir()
	w, err := New(Config{Quiet: time.Second, Poll: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	path = writeFile(t, filepath.Join(dir, "v.mp4"), "a")
	start = time.Now()
	w.touch(path, dir, start)
	return w, dir, path, start
}

// TestWaitingListsFilesUntilTheyAreComplete checks that a file is waited for
// from its event until it is reported, and no longer.
func TestWaitingListsFilesUntilTheyAreComplete(t *testing.T) {
	t.Parallel()
	w, dir, path, start := stabilityFixture(t)
	if got := w.Waiting(); len(got) != 0 {
		t.Fatalf("waiting for %q before the first poll", got)
	}
	w.touch(writeFile(t, filepath.Join(dir, "v.mp4.au.csv"), "csv"), dir, start)
	for _, step := range []struct {
		at      time.Duration
		waiting bool
	}{
		{500 * time.Millisecond, true}, // in the quiet period
		{time.Second, true},            // first stat
		{2 * time.Second, false},       // complete: reported
	} {
		w.checkPending(context.Background(), start.Add(step.at))
		w.publishWaiting()
		if got := w.Waiting(); (len(got) == 1 && got[0] == path) != step.waiting || len(got) > 1 {
			t.Errorf("at %v: waiting for %q, want %s: %v", step.at, got, path, step.waiting)
		}
	}
	for range 2 {
		if c := <-w.Candidates(); c.Output != (c.Path == path+".au.csv") || (c.Path != path && !c.Output) {
			t.Errorf("candidate %+v, want %s and its CSV, as an output", c, path)
		}
	}
}
