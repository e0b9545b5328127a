package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Folder is a watched folder.
type Folder struct {
	ID      int64     `json:"id"`
	Path    string    `json:"path"`
	AddedAt time.Time `json:"added_at"`
	// Health says what keeps the daemon from reading the folder ("missing",
	// "cannot read: permission denied"); empty while it can.
	Health string `json:"health,omitzero"`
	// Rescanned counts the folders in it (itself included) that the daemon
	// finds videos in by rescanning alone, because watching them all would
	// take too many of its open files; 0 while every one is watched.
	Rescanned int `json:"rescanned,omitzero"`
}

// FolderHealth is what the daemon records of a watched folder: Folder's
// Health and Rescanned.
type FolderHealth struct {
	Health    string
	Rescanned int
}

// Folder health as the daemon records it.
const (
	FolderMissing    = "missing"
	folderCannotRead = "cannot read: "
)

// CannotRead is the health of a folder the daemon may not read, for reason.
func CannotRead(reason string) string { return folderCannotRead + reason }

// AddFolder starts watching the folder at path (absolute) and returns it;
// adding a watched folder again returns it unchanged.
func (s *Store) AddFolder(ctx context.Context, path string) (Folder, error) {
	path = filepath.Clean(path)
	if !filepath.IsAbs(path) {
		return Folder{}, fmt.Errorf("add folder %s: the path is not absolute", path)
	}
	var f Folder
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO folders (path, added_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING`,
			path, s.stamp()); err != nil {
			return err
		}
		var err error
		f, err = scanFolder(tx.QueryRowContext(ctx, `SELECT `+folderColumns+` FROM folders WHERE path = ?`, path))
		return err
	})
	if err != nil {
		return Folder{}, fmt.Errorf("add folder %s to %s: %w", path, s.path, err)
	}
	return f, nil
}

// RemoveFolder stops watching the folder at path. Its queued jobs are
// dropped; the records and results of its other videos are kept (their
// FolderID becomes 0), so that adding the folder again re-runs nothing.
func (s *Store) RemoveFolder(ctx context.Context, path string) error {
	path = filepath.Clean(path)
	err := s.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM folders WHERE path = ?`, path).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("the folder is not watched: %w", ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE folder_id = ? AND state = 'queued'`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM folders WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove folder %s from %s: %w", path, s.path, err)
	}
	return nil
}

// SetFolderHealth records each watched folder's health: health[path], or
// the zero FolderHealth (it can be read, and is watched in full) for a
// folder health does not name. Only changes are written, so an unchanged
// health does not wake the store's readers.
func (s *Store) SetFolderHealth(ctx context.Context, health map[string]FolderHealth) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		folders, err := listFolders(ctx, tx)
		if err != nil {
			return err
		}
		for _, f := range folders {
			if h := health[f.Path]; h != (FolderHealth{f.Health, f.Rescanned}) {
				if _, err := tx.ExecContext(ctx, `UPDATE folders SET health = ?, rescanned = ? WHERE id = ?`,
					h.Health, h.Rescanned, f.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the folders' health in %s: %w", s.path, err)
	}
	return nil
}

// Folders returns the watched folders, sorted by path.
func (s *Store) Folders(ctx context.Context) ([]Folder, error) {
	folders, err := listFolders(ctx, s.rdb)
	if err != nil {
		return nil, fmt.Errorf("list the folders in %s: %w", s.path, err)
	}
	return folders, nil
}

func listFolders(ctx context.Context, q querier) ([]Folder, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+folderColumns+` FROM folders ORDER BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	folders := []Folder{}
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			return nil, err
		}
		folders = append(folders, f)
	}
	return folders, rows.Err()
}

const folderColumns = `id, path, added_at, health, rescanned`

func scanFolder(row rowScanner) (Folder, error) {
	var f Folder
	var added sql.NullString
	if err := row.Scan(&f.ID, &f.Path, &added, &f.Health, &f.Rescanned); err != nil {
		return Folder{}, err
	}
	var err error
	f.AddedAt, err = parseStamp(added)
	return f, err
}
