package atomicfile

import "golang.org/x/sys/unix"

// renameExclusive renames without replacing, in one system call (Linux 3.15
// and later, on most local file systems).
func renameExclusive(oldPath, newPath string) error {
	return unix.Renameat2(unix.AT_FDCWD, oldPath, unix.AT_FDCWD, newPath, unix.RENAME_NOREPLACE)
}
