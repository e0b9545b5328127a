package store

import (
	"context"
	"database/sql"
	"fmt"
)

// applicationID marks the file as auwatchd's ("AUWD") in the SQLite header.
const applicationID = 0x41555744

// migrations are the schema's versions: migrations[i] takes a database from
// user_version i to i+1. They are applied in order and never edited once
// released; a change to the schema is a new entry.
//
// Results are normalised so that long videos stay small: frames holds a
// frame's timestamp and success once, and frame_aus holds one value per AU
// with the AU's name stored once in au_names. The view frame_au_values joins
// them back into one row per frame and AU for querying; frame_gaze_values
// gives each frame's gaze angles.
var migrations = []string{
	`
CREATE TABLE folders (
	id       INTEGER PRIMARY KEY,
	path     TEXT NOT NULL UNIQUE,
	added_at TEXT NOT NULL
);

CREATE TABLE jobs (
	id            INTEGER PRIMARY KEY,
	folder_id     INTEGER REFERENCES folders(id) ON DELETE SET NULL,
	path          TEXT NOT NULL UNIQUE,
	size          INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
	mtime_ns      INTEGER NOT NULL DEFAULT 0,
	fingerprint   TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'skipped')),
	attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	progress      REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
	error         TEXT NOT NULL DEFAULT '',
	output_path   TEXT NOT NULL DEFAULT '',
	output_sha256 TEXT NOT NULL DEFAULT '',
	queue_seq     INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	started_at    TEXT,
	finished_at   TEXT
);
CREATE INDEX jobs_folder ON jobs(folder_id);
CREATE INDEX jobs_queue ON jobs(state, queue_seq);
CREATE INDEX jobs_seq ON jobs(queue_seq);
CREATE INDEX jobs_finished ON jobs(state, finished_at);
CREATE INDEX jobs_fingerprint ON jobs(fingerprint) WHERE fingerprint <> '';

CREATE TABLE summaries (
	job_id            INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
	frames            INTEGER NOT NULL,
	successful_frames INTEGER NOT NULL,
	fps               REAL NOT NULL,
	wall_seconds      REAL NOT NULL
);

CREATE TABLE summary_aus (
	job_id INTEGER NOT NULL REFERENCES summaries(job_id) ON DELETE CASCADE,
	au     TEXT NOT NULL,
	mean   REAL,
	max    REAL,
	PRIMARY KEY (job_id, au)
) WITHOUT ROWID;

CREATE TABLE au_names (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE frames (
	job_id    INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	frame     INTEGER NOT NULL,
	timestamp REAL NOT NULL,
	success   INTEGER NOT NULL CHECK (success IN (0, 1)),
	PRIMARY KEY (job_id, frame)
) WITHOUT ROWID;

CREATE TABLE frame_aus (
	job_id INTEGER NOT NULL,
	frame  INTEGER NOT NULL,
	au_id  INTEGER NOT NULL REFERENCES au_names(id),
	value  REAL,
	PRIMARY KEY (job_id, frame, au_id),
	FOREIGN KEY (job_id, frame) REFERENCES frames(job_id, frame) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE VIEW frame_au_values AS
	SELECT f.job_id, f.frame, f.timestamp, f.success, n.name AS au, v.value
	FROM frames f
	JOIN frame_aus v ON v.job_id = f.job_id AND v.frame = f.frame
	JOIN au_names n ON n.id = v.au_id;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
`,
	// The mode a video was measured in; earlier results were all measured
	// in the default mode.
	`
ALTER TABLE summaries ADD COLUMN fast INTEGER NOT NULL DEFAULT 0 CHECK (fast IN (0, 1));
`,
	// Files that did not open as videos were once "skipped"; they fail now,
	// like every file that is not a video. The jobs table's CHECK constraint
	// still admits 'skipped': changing it means rebuilding the table, and
	// dropping the old one would delete every result through its foreign
	// keys. No code writes the state any more.
	`
UPDATE jobs SET state = 'failed', error = iif(error = '', 'the file does not open as a video', error),
	finished_at = coalesce(finished_at, updated_at)
WHERE state = 'skipped';
`,
	// What keeps the daemon from reading a watched folder; '' while it can.
	`
ALTER TABLE folders ADD COLUMN health TEXT NOT NULL DEFAULT '';
`,
	// PFLD on every other frame, once the fast mode, became the default;
	// the old default, PFLD on every frame, is the every-frame mode. A
	// summary says which of the two measured it, and the fast setting goes:
	// whoever chose it or the old default gets the new default.
	`
ALTER TABLE summaries ADD COLUMN every_frame INTEGER NOT NULL DEFAULT 0 CHECK (every_frame IN (0, 1));
UPDATE summaries SET every_frame = 1 - fast;
ALTER TABLE summaries DROP COLUMN fast;
DELETE FROM settings WHERE key = 'fast';
`,
	// A failure the user has cleared from the menu and status; whether a
	// failure lies in the file itself (not a video, no frames), which an
	// unchanged file cannot get past, for earlier failures as their text
	// says; and the files the watcher waits for, until they stop changing.
	`
ALTER TABLE jobs ADD COLUMN cleared_at TEXT;
ALTER TABLE jobs ADD COLUMN in_file INTEGER NOT NULL DEFAULT 0 CHECK (in_file IN (0, 1));
UPDATE jobs SET in_file = 1 WHERE state = 'failed' AND (error LIKE '%not a video that can be decoded%'
	OR error LIKE '%the video has no frames%' OR error = 'the file does not open as a video');
CREATE TABLE waiting (
	path TEXT PRIMARY KEY
) WITHOUT ROWID;
`,
	// How many folders in a watched folder only rescans cover, past the
	// daemon's budget of file-system watches.
	`
ALTER TABLE folders ADD COLUMN rescanned INTEGER NOT NULL DEFAULT 0;
`,
	// Gaze angles (radians, OpenFace's gaze_angle_x and gaze_angle_y) per
	// frame, NULL without a face or from before gaze was measured, and
	// their means over the frames with a face per video.
	`
ALTER TABLE frames ADD COLUMN gaze_angle_x REAL;
ALTER TABLE frames ADD COLUMN gaze_angle_y REAL;
ALTER TABLE summaries ADD COLUMN mean_gaze_angle_x REAL;
ALTER TABLE summaries ADD COLUMN mean_gaze_angle_y REAL;
CREATE VIEW frame_gaze_values AS
	SELECT job_id, frame, timestamp, success, gaze_angle_x, gaze_angle_y FROM frames;
`,
}

// migrate brings the database up to len(steps), one step per transaction.
// Another process may be migrating the same file: each step re-reads the
// version inside its own write transaction.
func migrate(ctx context.Context, db *sql.DB, steps []string) error {
	for {
		applied, err := migrateOneStep(ctx, db, steps)
		if err != nil || !applied {
			return err
		}
	}
}

// migrateOneStep applies the next step, reporting false when none is left.
func migrateOneStep(ctx context.Context, db *sql.DB, steps []string) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	version, err := checkedSchemaVersion(ctx, tx, len(steps))
	if err != nil || version == len(steps) {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, steps[version]); err != nil {
		return false, fmt.Errorf("migrate the schema to version %d: %w", version+1, err)
	}
	// PRAGMA takes no bound parameters; both values are integers of ours.
	pragmas := fmt.Sprintf("PRAGMA user_version = %d; PRAGMA application_id = %d", version+1, applicationID)
	if _, err := tx.ExecContext(ctx, pragmas); err != nil {
		return false, fmt.Errorf("migrate the schema to version %d: %w", version+1, err)
	}
	return true, tx.Commit()
}

// checkedSchemaVersion returns the database's schema version after checking
// that the file is auwatchd's (or empty) and not newer than this code.
func checkedSchemaVersion(ctx context.Context, tx *sql.Tx, known int) (int, error) {
	var appID, version, objects int
	if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
		return 0, err
	}
	empty := appID == 0 && version == 0 && objects == 0
	if !empty && appID != applicationID {
		return 0, ErrNotAuwatchd
	}
	if version > known {
		return 0, fmt.Errorf("%w: its schema version is %d and this one knows versions up to %d; run a newer auwatchd", ErrSchemaTooNew, version, known)
	}
	return version, nil
}
