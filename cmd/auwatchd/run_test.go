package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
)

// daemonUnderTest is the real binary running `auwatchd run` on a real
// folder, with its own data folder.
type daemonUnderTest struct {
	t      *testing.T
	home   string
	folder string
	cmd    *exec.Cmd
	out    testenv.SyncBuffer // what the process printed: nothing but a crash's trace
	since  int64              // where this run's lines start in the log file
	user   []string           // the command that runs the daemon's commands as its user; nil for this one
}

// logged returns what this run of the daemon wrote to its log file, and
// anything else it printed.
func (d *daemonUnderTest) logged() string {
	data, err := os.ReadFile(d.logFile())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.t.Errorf("read the log: %v", err)
	}
	return string(data[min(d.since, int64(len(data))):]) + d.out.String()
}

func (d *daemonUnderTest) logFile() string { return filepath.Join(d.home, "auwatchd.log") }

func startDaemon(t *testing.T, home, folder string, extra ...string) *daemonUnderTest {
	t.Helper()
	if code, _, errOut := runBinary(t, nil, "folders", "add", folder, "--home", home); code != 0 {
		t.Fatalf("folders add: %s", errOut)
	}
	args := append(append([]string{"run", "--home", home, "--quiet", "300ms"}, setupArgs(t)...), extra...)
	return launchDaemon(t, exec.Command(binary, args...), home, folder)
}

// launchDaemon starts cmd, an `auwatchd run` on the data folder home.
func launchDaemon(t *testing.T, cmd *exec.Cmd, home, folder string) *daemonUnderTest {
	t.Helper()
	d := &daemonUnderTest{t: t, home: home, folder: folder, cmd: cmd}
	if info, err := os.Stat(d.logFile()); err == nil {
		d.since = info.Size()
	}
	d.cmd.Stdout, d.cmd.Stderr = &d.out, &d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			d.cmd.Wait()
		}
	})
	return d
}

// stop sends SIGTERM and expects a clean exit.
func (d *daemonUnderTest) stop() {
	d.t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		d.t.Fatalf("daemon did not stop cleanly: %v\n%s", err, d.logged())
	}
}

func (d *daemonUnderTest) status() store.Status {
	d.t.Helper()
	code, out, errOut := runAsUser(d.t, d.user, "status", "--json", "--home", d.home)
	if code != 0 {
		d.t.Fatalf("status: %s", errOut)
	}
	var s store.Status
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		d.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return s
}

// waitFor polls cond until it holds or the deadline passes.
func (d *daemonUnderTest) waitFor(what string, cond func(store.Status) bool) store.Status {
	d.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		s := d.status()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %s; status %+v\nlog:\n%s", what, s.Counts, d.logged())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

func TestDaemonMeasuresDroppedVideos(t *testing.T) {
	home, folder := t.TempDir(), t.TempDir()
	sub := filepath.Join(folder, "session 2")
	d := startDaemon(t, home, folder)

	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "interview.wmv"))
	if err := os.WriteFile(filepath.Join(folder, "notes.mp4"), []byte("meeting notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(folder, "other.wmv.au.csv")
	if err := os.WriteFile(foreign, []byte("a researcher's own file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "other.wmv"))
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(sub, "interview.wmv"))

	s := d.waitFor("two done, two failed", func(s store.Status) bool {
		return s.Counts.Done == 2 && s.Counts.Failed == 2
	})
	for _, csv := range []string{filepath.Join(folder, "interview.wmv.au.csv"), filepath.Join(sub, "interview.wmv.au.csv")} {
		info, err := os.Stat(csv)
		if err != nil {
			t.Fatalf("no CSV beside the video: %v", err)
		}
		if info.Mode().Perm() != 0o640 {
			t.Errorf("%s has mode %v, want the video's 0640", csv, info.Mode().Perm())
		}
	}
	if got, _ := os.ReadFile(foreign); string(got) != "a researcher's own file\n" {
		t.Errorf("the daemon overwrote a file it did not write")
	}
	reasons := map[string]string{}
	for _, j := range s.RecentFailed {
		reasons[filepath.Base(j.Path)] = j.Error
	}
	if !strings.Contains(reasons["other.wmv"], "did not write it") || !strings.Contains(reasons["notes.mp4"], "not a video") {
		t.Errorf("failure reasons: %v", reasons)
	}
	d.stop()
	if !strings.Contains(d.logged(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", d.logged())
	}

	before, err := os.Stat(filepath.Join(folder, "interview.wmv.au.csv"))
	if err != nil {
		t.Fatal(err)
	}
	again := startDaemon(t, home, folder)
	time.Sleep(2 * time.Second)
	again.stop()
	after, err := os.Stat(filepath.Join(folder, "interview.wmv.au.csv"))
	if err != nil || !after.ModTime().Equal(before.ModTime()) || strings.Contains(again.logged(), "msg=processing") {
		t.Errorf("a restart processed a finished video again:\n%s", again.logged())
	}
}

func TestDaemonPauseAndResume(t *testing.T) {
	home, folder := t.TempDir(), t.TempDir()
	d := startDaemon(t, home, folder)
	if code, _, errOut := runBinary(t, nil, "pause", "--home", home); code != 0 {
		t.Fatal(errOut)
	}
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "a.wmv"))
	d.waitFor("the video queued", func(s store.Status) bool { return s.Counts.Queued == 1 && s.Paused })
	time.Sleep(3 * time.Second)
	if s := d.status(); s.Counts.Done != 0 || s.Counts.Running != 0 {
		t.Fatalf("a paused daemon took a video: %+v", s.Counts)
	}
	if code, _, errOut := runBinary(t, nil, "resume", "--home", home); code != 0 {
		t.Fatal(errOut)
	}
	d.waitFor("the video done after resume", func(s store.Status) bool { return s.Counts.Done == 1 })
	d.stop()
}

// TestDaemonEveryFrameMode: after `auwatchd mode every-frame` the daemon
// measures new videos as `process --every-frame` does.
func TestDaemonEveryFrameMode(t *testing.T) {
	home, folder, elsewhere := t.TempDir(), t.TempDir(), t.TempDir()
	if code, _, errOut := runBinary(t, nil, "mode", "--home", home, "every-frame"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, errOut := runBinary(t, nil, "mode", "--home", home); code != 0 || out != "every-frame\n" {
		t.Fatalf("mode printed %q (%s), want every-frame", out, errOut)
	}
	if code, _, errOut := runBinary(t, nil, "mode", "--home", home, "quick"); code == 0 || !strings.Contains(errOut, `unknown mode "quick"`) {
		t.Errorf("mode quick: code %d, %s", code, errOut)
	}
	if code, out, errOut := runBinary(t, nil, "status", "--home", home); code != 0 || !strings.HasPrefix(out, "running in the every-frame mode with ") {
		t.Errorf("status: code %d, %q %s; want it to say the every-frame mode", code, out, errOut)
	}
	d := startDaemon(t, home, folder)
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	copyFile(t, video, filepath.Join(folder, "a.wmv"))
	d.waitFor("the video measured", func(s store.Status) bool { return s.Counts.Done == 1 })
	d.stop()

	copyFile(t, video, filepath.Join(elsewhere, "a.wmv"))
	if code, _, errOut := runBinary(t, nil, append([]string{"process", "--every-frame", filepath.Join(elsewhere, "a.wmv")}, setupArgs(t)...)...); code != 0 {
		t.Fatal(errOut)
	}
	daemonCSV, err1 := os.ReadFile(filepath.Join(folder, "a.wmv.au.csv"))
	processCSV, err2 := os.ReadFile(filepath.Join(elsewhere, "a.wmv.au.csv"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(daemonCSV, processCSV) {
		t.Error("the daemon's CSV in the every-frame mode differs from process --every-frame's")
	}
}

func TestOneDaemonPerDataFolder(t *testing.T) {
	home, folder := t.TempDir(), t.TempDir()
	d := startDaemon(t, home, folder)
	d.waitFor("the first daemon to start", func(store.Status) bool { return strings.Contains(d.logged(), "msg=started") })
	code, _, errOut := runBinary(t, nil, append([]string{"run", "--home", home}, setupArgs(t)...)...)
	if code == 0 || !strings.Contains(errOut, "another auwatchd is already running") {
		t.Fatalf("second daemon: code %d, %s", code, errOut)
	}
	d.stop()
}

// longClip makes a video long enough to stop the daemon in the middle of it.
func longClip(t *testing.T, dst string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-stream_loop", "8", "-i",
		testenv.TestdataPath(t, "videos/changeLighting.wmv"), "-c", "copy", dst).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
}

func TestDaemonStopAndCrashMidVideo(t *testing.T) {
	home, folder, staging := t.TempDir(), t.TempDir(), t.TempDir()
	clip := filepath.Join(staging, "long.wmv")
	longClip(t, clip)
	csv := filepath.Join(folder, "long.wmv.au.csv")

	d := startDaemon(t, home, folder)
	if err := os.Rename(clip, filepath.Join(folder, "long.wmv")); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the video running", func(s store.Status) bool { return len(s.Running) == 1 && s.Running[0].Progress > 0 })
	d.stop()
	if s := d.status(); s.Counts.Queued != 1 || s.Counts.Running != 0 {
		t.Fatalf("after a clean stop mid-video: %+v, want the job queued", s.Counts)
	}
	if _, err := os.Stat(csv); err == nil {
		t.Fatal("a CSV exists after stopping mid-video")
	}

	crashed := startDaemon(t, home, folder)
	crashed.waitFor("the video running again", func(s store.Status) bool { return len(s.Running) == 1 && s.Running[0].Progress > 0 })
	crashed.cmd.Process.Kill()
	crashed.cmd.Wait()
	if _, err := os.Stat(csv); err == nil {
		t.Fatal("a CSV exists after a crash mid-video")
	}

	final := startDaemon(t, home, folder)
	s := final.waitFor("the video done after the crash", func(s store.Status) bool { return s.Counts.Done == 1 })
	final.stop()
	if _, err := os.Stat(csv); err != nil {
		t.Fatalf("no CSV after recovery: %v", err)
	}
	if s.RecentDone[0].Attempts != 2 {
		t.Errorf("attempts %d, want 2: the clean stop must not count, the crash must", s.RecentDone[0].Attempts)
	}
	leftovers, _ := filepath.Glob(filepath.Join(folder, ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left in the folder: %v", leftovers)
	}
}

func TestWorkersCommand(t *testing.T) {
	home := t.TempDir()
	workers := func(args ...string) (int, string, string) {
		return runBinary(t, nil, append(append([]string{"workers"}, args...), "--home", home)...)
	}
	auto := fmt.Sprintf("auto (%d worker", pipeline.AutoWorkers())
	if code, out, errOut := workers(); code != 0 || !strings.HasPrefix(out, auto) {
		t.Fatalf("workers by default: %d %q %s, want %q…", code, out, errOut, auto)
	}
	if code, _, errOut := workers("3"); code != 0 {
		t.Fatalf("workers 3: %s", errOut)
	}
	if code, out, _ := workers(); code != 0 || out != "3 workers\n" {
		t.Errorf("workers after setting 3: %q", out)
	}
	if code, out, _ := runBinary(t, nil, "status", "--home", home); code != 0 || !strings.Contains(out, "with 3 workers") {
		t.Errorf("status does not say 3 workers:\n%s", out)
	}
	for _, bad := range [][]string{{"0"}, {"many"}, {"2", "3"}} {
		if code, _, errOut := workers(bad...); code == 0 || !strings.Contains(errOut, "not a number of workers") {
			t.Errorf("workers %q: code %d, %s", bad, code, errOut)
		}
	}
	if code, _, _ := workers("auto"); code != 0 {
		t.Fatal("workers auto refused")
	}
	if _, out, _ := workers(); !strings.HasPrefix(out, auto) {
		t.Errorf("workers after auto: %q", out)
	}
}
