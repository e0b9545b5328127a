package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/auwatchd/auwatchd/internal/digest"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/pipeline/video"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
)

func TestMeasuresWhatTheWatcherFinds(t *testing.T) {
	h := newHarness(t)
	w, c := h.measureOne("a.mp4")
	j := h.job(c.Path)
	out := pipeline.OutputPath(c.Path, "")
	sha, err := digest.File(out)
	if err != nil || j.OutputPath != out || j.OutputSHA256 != sha {
		t.Errorf("job output %s %s, want %s %s (%v)", j.OutputPath, j.OutputSHA256, out, sha, err)
	}
	if len(w.folders) != 1 || w.folders[0] != h.folder {
		t.Errorf("watcher given folders %q, want %q", w.folders, h.folder)
	}
}

// A stop that arrives once the CSV is in place must not send the video back
// to the queue: its result is recorded, and after a restart nothing fails.
func TestStopAfterTheCSVIsInPlaceKeepsTheResult(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	h.watchers <- w
	stopped := make(chan struct{})
	h.measurer.after = func(ctx context.Context, _, _ string) {
		h.cancel()
		<-ctx.Done()
		close(stopped)
	}
	h.start()
	c := h.video("a.mp4", "video a")
	w.candidates <- c
	<-stopped
	h.stop()
	if j := h.job(c.Path); j.State != store.Done || j.OutputSHA256 == "" {
		t.Fatalf("after a stop with the CSV in place: %s (%s), want done with its sha256", j.State, j.Error)
	}
}

// When the result cannot be recorded at first (the database's disk full),
// the daemon keeps it and records it once the store takes it again.
func TestResultRecordedAfterTheStoreRecovers(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	h.watchers <- w
	flaky := &flakyStore{Store: h.store, completeFailures: 2}
	h.daemonStore = flaky
	h.start()
	w.candidates <- h.video("a.mp4", "video a")
	h.waitFor("the video done", func(s store.Status) bool { return s.Counts.Done == 1 })
	if n := flaky.completeCalls(); n != 3 {
		t.Errorf("Complete called %d times, want 3 (two failures, then success)", n)
	}
	if !strings.Contains(h.log.String(), "cannot record the result; retrying") {
		t.Errorf("the log does not say the result waits:\n%s", h.log.String())
	}
}

// A CSV that cannot be read back after the engine wrote it fails the job
// with the reason instead of leaving it running.
func TestUnreadableCSVFailsTheJob(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	h.watchers <- w
	h.measurer.after = func(_ context.Context, _, out string) { os.Remove(out) }
	h.start()
	c := h.video("a.mp4", "video a")
	w.candidates <- c
	s := h.waitFor("the job failed", func(s store.Status) bool { return s.Counts.Failed == 1 })
	if j := h.job(c.Path); j.Attempts != store.MaxAttempts || !strings.Contains(j.Error, "read back") {
		t.Errorf("counts %+v, %d attempts, error %q; want failed after %d, saying the CSV could not be read back",
			s.Counts, j.Attempts, j.Error, store.MaxAttempts)
	}
}

func TestRetriesPassingFaultsOnly(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	h.watchers <- w
	h.measurer.hook = func(_ context.Context, path, _ string) error {
		if strings.HasSuffix(path, "junk.mp4") {
			return fmt.Errorf("open %s: %w", path, video.ErrNotVideo)
		}
		return fmt.Errorf("write beside %s: %w", path, errDiskFull)
	}
	h.start()
	junk, full := h.video("junk.mp4", "junk"), h.video("full.mp4", "full")
	w.candidates <- junk
	w.candidates <- full
	h.waitFor("both failed", func(s store.Status) bool { return s.Counts.Failed == 2 })
	if j := h.job(junk.Path); j.Attempts != 1 || !j.InFile {
		t.Errorf("not a video: %d attempts, in the file %v; want 1, in the file", j.Attempts, j.InFile)
	}
	if j := h.job(full.Path); j.Attempts != store.MaxAttempts || j.InFile || !strings.Contains(j.Error, "no space") {
		t.Errorf("disk full: %d attempts (%s), want %d", j.Attempts, j.Error, store.MaxAttempts)
	}
}

// A video that crashes the process MaxAttempts times is given up.
func TestCrashesAreCounted(t *testing.T) {
	h := newHarness(t)
	c := h.video("crash.mp4", "crash")
	if _, _, err := h.store.Enqueue(h.ctx, h.folderID(), store.VideoFile{Path: c.Path, Size: c.Size, MtimeNs: c.ModTime.UnixNano()}); err != nil {
		t.Fatal(err)
	}
	for range store.MaxAttempts {
		// A claim, then a crash: the next start finds the job running.
		if j, err := h.store.Claim(h.ctx); err != nil || j == nil {
			t.Fatalf("claim: %v, %v", j, err)
		}
		if _, err := h.store.RecoverInterrupted(h.ctx); err != nil {
			t.Fatal(err)
		}
	}
	h.watchers <- newFakeWatcher()
	h.start()
	h.waitFor("the video failed", func(s store.Status) bool { return s.Counts.Failed == 1 })
	if calls, _ := h.measurer.stats(); calls != 0 {
		t.Errorf("measured %d times after %d crashes", calls, store.MaxAttempts)
	}
	if j := h.job(c.Path); !strings.Contains(j.Error, "crashed") {
		t.Errorf("reason %q", j.Error)
	}
}

// A file at the CSV's name that auwatchd did not write is never replaced.
func TestNeverReplacesAForeignFile(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	h.watchers <- w
	c := h.video("a.mp4", "video a")
	out := pipeline.OutputPath(c.Path, "")
	// The user's file appears while the video is measured.
	h.measurer.hook = func(context.Context, string, string) error {
		return os.WriteFile(out, []byte("the user's own notes\n"), 0o644)
	}
	h.start()
	w.candidates <- c
	h.waitFor("the video failed", func(s store.Status) bool { return s.Counts.Failed == 1 })
	if data, _ := os.ReadFile(out); string(data) != "the user's own notes\n" {
		t.Errorf("the user's file now holds %q", data)
	}
	if j := h.job(c.Path); j.Attempts != 1 || !strings.Contains(j.Error, out) {
		t.Errorf("job %s after %d attempts: %q; want failed at once, naming %s", j.State, j.Attempts, j.Error, out)
	}
}

// A CSV of ours is replaced when its video changed.
func TestReplacesItsOwnCSV(t *testing.T) {
	h := newHarness(t)
	w, c := h.measureOne("a.mp4")
	c = h.video("a.mp4", "video a, longer now")
	w.candidates <- c
	h.waitFor("done again", func(s store.Status) bool {
		j := h.job(c.Path)
		return j.State == store.Done && j.Size == c.Size
	})
}

// A crash after the CSV was put in place but before its result was recorded
// leaves a CSV the store does not know: the next run, finding it identical
// to its own, records the result instead of failing.
func TestCrashBeforeTheResultWasRecorded(t *testing.T) {
	h := newHarness(t)
	c := h.video("a.mp4", "video a")
	if _, _, err := h.store.Enqueue(h.ctx, h.folderID(), store.VideoFile{Path: c.Path, Size: c.Size, MtimeNs: c.ModTime.UnixNano()}); err != nil {
		t.Fatal(err)
	}
	if j, err := h.store.Claim(h.ctx); err != nil || j == nil {
		t.Fatalf("claim: %v, %v", j, err)
	}
	out := pipeline.OutputPath(c.Path, "")
	if err := os.WriteFile(out, []byte("csv of a.mp4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.RecoverInterrupted(h.ctx); err != nil {
		t.Fatal(err)
	}
	h.watchers <- newFakeWatcher()
	h.start()
	s := h.waitFor("the video done or failed", func(s store.Status) bool { return s.Counts.Done+s.Counts.Failed == 1 })
	if s.Counts.Failed > 0 {
		t.Errorf("failed: %s", h.job(c.Path).Error)
	}

	// A different file at the CSV's name is still refused after a crash.
	c = h.video("b.mp4", "video b")
	if _, _, err := h.store.Enqueue(h.ctx, h.folderID(), store.VideoFile{Path: c.Path, Size: c.Size, MtimeNs: c.ModTime.UnixNano()}); err != nil {
		t.Fatal(err)
	}
	h.stop()
	if j, err := h.store.Claim(h.ctx); err != nil || j == nil || j.Path != c.Path {
		t.Fatalf("claim: %v, %v", j, err)
	}
	out = pipeline.OutputPath(c.Path, "")
	if err := os.WriteFile(out, []byte("the user's own notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.watchers <- newFakeWatcher()
	h.start()
	h.waitFor("the second video failed", func(s store.Status) bool { return s.Counts.Failed == 1 })
	if data, _ := os.ReadFile(out); string(data) != "the user's own notes\n" {
		t.Errorf("the user's file now holds %q", data)
	}
}

func TestFollowsAMovedVideo(t *testing.T) {
	h := newHarness(t)
	w, c := h.measureOne("a.mp4")
	oldCSV := pipeline.OutputPath(c.Path, "")

	moved := filepath.Join(h.folder, "b.mp4")
	if err := os.Rename(c.Path, moved); err != nil {
		t.Fatal(err)
	}
	c.Path = moved
	w.candidates <- c
	newCSV := pipeline.OutputPath(moved, "")
	waitUntil(t, "the CSV moved", func() bool { return h.state(moved) == store.Done && h.job(moved).OutputPath == newCSV })
	if _, err := os.Stat(oldCSV); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the old CSV is still there: %v", err)
	}
	if calls, _ := h.measurer.stats(); calls != 1 {
		t.Errorf("measured %d times, want once", calls)
	}

	// Moved again onto a name whose CSV slot holds someone's file: kept apart.
	third := filepath.Join(h.folder, "c.mp4")
	theirs := pipeline.OutputPath(third, "")
	if err := os.WriteFile(theirs, []byte("theirs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(moved, third); err != nil {
		t.Fatal(err)
	}
	c.Path = third
	w.candidates <- c
	waitUntil(t, "the move noticed", func() bool { return strings.Contains(h.log.String(), "cannot move the CSV") })
	if data, _ := os.ReadFile(theirs); string(data) != "theirs\n" {
		t.Errorf("their file now holds %q", data)
	}
	if _, err := os.Stat(newCSV); err != nil {
		t.Errorf("the CSV left its place: %v", err)
	}
}

// A watcher that stops with an error is replaced, and the status says so
// meanwhile; its problems reach the status too.
func TestWatcherIsSupervised(t *testing.T) {
	h := newHarness(t)
	broken := newFakeWatcher()
	broken.runErr = errors.New("inotify: too many open files")
	healthy := newFakeWatcher()
	healthy.problems = []watcher.Problem{{Op: watcher.OpWatchDirectory, Path: filepath.Join(h.folder, "old"), Folder: h.folder, Err: "no space left on device"}}
	h.watchers <- broken
	h.watchers <- healthy
	h.start()
	h.waitFor("the failure in the status", func(s store.Status) bool { return strings.Contains(s.Watcher, "too many open files") })
	h.waitFor("the new watcher's problem in the status", func(s store.Status) bool {
		return strings.Contains(s.Watcher, filepath.Join(h.folder, "old"))
	})
	c := h.video("a.mp4", "video a")
	healthy.candidates <- c
	h.waitFor("the video done", func(s store.Status) bool { return s.Counts.Done == 1 })
	healthy.mu.Lock()
	healthy.problems = nil
	healthy.mu.Unlock()
	h.waitFor("the status clear", func(s store.Status) bool { return s.Watcher == "" })
	if !strings.Contains(h.log.String(), "the folder watcher stopped") {
		t.Errorf("the log does not say the watcher stopped:\n%s", h.log.String())
	}
}

func TestWorkersMeasureSeveralVideosAtOnce(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			h := newHarness(t)
			if err := h.store.SetWorkers(h.ctx, workers); err != nil {
				t.Fatal(err)
			}
			w := newFakeWatcher()
			h.watchers <- w
			var gate sync.WaitGroup
			gate.Add(1)
			h.measurer.hook = func(context.Context, string, string) error {
				gate.Wait()
				return nil
			}
			h.start()
			for i := range 4 {
				w.candidates <- h.video(fmt.Sprintf("v%d.mp4", i), fmt.Sprint("video ", i))
			}
			s := h.waitFor("the workers busy", func(s store.Status) bool { return s.Counts.Running == workers })
			if len(s.Running) != workers {
				t.Errorf("status lists %d running videos, want %d", len(s.Running), workers)
			}
			if held, holds := h.awake.state(); !held || holds != 1 {
				t.Errorf("while measuring: held %v after %d holds, want held once", held, holds)
			}
			time.Sleep(100 * time.Millisecond) // room for a worker too many to claim
			gate.Done()
			h.waitFor("every video done", func(s store.Status) bool { return s.Counts.Done == 4 })
			waitUntil(t, "the computer let sleep", func() bool { held, _ := h.awake.state(); return !held })
			if _, most := h.measurer.stats(); most != workers || h.measurer.workers != workers {
				t.Errorf("%d videos measured at once, the engine told %d; want %d", most, h.measurer.workers, workers)
			}
		})
	}
}

// flakyStore fails Complete a given number of times, as a store whose disk
// is full does.
type flakyStore struct {
	*store.Store
	mu               sync.Mutex
	completeFailures int
	calls            int
}

func (f *flakyStore) Complete(ctx context.Context, id int64, r store.Result) error {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.completeFailures
	f.mu.Unlock()
	if fail {
		return fmt.Errorf("complete job %d: %w", id, sqlite3.Error{Code: sqlite3.ErrFull})
	}
	return f.Store.Complete(ctx, id, r)
}

func (f *flakyStore) completeCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

var errDiskFull = errors.New("no space left on device")

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// The watcher's problems give each watched folder its health in the store:
// missing, or cannot be read (in part), until the problem goes; and how many
// of its folders only rescans cover.
func TestFolderHealthFromTheWatcher(t *testing.T) {
	h := newHarness(t)
	gone := filepath.Join(t.TempDir(), "unplugged")
	if _, err := h.store.AddFolder(h.ctx, gone); err != nil {
		t.Fatal(err)
	}
	w := newFakeWatcher()
	w.problems = []watcher.Problem{
		{Op: watcher.OpFindFolder, Path: gone, Folder: gone, Err: "stat " + gone + ": no such file or directory"},
		{Op: watcher.OpReadDirectory, Path: filepath.Join(h.folder, "private"), Folder: h.folder, Err: "open " + h.folder + "/private: permission denied"},
		{Op: watcher.OpWatchDirectory, Path: filepath.Join(h.folder, "other"), Folder: h.folder, Err: "no space left on device"},
		{Op: watcher.OpReceiveEvents, Err: "event queue overflowed"},
	}
	w.rescanned = map[string]int{h.folder: 4873}
	h.watchers <- w
	h.start()
	want := map[string]store.FolderHealth{
		gone:     {Health: store.FolderMissing},
		h.folder: {Health: store.CannotRead("permission denied (private)"), Rescanned: 4873},
	}
	folderHealth := func(s store.Status) map[string]store.FolderHealth {
		got := map[string]store.FolderHealth{}
		for _, f := range s.Folders {
			got[f.Path] = store.FolderHealth{Health: f.Health, Rescanned: f.Rescanned}
		}
		return got
	}
	h.waitFor("the folders' health", func(s store.Status) bool { return maps.Equal(folderHealth(s), want) })
	w.mu.Lock()
	w.problems, w.rescanned = nil, nil
	w.mu.Unlock()
	h.waitFor("the folders healthy again", func(s store.Status) bool {
		return maps.Equal(folderHealth(s), map[string]store.FolderHealth{gone: {}, h.folder: {}})
	})
}

// A CSV the watcher reports goes to Outputs, which records what a cluster
// measured; it is never queued as a video.
func TestCSVsGoToOutputs(t *testing.T) {
	h := newHarness(t)
	w := h.startWatching()
	csv := h.video("a.mp4.au.csv", "frame, AU01_r")
	csv.Output = true
	w.candidates <- csv
	w.candidates <- h.video("b.mp4", "video b")
	h.waitFor("the video done", func(s store.Status) bool { return s.Counts.Done == 1 })
	want := []outputCall{{h.folderID(), h.folder, csv.Path}}
	if got := h.outputs.collected(); !slices.Equal(got, want) {
		t.Errorf("Outputs given %+v, want %+v", got, want)
	}
	if st := h.state(csv.Path); st != "" {
		t.Errorf("the CSV became a job (%s)", st)
	}
	if !strings.Contains(h.log.String(), "recorded a CSV measured elsewhere") {
		t.Errorf("the log does not say the CSV was recorded:\n%s", h.log.String())
	}
}

// The files the watcher waits for reach the store, and leave it with them,
// and with the daemon.
func TestWaitingFilesFromTheWatcher(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	copying := filepath.Join(h.folder, "interview.mp4")
	w.waiting = []string{copying}
	h.watchers <- w
	h.start()
	h.waitFor("the file waited for", func(s store.Status) bool {
		return s.WaitingCount == 1 && len(s.Waiting) == 1 && s.Waiting[0] == copying
	})
	w.mu.Lock()
	w.waiting = nil
	w.mu.Unlock()
	h.waitFor("nothing waited for", func(s store.Status) bool { return s.WaitingCount == 0 })
	w.mu.Lock()
	w.waiting = []string{copying}
	w.mu.Unlock()
	h.waitFor("the file waited for again", func(s store.Status) bool { return s.WaitingCount == 1 })
	h.stop()
	if s, err := h.store.Status(context.Background()); err != nil || s.WaitingCount != 0 {
		t.Errorf("after the stop: waiting for %d files (%v), want none", s.WaitingCount, err)
	}
}

// Once every frame is measured the progress shows 100%, while the video is
// finished, however soon after the progress before.
func TestProgressReachesTheEnd(t *testing.T) {
	h := newHarness(t)
	w := newFakeWatcher()
	h.watchers <- w
	finishing := make(chan struct{})
	h.measurer.after = func(context.Context, string, string) { <-finishing }
	h.start()
	w.candidates <- h.video("a.mp4", "a")
	h.waitFor("100% while the CSV is finished", func(s store.Status) bool {
		return len(s.Running) == 1 && s.Running[0].Progress == 1
	})
	close(finishing)
	h.waitFor("the video done", func(s store.Status) bool { return s.Counts.Done == 1 })
}
