package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Settings the CLI and the running daemon share.
const (
	SettingPaused        = "paused"        // "true" while the worker must not claim jobs
	SettingNotifications = "notifications" // "false" to silence notifications
	SettingEveryFrame    = "every_frame"   // "true" to measure new videos with PFLD on every frame
	SettingWorkers       = "workers"       // how many videos the daemon measures at once: "auto" or a count
	SettingWatcher       = "watcher"       // the daemon's word on its folder watcher; empty while it works
	SettingReport        = "report"        // "false" to write no HTML report beside each CSV
	SettingThumbnails    = "thumbnails"    // "false" to leave the face thumbnails out of the reports
)

// AutoWorkers is the workers setting that lets the daemon choose from the
// processor count.
const AutoWorkers = 0

// SetSetting stores value under key.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("set %s in %s: %w", key, s.path, err)
	}
	return nil
}

// Setting returns the value stored under key and whether there is one.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	v, err := setting(ctx, s.rdb, key)
	if errors.Is(err, ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s from %s: %w", key, s.path, err)
	}
	return v, true, nil
}

func setting(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return v, err
}

// boolSetting reads a true/false setting, which is def when unset.
func boolSetting(ctx context.Context, q querier, key string, def bool) (bool, error) {
	v, err := setting(ctx, q, key)
	if errors.Is(err, ErrNotFound) {
		return def, nil
	}
	if err != nil {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("setting %s is %q, not true or false", key, v)
	}
	return b, nil
}

// flag reads the true/false setting key, which is def when unset.
func (s *Store) flag(ctx context.Context, key string, def bool) (bool, error) {
	b, err := boolSetting(ctx, s.rdb, key, def)
	if err != nil {
		return false, fmt.Errorf("read %s from %s: %w", key, s.path, err)
	}
	return b, nil
}

// SetPaused pauses or resumes the worker.
func (s *Store) SetPaused(ctx context.Context, paused bool) error {
	return s.SetSetting(ctx, SettingPaused, strconv.FormatBool(paused))
}

// Paused reports whether the worker is paused; it is not by default.
func (s *Store) Paused(ctx context.Context) (bool, error) {
	return s.flag(ctx, SettingPaused, false)
}

// SetNotifications turns notifications on or off.
func (s *Store) SetNotifications(ctx context.Context, on bool) error {
	return s.SetSetting(ctx, SettingNotifications, strconv.FormatBool(on))
}

// Notifications reports whether notifications are on; they are by default.
func (s *Store) Notifications(ctx context.Context) (bool, error) {
	return s.flag(ctx, SettingNotifications, true)
}

// SetEveryFrame chooses the every-frame mode, or the default mode, for the
// videos the worker starts from now on.
func (s *Store) SetEveryFrame(ctx context.Context, everyFrame bool) error {
	return s.SetSetting(ctx, SettingEveryFrame, strconv.FormatBool(everyFrame))
}

// EveryFrame reports whether new videos are measured with PFLD on every
// frame; they are not by default.
func (s *Store) EveryFrame(ctx context.Context) (bool, error) {
	return s.flag(ctx, SettingEveryFrame, false)
}

// SetReport turns the HTML report beside each CSV on or off.
func (s *Store) SetReport(ctx context.Context, on bool) error {
	return s.SetSetting(ctx, SettingReport, strconv.FormatBool(on))
}

// Report reports whether the daemon writes a report beside each CSV; it does
// by default.
func (s *Store) Report(ctx context.Context) (bool, error) {
	return s.flag(ctx, SettingReport, true)
}

// SetThumbnails puts face thumbnails in the reports, or leaves them out.
func (s *Store) SetThumbnails(ctx context.Context, on bool) error {
	return s.SetSetting(ctx, SettingThumbnails, strconv.FormatBool(on))
}

// Thumbnails reports whether the reports show face thumbnails; they do by
// default.
func (s *Store) Thumbnails(ctx context.Context) (bool, error) {
	return s.flag(ctx, SettingThumbnails, true)
}

// SetWorkers sets how many videos the daemon measures at once; AutoWorkers
// lets it choose.
func (s *Store) SetWorkers(ctx context.Context, n int) error {
	if n < 0 {
		return fmt.Errorf("set %s in %s: %d is not a number of workers", SettingWorkers, s.path, n)
	}
	v := "auto"
	if n != AutoWorkers {
		v = strconv.Itoa(n)
	}
	return s.SetSetting(ctx, SettingWorkers, v)
}

// Workers returns the workers setting: a count, or AutoWorkers (the default).
func (s *Store) Workers(ctx context.Context) (int, error) {
	n, err := workersSetting(ctx, s.rdb)
	if err != nil {
		return 0, fmt.Errorf("read %s from %s: %w", SettingWorkers, s.path, err)
	}
	return n, nil
}

func workersSetting(ctx context.Context, q querier) (int, error) {
	v, err := setting(ctx, q, SettingWorkers)
	if errors.Is(err, ErrNotFound) || v == "auto" {
		return AutoWorkers, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("setting %s is %q, not auto or a count", SettingWorkers, v)
	}
	return n, nil
}

// SetWatcherProblem records what keeps the daemon's folder watcher from
// working, for status and the menu; "" says it works.
func (s *Store) SetWatcherProblem(ctx context.Context, problem string) error {
	return s.SetSetting(ctx, SettingWatcher, problem)
}
