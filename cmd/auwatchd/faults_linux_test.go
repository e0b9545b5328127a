package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/store"
)

// The tests of this file put the real daemon through faults a user's
// machine has: full disks, folders it may not read or write, a failing
// folder watcher, stops at the worst moment. Mounting a file system and
// running as another user need root, which the test machines have.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: mounts a small file system or runs the daemon as another user")
	}
}

// mountTmpfs mounts a tmpfs of size bytes and returns its folder.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs on %s: %v\n%s", dir, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("unmount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file at path that takes all but leave bytes of its disk.
func fill(t *testing.T, path string, leave int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for n := free - leave; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n)]); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

// A CSV that does not fit on the watched folder's disk fails the video with
// the reason and leaves nothing behind; once there is room, a retry works.
func TestFaultWatchedFolderDiskFull(t *testing.T) {
	needRoot(t)
	folder := mountTmpfs(t, 4<<20)
	sample := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	info, err := os.Stat(sample)
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(folder, "filler.bin")
	fill(t, filler, info.Size()+32<<10)
	home := t.TempDir()
	d := startDaemon(t, home, folder)
	copyFile(t, sample, filepath.Join(folder, "a.wmv"))
	s := d.waitFor("the video failed", func(s store.Status) bool { return s.Counts.Failed == 1 })
	if reason := s.RecentFailed[0].Error; !strings.Contains(reason, "no space left on device") {
		t.Errorf("reason %q does not say the disk is full", reason)
	}
	// No CSV, no partial or temporary file.
	testenv.WantEntries(t, folder, "a.wmv", "filler.bin")

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runBinary(t, nil, "retry", "--failed", "--home", home); code != 0 {
		t.Fatalf("retry: %s", errOut)
	}
	d.waitFor("the video done after the retry", func(s store.Status) bool { return s.Counts.Done == 1 })
	d.stop()
	if rows := countRows(t, filepath.Join(folder, "a.wmv.au.csv")); rows != 88 {
		t.Errorf("CSV has %d frames, want 88", rows)
	}
}

// When the database's disk fills while a video is measured, the result is
// kept until there is room again, and the status says why it waits.
func TestFaultDataFolderDiskFull(t *testing.T) {
	needRoot(t)
	home := mountTmpfs(t, 24<<20)
	folder, staging := t.TempDir(), t.TempDir()
	clip := filepath.Join(staging, "long.wmv")
	longClip(t, clip)
	d := startDaemon(t, home, folder)
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "first.wmv"))
	d.waitFor("the first video done", func(s store.Status) bool { return s.Counts.Done == 1 })

	if err := os.Rename(clip, filepath.Join(folder, "long.wmv")); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the long video running", func(s store.Status) bool { return len(s.Running) == 1 && s.Running[0].Progress > 0 })
	filler := filepath.Join(home, "filler.bin")
	fill(t, filler, 0)
	d.waitFor("the status to say the disk is full", func(s store.Status) bool { return s.DiskFull })
	waitForFile(t, filepath.Join(folder, "long.wmv.au.csv"))
	time.Sleep(2 * time.Second) // the result is refused at least once
	if s := d.status(); s.Counts.Done != 1 || s.Counts.Running != 1 {
		t.Fatalf("with the disk full: %+v, want the long video still running", s.Counts)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	s := d.waitFor("the long video recorded", func(s store.Status) bool { return s.Counts.Done == 2 })
	d.stop()
	if s.DiskFull {
		t.Error("the status still says the disk is full")
	}
	if !strings.Contains(d.logged(), "recorded after the database refused it") {
		t.Errorf("the log does not say the result waited:\n%s", d.logged())
	}
}

// nobody runs commands as the unprivileged user nobody.
var nobody = []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}

// privateCopy copies the binary, ONNX Runtime and the models into a folder
// nobody can read, and returns the binary and its set-up flags.
func privateCopy(t *testing.T) (string, []string) {
	t.Helper()
	dir := openTempDir(t)
	root := testenv.RepoRoot(t)
	for _, src := range []string{binary, filepath.Join(root, "lib"), filepath.Join(root, "models")} {
		if out, err := exec.Command("cp", "-R", src, dir).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v\n%s", src, err, out)
		}
	}
	if out, err := exec.Command("chmod", "-R", "a+rX", dir).CombinedOutput(); err != nil {
		t.Fatalf("chmod: %v\n%s", err, out)
	}
	setup := []string{"--onnxruntime", filepath.Join(dir, "lib", "libonnxruntime.so.1"), "--models", filepath.Join(dir, "models")}
	return filepath.Join(dir, filepath.Base(binary)), setup
}

// ownedByNobody makes a folder that belongs to nobody.
func ownedByNobody(t *testing.T) string {
	t.Helper()
	dir := openTempDir(t)
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	return dir
}

// openTempDir is a temporary folder that other users can reach: t.TempDir's
// are inside a folder only its owner may enter.
func openTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A daemon that may not read one watched folder and may not write in
// another says so for each, and measures the videos of a third.
func TestFaultFoldersItMayNotUse(t *testing.T) {
	needRoot(t)
	exe, setup := privateCopy(t)
	user := append(append([]string{}, nobody...), exe)
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(user[0], append(user[1:], args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("auwatchd %v as nobody: %v\n%s", args, err, out)
		}
	}
	home, fine := ownedByNobody(t), ownedByNobody(t)
	unreadable, unwritable := openTempDir(t), openTempDir(t)
	for _, dir := range []string{unreadable, unwritable} {
		if err := os.Chmod(dir, map[string]os.FileMode{unreadable: 0o700, unwritable: 0o755}[dir]); err != nil {
			t.Fatal(err)
		}
		run("folders", "add", dir, "--home", home)
	}
	run("folders", "add", fine, "--home", home)
	sample := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	for _, dir := range []string{unreadable, unwritable} {
		copyFile(t, sample, filepath.Join(dir, "a.wmv"))
		if err := os.Chmod(filepath.Join(dir, "a.wmv"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := append(append([]string{}, user[1:]...), append([]string{"run", "--home", home, "--quiet", "300ms", "--rescan", "2s"}, setup...)...)
	d := launchDaemon(t, exec.Command(user[0], args...), home, fine)
	d.user = nobody
	copyFile(t, sample, filepath.Join(fine, "b.wmv"))
	if err := os.Chown(filepath.Join(fine, "b.wmv"), 65534, 65534); err != nil {
		t.Fatal(err)
	}

	s := d.waitFor("the writable folder's video done, the other failed, the unreadable folder reported", func(s store.Status) bool {
		return s.Counts.Done == 1 && s.Counts.Failed == 1 && strings.Contains(s.Watcher, unreadable)
	})
	code, out, _ := runAsUser(t, nobody, "status", "--home", home)
	if code != 0 || !strings.Contains(out, "not watching everything") || !strings.Contains(out, unreadable) {
		t.Errorf("status does not name the unreadable folder:\n%s", out)
	}
	d.stop()
	failed := s.RecentFailed[0]
	if failed.Path != filepath.Join(unwritable, "a.wmv") || !strings.Contains(failed.Error, "permission denied") || failed.Attempts != 1 {
		t.Errorf("failed %s after %d attempts: %q; want the unwritable folder's video, at once, for permission", failed.Path, failed.Attempts, failed.Error)
	}
	for _, f := range s.Folders {
		if want := map[string]string{unreadable: store.CannotRead("permission denied")}[f.Path]; f.Health != want {
			t.Errorf("folder %s: health %q, want %q", f.Path, f.Health, want)
		}
	}
	if !strings.Contains(s.Watcher, "permission denied") {
		t.Errorf("status says %q of the watcher; want the unreadable folder and why", s.Watcher)
	}
}

// setSysctl sets a kernel setting under /proc/sys until the test ends.
func setSysctl(t *testing.T, name string, value int) {
	t.Helper()
	path := filepath.Join("/proc/sys", name)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(value)), 0o644); err != nil {
		t.Fatalf("set %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(path, old, 0o644); err != nil {
			t.Errorf("restore %s to %s: %v", name, strings.TrimSpace(string(old)), err)
		}
	})
}

// With the file-system events refused (the inotify watch limit reached),
// rescans still find new videos, and the status says the watcher is short.
func TestFaultWatcherBackendFails(t *testing.T) {
	needRoot(t)
	home, folder := t.TempDir(), t.TempDir()
	sub := filepath.Join(folder, "session1")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	setSysctl(t, "fs/inotify/max_user_watches", 1)
	d := startDaemon(t, home, folder, "--rescan", "2s")
	d.waitFor("the watcher's problem in the status", func(s store.Status) bool { return s.Watcher != "" })
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(sub, "a.wmv"))
	s := d.waitFor("the video found by a rescan", func(s store.Status) bool { return s.Counts.Done == 1 })
	d.stop()
	if !strings.Contains(s.Watcher, "no space left on device") {
		t.Errorf("status says %q of the watcher; want the watch limit's error", s.Watcher)
	}
}

// A stop that arrives as a video is being finished never fails it: it is
// either done or queued again, and done after a restart.
func TestFaultStopAsTheVideoEnds(t *testing.T) {
	home, folder, staging := t.TempDir(), t.TempDir(), t.TempDir()
	clip := filepath.Join(staging, "short.wmv")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-i", testenv.TestdataPath(t, "videos/changeLighting.wmv"),
		"-frames:v", "20", "-c:v", "wmv2", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	// How long the video takes, from the log line that starts it to its CSV,
	// once the engine is warm: the second of two.
	first := startDaemon(t, home, folder)
	again := func() *daemonUnderTest {
		return launchDaemon(t, exec.Command(first.cmd.Path, first.cmd.Args[1:]...), home, folder)
	}
	var took time.Duration
	for _, name := range []string{"warm.wmv", "v0.wmv"} {
		video := filepath.Join(folder, name)
		copyFile(t, clip, video)
		start := waitForLog(t, first, startsOn(video))
		took = waitForCSV(t, video+".au.csv").Sub(start)
	}
	first.waitFor("the first videos done", func(s store.Status) bool { return s.Counts.Done == 2 })
	first.stop()
	t.Logf("a video takes %v from its start to its CSV", took)

	const rounds = 8
	outcomes := map[store.State]int{}
	for i := 1; i <= rounds; i++ {
		d := again()
		video := filepath.Join(folder, fmt.Sprintf("v%d.wmv", i))
		copyFile(t, clip, video)
		start := waitForLog(t, d, startsOn(video))
		// Spread the stops over the last 150 ms of the video and a little after.
		time.Sleep(took - 150*time.Millisecond + time.Duration(i)*25*time.Millisecond - time.Since(start))
		d.stop()
		s := d.status()
		outcomes[jobState(s, video)]++
		if s.Counts.Failed != 0 {
			t.Fatalf("round %d: a stop failed the video: %s", i, s.RecentFailed[0].Error)
		}
		_, err := os.Stat(video + ".au.csv")
		if state := jobState(s, video); err == nil && state != store.Done {
			t.Errorf("round %d: the CSV is in place but the video is %s", i, state)
		}
	}
	final := again()
	waitForLog(t, final, "msg=started")
	s := final.waitFor("every video done", func(s store.Status) bool {
		return s.Counts.Done == rounds+2 || s.Counts.Failed > 0
	})
	final.stop()
	if s.Counts.Failed > 0 {
		t.Fatalf("after the stops: %s", s.RecentFailed[0].Error)
	}
	t.Logf("stopped %d times: %d videos done, %d queued again", rounds, outcomes[store.Done], outcomes[store.Queued])
}

// startsOn is what the log says as the daemon starts on video.
func startsOn(video string) string { return "video=" + video + " attempt=" }

// jobState finds video's job among the status's running and recent jobs;
// a job in none of them is queued.
func jobState(s store.Status, video string) store.State {
	for _, j := range s.RecentDone {
		if j.Path == video {
			return j.State
		}
	}
	for _, list := range [][]store.Job{s.Running, s.RecentFailed} {
		for _, j := range list {
			if j.Path == video {
				return j.State
			}
		}
	}
	return store.Queued
}

// waitForCSV waits closely for path to appear and returns when it did.
func waitForCSV(t *testing.T, path string) time.Time {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
	}
}

// waitForLog waits for a line of the daemon's log holding text and returns
// when it was seen.
func waitForLog(t *testing.T, d *daemonUnderTest, text string) time.Time {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); !strings.Contains(d.logged(), text); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", text, d.logged())
		}
	}
	return time.Now()
}

// scratchDir is a folder for many small files: on a tmpfs where the test
// may mount one, since making and removing them on a disk takes far longer.
func scratchDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		return t.TempDir()
	}
	return mountTmpfs(t, 512<<20)
}

// frameTree makes a tree of per-frame image folders under root, as an
// exported image sequence leaves them: sessions of frame folders, ten small
// files in each session and each frame folder. It returns the number of
// folders below root and the deepest frame folder.
func frameTree(t *testing.T, root string, sessions, framesPerSession int) (int, string) {
	t.Helper()
	var last string
	for s := range sessions {
		session := filepath.Join(root, fmt.Sprintf("session-%02d", s))
		for f := -1; f < framesPerSession; f++ {
			dir := session
			if f >= 0 {
				dir = filepath.Join(session, fmt.Sprintf("frames-%03d", f))
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.png", i)), []byte("png"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			last = dir
		}
	}
	return sessions * (framesPerSession + 1), last
}

// openDescriptors counts the descriptors process pid holds.
func openDescriptors(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// With 256 open files and a watched tree of 5 000 folders and 50 000
// files, the daemon watches what half the limit allows, nearest the top,
// rescans the rest, finds a video dropped deep in the tree, and says how
// many folders it rescans. The Go runtime raises the soft limit to the hard
// one at start, so both are lowered.
func TestFaultDescriptorLimit(t *testing.T) {
	const limit = 256
	home, folder := t.TempDir(), scratchDir(t)
	began := time.Now()
	subfolders, deepest := frameTree(t, folder, 50, 99)
	t.Logf("made %d folders and %d files in %v", subfolders, 10*subfolders, time.Since(began).Round(time.Millisecond))
	if code, _, errOut := runBinary(t, nil, "folders", "add", folder, "--home", home); code != 0 {
		t.Fatalf("folders add: %s", errOut)
	}
	args := append([]string{fmt.Sprintf("--nofile=%d:%d", limit, limit), binary, "run", "--home", home, "--quiet", "300ms", "--rescan", "3s"},
		setupArgs(t)...)
	d := launchDaemon(t, exec.Command("prlimit", args...), home, folder)

	wantRescanned := subfolders + 1 - limit/2
	d.waitFor("the rescanned folders in the status", func(s store.Status) bool {
		return len(s.Folders) == 1 && s.Folders[0].Rescanned == wantRescanned
	})
	t.Logf("the status counts the rescanned folders %v in", time.Since(began).Round(time.Millisecond))
	video := filepath.Join(deepest, "clip.wmv")
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), video)
	s := d.waitFor("the deep video done", func(s store.Status) bool { return s.Counts.Done == 1 || s.Counts.Failed > 0 })
	if s.Counts.Failed > 0 {
		t.Fatalf("the video failed: %s", s.RecentFailed[0].Error)
	}
	if rows := countRows(t, video+".au.csv"); rows != 88 {
		t.Errorf("CSV has %d frames, want 88", rows)
	}
	n := openDescriptors(t, d.cmd.Process.Pid)
	t.Logf("the daemon holds %d descriptors of its %d", n, limit)
	if n >= limit/2+32 {
		t.Errorf("the daemon holds %d descriptors, near its limit of %d", n, limit)
	}
	code, out, errOut := runBinary(t, nil, "status", "--home", home)
	if want := fmt.Sprintf("rescanned, not watched: %d", wantRescanned); code != 0 || !strings.Contains(out, want) {
		t.Errorf("status says\n%s%s\nwant %q", out, errOut, want)
	}
	d.stop()
	if logged := d.logged(); strings.Contains(logged, "too many open files") {
		t.Errorf("the daemon ran out of descriptors:\n%s", logged)
	}
	t.Logf("the test took %v", time.Since(began).Round(time.Millisecond))
}
