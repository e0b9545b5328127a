package atomicfile

import "golang.org/x/sys/unix"

// renameExclusive renames without replacing, in one system call (macOS 10.12
// and later).
func renameExclusive(oldPath, newPath string) error {
	return unix.RenamexNp(oldPath, newPath, unix.RENAME_EXCL)
}
