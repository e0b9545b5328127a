package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenCreatesSchemaAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", FileName)
	ctx := context.Background()
	s := openStore(t, path)
	if got := schemaVersion(t, s); got != len(migrations) {
		t.Fatalf("schema version %d, want %d", got, len(migrations))
	}
	for _, name := range []string{"folders", "jobs", "summaries", "summary_aus", "au_names", "frames", "frame_aus", "frame_au_values", "frame_gaze_values", "settings"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = ?`, name).Scan(&n); err != nil || n != 1 {
			t.Errorf("schema object %s: found %d, %v", name, n, err)
		}
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.rdb.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys %d, %v; want 1", fk, err)
	}
	if _, err := s.rdb.Exec(`INSERT INTO settings (key, value) VALUES ('k', 'v')`); err == nil {
		t.Error("the read pool can write")
	}
	if _, err := s.AddFolder(ctx, "/videos"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openStore(t, path)
	if got := schemaVersion(t, s); got != len(migrations) {
		t.Fatalf("schema version after reopening %d, want %d", got, len(migrations))
	}
	folders, err := s.Folders(ctx)
	if err != nil || len(folders) != 1 || folders[0].Path != "/videos" {
		t.Fatalf("folders after reopening: %v, %v", folders, err)
	}
}

func schemaVersion(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// openUnmigrated opens a new database file as Open would, without migrating it.
func openUnmigrated(t *testing.T) (db *sql.DB, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), FileName)
	if err := preparePrivateFiles(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", dataSourceName(path, writerParams))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestMigrateStepByStep(t *testing.T) {
	ctx := context.Background()
	db, _ := openUnmigrated(t)
	v1 := `CREATE TABLE one (x INTEGER)`
	v2 := `CREATE TABLE two (y INTEGER); INSERT INTO one VALUES (42)`
	tests := []struct {
		name    string
		steps   []string
		version int
		wantErr error
	}{
		{"empty to 1", []string{v1}, 1, nil},
		{"1 again is a no-op", []string{v1}, 1, nil},
		{"1 to 2", []string{v1, v2}, 2, nil},
		{"2 again is a no-op", []string{v1, v2}, 2, nil},
		{"older code refuses", []string{v1}, 2, ErrSchemaTooNew},
	}
	for _, tt := range tests {
		err := migrate(ctx, db, tt.steps)
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: error %v, want %v", tt.name, err, tt.wantErr)
		}
		var version, rows int
		if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
			t.Fatal(err)
		}
		if version != tt.version {
			t.Fatalf("%s: version %d, want %d", tt.name, version, tt.version)
		}
		if err := db.QueryRow(`SELECT count(*) FROM one`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if want := min(version-1, 1); rows != want {
			t.Fatalf("%s: step 2 ran %d times, want %d", tt.name, rows, want)
		}
	}
}

func TestOpenRefusesFilesItCannotUse(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr error
	}{
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not sqlite\n", 100)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"another program's database", func(t *testing.T, path string) {
			execRaw(t, path, `CREATE TABLE theirs (x INTEGER)`)
		}, ErrNotAuwatchd},
		{"written by a newer auwatchd", func(t *testing.T, path string) {
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			execRaw(t, path, `PRAGMA user_version = 99`)
		}, ErrSchemaTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			tt.prepare(t, path)
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name %s", err, path)
			}
		})
	}
}

func execRaw(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

func TestFilesArePrivate(t *testing.T) {
	tests := []struct {
		name     string
		existing fs.FileMode // mode of a database file already there; 0 for none
	}{
		{"new", 0},
		{"left readable by others", 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			path := DBPath(home)
			if tt.existing != 0 {
				if err := os.Mkdir(home, 0o700); err != nil {
					t.Fatal(err)
				}
				execRaw(t, path, `PRAGMA user_version = 0`)
				if err := os.Chmod(path, tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			s := openStore(t, path)
			if _, err := s.AddFolder(context.Background(), "/videos"); err != nil {
				t.Fatal(err)
			}
			checkMode(t, home, fs.ModeDir|0o700)
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				checkMode(t, p, 0o600)
			}
		})
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode() & (fs.ModeDir | fs.ModePerm); got != want {
		t.Errorf("%s: mode %v, want %v", path, got, want)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	home := filepath.Join(t.TempDir(), "Application Support", "odd %41?x=1#frag")
	path := DBPath(home)
	s := openStore(t, path)
	if err := s.SetPaused(ctx, true); err != nil {
		t.Fatal(err)
	}
	s.Close()
	entries, err := os.ReadDir(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Fatalf("files in %s: %v, want only %s", home, entries, FileName)
	}
	s = openStore(t, path)
	if paused, err := s.Paused(ctx); err != nil || !paused {
		t.Fatalf("paused after reopening = %v, %v", paused, err)
	}
}

func TestDataVersionSeesEveryCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	daemon, cli := openStore(t, path), openStore(t, path)
	version := func() int64 {
		t.Helper()
		v, err := daemon.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		name    string
		change  func() error
		changed bool
	}{
		{"nothing", func() error { return nil }, false},
		{"another store pauses", func() error { return cli.SetPaused(ctx, true) }, true},
		{"the same setting again", func() error { return cli.SetPaused(ctx, true) }, false},
		{"this store adds a folder", func() error { _, err := daemon.AddFolder(ctx, "/v"); return err }, true},
		{"a read", func() error { _, err := cli.Status(ctx); return err }, false},
	}
	before := version()
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatal(err)
		}
		after := version()
		if (after != before) != st.changed {
			t.Errorf("%s: data version %d → %d, want changed=%v", st.name, before, after, st.changed)
		}
		before = after
	}
}

// TestSkippedJobsFailAfterUpgrade opens a database written by a version that
// still skipped files that did not open as videos: those jobs fail with their
// reason, and other jobs and their results are untouched.
func TestSkippedJobsFailAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	db, path := openUnmigrated(t)
	const beforeRemoval = 2 // the schema version that still had skipped jobs
	if err := migrate(ctx, db, migrations[:beforeRemoval]); err != nil {
		t.Fatal(err)
	}
	// Several statements take no parameters; ?1 stands for a stored time.
	const stamp = "'2025-01-02T03:04:05.000Z'"
	_, err := db.Exec(strings.ReplaceAll(`
		INSERT INTO folders (id, path, added_at) VALUES (1, '/v', ?1);
		INSERT INTO jobs (id, folder_id, path, state, error, created_at, updated_at, finished_at) VALUES
			(1, 1, '/v/broken.mp4', 'skipped', 'the file does not open as a video', ?1, ?1, ?1),
			(2, 1, '/v/odd.mov', 'skipped', '', ?1, ?1, NULL);
		INSERT INTO jobs (id, folder_id, path, size, state, attempts, progress, created_at, updated_at, finished_at)
			VALUES (3, 1, '/v/good.mp4', 10, 'done', 1, 1, ?1, ?1, ?1);
		INSERT INTO summaries (job_id, frames, successful_frames, fps, wall_seconds) VALUES (3, 2, 2, 30, 1);
		INSERT INTO frames (job_id, frame, timestamp, success) VALUES (3, 1, 0, 1), (3, 2, 0.033, 1);`, "?1", stamp))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openStore(t, path)
	if got := schemaVersion(t, s); got != len(migrations) {
		t.Fatalf("schema version %d after upgrading, want %d", got, len(migrations))
	}
	wants := map[string]want{
		"/v/broken.mp4": {Failed, 0, "the file does not open as a video"},
		"/v/odd.mov":    {Failed, 0, "the file does not open as a video"},
		"/v/good.mp4":   {Done, 1, ""},
	}
	for path, w := range wants {
		j, err := s.JobByPath(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		w.check(t, j)
		if j.FinishedAt.IsZero() {
			t.Errorf("%s: no finish time", path)
		}
	}
	var frames int
	if err := s.rdb.QueryRow(`SELECT count(*) FROM frames WHERE job_id = 3`).Scan(&frames); err != nil || frames != 2 {
		t.Errorf("%d frames of the done job after upgrading (%v), want 2", frames, err)
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{Done: 1, Failed: 2}); st.Counts != want {
		t.Errorf("counts %+v, want %+v", st.Counts, want)
	}
}

// TestModeAfterUpgrade opens a database from before PFLD on every other frame
// became the default: each summary keeps the mode it was measured in, now
// said the new way, and the old fast setting makes way for the new default.
func TestModeAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	db, path := openUnmigrated(t)
	const beforeEveryFrame = 4 // the last schema version with the fast mode
	if err := migrate(ctx, db, migrations[:beforeEveryFrame]); err != nil {
		t.Fatal(err)
	}
	const stamp = "'2025-01-02T03:04:05.000Z'"
	_, err := db.Exec(strings.ReplaceAll(`
		INSERT INTO jobs (id, path, state, created_at, updated_at) VALUES
			(1, '/v/every.mp4', 'done', ?1, ?1), (2, '/v/other.mp4', 'done', ?1, ?1);
		INSERT INTO summaries (job_id, frames, successful_frames, fps, wall_seconds, fast) VALUES
			(1, 2, 2, 30, 1, 0), (2, 2, 2, 30, 1, 1);
		INSERT INTO settings (key, value) VALUES ('fast', 'true');`, "?1", stamp))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openStore(t, path)
	for id, want := range map[int]bool{1: true, 2: false} {
		var everyFrame bool
		if err := s.rdb.QueryRow(`SELECT every_frame FROM summaries WHERE job_id = ?`, id).Scan(&everyFrame); err != nil || everyFrame != want {
			t.Errorf("job %d: every_frame %v (%v), want %v", id, everyFrame, err, want)
		}
	}
	if _, ok, err := s.Setting(ctx, "fast"); err != nil || ok {
		t.Errorf("the fast setting outlived the upgrade (%v)", err)
	}
	if everyFrame, err := s.EveryFrame(ctx); err != nil || everyFrame {
		t.Errorf("every-frame mode %v after upgrading (%v), want the default mode", everyFrame, err)
	}
}

// TestFailuresInTheFileAfterUpgrade opens a database from before failures
// were marked as lying in the file: those the text says are not videos, or
// have no frames, are marked, so that Retry leaves them while unchanged.
func TestFailuresInTheFileAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	db, path := openUnmigrated(t)
	const beforeMarks = 5 // the last schema version without in_file
	if err := migrate(ctx, db, migrations[:beforeMarks]); err != nil {
		t.Fatal(err)
	}
	const stamp = "'2025-01-02T03:04:05.000Z'"
	_, err := db.Exec(strings.ReplaceAll(`
		INSERT INTO jobs (id, path, state, error, created_at, updated_at, finished_at) VALUES
			(1, '/v/a.mp4', 'failed', 'open video /v/a.mp4: not a video that can be decoded', ?1, ?1, ?1),
			(2, '/v/b.mp4', 'failed', 'process /v/b.mp4: the video has no frames', ?1, ?1, ?1),
			(3, '/v/c.mp4', 'failed', 'the file does not open as a video', ?1, ?1, ?1),
			(4, '/v/d.mp4', 'failed', 'write /v/d.mp4.au.csv: no space left on device', ?1, ?1, ?1),
			(5, '/v/e.mp4', 'done', '', ?1, ?1, ?1);`, "?1", stamp))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, path)
	for p, want := range map[string]bool{"/v/a.mp4": true, "/v/b.mp4": true, "/v/c.mp4": true, "/v/d.mp4": false, "/v/e.mp4": false} {
		j, err := s.JobByPath(ctx, p)
		if err != nil || j.InFile != want || !j.ClearedAt.IsZero() {
			t.Errorf("%s: in the file %v, cleared %v (%v); want %v, not cleared", p, j.InFile, j.ClearedAt, err, want)
		}
	}
	if st, err := s.Status(ctx); err != nil || st.Counts.Failed != 4 || st.WaitingCount != 0 {
		t.Errorf("status after upgrading: %+v (%v)", st.Counts, err)
	}
}
