package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// renameNoReplace renames oldPath to newPath atomically unless something is
// at newPath, in which case the error matches fs.ErrExist. File systems
// without an exclusive rename get a hard link and an unlink, which is as
// safe; those without hard links either (some network shares) get a check
// followed by a plain rename, the one case where a file created in between
// could be replaced.
func renameNoReplace(oldPath, newPath string) error {
	err := renameExclusive(oldPath, newPath)
	if !unsupported(err) {
		return err
	}
	err = linkUnlink(oldPath, newPath)
	if !unsupported(err) && !errors.Is(err, syscall.EPERM) {
		return err
	}
	return checkThenRename(oldPath, newPath)
}

// unsupported tells the errors of a file system that lacks a call from
// those of the call itself. Linux answers an unknown renameat2 flag with
// EINVAL.
func unsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL)
}

// linkUnlink gives the file at oldPath the name newPath, which link refuses
// when it exists, then drops the old name.
func linkUnlink(oldPath, newPath string) error {
	if err := os.Link(oldPath, newPath); err != nil {
		return err
	}
	return os.Remove(oldPath)
}

func checkThenRename(oldPath, newPath string) error {
	_, err := os.Lstat(newPath)
	if err == nil {
		return &fs.PathError{Op: "rename", Path: newPath, Err: syscall.EEXIST}
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(oldPath, newPath)
}
