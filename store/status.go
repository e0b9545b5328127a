package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecentLimit is how many done and failed jobs Status lists.
const RecentLimit = 10

// Status is everything `auwatchd status` and the menu bar show.
type Status struct {
	Paused     bool   `json:"paused"`
	EveryFrame bool   `json:"every_frame"` // new videos are measured with PFLD on every frame
	Counts     Counts `json:"counts"`
	// Report and Thumbnails say whether a report goes beside each CSV and
	// whether it shows faces.
	Report     bool   `json:"report"`
	Thumbnails bool   `json:"thumbnails"`
	Workers    int    `json:"workers"`          // the workers setting; AutoWorkers lets the daemon choose
	Watcher    string `json:"watcher,omitzero"` // what keeps the folder watcher from working; empty while it works
	Running    []Job  `json:"running"`          // oldest first; empty when idle
	// DiskFull says the database's disk is (nearly) full: the daemon keeps
	// finished results until they can be recorded.
	DiskFull bool `json:"disk_full,omitzero"`
	// Waiting is the files the watcher waits for to stop changing, by path,
	// at most RecentLimit of them; WaitingCount counts them all.
	Waiting      []string `json:"waiting"`
	WaitingCount int      `json:"waiting_count"`
	// Batch counts the videos queued together since the queue was last empty.
	Batch        Batch     `json:"batch"`
	RecentDone   []DoneJob `json:"recent_done"`   // newest first
	RecentFailed []Job     `json:"recent_failed"` // newest first, with reasons; cleared ones left out
	Folders      []Folder  `json:"folders"`
}

// DoneJob is a finished job with what its summary says of the video.
type DoneJob struct {
	Job
	Frames     int `json:"frames"`
	FaceFrames int `json:"face_frames"` // frames where the face was found
}

// Counts is how many jobs are in each state; a failed job the user cleared
// counts as cleared, not as failed.
type Counts struct {
	Queued  int `json:"queued"`
	Running int `json:"running"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Cleared int `json:"cleared,omitzero"`
}

// Status returns the state of the queue, read from one snapshot.
func (s *Store) Status(ctx context.Context) (Status, error) {
	var st Status
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if st.Paused, err = boolSetting(ctx, tx, SettingPaused, false); err != nil {
			return err
		}
		if st.EveryFrame, err = boolSetting(ctx, tx, SettingEveryFrame, false); err != nil {
			return err
		}
		if st.Report, err = boolSetting(ctx, tx, SettingReport, true); err != nil {
			return err
		}
		if st.Thumbnails, err = boolSetting(ctx, tx, SettingThumbnails, true); err != nil {
			return err
		}
		if st.Counts, err = countStates(ctx, tx); err != nil {
			return err
		}
		if st.Workers, err = workersSetting(ctx, tx); err != nil {
			return err
		}
		if st.Watcher, err = setting(ctx, tx, SettingWatcher); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		running := `SELECT ` + jobColumns + ` FROM jobs WHERE state = 'running' ORDER BY started_at, id`
		if st.Running, err = queryJobs(ctx, tx, running); err != nil {
			return err
		}
		if st.RecentDone, err = recentDone(ctx, tx); err != nil {
			return err
		}
		failed := `SELECT ` + jobColumns + ` FROM jobs WHERE state = 'failed' AND cleared_at IS NULL
			ORDER BY finished_at DESC, id DESC LIMIT ?`
		if st.RecentFailed, err = queryJobs(ctx, tx, failed, RecentLimit); err != nil {
			return err
		}
		if st.Waiting, st.WaitingCount, err = waitingFiles(ctx, tx); err != nil {
			return err
		}
		if st.Batch, err = currentBatch(ctx, tx); err != nil {
			return err
		}
		st.Folders, err = listFolders(ctx, tx)
		return err
	})
	if err != nil {
		return Status{}, fmt.Errorf("read the status of %s: %w", s.path, err)
	}
	if st.DiskFull, err = s.diskFull(); err != nil {
		return Status{}, err
	}
	return st, nil
}

func countStates(ctx context.Context, q querier) (Counts, error) {
	var c Counts
	rows, err := q.QueryContext(ctx, `SELECT state, cleared_at IS NOT NULL, count(*) FROM jobs GROUP BY 1, 2`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var state State
		var cleared bool
		var n int
		if err := rows.Scan(&state, &cleared, &n); err != nil {
			return c, err
		}
		switch {
		case state == Failed && cleared:
			c.Cleared += n
		case state == Queued:
			c.Queued += n
		case state == Running:
			c.Running += n
		case state == Done:
			c.Done += n
		case state == Failed:
			c.Failed += n
		}
	}
	return c, rows.Err()
}

// recentDone lists the newest finished jobs with their frame counts.
func recentDone(ctx context.Context, q querier) ([]DoneJob, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+jobColumns+`, coalesce(s.frames, 0), coalesce(s.successful_frames, 0)
		FROM jobs LEFT JOIN summaries s ON s.job_id = jobs.id
		WHERE state = 'done' ORDER BY finished_at DESC, id DESC LIMIT ?`, RecentLimit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := []DoneJob{}
	for rows.Next() {
		var d DoneJob
		var frames, faces int
		j, err := scanJob(scanWith(rows, &frames, &faces))
		if err != nil {
			return nil, err
		}
		d.Job, d.Frames, d.FaceFrames = j, frames, faces
		done = append(done, d)
	}
	return done, rows.Err()
}

// scanWith scans a row's job columns and then extra columns into extra.
func scanWith(row rowScanner, extra ...any) rowScanner {
	return scanFunc(func(dest ...any) error { return row.Scan(append(dest, extra...)...) })
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
