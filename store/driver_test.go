package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Every connection of the store, writer and readers, runs this platform's
// pragmas; macOS's include fullfsync, which SQLite also accepts elsewhere.
func TestConnectionsRunThePlatformPragmas(t *testing.T) {
	if !slices.Contains(connectPragmas("darwin"), "PRAGMA fullfsync = ON") {
		t.Errorf("darwin's pragmas %q do not turn fullfsync on", connectPragmas("darwin"))
	}
	s := openStore(t, filepath.Join(t.TempDir(), FileName))
	want := 0
	if slices.Contains(connectPragmas(runtime.GOOS), "PRAGMA fullfsync = ON") {
		want = 1
	}
	for name, db := range map[string]*sql.DB{"writer": s.db, "reader": s.rdb} {
		var got int
		if err := db.QueryRowContext(context.Background(), "PRAGMA fullfsync").Scan(&got); err != nil || got != want {
			t.Errorf("%s: fullfsync %d (%v), want %d on %s", name, got, err, want, runtime.GOOS)
		}
	}

	// The darwin statements, run here, take effect.
	db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, p := range connectPragmas("darwin") {
		if _, err := conn.ExecContext(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		var on int
		name := strings.Fields(p)[1]
		if err := conn.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&on); err != nil || on != 1 {
			t.Errorf("%s: %d (%v) after %q", name, on, err, p)
		}
	}
}
