// Package testenv locates the model files and test data that tests need.
// They are fetched by `make weights` and `make testdata` into ignored folders
// of the repository; a test that needs them fails (never skips) when absent.
// It also holds the few checks that tests of several packages share.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// RepoRoot returns the folder holding go.mod, walking up from the working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// ModelPath returns the path of a model file given relative to the models folder,
// failing the test when it has not been fetched.
func ModelPath(t testing.TB, rel string) string {
	t.Helper()
	return mustExist(t, filepath.Join(RepoRoot(t), "models", rel), "make weights")
}

// TestdataPath returns the path of a test video or reference file given relative
// to the test data folder, failing the test when it has not been fetched.
func TestdataPath(t testing.TB, rel string) string {
	t.Helper()
	return mustExist(t, filepath.Join(RepoRoot(t), "testdata", rel), "make testdata")
}

func mustExist(t testing.TB, path, fix string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing (run `%s`): %v", path, fix, err)
	}
	return path
}

// ONNXRuntimePath returns the ONNX Runtime library installed by `make deps`.
func ONNXRuntimePath(t testing.TB) string {
	t.Helper()
	name := "libonnxruntime.so.1"
	if runtime.GOOS == "darwin" {
		name = "libonnxruntime.dylib"
	}
	return mustExist(t, filepath.Join(RepoRoot(t), "lib", name), "make deps")
}

// WantEntries fails the test unless dir holds exactly the named files: no
// temporary file is left beside them.
func WantEntries(t testing.TB, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if want := slices.Sorted(slices.Values(names)); !slices.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}
