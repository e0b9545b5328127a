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
	DiskFull     bool     `json:"disk_full,omitzero"`
	RecentDone   []Job    `json:"recent_done"`   // newest first
	RecentFailed []Job    `json:"recent_failed"` // newest first, with reasons
	Folders      []Folder `json:"folders"`
}

// Counts is how many jobs are in each state.
type Counts struct {
	Queued  int `json:"queued"`
	Running int `json:"running"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
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
		recent := `SELECT ` + jobColumns + ` FROM jobs WHERE state = ? ORDER BY finished_at DESC, id DESC LIMIT ?`
		if st.RecentDone, err = queryJobs(ctx, tx, recent, Done, RecentLimit); err != nil {
			return err
		}
		if st.RecentFailed, err = queryJobs(ctx, tx, recent, Failed, RecentLimit); err != nil {
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
	rows, err := q.QueryContext(ctx, `SELECT state, count(*) FROM jobs GROUP BY state`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var state State
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return c, err
		}
		switch state {
		case Queued:
			c.Queued = n
		case Running:
			c.Running = n
		case Done:
			c.Done = n
		case Failed:
			c.Failed = n
		}
	}
	return c, rows.Err()
}
