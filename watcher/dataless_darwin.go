package watcher

import (
	"io/fs"
	"syscall"
)

// sfDataless is SF_DATALESS from <sys/stat.h>: the content lives in iCloud and reading the
// file would start a download.
const sfDataless = 0x40000000

// isDataless reports whether info describes an iCloud placeholder whose content is not on disk.
func isDataless(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && st.Flags&sfDataless != 0
}
