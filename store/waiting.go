package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// SetWaiting records the files the watcher waits for to stop changing
// (being copied, downloaded or recorded), replacing the list before; nil
// says it waits for none.
func (s *Store) SetWaiting(ctx context.Context, paths []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM waiting`); err != nil {
			return err
		}
		for _, p := range slices.Compact(slices.Sorted(slices.Values(paths))) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO waiting (path) VALUES (?)`, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the files waited for in %s: %w", s.path, err)
	}
	return nil
}

// waitingFiles returns the first RecentLimit files waited for, by path, and
// how many there are.
func waitingFiles(ctx context.Context, q querier) ([]string, int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM waiting`).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT path FROM waiting ORDER BY path LIMIT ?`, RecentLimit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	paths := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, 0, err
		}
		paths = append(paths, p)
	}
	return paths, n, rows.Err()
}
