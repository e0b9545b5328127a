package weights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmbeddedManifestLists(t *testing.T) {
	entries := Models()
	want := []string{DetectorFile, LocatorFile, CLNFFile, AUListFile, PDMFile, TriangulationFile}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Path] = true
		if e.URL == "" || e.Licence == "" {
			t.Errorf("%s: upstream URL and licence are required", e.Path)
		}
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("manifest does not list %s", w)
		}
	}
}

func TestParseManifestRejects(t *testing.T) {
	for name, text := range map[string]string{
		"empty":         "# only a comment\n",
		"fields":        "a\tb\n",
		"size":          "a\t" + strings.Repeat("0", 64) + "\tbig\tu\tl\n",
		"sha":           "a\tabc\t1\tu\tl\n",
		"escaping path": "../a\t" + strings.Repeat("0", 64) + "\t1\tu\tl\n",
	} {
		if _, err := ParseManifest(strings.NewReader(text), "m.tsv"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func entryFor(t *testing.T, dir, rel string, data []byte) Entry {
	t.Helper()
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return Entry{Path: rel, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), URL: "-", Licence: "test"}
}

func TestFetchCopiesAndVerifies(t *testing.T) {
	src, dest := t.TempDir(), t.TempDir()
	e := entryFor(t, src, "sub/model.bin", []byte("model bytes"))
	if err := Fetch(context.Background(), []Entry{e}, dest, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := Check(dest, e); err != nil {
		t.Fatal(err)
	}
}

func TestFetchReplacesAChangedFile(t *testing.T) {
	src, dest := t.TempDir(), t.TempDir()
	e := entryFor(t, src, "model.bin", []byte("model bytes"))
	if err := os.WriteFile(filepath.Join(dest, "model.bin"), []byte("model bytez"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Fetch(context.Background(), []Entry{e}, dest, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := Check(dest, e); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dest); len(left) != 1 {
		t.Fatalf("temporary files left behind: %v", left)
	}
}

func TestFetchRejectsCorruptSourceAndLeavesNothing(t *testing.T) {
	src, dest := t.TempDir(), t.TempDir()
	e := entryFor(t, src, "model.bin", []byte("model bytes"))
	if err := os.WriteFile(filepath.Join(src, "model.bin"), []byte("model bytez"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Fetch(context.Background(), []Entry{e}, dest, src, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "model.bin") || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("want a sha256 error naming the file, got %v", err)
	}
	left, _ := os.ReadDir(dest)
	if len(left) != 0 {
		t.Fatalf("partial files left behind: %v", left)
	}
}

func TestFetchMissingSourceNamesFile(t *testing.T) {
	e := Entry{Path: "absent.onnx", SHA256: strings.Repeat("0", 64), Size: 1, URL: "-", Licence: "x"}
	err := Fetch(context.Background(), []Entry{e}, t.TempDir(), t.TempDir(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "absent.onnx") {
		t.Fatalf("want an error naming absent.onnx, got %v", err)
	}
	err = Fetch(context.Background(), []Entry{e}, t.TempDir(), "", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no public upstream copy") {
		t.Fatalf("want an error saying there is no upstream copy, got %v", err)
	}
}

func TestCheckReportsOneChangedByte(t *testing.T) {
	dir := t.TempDir()
	e := entryFor(t, dir, "m.dat", []byte{1, 2, 3, 4})
	if err := Check(dir, e); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "m.dat"), []byte{1, 2, 9, 4}, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check(dir, e); err == nil || !strings.Contains(err.Error(), "corrupted") {
		t.Fatalf("want a corruption error, got %v", err)
	}
}
