package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/auwatchd/auwatchd/store"
)

// TestDaemonManyVideosAtOnce drops a batch of short clips at once, some in
// subfolders: every one gets exactly one CSV and one job.
func TestDaemonManyVideosAtOnce(t *testing.T) {
	const count = 40
	home, folder, staging := t.TempDir(), t.TempDir(), t.TempDir()
	clip := filepath.Join(staging, "clip.avi")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=0.2",
		"-c:v", "mjpeg", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	d := startDaemon(t, home, folder)
	for i := 0; i < count; i++ {
		dir := filepath.Join(folder, fmt.Sprintf("day %d", i%4))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, clip, filepath.Join(dir, fmt.Sprintf("participant-%02d.avi", i)))
	}
	s := d.waitFor("every clip done", func(s store.Status) bool { return s.Counts.Done == count })
	d.stop()
	if s.Counts.Failed+s.Counts.Queued+s.Counts.Running+s.Counts.Skipped != 0 {
		t.Errorf("counts %+v, want only %d done", s.Counts, count)
	}
	csvs, _ := filepath.Glob(filepath.Join(folder, "day *", "*.au.csv"))
	if len(csvs) != count {
		t.Errorf("%d CSVs for %d videos", len(csvs), count)
	}
}
