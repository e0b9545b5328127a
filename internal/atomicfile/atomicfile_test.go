package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/auwatchd/auwatchd/internal/digest"
	"github.com/auwatchd/auwatchd/internal/testenv"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// folderWithCSV returns a new folder holding a file v.au.csv with content.
func folderWithCSV(t *testing.T, content string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "v.au.csv")
	writeFile(t, path, content)
	return dir, path
}

func wantContent(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
}

func TestWriteCreatesTheFileWithItsPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.au.csv")
	if err := Write(path, 0o640, nil, writeString("rows\n")); err != nil {
		t.Fatal(err)
	}
	wantContent(t, path, "rows\n")
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("permissions %v, want 0640", info.Mode().Perm())
	}
	testenv.WantEntries(t, dir, "v.au.csv")
}

func TestWriteRefusesAnExistingFile(t *testing.T) {
	for name, replace := range map[string]Replace{
		"never":            nil,
		"other sha256":     ReplaceIfSHA256("0000000000000000000000000000000000000000000000000000000000000000"),
		"no sha256 at all": ReplaceIfSHA256(""),
	} {
		t.Run(name, func(t *testing.T) {
			dir, path := folderWithCSV(t, "the user's")
			err := Write(path, 0o644, replace, writeString("ours"))
			if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
				t.Fatalf("got %v, want an error naming %s that matches fs.ErrExist", err, path)
			}
			wantContent(t, path, "the user's")
			testenv.WantEntries(t, dir, "v.au.csv")
		})
	}
}

func TestWriteReplacesWhenAllowed(t *testing.T) {
	for name, allow := range map[string]func(existing string) Replace{
		"any": func(string) Replace { return ReplaceAny },
		"same sha256": func(existing string) Replace {
			sum, err := digest.File(existing)
			if err != nil {
				t.Fatal(err)
			}
			return ReplaceIfSHA256(sum)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir, path := folderWithCSV(t, "ours, from before")
			if err := Write(path, 0o644, allow(path), writeString("ours, new")); err != nil {
				t.Fatal(err)
			}
			wantContent(t, path, "ours, new")
			testenv.WantEntries(t, dir, "v.au.csv")
		})
	}
}

// The check is shown the complete new file, so that it can compare the two.
func TestReplaceSeesTheReplacement(t *testing.T) {
	_, path := folderWithCSV(t, "ours, from before")
	var seen string
	check := func(existing, replacement string) error {
		data, err := os.ReadFile(replacement)
		seen = string(data)
		return err
	}
	if err := Write(path, 0o644, check, writeString("ours, new")); err != nil {
		t.Fatal(err)
	}
	if seen != "ours, new" {
		t.Errorf("the check saw %q as the replacement", seen)
	}
	if err := MayWrite(path, func(existing, replacement string) error {
		if replacement != "" {
			t.Errorf("MayWrite offered %q as the replacement before there is one", replacement)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// The check runs once the new content is written, right before the rename,
// so that it sees a file the user put there meanwhile.
func TestWriteChecksRightBeforeReplacing(t *testing.T) {
	dir, path := folderWithCSV(t, "ours, from before")
	sum, err := digest.File(path)
	if err != nil {
		t.Fatal(err)
	}
	fill := func(w io.Writer) error {
		writeFile(t, path, "the user's, written meanwhile")
		_, err := io.WriteString(w, "ours, new")
		return err
	}
	if err := Write(path, 0o644, ReplaceIfSHA256(sum), fill); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("got %v, want fs.ErrExist", err)
	}
	wantContent(t, path, "the user's, written meanwhile")
	testenv.WantEntries(t, dir, "v.au.csv")
}

// A full disk shows up as a failing write inside fill.
func TestWriteFailureLeavesNoTemporaryFile(t *testing.T) {
	dir, path := folderWithCSV(t, "ours, from before")
	diskFull := func(w io.Writer) error {
		if _, err := w.Write(make([]byte, 1<<17)); err != nil {
			return err
		}
		return syscall.ENOSPC
	}
	err := Write(path, 0o644, ReplaceAny, diskFull)
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want ENOSPC naming %s", err, path)
	}
	wantContent(t, path, "ours, from before")
	testenv.WantEntries(t, dir, "v.au.csv")
}

func TestWriteReportsAFolderItCannotSync(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root opens any folder")
	}
	dir := filepath.Join(t.TempDir(), "write-only")
	if err := os.Mkdir(dir, 0o300); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	err := Write(filepath.Join(dir, "v.au.csv"), 0o644, nil, writeString("rows"))
	if err == nil || !strings.Contains(err.Error(), "folder "+dir) {
		t.Fatalf("got %v, want an error naming the folder %s", err, dir)
	}
}

func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := syncDir(dir); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "gone")
	if err := syncDir(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("got %v, want an error naming %s", err, missing)
	}
}

func TestRename(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	a, b, c := filepath.Join(dir, "a.au.csv"), filepath.Join(dir, "b.au.csv"), filepath.Join(other, "c.au.csv")
	writeFile(t, a, "a")
	if err := Rename(a, b); err != nil {
		t.Fatal(err)
	}
	if err := Rename(b, c); err != nil {
		t.Fatal(err)
	}
	testenv.WantEntries(t, dir)
	wantContent(t, c, "a")

	writeFile(t, a, "the user's")
	err := Rename(c, a)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), a) {
		t.Fatalf("got %v, want an error naming %s that matches fs.ErrExist", err, a)
	}
	wantContent(t, a, "the user's")
	wantContent(t, c, "a")
}

// The fallbacks for file systems without an exclusive rename, called
// directly since this one has it.
func TestFallbacksDoNotReplace(t *testing.T) {
	for name, rename := range map[string]func(string, string) error{
		"link and unlink":   linkUnlink,
		"check then rename": checkThenRename,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			old, taken, free := filepath.Join(dir, "old"), filepath.Join(dir, "taken"), filepath.Join(dir, "free")
			writeFile(t, old, "new content")
			writeFile(t, taken, "the user's")
			if err := rename(old, taken); !errors.Is(err, fs.ErrExist) {
				t.Fatalf("onto an existing file: got %v, want fs.ErrExist", err)
			}
			wantContent(t, taken, "the user's")
			if err := rename(old, free); err != nil {
				t.Fatal(err)
			}
			wantContent(t, free, "new content")
			testenv.WantEntries(t, dir, "free", "taken")
		})
	}
}

func TestMayWrite(t *testing.T) {
	dir := t.TempDir()
	free, taken := filepath.Join(dir, "free"), filepath.Join(dir, "taken")
	writeFile(t, taken, "x")
	for _, tc := range []struct {
		path    string
		replace Replace
		exists  bool
	}{
		{free, nil, false},
		{taken, nil, true},
		{taken, ReplaceAny, false},
		{taken, ReplaceIfSHA256("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"), false},
		{taken, ReplaceIfSHA256("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4882"), true},
	} {
		if err := MayWrite(tc.path, tc.replace); errors.Is(err, fs.ErrExist) != tc.exists {
			t.Errorf("MayWrite(%s): %v, want refused %v", filepath.Base(tc.path), err, tc.exists)
		}
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".v[1].au.csv.tmp-123", ".v[1].au.csv.tmp-9", "v[1].au.csv", ".v[1].au.csv.rows-9", ".w.au.csv.tmp-1"} {
		writeFile(t, filepath.Join(dir, name), "")
	}
	RemoveStale(filepath.Join(dir, "v[1].au.csv"))
	testenv.WantEntries(t, dir, ".v[1].au.csv.rows-9", ".w.au.csv.tmp-1", "v[1].au.csv")
}
