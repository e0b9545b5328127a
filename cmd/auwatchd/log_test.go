package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The daemon's log is one private file, rotated by size; a stderr that is
// not a terminal (launchd's or systemd's) does not get every line again.
func TestLogIsOnePrivateRotatedFile(t *testing.T) {
	dir := t.TempDir()
	// A log left readable by everyone is made private.
	if err := os.WriteFile(filepath.Join(dir, logName), []byte("an older line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	log, closeLog, err := openLog(dir, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 200)
	for range (logMaxMB << 20) / 200 * 3 / 2 {
		log.Info("filler", "text", line)
	}
	closeLog()
	if stderr.Len() > 0 {
		t.Errorf("%d bytes of log went to a stderr that is not a terminal", stderr.Len())
	}
	files, err := filepath.Glob(filepath.Join(dir, "auwatchd*.log"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("log files %q, want the log and one rotated file", files)
	}
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 || info.Size() > logMaxMB<<20 {
			t.Errorf("%s: mode %v, %d bytes; want 0600 and at most %d MB", f, info.Mode().Perm(), info.Size(), logMaxMB)
		}
	}
}
