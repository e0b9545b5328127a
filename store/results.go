package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"strconv"
	"strings"
)

// Summary describes a processed video.
type Summary struct {
	Frames      int      `json:"frames"`
	Successful  int      `json:"successful_frames"`
	FPS         float64  `json:"fps"`
	WallSeconds float64  `json:"wall_seconds"`
	EveryFrame  bool     `json:"every_frame"` // measured with PFLD on every frame
	AUs         []AUStat `json:"aus"`
	// MeanGaze is the mean gaze_angle_x and gaze_angle_y (radians) over
	// the frames with a face; nil when there were none.
	MeanGaze *[2]float64 `json:"mean_gaze_angles,omitempty"`
}

// AUStat is one AU's mean and maximum over a video.
type AUStat struct {
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

// FrameAUs is one frame's AU values, in the order of Result.AUNames, and
// its gaze angles (radians; stored only for a frame with a face).
type FrameAUs struct {
	Frame     int
	Timestamp float64
	Success   bool
	Values    []float64
	Gaze      [2]float64 // the gaze angles, when HasGaze
	HasGaze   bool       // false for results read back from a CSV's AU columns
}

// Result is what a finished job leaves behind.
type Result struct {
	OutputPath   string
	OutputSHA256 string
	Summary      Summary
	// AUNames names each FrameAUs.Values entry, given once for every frame.
	AUNames []string
	// Frames yields every frame once; a yielded FrameAUs (and its Values)
	// may be reused for the next frame.
	Frames iter.Seq[FrameAUs]
}

// Complete marks the running job id done and stores its result, replacing
// any earlier result of the job, in one transaction that is synced to disk.
// It returns ErrWrongState when the job is no longer running (its video
// changed while it ran): the caller drops the result.
func (s *Store) Complete(ctx context.Context, id int64, r Result) error {
	err := s.writeDurable(ctx, func(tx *sql.Tx) error {
		if _, err := runningJob(ctx, tx, id); err != nil {
			return err
		}
		_, err := s.recordResult(ctx, tx, id, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("record the result of job %d in %s: %w", id, s.path, err)
	}
	return nil
}

// Import records a result measured elsewhere (a cluster's task wrote the
// CSV beside the video) as the done job of the video v, found in the
// watched folder folderID (0 for none), and returns the job. A job of the
// same path is reused, its earlier results replaced, in one transaction
// synced to disk; a job the daemon is running now is left to the daemon
// (ErrWrongState). The job keeps v's size, mtime and fingerprint, so the
// daemon does not measure the video again when it finds it unchanged.
func (s *Store) Import(ctx context.Context, folderID int64, v VideoFile, r Result) (Job, error) {
	v.Path = filepath.Clean(v.Path)
	var job Job
	err := s.writeDurable(ctx, func(tx *sql.Tx) error {
		id, err := importedJobID(ctx, tx, folderID, v, s.stamp())
		if err != nil {
			return err
		}
		job, err = s.recordResult(ctx, tx, id, r)
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("import the result of %s into %s: %w", v.Path, s.path, err)
	}
	return job, nil
}

// importedJobID returns the id of v's job, made or brought up to date with
// v, unless the daemon is running it.
func importedJobID(ctx context.Context, tx *sql.Tx, folderID int64, v VideoFile, now string) (int64, error) {
	folder := sql.NullInt64{Int64: folderID, Valid: folderID != 0}
	known, err := jobByPath(ctx, tx, v.Path)
	switch {
	case errors.Is(err, ErrNotFound):
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO jobs (folder_id, path, size, mtime_ns, fingerprint, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'done', ?, ?) RETURNING id`, folder, v.Path, v.Size, v.MtimeNs, v.Fingerprint, now, now).Scan(&id)
		return id, err
	case err != nil:
		return 0, err
	case known.State == Running:
		return 0, fmt.Errorf("%w: the daemon is measuring %s now", ErrWrongState, v.Path)
	}
	if folderID == 0 {
		folder = sql.NullInt64{Int64: known.FolderID, Valid: known.FolderID != 0}
	}
	_, err = updateJob(ctx, tx, `folder_id = ?, size = ?, mtime_ns = ?, fingerprint = ?, attempts = 0, started_at = NULL`,
		known.ID, folder, v.Size, v.MtimeNs, v.Fingerprint)
	return known.ID, err
}

// recordResult replaces job id's results with r and marks it done.
func (s *Store) recordResult(ctx context.Context, tx *sql.Tx, id int64, r Result) (Job, error) {
	if err := deleteResults(ctx, tx, id); err != nil {
		return Job{}, err
	}
	if err := insertSummary(ctx, tx, id, r.Summary); err != nil {
		return Job{}, err
	}
	if err := insertFrames(ctx, tx, id, r.AUNames, r.Frames); err != nil {
		return Job{}, err
	}
	now := s.stamp()
	return updateJob(ctx, tx, `state = 'done', progress = 1, error = '', output_path = ?, output_sha256 = ?,
		finished_at = ?, updated_at = ?`, id, r.OutputPath, r.OutputSHA256, now, now)
}

// deleteResults removes job id's summary and frames. Children go first: a
// cascade would do the same row by row, with more work per row.
func deleteResults(ctx context.Context, tx *sql.Tx, id int64) error {
	for _, table := range []string{"frame_aus", "frames", "summary_aus", "summaries"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE job_id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

func insertSummary(ctx context.Context, tx *sql.Tx, id int64, sum Summary) error {
	var gaze [2]sql.NullFloat64
	if sum.MeanGaze != nil {
		gaze = [2]sql.NullFloat64{{Float64: sum.MeanGaze[0], Valid: true}, {Float64: sum.MeanGaze[1], Valid: true}}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO summaries (job_id, frames, successful_frames, fps, wall_seconds, every_frame,
		mean_gaze_angle_x, mean_gaze_angle_y) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, sum.Frames, sum.Successful, sum.FPS, sum.WallSeconds, sum.EveryFrame, gaze[0], gaze[1]); err != nil {
		return err
	}
	for _, au := range sum.AUs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO summary_aus (job_id, au, mean, max) VALUES (?, ?, ?, ?)`,
			id, au.Name, au.Mean, au.Max); err != nil {
			return fmt.Errorf("summary of %s: %w", au.Name, err)
		}
	}
	return nil
}

// insertFrames stores every frame with two statements: one for the frame,
// one multi-row insert for all its AU values.
func insertFrames(ctx context.Context, tx *sql.Tx, id int64, names []string, frames iter.Seq[FrameAUs]) error {
	if frames == nil {
		return nil
	}
	auIDs, err := auNameIDs(ctx, tx, names)
	if err != nil {
		return err
	}
	frameStmt, err := tx.PrepareContext(ctx, `INSERT INTO frames (job_id, frame, timestamp, success, gaze_angle_x, gaze_angle_y)
		VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer frameStmt.Close()
	valuesStmt, err := tx.PrepareContext(ctx, frameValuesInsert(id, auIDs))
	if err != nil {
		return err
	}
	defer valuesStmt.Close()
	args := make([]any, 1+len(names))
	for f := range frames {
		if len(f.Values) != len(names) {
			return fmt.Errorf("frame %d has %d AU values for %d AU names", f.Frame, len(f.Values), len(names))
		}
		gaze := [2]sql.NullFloat64{{Float64: f.Gaze[0], Valid: f.Success && f.HasGaze}, {Float64: f.Gaze[1], Valid: f.Success && f.HasGaze}}
		if _, err := frameStmt.ExecContext(ctx, id, f.Frame, f.Timestamp, f.Success, gaze[0], gaze[1]); err != nil {
			return fmt.Errorf("frame %d: %w", f.Frame, err)
		}
		if len(names) == 0 {
			continue
		}
		args[0] = f.Frame
		for i, v := range f.Values {
			args[1+i] = v
		}
		if _, err := valuesStmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("frame %d: %w", f.Frame, err)
		}
	}
	return nil
}

// frameValuesInsert builds the insert of one frame's AU values: ?1 is the
// frame number and ?2… the values; the job and AU ids, integers of ours, are
// written into the statement so that they are not bound on every frame.
func frameValuesInsert(jobID int64, auIDs []int64) string {
	var b strings.Builder
	b.WriteString("INSERT INTO frame_aus (job_id, frame, au_id, value) VALUES ")
	job := strconv.FormatInt(jobID, 10)
	for i, auID := range auIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "(%s, ?1, %d, ?%d)", job, auID, i+2)
	}
	return b.String()
}

// auNameIDs returns the id of each AU name, adding names not seen before.
func auNameIDs(ctx context.Context, tx *sql.Tx, names []string) ([]int64, error) {
	ids := make([]int64, len(names))
	for i, name := range names {
		err := tx.QueryRowContext(ctx, `INSERT INTO au_names (name) VALUES (?)
			ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`, name).Scan(&ids[i])
		if err != nil {
			return nil, fmt.Errorf("AU %s: %w", name, err)
		}
	}
	return ids, nil
}
