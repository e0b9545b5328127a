package watcher

import (
	"errors"
	"log/slog"
	"syscall"
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
	// WatchBudget is the most the notification backend may spend on watches, in its own unit
	// (see watchCost): descriptors on macOS, watches on Linux. Directories past it are covered by
	// the rescans alone. 0 selects half the open-files limit (DefaultWatchBudget).
	WatchBudget int
	// Logger receives missing folders, unreadable directories and watch failures (default: discarded).
	Logger *slog.Logger
}

// DefaultWatchBudget is half the process's open-files limit, the other half staying for videos
// being decoded, CSVs being written, the database and the runtime, and at most maxWatchBudget.
// The limit read is the soft one after the Go runtime raised it to the hard one at start (on
// macOS within kern.maxfilesperproc). On Linux inotify spends no descriptor; its limit is
// fs.inotify.max_user_watches, shared by the user's programs, and the same rule keeps the two
// systems alike.
func DefaultWatchBudget() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == 0 {
		return minWatchBudget
	}
	return int(max(minWatchBudget, min(lim.Cur/2, maxWatchBudget)))
}

// minWatchBudget keeps a watched folder's own directory affordable whatever the limit.
const minWatchBudget = 16

// withDefaults fills zero fields and rejects negative durations.
func (c Config) withDefaults() (Config, error) {
	if c.Quiet < 0 || c.Poll < 0 || c.Rescan < 0 {
		return c, errors.New("watcher config: durations must not be negative")
	}
	if c.WatchBudget < 0 {
		return c, errors.New("watcher config: the watch budget must not be negative")
	}
	if c.WatchBudget == 0 {
		c.WatchBudget = DefaultWatchBudget()
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
