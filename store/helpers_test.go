package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixture is a store in a temporary folder with one watched folder whose
// videos are real files.
type fixture struct {
	t      testing.TB
	ctx    context.Context
	dbPath string
	s      *Store
	folder Folder
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{t: t, ctx: context.Background(), dbPath: filepath.Join(root, "home", FileName)}
	f.s = openStore(t, f.dbPath)
	watched := filepath.Join(root, "watched")
	if err := os.Mkdir(watched, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.folder, err = f.s.AddFolder(f.ctx, watched); err != nil {
		t.Fatal(err)
	}
	return f
}

// openStore opens path, closing it when the test ends, with a clock that
// moves one second per reading so that times order the way events happen.
func openStore(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes the store without tidying up, as a crash would leave it, and
// opens it again.
func (f *fixture) reopen() {
	f.t.Helper()
	if err := f.s.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.s = openStore(f.t, f.dbPath)
}

// video writes content to name in the watched folder and describes it.
func (f *fixture) video(name, content string) VideoFile {
	f.t.Helper()
	path := filepath.Join(f.folder.Path, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return describe(f.t, path)
}

func describe(t testing.TB, path string) VideoFile {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return VideoFile{Path: path, Size: info.Size(), MtimeNs: info.ModTime().UnixNano(), Fingerprint: hex.EncodeToString(sum[:8])}
}

func (f *fixture) enqueue(v VideoFile) (Job, bool) {
	f.t.Helper()
	j, created, err := f.s.Enqueue(f.ctx, f.folder.ID, v)
	if err != nil {
		f.t.Fatal(err)
	}
	return j, created
}

// claim claims a job and checks that it is the one expected.
func (f *fixture) claim(wantPath string) Job {
	f.t.Helper()
	j, err := f.s.Claim(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if j == nil {
		f.t.Fatalf("claimed nothing, want %s", wantPath)
	}
	if j.Path != wantPath {
		f.t.Fatalf("claimed %s, want %s", j.Path, wantPath)
	}
	return *j
}

func (f *fixture) claimNothing() {
	f.t.Helper()
	j, err := f.s.Claim(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if j != nil {
		f.t.Fatalf("claimed %s, want nothing", j.Path)
	}
}

func (f *fixture) complete(id int64, frames int) {
	f.t.Helper()
	if err := f.s.Complete(f.ctx, id, testResult(id, frames, testAUNames)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) job(path string) Job {
	f.t.Helper()
	j, err := f.s.JobByPath(f.ctx, path)
	if err != nil {
		f.t.Fatal(err)
	}
	return j
}

// count returns the rows of table belonging to job id.
func (f *fixture) count(table string, id int64) int {
	f.t.Helper()
	var n int
	if err := f.s.db.QueryRow(`SELECT count(*) FROM `+table+` WHERE job_id = ?`, id).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// testAUNames are OpenFace 2.2's 17 intensity outputs.
var testAUNames = strings.Fields("AU01_r AU02_r AU04_r AU05_r AU06_r AU07_r AU09_r AU10_r AU12_r AU14_r AU15_r AU17_r AU20_r AU23_r AU25_r AU26_r AU45_r")

// testFrames makes frames whose values encode job, frame and AU, so that a
// value read back shows where it came from.
func testFrames(id int64, frames, aus int) []FrameAUs {
	out := make([]FrameAUs, frames)
	for i := range out {
		values := make([]float64, aus)
		for a := range values {
			values[a] = float64(id) + float64(i+1)/1000 + float64(a)/1e6
		}
		out[i] = FrameAUs{Frame: i + 1, Timestamp: float64(i) / 30, Success: i%10 != 0, Values: values,
			Gaze: [2]float64{float64(i) / 100, -float64(i) / 200}, HasGaze: true}
	}
	return out
}

func testResult(id int64, frames int, names []string) Result {
	stats := make([]AUStat, len(names))
	for i, n := range names {
		stats[i] = AUStat{Name: n, Mean: float64(i) / 10, Max: float64(i)}
	}
	return Result{
		OutputPath:   "/out/video.mp4.au.csv",
		OutputSHA256: strings.Repeat("ab", 32),
		Summary: Summary{Frames: frames, Successful: frames - frames/10, FPS: 30, WallSeconds: float64(frames) / 30, AUs: stats,
			MeanGaze: &[2]float64{0.125, -0.25}},
		AUNames: names,
		Frames:  slices.Values(testFrames(id, frames, len(names))),
	}
}
