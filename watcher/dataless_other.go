//go:build !darwin

package watcher

import "io/fs"

// isDataless reports whether info describes a cloud placeholder whose content is not on disk;
// only macOS has them.
func isDataless(fs.FileInfo) bool { return false }
