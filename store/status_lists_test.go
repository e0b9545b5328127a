package store

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// fail claims the queued video v and fails it with kind.
func (f *fixture) fail(v VideoFile, reason string, kind Failure) Job {
	f.t.Helper()
	j, err := f.s.Fail(f.ctx, f.claim(v.Path).ID, reason, kind)
	if err != nil {
		f.t.Fatal(err)
	}
	return j
}

func (f *fixture) status() Status {
	f.t.Helper()
	st, err := f.s.Status(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func TestRetryLeavesAnUnchangedFileThatIsNotAVideo(t *testing.T) {
	f := newFixture(t)
	broken, blocked := f.video("broken.mp4", "not a video"), f.video("blocked.mp4", "frames")
	f.enqueue(broken)
	f.enqueue(blocked)
	if j := f.fail(broken, "open video broken.mp4: not a video that can be decoded", InFile); !j.InFile {
		t.Fatalf("a failure in the file is not marked so: %+v", j)
	}
	f.fail(blocked, "a file of the CSV's name is in the way", Final)

	err := f.s.Retry(f.ctx, f.job(broken.Path).ID)
	if !errors.Is(err, ErrUnchanged) || !strings.Contains(err.Error(), broken.Path) {
		t.Fatalf("retrying an unchanged file that is not a video: %v, want ErrUnchanged naming the file", err)
	}
	n, unchanged, err := f.s.RetryFailed(f.ctx)
	if err != nil || n != 1 || len(unchanged) != 1 || unchanged[0].Path != broken.Path {
		t.Fatalf("RetryFailed: %d retried, unchanged %v, %v; want 1 retried and %s left", n, unchanged, err, broken.Path)
	}
	want{Queued, 0, ""}.check(t, f.job(blocked.Path))
	want{Failed, 1, "open video broken.mp4: not a video that can be decoded"}.check(t, f.job(broken.Path))

	// Copied again (a new modification time): retried, and the mark goes.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(broken.Path, later, later); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Retry(f.ctx, f.job(broken.Path).ID); err != nil {
		t.Fatalf("retrying a file copied again: %v", err)
	}
	if j := f.job(broken.Path); j.State != Queued || j.InFile {
		t.Errorf("after the retry: %s, in file %v; want queued and unmarked", j.State, j.InFile)
	}
}

func TestClearFailure(t *testing.T) {
	f := newFixture(t)
	a, b := f.video("a.mp4", "a"), f.video("b.mp4", "b")
	f.enqueue(a)
	f.enqueue(b)
	f.fail(a, "no frames", InFile)
	f.fail(b, "permission denied", Final)
	if err := f.s.ClearFailure(f.ctx, f.job(a.Path).ID); err != nil {
		t.Fatal(err)
	}
	st := f.status()
	if st.Counts.Failed != 1 || st.Counts.Cleared != 1 || len(st.RecentFailed) != 1 || st.RecentFailed[0].Path != b.Path {
		t.Errorf("after clearing a.mp4: counts %+v, failures listed %v", st.Counts, paths(st.RecentFailed, func(j Job) string { return j.Path }))
	}
	if j := f.job(a.Path); j.State != Failed || j.ClearedAt.IsZero() {
		t.Errorf("a cleared failure is %s, cleared at %v; want still failed, with the time", j.State, j.ClearedAt)
	}
	if _, created := f.enqueue(a); created {
		t.Error("a cleared, unchanged file was queued again")
	}
	if n, unchanged, err := f.s.RetryFailed(f.ctx); err != nil || n != 1 || len(unchanged) != 0 {
		t.Errorf("RetryFailed after a clear: %d, %v, %v; want b.mp4 alone", n, unchanged, err)
	}
	if err := f.s.ClearFailure(f.ctx, f.job(b.Path).ID); !errors.Is(err, ErrWrongState) {
		t.Errorf("clearing a queued job: %v, want ErrWrongState", err)
	}
}

func TestBatchCountsTheVideosQueuedTogether(t *testing.T) {
	f := newFixture(t)
	if b := f.status().Batch; b != (Batch{}) {
		t.Fatalf("batch before any video: %+v", b)
	}
	old := f.video("old.mp4", "old")
	f.enqueue(old)
	f.complete(f.claim(old.Path).ID, 1)

	var batch []VideoFile
	for _, name := range []string{"a.mp4", "b.mp4", "c.mp4"} {
		v := f.video(name, name)
		f.enqueue(v)
		batch = append(batch, v)
	}
	steps := []struct {
		do   func()
		want Batch
	}{
		{func() {}, Batch{Finished: 0, Total: 3}},
		{func() { f.complete(f.claim(batch[0].Path).ID, 1) }, Batch{Finished: 1, Total: 3}},
		{func() { f.fail(batch[1], "no frames", InFile) }, Batch{Finished: 2, Total: 3}},
		{func() { f.enqueue(f.video("d.mp4", "d")) }, Batch{Finished: 2, Total: 4}},
		{func() { f.claim(batch[2].Path) }, Batch{Finished: 2, Total: 4}},
	}
	for i, st := range steps {
		st.do()
		if got := f.status().Batch; got != st.want {
			t.Errorf("step %d: batch %+v, want %+v", i, got, st.want)
		}
	}
	// Once the queue is empty, the next video begins a new batch.
	f.complete(f.job(batch[2].Path).ID, 1)
	f.complete(f.claim(f.folder.Path+"/d.mp4").ID, 1)
	f.enqueue(f.video("e.mp4", "e"))
	if got, want := f.status().Batch, (Batch{Finished: 0, Total: 1}); got != want {
		t.Errorf("a video after the queue emptied: batch %+v, want %+v", got, want)
	}
}

func TestWaitingFiles(t *testing.T) {
	f := newFixture(t)
	var many []string
	for i := range RecentLimit + 3 {
		many = append(many, f.folder.Path+"/"+string(rune('a'+i))+".mp4")
	}
	for _, tt := range []struct {
		set    []string
		listed []string
		count  int
	}{
		{[]string{"/v/b.mp4", "/v/a.mp4", "/v/a.mp4"}, []string{"/v/a.mp4", "/v/b.mp4"}, 2},
		{many, many[:RecentLimit], RecentLimit + 3},
		{nil, []string{}, 0},
	} {
		if err := f.s.SetWaiting(f.ctx, tt.set); err != nil {
			t.Fatal(err)
		}
		st := f.status()
		if !slices.Equal(st.Waiting, tt.listed) || st.WaitingCount != tt.count {
			t.Errorf("after SetWaiting(%q): waiting %q (%d), want %q (%d)", tt.set, st.Waiting, st.WaitingCount, tt.listed, tt.count)
		}
	}
}

func TestRecentDoneCarriesFramesAndFaces(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "a")
	f.enqueue(v)
	id := f.claim(v.Path).ID
	r := testResult(id, 5, testAUNames)
	r.Summary.Successful = 4
	if err := f.s.Complete(f.ctx, id, r); err != nil {
		t.Fatal(err)
	}
	done := f.status().RecentDone
	if len(done) != 1 || done[0].Frames != 5 || done[0].FaceFrames != 4 || done[0].OutputPath == "" {
		t.Errorf("recent done %+v, want a.mp4 with 5 frames, a face in 4, and its CSV", done)
	}
}
