package watcher

import (
	"errors"
	"log/slog"
	"time"
)

// Default timings, chosen for local disks and network volumes alike.
const (
	DefaultQuiet  = 3 * time.Second
	DefaultPoll   = time.Second
	DefaultRescan = time.Minute
)

// Config tunes a Watcher; a zero field selects its default.
type Config struct {
	// Quiet is how long a file must see no event and no change before its stability is checked.
	Quiet time.Duration
	// Poll is the interval between the two stat calls that must agree on size and modification time.
	Poll time.Duration
	// Rescan is the interval between full scans, which catch missed events, volumes without
	// events and folders that appear late.
	Rescan time.Duration
	// Logger receives missing folders, unreadable directories and watch failures (default: discarded).
	Logger *slog.Logger
}

// withDefaults fills zero fields and rejects negative durations.
func (c Config) withDefaults() (Config, error) {
	if c.Quiet < 0 || c.Poll < 0 || c.Rescan < 0 {
		return c, errors.New("watcher config: durations must not be negative")
	}
	if c.Quiet == 0 {
		c.Quiet = DefaultQuiet
	}
	if c.Poll == 0 {
		c.Poll = DefaultPoll
	}
	if c.Rescan == 0 {
		c.Rescan = DefaultRescan
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
