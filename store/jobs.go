package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// State is where a job is in its life.
type State string

// A job is queued on arrival, running while the worker has it, and ends done
// or failed (a file that is not a video fails like any other).
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// MaxAttempts is how many times a video is claimed before it is given up:
// retryable failures and crashes of the worker both count.
const MaxAttempts = 3

// ErrNotFound is returned for a job, folder or setting that does not exist.
var ErrNotFound = errors.New("not found")

// ErrWrongState is returned when a job is not in the state an operation needs,
// for example completing a job that a changed video has sent back to the queue.
var ErrWrongState = errors.New("the job is not in a state that allows this")

// Job is one video's record.
type Job struct {
	ID           int64     `json:"id"`
	FolderID     int64     `json:"folder_id,omitzero"` // 0 once its folder is no longer watched
	Path         string    `json:"path"`
	Size         int64     `json:"size"`
	MtimeNs      int64     `json:"mtime_ns"`
	Fingerprint  string    `json:"fingerprint,omitzero"`
	State        State     `json:"state"`
	Attempts     int       `json:"attempts"`
	Progress     float64   `json:"progress"`
	Error        string    `json:"error,omitzero"` // why it failed, or why it was last retried
	OutputPath   string    `json:"output_path,omitzero"`
	OutputSHA256 string    `json:"output_sha256,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	StartedAt    time.Time `json:"started_at,omitzero"`
	FinishedAt   time.Time `json:"finished_at,omitzero"`
	ClearedAt    time.Time `json:"cleared_at,omitzero"` // when the user cleared its failure
	// InFile says the failure lies in the file itself: the same bytes fail the same way.
	InFile bool `json:"in_file,omitzero"`
}

// VideoFile is what the watcher knows of a complete video. Fingerprint is a
// content fingerprint computed by the caller; it lets a renamed video be
// recognised. An empty fingerprint turns that recognition off.
type VideoFile struct {
	Path        string
	Size        int64
	MtimeNs     int64
	Fingerprint string
}

const jobColumns = `id, folder_id, path, size, mtime_ns, fingerprint, state, attempts, progress,
	error, output_path, output_sha256, created_at, updated_at, started_at, finished_at, cleared_at, in_file`

type rowScanner interface{ Scan(dest ...any) error }

func scanJob(row rowScanner) (Job, error) {
	var j Job
	var folderID sql.NullInt64
	var created, updated, started, finished, cleared sql.NullString
	err := row.Scan(&j.ID, &folderID, &j.Path, &j.Size, &j.MtimeNs, &j.Fingerprint, &j.State,
		&j.Attempts, &j.Progress, &j.Error, &j.OutputPath, &j.OutputSHA256,
		&created, &updated, &started, &finished, &cleared, &j.InFile)
	if err != nil {
		return Job{}, err
	}
	j.FolderID = folderID.Int64
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&j.CreatedAt, created}, {&j.UpdatedAt, updated}, {&j.StartedAt, started}, {&j.FinishedAt, finished}, {&j.ClearedAt, cleared}} {
		if *t.dst, err = parseStamp(t.src); err != nil {
			return Job{}, err
		}
	}
	return j, nil
}

// queryJobs runs a query selecting jobColumns and returns every row.
func queryJobs(ctx context.Context, q querier, query string, args ...any) ([]Job, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	jobs := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// jobByPath returns the job of path, or ErrNotFound.
func jobByPath(ctx context.Context, q querier, path string) (Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE path = ?`, path))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	return j, err
}

// jobByID returns the job with id, or ErrNotFound.
func jobByID(ctx context.Context, q querier, id int64) (Job, error) {
	j, err := scanJob(q.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	return j, err
}

// JobByPath returns the job of the video at path.
func (s *Store) JobByPath(ctx context.Context, path string) (Job, error) {
	j, err := jobByPath(ctx, s.rdb, filepath.Clean(path))
	if err != nil {
		return Job{}, fmt.Errorf("read the job of %s from %s: %w", path, s.path, err)
	}
	return j, nil
}

// Enqueue records a complete video found in the watched folder folderID and
// reports whether it needs processing because it is new or has changed.
//
//   - A video already known with the same size, mtime and fingerprint is no
//     new work, whatever its job's state (a failed video waits for Retry).
//   - A known video that changed goes back to the queue with its attempts
//     reset and its old results removed, so its CSV is replaced.
//   - A new path whose fingerprint and size match a job (not running) at a
//     path that no longer exists is that video renamed or moved: the job is
//     re-pointed to the new path and keeps its state and results (created is
//     false). Its OutputPath still names the CSV beside the old path; the
//     caller moves the CSV and records the new name with SetOutput.
//   - Otherwise a new job is queued.
func (s *Store) Enqueue(ctx context.Context, folderID int64, video VideoFile) (job Job, created bool, err error) {
	video.Path = filepath.Clean(video.Path)
	if !filepath.IsAbs(video.Path) {
		return Job{}, false, fmt.Errorf("enqueue %s: the path is not absolute", video.Path)
	}
	if known, err := jobByPath(ctx, s.rdb, video.Path); err == nil && unchanged(known, folderID, video) {
		return known, false, nil
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		return inBatch(ctx, tx, func() error {
			job, created, err = s.enqueueTx(ctx, tx, folderID, video)
			return err
		})
	})
	if err != nil {
		return Job{}, false, fmt.Errorf("enqueue %s in %s: %w", video.Path, s.path, err)
	}
	return job, created, nil
}

func unchanged(j Job, folderID int64, v VideoFile) bool {
	return j.FolderID == folderID && j.Size == v.Size &&
		j.MtimeNs == v.MtimeNs && j.Fingerprint == v.Fingerprint
}

func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, folderID int64, v VideoFile) (Job, bool, error) {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM folders WHERE id = ?)`, folderID).Scan(&exists); err != nil {
		return Job{}, false, err
	}
	if !exists {
		return Job{}, false, fmt.Errorf("folder %d is not watched: %w", folderID, ErrNotFound)
	}
	now := s.stamp()
	known, err := jobByPath(ctx, tx, v.Path)
	switch {
	case err == nil && unchanged(known, folderID, v):
		return known, false, nil
	case err == nil && unchanged(known, known.FolderID, v):
		j, err := updateJob(ctx, tx, `folder_id = ?, updated_at = ?`, known.ID, folderID, now)
		return j, false, err
	case err == nil:
		j, err := requeueChanged(ctx, tx, known.ID, folderID, v, now)
		return j, true, err
	case !errors.Is(err, ErrNotFound):
		return Job{}, false, err
	}
	moved, err := movedJob(ctx, tx, v)
	if err == nil {
		j, err := updateJob(ctx, tx, `path = ?, folder_id = ?, mtime_ns = ?, updated_at = ?`,
			moved.ID, v.Path, folderID, v.MtimeNs, now)
		return j, false, err
	}
	if !errors.Is(err, ErrNotFound) {
		return Job{}, false, err
	}
	j, err := scanJob(tx.QueryRowContext(ctx, `
		INSERT INTO jobs (folder_id, path, size, mtime_ns, fingerprint, state, queue_seq, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'queued', (SELECT coalesce(max(queue_seq), 0) + 1 FROM jobs), ?, ?)
		RETURNING `+jobColumns, folderID, v.Path, v.Size, v.MtimeNs, v.Fingerprint, now, now))
	return j, true, err
}

// requeueChanged sends a job whose video has new content to the back of the
// queue as if new; results that describe the old content are removed. The
// output path and sha256 stay: they identify the CSV the daemon wrote, which
// the new run may replace.
func requeueChanged(ctx context.Context, tx *sql.Tx, id, folderID int64, v VideoFile, now string) (Job, error) {
	if err := deleteResults(ctx, tx, id); err != nil {
		return Job{}, err
	}
	return updateJob(ctx, tx, `folder_id = ?, size = ?, mtime_ns = ?, fingerprint = ?,
		state = 'queued', attempts = 0, progress = 0, error = '', cleared_at = NULL, in_file = 0,
		queue_seq = (SELECT coalesce(max(queue_seq), 0) + 1 FROM jobs),
		started_at = NULL, finished_at = NULL, updated_at = ?`,
		id, folderID, v.Size, v.MtimeNs, v.Fingerprint, now)
}

// movedJob finds the job a renamed or moved video had at its old path: same
// fingerprint and size, and the old path gone. A job whose old file still
// exists is a copy's original and keeps its path.
func movedJob(ctx context.Context, tx *sql.Tx, v VideoFile) (Job, error) {
	if v.Fingerprint == "" {
		return Job{}, ErrNotFound
	}
	candidates, err := queryJobs(ctx, tx, `SELECT `+jobColumns+` FROM jobs
		WHERE fingerprint = ? AND size = ? AND path <> ? AND state IN ('queued', 'done', 'failed')
		ORDER BY updated_at DESC, id DESC`, v.Fingerprint, v.Size, v.Path)
	if err != nil {
		return Job{}, err
	}
	for _, j := range candidates {
		if _, err := os.Lstat(j.Path); errors.Is(err, fs.ErrNotExist) {
			return j, nil
		}
	}
	return Job{}, ErrNotFound
}

// updateJob sets columns (an SQL SET list whose parameters are args) on job
// id and returns the job as it now is.
func updateJob(ctx context.Context, tx *sql.Tx, set string, id int64, args ...any) (Job, error) {
	args = append(args, id)
	return scanJob(tx.QueryRowContext(ctx, `UPDATE jobs SET `+set+` WHERE id = ? RETURNING `+jobColumns, args...))
}

// Claim takes the oldest queued job for the worker: it becomes running and
// its attempts go up before any work, so a video that crashes the whole
// process is given up after MaxAttempts restarts. A queued job that has
// already used up its attempts is marked failed on the way. Claim returns
// nil when nothing is queued. It is atomic across processes.
func (s *Store) Claim(ctx context.Context) (*Job, error) {
	var claimed *Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		for {
			next, err := scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs
				WHERE state = 'queued' ORDER BY queue_seq, id LIMIT 1`))
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			now := s.stamp()
			if next.Attempts >= MaxAttempts {
				reason := fmt.Sprintf("crashed the worker %d times", next.Attempts)
				if _, err := updateJob(ctx, tx, `state = 'failed', error = ?, finished_at = ?, updated_at = ?`,
					next.ID, reason, now, now); err != nil {
					return err
				}
				continue
			}
			j, err := updateJob(ctx, tx, `state = 'running', attempts = attempts + 1, progress = 0,
				started_at = ?, finished_at = NULL, updated_at = ?`, next.ID, now, now)
			claimed = &j
			return err
		}
	})
	if err != nil {
		return nil, fmt.Errorf("claim a job in %s: %w", s.path, err)
	}
	return claimed, nil
}

// Progress records how far the running job id has got, from 0 to 1. It is
// one short write; the caller decides how often to call it.
func (s *Store) Progress(ctx context.Context, id int64, fraction float64) error {
	if !(fraction >= 0 && fraction <= 1) {
		return fmt.Errorf("record the progress of job %d: %v is not between 0 and 1", id, fraction)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND state = 'running'`,
			fraction, s.stamp(), id)
		if err != nil {
			return err
		}
		return requireChanged(ctx, tx, res, id, Running)
	})
	if err != nil {
		return fmt.Errorf("record the progress of job %d in %s: %w", id, s.path, err)
	}
	return nil
}

// requireChanged turns an UPDATE that matched no row into ErrNotFound or
// ErrWrongState.
func requireChanged(ctx context.Context, tx *sql.Tx, res sql.Result, id int64, want State) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	return stateError(ctx, tx, id, want)
}

// stateError explains why job id is not in the state want.
func stateError(ctx context.Context, q querier, id int64, want State) error {
	j, err := jobByID(ctx, q, id)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %s is %s, not %s", ErrWrongState, j.Path, j.State, want)
}

// runningJob returns job id, which must be running.
func runningJob(ctx context.Context, tx *sql.Tx, id int64) (Job, error) {
	j, err := jobByID(ctx, tx, id)
	if err != nil {
		return Job{}, err
	}
	if j.State != Running {
		return Job{}, fmt.Errorf("%w: %s is %s, not %s", ErrWrongState, j.Path, j.State, Running)
	}
	return j, nil
}

// Failure says what a failure means for the next attempt.
type Failure int

const (
	// Passing may pass (the disk was full, a model file was missing): the
	// job goes to the back of the queue until it has used MaxAttempts.
	Passing Failure = iota
	// Final lasts until its cause outside the file is fixed (a folder that
	// may not be written, a file in the CSV's way); Retry tries again.
	Final
	// InFile lies in the file itself (not a video, no frames): the same
	// bytes fail the same way, so Retry leaves an unchanged file failed.
	InFile
)

// Fail records why the running job id failed and returns it as it now is. A
// passing failure is retried until the job has used MaxAttempts; any other
// is final at once. A video without a face is no failure: its CSV is written.
func (s *Store) Fail(ctx context.Context, id int64, reason string, kind Failure) (Job, error) {
	var j Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		running, err := runningJob(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.stamp()
		if kind == Passing && running.Attempts < MaxAttempts {
			j, err = updateJob(ctx, tx, `state = 'queued', progress = 0, error = ?, started_at = NULL,
				queue_seq = (SELECT coalesce(max(queue_seq), 0) + 1 FROM jobs), updated_at = ?`, id, reason, now)
			return err
		}
		j, err = updateJob(ctx, tx, `state = 'failed', error = ?, in_file = ?, finished_at = ?, updated_at = ?`,
			id, reason, kind == InFile, now, now)
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("record the failure of job %d in %s: %w", id, s.path, err)
	}
	return j, nil
}

// Requeue puts the running job id back at the head of the queue, for a clean
// shutdown: the interruption was not the video's fault, so the attempt it was
// charged at Claim is given back.
func (s *Store) Requeue(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', progress = 0, started_at = NULL,
			attempts = max(attempts - 1, 0), updated_at = ? WHERE id = ? AND state = 'running'`, s.stamp(), id)
		if err != nil {
			return err
		}
		return requireChanged(ctx, tx, res, id, Running)
	})
	if err != nil {
		return fmt.Errorf("requeue job %d in %s: %w", id, s.path, err)
	}
	return nil
}

// RecoverInterrupted puts jobs left running by a crash back in the queue,
// keeping their attempts, and returns how many there were. The daemon calls
// it at start, before its worker claims anything; only one daemon may run
// on a database.
func (s *Store) RecoverInterrupted(ctx context.Context) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', progress = 0, started_at = NULL,
			updated_at = ? WHERE state = 'running'`, s.stamp())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("recover interrupted jobs in %s: %w", s.path, err)
	}
	return int(n), nil
}

// retrySet is the change Retry and RetryFailed make to a failed job: back of
// the queue, a fresh set of attempts.
const retrySet = `state = 'queued', attempts = 0, progress = 0, error = '', cleared_at = NULL, in_file = 0,
	started_at = NULL, finished_at = NULL, queue_seq = (SELECT coalesce(max(queue_seq), 0) + 1 FROM jobs), updated_at = ?`

// ErrUnchanged is returned by Retry for a file whose failure lies in the
// file itself and which has not changed since: it would fail the same way.
var ErrUnchanged = errors.New("the file is unchanged since it failed, and would fail the same way: copy it again")

// Retry sends the failed job id back to the queue with its attempts reset,
// unless its failure lies in a file that has not changed since (ErrUnchanged).
func (s *Store) Retry(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		j, err := jobByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if j.State != Failed {
			return fmt.Errorf("%w: %s is %s, not %s", ErrWrongState, j.Path, j.State, Failed)
		}
		if unchangedSinceFailure(j) {
			return fmt.Errorf("%s: %w", j.Path, ErrUnchanged)
		}
		return inBatch(ctx, tx, func() error {
			_, err := tx.ExecContext(ctx, `UPDATE jobs SET `+retrySet+` WHERE id = ?`, s.stamp(), id)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("retry job %d in %s: %w", id, s.path, err)
	}
	return nil
}

// RetryFailed sends every failed job that is not cleared back to the queue,
// oldest failure first, and returns how many there were, and the failed jobs
// it left because their files are unchanged since a failure in the file.
func (s *Store) RetryFailed(ctx context.Context) (retried int, unchanged []Job, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		retried, unchanged = 0, nil
		failed, err := queryJobs(ctx, tx, `SELECT `+jobColumns+` FROM jobs
			WHERE state = 'failed' AND cleared_at IS NULL ORDER BY finished_at, id`)
		if err != nil {
			return err
		}
		now := s.stamp()
		return inBatch(ctx, tx, func() error {
			for _, j := range failed {
				if unchangedSinceFailure(j) {
					unchanged = append(unchanged, j)
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE jobs SET `+retrySet+` WHERE id = ?`, now, j.ID); err != nil {
					return err
				}
				retried++
			}
			return nil
		})
	})
	if err != nil {
		return 0, nil, fmt.Errorf("retry the failed jobs in %s: %w", s.path, err)
	}
	return retried, unchanged, nil
}

// unchangedSinceFailure reports whether j failed in its file and the file
// still has the size and modification time it had then.
func unchangedSinceFailure(j Job) bool {
	if !j.InFile {
		return false
	}
	info, err := os.Stat(j.Path)
	return err == nil && info.Size() == j.Size && info.ModTime().UnixNano() == j.MtimeNs
}

// ClearFailure takes the failed job id off the lists of failures; its record
// stays, so the same file is not measured again until it changes or is
// retried.
func (s *Store) ClearFailure(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET cleared_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'`, now, now, id)
		if err != nil {
			return err
		}
		return requireChanged(ctx, tx, res, id, Failed)
	})
	if err != nil {
		return fmt.Errorf("clear the failure of job %d in %s: %w", id, s.path, err)
	}
	return nil
}

// SetOutput records where the CSV of the done job id now is, after the
// caller moved it beside a renamed video.
func (s *Store) SetOutput(ctx context.Context, id int64, outputPath, outputSHA256 string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET output_path = ?, output_sha256 = ?, updated_at = ?
			WHERE id = ? AND state = 'done'`, outputPath, outputSHA256, s.stamp(), id)
		if err != nil {
			return err
		}
		return requireChanged(ctx, tx, res, id, Done)
	})
	if err != nil {
		return fmt.Errorf("record the output of job %d in %s: %w", id, s.path, err)
	}
	return nil
}
