package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
)

// settingBatch is the queue position where the current batch of videos
// began: the jobs queued at or after it, while the queue had not been empty
// since, are the batch the menu counts as "k of n".
const settingBatch = "batch_from"

// Batch is how far the current batch of videos has got.
type Batch struct {
	Finished int `json:"finished"` // done or failed
	Total    int `json:"total"`
}

// inBatch runs fn, which may queue jobs; when nothing was queued or running
// before, the jobs it queued begin a new batch.
func inBatch(ctx context.Context, tx *sql.Tx, fn func() error) error {
	var busy bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM jobs WHERE state IN ('queued', 'running'))`).Scan(&busy); err != nil {
		return err
	}
	if err := fn(); err != nil || busy {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value)
		SELECT ?, min(queue_seq) FROM jobs WHERE state = 'queued' HAVING count(*) > 0
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingBatch)
	return err
}

// currentBatch counts the jobs of the batch begun last; nothing before the
// first batch is recorded.
func currentBatch(ctx context.Context, q querier) (Batch, error) {
	var b Batch
	v, err := setting(ctx, q, settingBatch)
	if errors.Is(err, ErrNotFound) {
		return b, nil
	}
	if err != nil {
		return b, err
	}
	from, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return b, errors.New("setting " + settingBatch + " is " + strconv.Quote(v) + ", not a queue position")
	}
	err = q.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE state IN ('done', 'failed'))
		FROM jobs WHERE queue_seq >= ?`, from).Scan(&b.Total, &b.Finished)
	return b, err
}
