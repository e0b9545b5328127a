// Package atomicfile is auwatchd's one way of putting a file in place: a
// reader sees either no file or the whole file, never a part, and a file
// that was already there is replaced only when the caller says so.
//
// Write fills a hidden temporary file beside the target, fsyncs it, gives it
// its permissions and renames it onto the target without replacing anything
// there; only when something is there does it ask the caller's Replace
// whether it may replace it, just before doing so. The folder is fsync'd
// after the rename, so a file reported as written survives a power cut.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/auwatchd/auwatchd/internal/digest"
)

// Replace decides whether a file that exists at a target may be replaced:
// it receives the target's path and the path of the complete new file
// waiting to take its place ("" when MayWrite asks before there is one), and
// returns nil to allow it, or an error, returned to the caller as it is,
// that says why not. A nil Replace never replaces a file.
type Replace func(existing, replacement string) error

// ReplaceAny allows replacing whatever is at the target.
func ReplaceAny(string, string) error { return nil }

// ReplaceIfSHA256 allows replacing only a file whose content has the
// lower-case hex sha256 sum: the file auwatchd wrote there before. An empty
// sum allows nothing.
func ReplaceIfSHA256(sum string) Replace {
	return func(existing, _ string) error {
		if got, err := digest.File(existing); sum == "" || err != nil || got != sum {
			return &existsError{path: existing}
		}
		return nil
	}
}

// existsError is the refusal to replace a file; it matches fs.ErrExist.
type existsError struct{ path string }

func (e *existsError) Error() string {
	return e.path + " already exists and auwatchd did not write it; it is left as it is: move it away and retry"
}

func (e *existsError) Unwrap() error { return fs.ErrExist }

// MayWrite returns nil when Write could put a file at path now: nothing is
// there, or replace allows replacing it. It lets a caller refuse before a
// long computation whose result Write would refuse anyway.
func MayWrite(path string, replace Replace) error {
	_, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	return allowReplace(path, "", replace)
}

// Write puts the bytes fill writes into a file at path with permissions
// perm. A file already at path is replaced only if replace allows it; else
// the error matches fs.ErrExist. On any failure, fill's included, nothing is
// left of the temporary file and path is as it was, except when only the
// folder's fsync fails: then the file is in place but might not survive a
// crash, and the error names the folder.
func Write(path string, perm fs.FileMode, replace Replace, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := writeTemp(tmp, perm, fill); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := place(tmp.Name(), path, replace); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return syncDir(filepath.Dir(path))
}

// Rename moves the file at oldPath to newPath, which must not exist (else
// the error matches fs.ErrExist), and fsyncs the folders of both.
func Rename(oldPath, newPath string) error {
	err := renameNoReplace(oldPath, newPath)
	if errors.Is(err, fs.ErrExist) {
		return &existsError{path: newPath}
	}
	if err != nil {
		return fmt.Errorf("move %s to %s: %w", oldPath, newPath, err)
	}
	if err := syncDir(filepath.Dir(newPath)); err != nil {
		return err
	}
	if filepath.Dir(oldPath) == filepath.Dir(newPath) {
		return nil
	}
	return syncDir(filepath.Dir(oldPath))
}

// RemoveStale deletes the temporary files that a process killed during
// Write left beside path. They are hidden, but they take space. It does its
// best and reports nothing: a file it cannot remove is as harmless as before.
func RemoveStale(path string) {
	dir := filepath.Dir(path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(path)) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// tempPrefix starts the names of path's temporary files: hidden, and
// derived from path so that RemoveStale can find them.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// writeTemp fills f through a buffer and makes its content and permissions
// durable before it is renamed; it always closes f.
func writeTemp(f *os.File, perm fs.FileMode, fill func(io.Writer) error) error {
	buf := bufio.NewWriterSize(f, 1<<16)
	err := fill(buf)
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// place renames tmp onto path without replacing a file there, or, when one
// is there and replace allows it, replacing it.
func place(tmp, path string, replace Replace) error {
	err := renameNoReplace(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		if err := allowReplace(path, tmp, replace); err != nil {
			return err
		}
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func allowReplace(path, replacement string, replace Replace) error {
	if replace == nil {
		return &existsError{path: path}
	}
	return replace(path, replacement)
}

// syncDir makes a rename in dir survive a crash: until the folder itself is
// fsync'd, the new name may be lost with the power.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}
