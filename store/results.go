package store

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
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
}

// AUStat is one AU's mean and maximum over a video.
type AUStat struct {
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

// FrameAUs is one frame's AU values, in the order of Result.AUNames.
type FrameAUs struct {
	Frame     int
	Timestamp float64
	Success   bool
	Values    []float64
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
		if err := deleteResults(ctx, tx, id); err != nil {
			return err
		}
		if err := insertSummary(ctx, tx, id, r.Summary); err != nil {
			return err
		}
		if err := insertFrames(ctx, tx, id, r.AUNames, r.Frames); err != nil {
			return err
		}
		now := s.stamp()
		_, err := updateJob(ctx, tx, `state = 'done', progress = 1, error = '', output_path = ?, output_sha256 = ?,
			finished_at = ?, updated_at = ?`, id, r.OutputPath, r.OutputSHA256, now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("record the result of job %d in %s: %w", id, s.path, err)
	}
	return nil
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
	if _, err := tx.ExecContext(ctx, `INSERT INTO summaries (job_id, frames, successful_frames, fps, wall_seconds, every_frame)
		VALUES (?, ?, ?, ?, ?, ?)`, id, sum.Frames, sum.Successful, sum.FPS, sum.WallSeconds, sum.EveryFrame); err != nil {
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
	frameStmt, err := tx.PrepareContext(ctx, `INSERT INTO frames (job_id, frame, timestamp, success) VALUES (?, ?, ?, ?)`)
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
		if _, err := frameStmt.ExecContext(ctx, id, f.Frame, f.Timestamp, f.Success); err != nil {
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
