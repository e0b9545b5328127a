package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/store"
)

// The daemon scenarios of the product: real binary, real folders, real
// database, real videos. Each logs its timings.

// Two workers measure two videos at once, each once, and write the CSVs
// `auwatchd process` writes one at a time.
func TestScenarioSameCSVAsProcess(t *testing.T) {
	home, folder, oneShot := t.TempDir(), t.TempDir(), t.TempDir()
	videos := []string{"videos/default.wmv", "videos/changeLighting.wmv", "videos/subj01_timepoint01.mp4"}
	if code, _, errOut := runBinary(t, nil, "workers", "2", "--home", home); code != 0 {
		t.Fatal(errOut)
	}
	start := time.Now()
	d := startDaemon(t, home, folder)
	for _, v := range videos {
		copyFile(t, testenv.TestdataPath(t, v), filepath.Join(folder, filepath.Base(v)))
	}
	mostRunning := 0
	d.waitFor("three videos done", func(s store.Status) bool {
		mostRunning = max(mostRunning, len(s.Running))
		return s.Counts.Done == 3
	})
	t.Logf("3 sample videos measured by the daemon with 2 workers in %v", time.Since(start).Round(time.Millisecond))
	d.stop()
	if mostRunning != 2 {
		t.Errorf("at most %d videos ran at once, want 2", mostRunning)
	}
	if n := strings.Count(d.logged(), "msg=processing"); n != 3 {
		t.Errorf("%d runs for 3 videos:\n%s", n, d.logged())
	}
	for _, v := range videos {
		name := filepath.Base(v) + ".au.csv"
		args := append([]string{"process", "-o", oneShot, testenv.TestdataPath(t, v)}, setupArgs(t)...)
		if code, _, errOut := runBinary(t, nil, args...); code != 0 {
			t.Fatalf("process %s: %s", v, errOut)
		}
		daemonCSV, err1 := os.ReadFile(filepath.Join(folder, name))
		processCSV, err2 := os.ReadFile(filepath.Join(oneShot, name))
		if err1 != nil || err2 != nil || !bytes.Equal(daemonCSV, processCSV) {
			t.Errorf("%s: the daemon's CSV differs from `auwatchd process` (%v, %v)", name, err1, err2)
		}
	}
}

func TestScenarioSlowCopy(t *testing.T) {
	home, folder := t.TempDir(), t.TempDir()
	d := startDaemon(t, home, folder)
	data, err := os.ReadFile(testenv.TestdataPath(t, "videos/changeLighting.wmv"))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(folder, "slow.wmv")
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	const chunks = 40 // over ~10 s
	start := time.Now()
	for i := 0; i < chunks; i++ {
		if _, err := f.Write(data[i*len(data)/chunks : (i+1)*len(data)/chunks]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	f.Close()
	copied := time.Since(start)
	s := d.waitFor("the slow copy done", func(s store.Status) bool { return s.Counts.Done == 1 })
	d.stop()
	if n := strings.Count(d.logged(), "msg=processing"); n != 1 || s.RecentDone[0].Attempts != 1 {
		t.Fatalf("processed %d times (attempts %d), want once\n%s", n, s.RecentDone[0].Attempts, d.logged())
	}
	if started := d.logged(); strings.Index(started, "msg=processing") < 0 {
		t.Fatal("no processing line")
	}
	rows := countRows(t, dst+".au.csv")
	if rows != 88 {
		t.Errorf("CSV has %d frames, want the whole video's 88", rows)
	}
	t.Logf("copy took %v; one run, %d frames", copied.Round(time.Millisecond), rows)
}

func countRows(t *testing.T, csv string) int {
	t.Helper()
	data, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n")) - 1
}

// peakRSS reads the resident set size of a running process, in MiB: its peak
// (VmHWM) where /proc has it, as on Linux; elsewhere, as on macOS, which keeps
// no peak it will tell about another running process, its current size from
// ps, which reports KiB on both.
func peakRSS(t *testing.T, pid int) float64 {
	t.Helper()
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "VmHWM:" {
				return kibToMiB(t, fields[1])
			}
		}
		t.Fatalf("/proc/%d/status has no VmHWM line", pid)
	}
	out, err := exec.Command("ps", "-o", "rss=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Fatalf("ps -o rss= -p %d: %v", pid, err)
	}
	return kibToMiB(t, strings.TrimSpace(string(out)))
}

func kibToMiB(t *testing.T, kib string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(kib, 64)
	if err != nil || v <= 0 {
		t.Fatalf("resident size %q is not a positive number of KiB", kib)
	}
	return v / 1024
}

func TestScenarioHundredVideosAndJunk(t *testing.T) {
	const count, junk = 100, 20
	home, folder, staging := t.TempDir(), t.TempDir(), t.TempDir()
	clip := filepath.Join(staging, "clip.avi")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=0.2",
		"-c:v", "mjpeg", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	d := startDaemon(t, home, folder)
	start := time.Now()
	for i := 0; i < count; i++ {
		dir := filepath.Join(folder, fmt.Sprintf("day %d", i%4))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, clip, filepath.Join(dir, fmt.Sprintf("participant-%03d.avi", i)))
	}
	junkNames := []string{".DS_Store", "._participant-001.avi", "notes.txt", "export.part", "video.mp4.crdownload", "data.tmp", "scores.xlsx", ".hidden.mp4", "summary.au.csv", "readme.md"}
	for i := 0; i < junk; i++ {
		name := fmt.Sprintf("%d-%s", i, junkNames[i%len(junkNames)])
		if strings.HasPrefix(junkNames[i%len(junkNames)], ".") {
			name = junkNames[i%len(junkNames)] + strconv.Itoa(i)
		}
		if err := os.WriteFile(filepath.Join(folder, name), []byte("not a video"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var rssAt10 float64
	s := d.waitFor("a hundred done", func(s store.Status) bool {
		if rssAt10 == 0 && s.Counts.Done >= 10 {
			rssAt10 = peakRSS(t, d.cmd.Process.Pid)
		}
		return s.Counts.Done == count
	})
	elapsed := time.Since(start)
	rssAt100 := peakRSS(t, d.cmd.Process.Pid)
	d.stop()
	if s.Counts.Queued+s.Counts.Running+s.Counts.Failed != 0 {
		t.Errorf("counts %+v, want the queue drained and nothing failed", s.Counts)
	}
	csvs, _ := filepath.Glob(filepath.Join(folder, "day *", "*.au.csv"))
	if len(csvs) != count {
		t.Errorf("%d CSVs for %d videos", len(csvs), count)
	}
	if n := strings.Count(d.logged(), "msg=processing"); n != count {
		t.Errorf("%d runs for %d videos", n, count)
	}
	t.Logf("%d videos (+%d junk files) done in %v; daemon peak RSS %.0f MiB after 10 jobs, %.0f MiB after 100",
		count, junk, elapsed.Round(time.Millisecond), rssAt10, rssAt100)
	if rssAt100 > 1.25*rssAt10 {
		t.Errorf("memory grew from %.0f to %.0f MiB between 10 and 100 jobs", rssAt10, rssAt100)
	}
}

func TestScenarioBadFiles(t *testing.T) {
	home, folder := t.TempDir(), t.TempDir()
	whole, err := os.ReadFile(testenv.TestdataPath(t, "videos/subj01_timepoint01.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, home, folder)
	bad := map[string][]byte{
		"empty.mp4":     nil,
		"random.mp4":    bytes.Repeat([]byte("\x13\x37 not a video "), 500),
		"truncated.mp4": whole[:len(whole)/3],
	}
	for name, data := range bad {
		if err := os.WriteFile(filepath.Join(folder, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "good.wmv"))
	s := d.waitFor("three failed, one done", func(s store.Status) bool { return s.Counts.Failed == 3 && s.Counts.Done == 1 })
	d.stop()
	for _, j := range s.RecentFailed {
		if !strings.Contains(j.Error, j.Path) || !strings.Contains(j.Error, "not a video") {
			t.Errorf("%s: reason %q should name the file and say it is not a video", filepath.Base(j.Path), j.Error)
		}
		t.Logf("%s: %s", filepath.Base(j.Path), j.Error)
	}
	if code, out, _ := runBinary(t, nil, "status", "--home", home); code != 0 || !strings.Contains(out, "failed #") {
		t.Errorf("status does not show the failures:\n%s", out)
	}
}

func TestScenarioFolderChanges(t *testing.T) {
	home, root := t.TempDir(), t.TempDir()
	folder := filepath.Join(root, "watched")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	sample := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	d := startDaemon(t, home, folder, "--rescan", "2s")

	// A subfolder created after start.
	sub := filepath.Join(folder, "later")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, sample, filepath.Join(sub, "a.wmv"))
	d.waitFor("the subfolder's video", func(s store.Status) bool { return s.Counts.Done == 1 })

	// Renamed after processing: the CSV follows, nothing runs again.
	if err := os.Rename(filepath.Join(sub, "a.wmv"), filepath.Join(sub, "b.wmv")); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, filepath.Join(sub, "b.wmv.au.csv"))
	if _, err := os.Stat(filepath.Join(sub, "a.wmv.au.csv")); err == nil {
		t.Error("the old CSV is still there after the rename")
	}

	// Replaced by a different video under the same name: measured again.
	before, err := os.ReadFile(filepath.Join(sub, "b.wmv.au.csv"))
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "other.wmv")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-i", sample, "-frames:v", "40", "-c:v", "wmv2", other).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	if err := os.Rename(other, filepath.Join(sub, "b.wmv")); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the replaced video measured again", func(s store.Status) bool {
		after, err := os.ReadFile(filepath.Join(sub, "b.wmv.au.csv"))
		return err == nil && !bytes.Equal(after, before) && s.Counts.Running == 0 && s.Counts.Queued == 0
	})
	if rows := countRows(t, filepath.Join(sub, "b.wmv.au.csv")); rows != 40 {
		t.Errorf("replaced video's CSV has %d frames, want 40", rows)
	}

	// The watched folder deleted, shown missing, and created again.
	if err := os.RemoveAll(folder); err != nil {
		t.Fatal(err)
	}
	health := func(s store.Status) string { return s.Folders[0].Health }
	d.waitFor("the folder shown missing", func(s store.Status) bool { return health(s) == store.FolderMissing })
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the folder back", func(s store.Status) bool { return health(s) == "" })
	copyFile(t, sample, filepath.Join(folder, "c.wmv"))
	waitForFile(t, filepath.Join(folder, "c.wmv.au.csv"))
	d.stop()
	if n := strings.Count(d.logged(), "msg=processing"); n != 3 {
		t.Errorf("%d runs, want 3 (a.wmv, the replaced b.wmv, c.wmv)\n%s", n, d.logged())
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
