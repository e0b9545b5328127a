package watcher

import (
	"errors"
	"log/slog"
	"strings"
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
	// Extensions lists the accepted video extensions, case-insensitive, with or without the
	// leading dot (default DefaultExtensions()).
	Extensions []string
	// IsVideo reports whether a stable file opens as a video; nil accepts every file with a
	// video extension. It is called from Run's goroutine, one file at a time.
	IsVideo func(path string) bool
	// Logger receives missing folders, unreadable directories and watch failures (default: discarded).
	Logger *slog.Logger
}

// DefaultExtensions returns the video extensions accepted when Config.Extensions is empty.
func DefaultExtensions() []string {
	return []string{
		"mp4", "m4v", "mov", "avi", "mkv", "wmv", "webm", "mpg", "mpeg",
		"mts", "m2ts", "3gp", "flv", "ogv", "mxf", "dv",
	}
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
	if len(c.Extensions) == 0 {
		c.Extensions = DefaultExtensions()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// extensionSet holds lower-case extensions with their leading dot, as filepath.Ext returns them.
type extensionSet map[string]bool

func newExtensionSet(extensions []string) extensionSet {
	set := make(extensionSet, len(extensions))
	for _, ext := range extensions {
		ext = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(ext), "."))
		if ext != "" {
			set["."+ext] = true
		}
	}
	return set
}
