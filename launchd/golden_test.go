package launchd

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenAgent is installed in a folder whose name holds a space and an
// ampersand, the characters that break naive quoting in both formats.
func goldenAgent() Agent {
	a := New("/Users/ada/Face Lab/R&D tools/auwatchd", "/Users/ada", 501)
	a.Env = map[string]string{
		"AUWATCHD_MODELS": "/Users/ada/Face Lab/R&D tools/models",
		"AUWATCHD_HOME":   "/Users/ada/Face Lab/data",
	}
	return a
}

// compareGolden checks got against testdata/name byte for byte, or rewrites
// the file under -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (regenerate with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered file (regenerate with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
