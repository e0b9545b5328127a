package slurm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeCluster stands in for Slurm's commands: each answers from what the
// test set, and every call is kept.
type fakeCluster struct {
	calls [][]string
	// answer returns a command's output; nil answers "" for every command.
	answer func(name string, args []string) (string, error)
}

func (f *fakeCluster) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	f.calls = append(f.calls, append([]string{name}, args...))
	if f.answer == nil {
		return nil, nil
	}
	out, err := f.answer(name, args)
	return []byte(out), err
}

// called returns the calls of command name.
func (f *fakeCluster) called(name string) [][]string {
	var calls [][]string
	for _, c := range f.calls {
		if c[0] == name {
			calls = append(calls, c[1:])
		}
	}
	return calls
}

// errUnknownJob is what Slurm's commands say of a job they forgot.
var errUnknownJob = errors.New("slurm_load_jobs error: Invalid job id specified")

// writeFile writes content to path, making its folder, and sets its
// modification time to at.
func writeFile(t *testing.T, path, content string, at time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

// testCSV is a small CSV in OpenFace's layout, AU columns and all, of
// frames rows; frame 2 has no face.
func testCSV(frames int) string {
	var b strings.Builder
	b.WriteString("frame, face_id, timestamp, confidence, success, AU01_r, AU12_r, AU01_c, AU12_c\n")
	for i := 1; i <= frames; i++ {
		success := 1
		if i == 2 {
			success = 0
		}
		fmt.Fprintf(&b, "%d,  0,  %.3f,  0.98,  %d, 0.50, %.2f, 0.00, 1.00\n", i, float64(i-1)/30, success, float64(i)/10)
	}
	return b.String()
}
