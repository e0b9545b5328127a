package watcher

import (
	"bytes"
	"context"
	"github.com/auwatchd/auwatchd/internal/testenv"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Test timings: short enough for a quick suite, long enough for a loaded machine.
const (
	testQuiet  = 200 * time.Millisecond
	testPoll   = 100 * time.Millisecond
	testRescan = 400 * time.Millisecond
	// waitLimit bounds every wait for something that must happen, rescans included.
	waitLimit = 5 * time.Second
	// settle is long enough for any pending file to have been reported.
	settle = testQuiet + 4*testPoll
)

// startWatcher runs a Watcher on folders until the test ends, with test timings for every
// zero duration and a logger writing to the test output.
func startWatcher(t *testing.T, cfg Config, folders ...string) *Watcher {
	t.Helper()
	w := newTestWatcher(t, cfg)
	runWatcher(t, w, folders...)
	return w
}

// newTestWatcher returns a Watcher with test timings for every zero duration and a logger
// writing to the test output, not yet running.
func newTestWatcher(t *testing.T, cfg Config) *Watcher {
	t.Helper()
	if cfg.Quiet == 0 {
		cfg.Quiet = testQuiet
	}
	if cfg.Poll == 0 {
		cfg.Poll = testPoll
	}
	if cfg.Rescan == 0 {
		cfg.Rescan = testRescan
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// runWatcher runs w on folders until the test ends, then checks that it stops cleanly.
func runWatcher(t *testing.T, w *Watcher, folders ...string) {
	t.Helper()
	w.SetFolders(folders)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Run did not return within %v of its context ending", waitLimit)
		}
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// expectCandidate waits for the next candidate and checks its path.
func expectCandidate(t *testing.T, w *Watcher, path string) Candidate {
	t.Helper()
	select {
	case c := <-w.Candidates():
		if c.Path != path {
			t.Fatalf("candidate %s, want %s", c.Path, path)
		}
		return c
	case <-time.After(waitLimit):
		t.Fatalf("no candidate for %s within %v", path, waitLimit)
	}
	return Candidate{}
}

// expectCandidates waits for len(paths) candidates, in any order, and checks their paths.
func expectCandidates(t *testing.T, w *Watcher, paths ...string) map[string]Candidate {
	t.Helper()
	got := make(map[string]Candidate)
	deadline := time.After(waitLimit)
	for len(got) < len(paths) {
		select {
		case c := <-w.Candidates():
			if !slices.Contains(paths, c.Path) || got[c.Path] != (Candidate{}) {
				t.Fatalf("unexpected candidate %+v; want each of %v once", c, paths)
			}
			got[c.Path] = c
		case <-deadline:
			t.Fatalf("got candidates %v within %v, want %v", keys(got), waitLimit, paths)
		}
	}
	return got
}

// expectNoCandidate checks that nothing is reported for d.
func expectNoCandidate(t *testing.T, w *Watcher, d time.Duration) {
	t.Helper()
	select {
	case c := <-w.Candidates():
		t.Fatalf("unexpected candidate %+v", c)
	case <-time.After(d):
	}
}

func keys(m map[string]Candidate) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func mkdir(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSlowCopyIsReportedOnceAfterItStopsGrowing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	quiet := 300 * time.Millisecond
	w := startWatcher(t, Config{Quiet: quiet}, dir)

	path := filepath.Join(dir, "slow.mp4")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const chunks, chunkSize = 20, 4096
	chunk := bytes.Repeat([]byte{7}, chunkSize)
	for range chunks {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-w.Candidates():
			t.Fatalf("reported while still growing: %+v", c)
		case <-time.After(50 * time.Millisecond):
		}
	}
	lastWrite := time.Now()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	c := expectCandidate(t, w, path)
	if waited := time.Since(lastWrite); waited < quiet {
		t.Errorf("reported %v after the last write, before the %v quiet period", waited, quiet)
	}
	if c.Size != chunks*chunkSize || c.Folder != dir {
		t.Errorf("candidate %+v, want size %d in folder %s", c, chunks*chunkSize, dir)
	}
	// Across a full rescan the unchanged file must not come back.
	expectNoCandidate(t, w, testRescan+settle)
}

func TestFilesPresentAtStartAreReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	top := writeFile(t, filepath.Join(dir, "a.mp4"), "a")
	nested := writeFile(t, filepath.Join(mkdir(t, filepath.Join(dir, "x", "y")), "b.MOV"), "bb")
	w := startWatcher(t, Config{}, dir)
	got := expectCandidates(t, w, top, nested)
	if got[nested].Size != 2 || got[nested].Folder != dir {
		t.Errorf("candidate %+v, want size 2 in folder %s", got[nested], dir)
	}
}

func TestFileInNewSubfolderIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Rescans too rare to help: only events can find the new folder.
	w := startWatcher(t, Config{Rescan: time.Hour}, dir)
	expectNoCandidate(t, w, testPoll)
	sub := mkdir(t, filepath.Join(dir, "day1", "camera"))
	path := writeFile(t, filepath.Join(sub, "clip.mkv"), "clip")
	if c := expectCandidate(t, w, path); c.Folder != dir {
		t.Errorf("candidate folder %s, want %s", c.Folder, dir)
	}
	later := writeFile(t, filepath.Join(sub, "second.mkv"), "clip 2")
	expectCandidate(t, w, later)
}

func TestFolderMovedInWithVideosIsReported(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := mkdir(t, filepath.Join(base, "watched"))
	staging := mkdir(t, filepath.Join(base, "staging", "session", "day2"))
	first := writeFile(t, filepath.Join(staging, "..", "a.mp4"), "a")
	second := writeFile(t, filepath.Join(staging, "b.mp4"), "b")
	// Rescans too rare to help: only events can find the moved folders.
	w := startWatcher(t, Config{Rescan: time.Hour}, root)
	expectNoCandidate(t, w, testPoll)
	if err := os.Rename(filepath.Join(base, "staging", "session"), filepath.Join(root, "session")); err != nil {
		t.Fatal(err)
	}
	moved := func(path string) string {
		rel, err := filepath.Rel(filepath.Join(base, "staging"), path)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.Join(root, rel)
	}
	expectCandidates(t, w, moved(first), moved(second))

	// Renaming the folder inside the watched tree reports its videos under the new name, and
	// the new folder is watched.
	renamed := filepath.Join(root, "session-renamed")
	if err := os.Rename(filepath.Join(root, "session"), renamed); err != nil {
		t.Fatal(err)
	}
	expectCandidates(t, w, filepath.Join(renamed, "a.mp4"), filepath.Join(renamed, "day2", "b.mp4"))
	third := writeFile(t, filepath.Join(renamed, "day2", "c.mp4"), "c")
	expectCandidate(t, w, third)
	expectNoCandidate(t, w, settle)
}

func TestIgnoredFilesAreNeverReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := startWatcher(t, Config{}, dir)
	ignored := []string{
		".hidden.mp4", "._clip.mp4", ".DS_Store", "clip.mp4.part", "clip.mp4.partial",
		"clip.mp4.crdownload", "clip.mp4.download", "clip.tmp", ".clip.mp4.au.csv", "notes.txt",
		filepath.Join(".hidden", "inside.mp4"),
		filepath.Join("bundle.mp4.download", "bundle.mp4"),
	}
	for _, name := range ignored {
		path := filepath.Join(dir, name)
		mkdir(t, filepath.Dir(path))
		writeFile(t, path, "not for us")
	}
	sentinel := writeFile(t, filepath.Join(dir, "real.mp4"), "video")
	expectCandidate(t, w, sentinel)
	expectNoCandidate(t, w, settle)
}

func TestFileIsReportedOncePerVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := startWatcher(t, Config{}, dir)
	path := writeFile(t, filepath.Join(dir, "take.mp4"), "x")
	if c := expectCandidate(t, w, path); c.Size != 1 || c.Folder != dir {
		t.Fatalf("candidate %+v, want size 1 in folder %s", c, dir)
	}
	// A permission change is an event but leaves size and time alone: no second report,
	// not even after a rescan.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	expectNoCandidate(t, w, testRescan+settle)

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("y"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if c := expectCandidate(t, w, path); c.Size != 2 {
		t.Fatalf("second report size %d, want 2", c.Size)
	}
}

func TestMovedFileIsReportedUnderItsNewName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		from, to     string
		fromReported bool
	}{
		{"rename in place", "take1.mp4", "take1-final.mp4", true},
		{"move into subfolder", "take1.mp4", filepath.Join("sorted", "take1.mp4"), true},
		{"partial download renamed when done", "take1.mp4.crdownload", "take1.mp4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mkdir(t, filepath.Join(dir, "sorted"))
			w := startWatcher(t, Config{}, dir)
			from := writeFile(t, filepath.Join(dir, tt.from), "frames")
			if tt.fromReported {
				expectCandidate(t, w, from)
			}
			to := filepath.Join(dir, tt.to)
			if err := os.Rename(from, to); err != nil {
				t.Fatal(err)
			}
			expectCandidate(t, w, to)
			expectNoCandidate(t, w, settle)
		})
	}
}

func TestModifiedFileIsReportedAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := startWatcher(t, Config{}, dir)
	path := writeFile(t, filepath.Join(dir, "a.avi"), "0123456789")
	if c := expectCandidate(t, w, path); c.Size != 10 {
		t.Fatalf("first report size %d, want 10", c.Size)
	}
	writeFile(t, path, "0123456789abcde")
	if c := expectCandidate(t, w, path); c.Size != 15 {
		t.Fatalf("second report size %d, want 15", c.Size)
	}
}

func TestRemovedAndRecreatedFolderIsWatchedAgain(t *testing.T) {
	t.Parallel()
	root := mkdir(t, filepath.Join(t.TempDir(), "videos"))
	w := startWatcher(t, Config{}, root)
	first := writeFile(t, filepath.Join(root, "one.mp4"), "1")
	expectCandidate(t, w, first)

	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	expectNoCandidate(t, w, testPoll)
	mkdir(t, filepath.Join(root, "sub"))
	second := writeFile(t, filepath.Join(root, "sub", "two.mp4"), "2")
	expectCandidate(t, w, second)
	// Once watched again, events work without waiting for a rescan.
	third := writeFile(t, filepath.Join(root, "three.mp4"), "3")
	expectCandidate(t, w, third)
}

func TestMissingFolderIsLoggedOnceAndPickedUpWhenItAppears(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "not-yet")
	var logs testenv.SyncBuffer
	rescan := 200 * time.Millisecond
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	w := startWatcher(t, Config{Rescan: rescan, Logger: logger}, root)

	expectNoCandidate(t, w, 4*rescan)
	if p := w.Problems(); len(p) != 1 || p[0].Op != OpFindFolder || p[0].Path != root || p[0].Folder != root {
		t.Errorf("problems %v, want only that %s cannot be found", p, root)
	}
	mkdir(t, root)
	path := writeFile(t, filepath.Join(root, "late.webm"), "late")
	expectCandidate(t, w, path)

	text := logs.String()
	if n := strings.Count(text, "cannot find watched folder"); n != 1 {
		t.Errorf("missing folder logged %d times, want once; log:\n%s", n, text)
	}
	if !strings.Contains(text, "can find watched folder again") {
		t.Errorf("reappearance not logged; log:\n%s", text)
	}
	if p := w.Problems(); len(p) != 0 {
		t.Errorf("problems %v after the folder appeared, want none", p)
	}
}

func TestSetFoldersAddsAndRemovesFolders(t *testing.T) {
	t.Parallel()
	a := mkdir(t, filepath.Join(t.TempDir(), "a"))
	b := mkdir(t, filepath.Join(t.TempDir(), "b"))
	w := startWatcher(t, Config{}, a)
	expectCandidate(t, w, writeFile(t, filepath.Join(a, "a1.mp4"), "a1"))

	w.SetFolders([]string{a, b})
	if c := expectCandidate(t, w, writeFile(t, filepath.Join(b, "b1.mp4"), "b1")); c.Folder != b {
		t.Errorf("candidate folder %s, want %s", c.Folder, b)
	}

	w.SetFolders([]string{b + string(filepath.Separator)})
	writeFile(t, filepath.Join(a, "a2.mp4"), "a2")
	if c := expectCandidate(t, w, writeFile(t, filepath.Join(b, "b2.mp4"), "b2")); c.Folder != b {
		t.Errorf("candidate folder %s, want %s", c.Folder, b)
	}
	expectNoCandidate(t, w, testRescan+settle)
}

func TestSymlinksAreNotFollowed(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := mkdir(t, filepath.Join(base, "watched"))
	outside := mkdir(t, filepath.Join(base, "outside"))
	writeFile(t, filepath.Join(outside, "elsewhere.mp4"), "out")
	real := writeFile(t, filepath.Join(root, "real.mp4"), "in")
	sub := mkdir(t, filepath.Join(root, "sub"))
	links := map[string]string{
		filepath.Join(sub, "up"):          "..",
		filepath.Join(sub, "loop"):        ".",
		filepath.Join(root, "self"):       "self",
		filepath.Join(root, "out"):        outside,
		filepath.Join(sub, "link.mp4"):    real,
		filepath.Join(root, "escape.mp4"): filepath.Join(outside, "elsewhere.mp4"),
	}
	for link, target := range links {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	w := startWatcher(t, Config{}, root)
	expectCandidate(t, w, real)
	expectNoCandidate(t, w, testRescan+settle)
}

func TestWatchedFolderMayBeASymlink(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	target := mkdir(t, filepath.Join(base, "target"))
	link := filepath.Join(base, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	w := startWatcher(t, Config{}, link)
	writeFile(t, filepath.Join(target, "v.mp4"), "v")
	if c := expectCandidate(t, w, filepath.Join(link, "v.mp4")); c.Folder != link {
		t.Errorf("candidate folder %s, want %s", c.Folder, link)
	}
}

func TestUnreadableSubfolderDoesNotStopTheWatcher(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	locked := mkdir(t, filepath.Join(dir, "locked"))
	writeFile(t, filepath.Join(locked, "private.mp4"), "p")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	w := startWatcher(t, Config{}, dir)
	path := writeFile(t, filepath.Join(dir, "open.mp4"), "o")
	deadline := time.After(waitLimit)
	for {
		select {
		case c := <-w.Candidates():
			if c.Path == path {
				return
			}
			// Only a privileged user can read the locked folder.
			if os.Geteuid() != 0 {
				t.Fatalf("candidate %+v from a folder without read permission", c)
			}
		case <-deadline:
			t.Fatalf("no candidate for %s within %v", path, waitLimit)
		}
	}
}

func TestRunClosesChannelsAndRunsOnce(t *testing.T) {
	t.Parallel()
	w, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Run did not return after its context ended")
	}
	if _, ok := <-w.Candidates(); ok {
		t.Error("Candidates still open after Run returned")
	}
	if err := w.Run(context.Background()); err == nil {
		t.Error("second Run returned no error")
	}
}

func TestCloseStopsRun(t *testing.T) {
	t.Parallel()
	w, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run ended by Close returned no error")
		}
	case <-time.After(waitLimit):
		t.Fatal("Run did not return after Close")
	}
}

// auwatchd's CSVs are reported as outputs, apart from videos, so that the
// caller can record a CSV measured elsewhere; hidden ones never are.
func TestOutputsAreReportedAsOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := startWatcher(t, Config{}, dir)
	writeFile(t, filepath.Join(dir, ".clip.mp4.au.csv.tmp-1"), "temporary")
	csv := writeFile(t, filepath.Join(dir, "clip.mp4.au.csv"), "frame, AU01_r")
	if c := expectCandidate(t, w, csv); !c.Output {
		t.Errorf("the CSV was reported as a video: %+v", c)
	}
	video := writeFile(t, filepath.Join(dir, "clip.mp4"), "video")
	if c := expectCandidate(t, w, video); c.Output {
		t.Errorf("the video was reported as an output: %+v", c)
	}
	expectNoCandidate(t, w, settle)
}
