package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/store"
)

// A file that failed in itself is left by retry while it is unchanged, and
// clear takes it off the lists; status lists the files waited for.
func TestRetryAndClearFromTheCommandLine(t *testing.T) {
	ctx := context.Background()
	home, folder := t.TempDir(), t.TempDir()
	broken := filepath.Join(folder, "broken.mp4")
	if err := os.WriteFile(broken, []byte("not a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(broken)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.DBPath(home))
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.AddFolder(ctx, folder)
	if err == nil {
		_, _, err = st.Enqueue(ctx, f.ID, store.VideoFile{Path: broken, Size: info.Size(), MtimeNs: info.ModTime().UnixNano()})
	}
	var job *store.Job
	if err == nil {
		job, err = st.Claim(ctx)
	}
	if err == nil {
		_, err = st.Fail(ctx, job.ID, "open video "+broken+": not a video that can be decoded", store.InFile)
	}
	if err == nil {
		err = st.SetWaiting(ctx, []string{filepath.Join(folder, "copying.mov")})
	}
	if err := errors.Join(err, st.Close()); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runBinary(t, nil, "retry", "--failed", "--home", home)
	if code != 0 || !strings.Contains(out, "0 failed jobs queued again") || !strings.Contains(out, fmt.Sprintf("left #%d %s: the file is unchanged", job.ID, broken)) {
		t.Errorf("retry --failed: code %d, output %q %q", code, out, errOut)
	}
	code, out, _ = runBinary(t, nil, "status", "--home", home)
	if code != 0 || !strings.Contains(out, "1 failed") || !strings.Contains(out, "waiting for "+filepath.Join(folder, "copying.mov")) {
		t.Errorf("status: code %d, output %q", code, out)
	}
	if code, _, errOut := runBinary(t, nil, "clear", fmt.Sprint(job.ID), "--home", home); code != 0 {
		t.Fatalf("clear: code %d, %s", code, errOut)
	}
	code, out, _ = runBinary(t, nil, "status", "--home", home)
	if code != 0 || !strings.Contains(out, "0 failed") || strings.Contains(out, "broken.mp4") {
		t.Errorf("status after clear: code %d, output %q", code, out)
	}
}
