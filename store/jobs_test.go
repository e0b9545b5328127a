package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// want is what a job should look like after a scenario.
type want struct {
	state    State
	attempts int
	errText  string // a part of Job.Error; "" for an empty Error
}

func (w want) check(t testing.TB, j Job) {
	t.Helper()
	if j.State != w.state || j.Attempts != w.attempts {
		t.Errorf("%s: state %s after %d attempts, want %s after %d", j.Path, j.State, j.Attempts, w.state, w.attempts)
	}
	if (w.errText == "") != (j.Error == "") || !strings.Contains(j.Error, w.errText) {
		t.Errorf("%s: error %q, want %q", j.Path, j.Error, w.errText)
	}
}

func TestStateMachine(t *testing.T) {
	tests := []struct {
		name string
		// run drives the store and returns the path whose job is checked.
		run  func(f *fixture) string
		want want
	}{
		{"enqueue, claim, complete", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			j, created := f.enqueue(v)
			if !created || j.State != Queued || j.Attempts != 0 {
				f.t.Fatalf("enqueued %+v, created=%v", j, created)
			}
			j = f.claim(v.Path)
			if j.State != Running || j.Attempts != 1 || j.StartedAt.IsZero() {
				f.t.Fatalf("claimed %+v", j)
			}
			if err := f.s.Progress(f.ctx, j.ID, 0.5); err != nil {
				f.t.Fatal(err)
			}
			if p := f.job(v.Path).Progress; p != 0.5 {
				f.t.Fatalf("progress %v, want 0.5", p)
			}
			f.complete(j.ID, 30)
			j = f.job(v.Path)
			if j.Progress != 1 || j.OutputPath == "" || j.OutputSHA256 == "" || j.FinishedAt.IsZero() {
				f.t.Fatalf("completed %+v", j)
			}
			f.claimNothing()
			return v.Path
		}, want{Done, 1, ""}},

		{"the same video again is no new work", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			first, _ := f.enqueue(v)
			again, created := f.enqueue(v)
			if created || again.ID != first.ID {
				f.t.Fatalf("second enqueue: created=%v id %d, want false id %d", created, again.ID, first.ID)
			}
			f.complete(f.claim(v.Path).ID, 10)
			if _, created := f.enqueue(v); created {
				f.t.Fatal("a done video was queued again")
			}
			f.claimNothing()
			return v.Path
		}, want{Done, 1, ""}},

		{"a changed video is queued again with attempts reset", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			j := f.claim(v.Path)
			f.complete(j.ID, 10)
			changed := f.video("a.mp4", "other frames")
			again, created := f.enqueue(changed)
			if !created || again.ID != j.ID || again.OutputPath == "" || again.OutputSHA256 == "" {
				f.t.Fatalf("changed video: created=%v %+v", created, again)
			}
			if n := f.count("frames", j.ID); n != 0 {
				f.t.Fatalf("%d frames of the old content left", n)
			}
			return v.Path
		}, want{Queued, 0, ""}},

		{"a renamed video is re-pointed without a re-run", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			f.complete(f.claim(v.Path).ID, 10)
			j := f.job(v.Path)
			renamed := filepath.Join(f.folder.Path, "b.mp4")
			if err := os.Rename(v.Path, renamed); err != nil {
				f.t.Fatal(err)
			}
			moved, created := f.enqueue(describe(f.t, renamed))
			if created || moved.ID != j.ID || moved.Path != renamed || moved.OutputPath != j.OutputPath {
				f.t.Fatalf("renamed video: created=%v %+v", created, moved)
			}
			if _, err := f.s.JobByPath(f.ctx, v.Path); !errors.Is(err, ErrNotFound) {
				f.t.Fatalf("job of the old path: %v, want ErrNotFound", err)
			}
			if n := f.count("frames", j.ID); n != 10 {
				f.t.Fatalf("%d frames after the rename, want 10", n)
			}
			f.claimNothing()
			return renamed
		}, want{Done, 1, ""}},

		{"a copied video is new work", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			f.complete(f.claim(v.Path).ID, 10)
			copied := f.video("copy.mp4", "frames")
			if _, created := f.enqueue(copied); !created {
				f.t.Fatal("a copy was not queued")
			}
			if j := f.job(v.Path); j.State != Done {
				f.t.Fatalf("original is %s", j.State)
			}
			return copied.Path
		}, want{Queued, 0, ""}},

		{"retryable failures re-queue until MaxAttempts", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			for attempt := 1; attempt <= MaxAttempts; attempt++ {
				j := f.claim(v.Path)
				got, err := f.s.Fail(f.ctx, j.ID, "disk full", Passing)
				if err != nil {
					f.t.Fatal(err)
				}
				wantState := Queued
				if attempt == MaxAttempts {
					wantState = Failed
				}
				want{wantState, attempt, "disk full"}.check(f.t, got)
			}
			f.claimNothing()
			return v.Path
		}, want{Failed, MaxAttempts, "disk full"}},

		{"a final failure fails at once", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			j := f.claim(v.Path)
			if _, err := f.s.Fail(f.ctx, j.ID, "no face found", Final); err != nil {
				f.t.Fatal(err)
			}
			if _, created := f.enqueue(v); created {
				f.t.Fatal("a failed, unchanged video was queued again")
			}
			f.claimNothing()
			return v.Path
		}, want{Failed, 1, "no face found"}},

		{"a crash leaves the job running until recovered", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			f.claim(v.Path)
			f.reopen()
			if j := f.job(v.Path); j.State != Running {
				f.t.Fatalf("after the crash the job is %s", j.State)
			}
			f.claimNothing()
			n, err := f.s.RecoverInterrupted(f.ctx)
			if err != nil || n != 1 {
				f.t.Fatalf("recovered %d, %v; want 1", n, err)
			}
			return v.Path
		}, want{Queued, 1, ""}},

		{"a video that crashes the worker every time is given up", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			for range MaxAttempts {
				f.claim(v.Path)
				f.reopen()
				if _, err := f.s.RecoverInterrupted(f.ctx); err != nil {
					f.t.Fatal(err)
				}
			}
			f.claimNothing()
			return v.Path
		}, want{Failed, MaxAttempts, "crashed the worker 3 times"}},

		{"a clean shutdown gives the attempt back and keeps the place", func(f *fixture) string {
			a, b := f.video("a.mp4", "a"), f.video("b.mp4", "b")
			f.enqueue(a)
			f.enqueue(b)
			j := f.claim(a.Path)
			if err := f.s.Requeue(f.ctx, j.ID); err != nil {
				f.t.Fatal(err)
			}
			want{Queued, 0, ""}.check(f.t, f.job(a.Path))
			f.claim(a.Path)
			return a.Path
		}, want{Running, 1, ""}},

		{"a video changed while running cannot be completed", func(f *fixture) string {
			v := f.video("a.mp4", "frames")
			f.enqueue(v)
			j := f.claim(v.Path)
			if _, created := f.enqueue(f.video("a.mp4", "new frames")); !created {
				f.t.Fatal("a video changed while running was not queued")
			}
			if err := f.s.Progress(f.ctx, j.ID, 0.9); !errors.Is(err, ErrWrongState) {
				f.t.Fatalf("progress: %v, want ErrWrongState", err)
			}
			err := f.s.Complete(f.ctx, j.ID, testResult(j.ID, 5, testAUNames))
			if !errors.Is(err, ErrWrongState) {
				f.t.Fatalf("complete: %v, want ErrWrongState", err)
			}
			if n := f.count("frames", j.ID); n != 0 {
				f.t.Fatalf("%d frames stored for a refused result", n)
			}
			return v.Path
		}, want{Queued, 0, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			path := tt.run(f)
			tt.want.check(t, f.job(path))
		})
	}
}

func TestClaimTakesArrivalOrder(t *testing.T) {
	f := newFixture(t)
	var paths []string
	for _, name := range []string{"c.mp4", "a.mp4", "b.mp4"} {
		v := f.video(name, name)
		f.enqueue(v)
		paths = append(paths, v.Path)
	}
	first := f.claim(paths[0])
	if _, err := f.s.Fail(f.ctx, first.ID, "disk full", Passing); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{paths[1], paths[2], paths[0]} {
		f.complete(f.claim(p).ID, 1)
	}
	f.claimNothing()
}

func TestRetry(t *testing.T) {
	f := newFixture(t)
	var failed []string
	for _, name := range []string{"a.mp4", "b.mp4", "c.mp4"} {
		v := f.video(name, name)
		f.enqueue(v)
		if _, err := f.s.Fail(f.ctx, f.claim(v.Path).ID, "cannot decode", Final); err != nil {
			t.Fatal(err)
		}
		failed = append(failed, v.Path)
	}
	done := f.video("done.mp4", "done")
	f.enqueue(done)
	f.complete(f.claim(done.Path).ID, 1)

	if err := f.s.Retry(f.ctx, f.job(done.Path).ID); !errors.Is(err, ErrWrongState) {
		t.Fatalf("retrying a done job: %v, want ErrWrongState", err)
	}
	if err := f.s.Retry(f.ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("retrying a missing job: %v, want ErrNotFound", err)
	}
	if err := f.s.Retry(f.ctx, f.job(failed[1]).ID); err != nil {
		t.Fatal(err)
	}
	want{Queued, 0, ""}.check(t, f.job(failed[1]))
	want{Failed, 1, "cannot decode"}.check(t, f.job(failed[0]))

	n, unchanged, err := f.s.RetryFailed(f.ctx)
	if err != nil || n != 2 || len(unchanged) != 0 {
		t.Fatalf("RetryFailed: %d, %v, %v; want 2", n, unchanged, err)
	}
	for _, p := range []string{failed[1], failed[0], failed[2]} {
		want{Running, 1, ""}.check(t, f.claim(p))
	}
	if n, _, err := f.s.RetryFailed(f.ctx); err != nil || n != 0 {
		t.Fatalf("RetryFailed with nothing failed: %d, %v", n, err)
	}
}

func TestOperationsRefuseBadInput(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	tests := []struct {
		name    string
		call    func() error
		wantErr error // nil: any error
	}{
		{"enqueue into an unwatched folder", func() error {
			_, _, err := f.s.Enqueue(f.ctx, f.folder.ID+1, v)
			return err
		}, ErrNotFound},
		{"enqueue a relative path", func() error {
			_, _, err := f.s.Enqueue(f.ctx, f.folder.ID, VideoFile{Path: "a.mp4"})
			return err
		}, nil},
		{"progress of a missing job", func() error { return f.s.Progress(f.ctx, 42, 0.5) }, ErrNotFound},
		{"progress above 1", func() error { return f.s.Progress(f.ctx, 1, 1.5) }, nil},
		{"complete a queued job", func() error { return f.s.Complete(f.ctx, 1, Result{}) }, ErrWrongState},
		{"fail a queued job", func() error { _, err := f.s.Fail(f.ctx, 1, "x", Passing); return err }, ErrWrongState},
		{"requeue a queued job", func() error { return f.s.Requeue(f.ctx, 1) }, ErrWrongState},
		{"set the output of a queued job", func() error { return f.s.SetOutput(f.ctx, 1, "/x.csv", "") }, ErrWrongState},
		{"remove an unwatched folder", func() error { return f.s.RemoveFolder(f.ctx, "/nowhere") }, ErrNotFound},
		{"add a relative folder", func() error { _, err := f.s.AddFolder(f.ctx, "videos"); return err }, nil},
	}
	if j, _ := f.enqueue(v); j.ID != 1 {
		t.Fatalf("first job has id %d", j.ID)
	}
	for _, tt := range tests {
		err := tt.call()
		if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	want{Queued, 0, ""}.check(t, f.job(v.Path))
}

func TestRemoveFolderKeepsHistory(t *testing.T) {
	f := newFixture(t)
	done, queued := f.video("done.mp4", "d"), f.video("queued.mp4", "q")
	f.enqueue(done)
	f.complete(f.claim(done.Path).ID, 3)
	f.enqueue(queued)
	if err := f.s.RemoveFolder(f.ctx, f.folder.Path); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.JobByPath(f.ctx, queued.Path); !errors.Is(err, ErrNotFound) {
		t.Fatalf("queued job of a removed folder: %v, want ErrNotFound", err)
	}
	kept := f.job(done.Path)
	if kept.State != Done || kept.FolderID != 0 || f.count("frames", kept.ID) != 3 {
		t.Fatalf("done job of a removed folder: %+v", kept)
	}
	var err error
	if f.folder, err = f.s.AddFolder(f.ctx, f.folder.Path); err != nil {
		t.Fatal(err)
	}
	j, created := f.enqueue(done)
	if created || j.State != Done || j.FolderID != f.folder.ID {
		t.Fatalf("re-added folder's done video: created=%v %+v", created, j)
	}
	if _, created := f.enqueue(queued); !created {
		t.Fatal("re-added folder's dropped video was not queued")
	}
}

func TestSetOutputAfterRename(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	f.enqueue(v)
	j := f.claim(v.Path)
	f.complete(j.ID, 1)
	if err := f.s.SetOutput(f.ctx, j.ID, "/w/b.mp4.au.csv", "ff"); err != nil {
		t.Fatal(err)
	}
	if got := f.job(v.Path); got.OutputPath != "/w/b.mp4.au.csv" || got.OutputSHA256 != "ff" {
		t.Fatalf("output %s %s", got.OutputPath, got.OutputSHA256)
	}
}
