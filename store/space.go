package store

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// lowSpace is the free space under which the database's disk counts as
// full: SQLite needs room for a transaction's pages and its journal, and a
// frame table of one video takes megabytes.
const lowSpace = 8 << 20

// diskFull reports whether the disk holding the database has less than
// lowSpace free for this user.
func (s *Store) diskFull() (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(s.path, &st); err != nil {
		return false, fmt.Errorf("read the free space of %s: %w", s.path, err)
	}
	return uint64(st.Bavail)*uint64(st.Bsize) < lowSpace, nil
}
