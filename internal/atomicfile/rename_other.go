//go:build !linux && !darwin

package atomicfile

import "errors"

// renameExclusive has no single system call here; renameNoReplace falls
// back to a hard link and an unlink.
func renameExclusive(oldPath, newPath string) error {
	return errors.ErrUnsupported
}
