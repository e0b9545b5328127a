package store

import (
	"database/sql"
	"runtime"

	"github.com/mattn/go-sqlite3"
)

// driverName is SQLite with the settings every connection of this platform
// needs, set as it opens.
const driverName = "sqlite3-auwatchd"

func init() {
	pragmas := connectPragmas(runtime.GOOS)
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for _, p := range pragmas {
			if _, err := c.Exec(p, nil); err != nil {
				return err
			}
		}
		return nil
	}})
}

// connectPragmas are the statements each connection runs on goos. On macOS
// an fsync leaves the data in the drive's cache, where a power cut loses
// it; only F_FULLFSYNC, which SQLite uses with fullfsync on, reaches the
// disk, so a video recorded as done stays recorded.
func connectPragmas(goos string) []string {
	if goos == "darwin" {
		return []string{"PRAGMA fullfsync = ON", "PRAGMA checkpoint_fullfsync = ON"}
	}
	return nil
}
