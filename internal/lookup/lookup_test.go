package lookup

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCandidatesOrder(t *testing.T) {
	t.Setenv("LOOKUP_TEST_VAR", "/from/env")
	got := Candidates("/from/flag", "LOOKUP_TEST_VAR", "x", filepath.Join("..", "y"))
	if len(got) != 4 || got[0] != "/from/flag" || got[1] != "/from/env" ||
		filepath.Base(got[2]) != "x" || filepath.Base(got[3]) != "y" {
		t.Fatalf("candidates %v", got)
	}
	t.Setenv("LOOKUP_TEST_VAR", "")
	if got := Candidates("", "LOOKUP_TEST_VAR", "x"); len(got) != 1 {
		t.Fatalf("unset flag and variable must be left out: %v", got)
	}
}

func TestFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "lib.so")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "absent")
	if got, ok := First([]string{missing, dir, file}, false); !ok || got != file {
		t.Errorf("first file: %q %v", got, ok)
	}
	if got, ok := First([]string{missing, file, dir + "/"}, true); !ok || got != dir {
		t.Errorf("first folder: %q %v", got, ok)
	}
	if _, ok := First([]string{missing}, false); ok {
		t.Error("found a missing file")
	}
}
