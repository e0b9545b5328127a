// Package daemon is auwatchd's long-running service: it turns the complete
// videos its folder watcher finds into jobs in the store, measures them with
// the warm engine on one or more workers, and records every outcome, so that
// nothing is lost or done twice across stops, crashes and faults.
package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
)

// Store is what the daemon needs of the job database.
type Store interface {
	RecoverInterrupted(ctx context.Context) (int, error)
	Folders(ctx context.Context) ([]store.Folder, error)
	AddFolder(ctx context.Context, path string) (store.Folder, error)
	DataVersion(ctx context.Context) (int64, error)
	Paused(ctx context.Context) (bool, error)
	EveryFrame(ctx context.Context) (bool, error)
	Report(ctx context.Context) (bool, error)
	Thumbnails(ctx context.Context) (bool, error)
	Workers(ctx context.Context) (int, error)
	SetWatcherProblem(ctx context.Context, problem string) error
	SetFolderHealth(ctx context.Context, health map[string]store.FolderHealth) error
	SetWaiting(ctx context.Context, paths []string) error
	Enqueue(ctx context.Context, folderID int64, v store.VideoFile) (store.Job, bool, error)
	SetOutput(ctx context.Context, id int64, outputPath, outputSHA256 string) error
	Claim(ctx context.Context) (*store.Job, error)
	Progress(ctx context.Context, id int64, fraction float64) error
	Requeue(ctx context.Context, id int64) error
	Fail(ctx context.Context, id int64, reason string, kind store.Failure) (store.Job, error)
	Complete(ctx context.Context, id int64, r store.Result) error
}

// Measurer measures one video and writes its CSV; it is called from several
// workers at once, as many as SetWorkers last allowed.
type Measurer interface {
	Process(ctx context.Context, video, out string, opt pipeline.Options, progress func(pipeline.Progress)) (pipeline.Summary, error)
	SetWorkers(n int)
}

// Watcher reports the complete videos in the watched folders until its Run
// returns; a Watcher runs once.
type Watcher interface {
	SetFolders(paths []string)
	Candidates() <-chan watcher.Candidate
	Problems() []watcher.Problem
	Rescanned() map[string]int
	Waiting() []string
	Run(ctx context.Context) error
	Close() error
}

// Outputs records a CSV that appeared in a watched folder when something
// other than this daemon measured it (a cluster's task), reporting whether
// it did.
type Outputs interface {
	Collect(ctx context.Context, folderID int64, folder, csv string) (bool, error)
}

// Awake keeps the computer from sleeping between Hold and Release.
type Awake interface {
	Hold() error
	Release()
}

// Config is what a Daemon is made of.
type Config struct {
	Store    Store
	Measurer Measurer
	// NewWatcher makes a folder watcher; the daemon makes another whenever
	// the one before stops with an error.
	NewWatcher func() (Watcher, error)
	Log        *slog.Logger
	// DefaultFolder is watched when no folder is configured; "" for none.
	DefaultFolder string
	// AutoWorkers is how many videos the workers setting "auto" measures
	// at once; at least one.
	AutoWorkers int
	// Poll is how often the store is read for what other auwatchd
	// processes changed (folders, retries, pause, settings); 0 is a second.
	Poll time.Duration
	// Awake, when set, is held while any video is measured.
	Awake Awake
	// Version is auwatchd's version, for the reports.
	Version string
	// Outputs, when set, is given every CSV the watcher reports.
	Outputs Outputs
}

// How long the daemon waits before making a new watcher after one stopped,
// doubling up to a limit, and how long a watcher must run to count as
// healthy again.
const (
	firstRestart   = time.Second
	longestRestart = time.Minute
	healthyRun     = 5 * time.Minute
)

// Daemon watches folders and measures every video that arrives in them.
type Daemon struct {
	cfg     Config
	log     *slog.Logger
	wake    broadcast
	workers atomic.Int64 // how many workers may claim jobs now

	mu          sync.Mutex
	measuring   int              // videos being measured
	folders     map[string]int64 // watched folder path → id
	watcher     Watcher          // nil between restarts
	watcherNote string           // why the last watcher stopped; "" once one runs again
}

// New returns a daemon with cfg; Run starts it.
func New(cfg Config) *Daemon {
	cfg.Poll = cmp.Or(cfg.Poll, time.Second)
	cfg.AutoWorkers = max(1, cfg.AutoWorkers)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Daemon{cfg: cfg, log: cfg.Log, wake: newBroadcast()}
}

// Run watches and measures until ctx is done. A video interrupted by the
// stop goes back to the queue; every finished video's result is recorded
// before Run returns. Run returns an error only when it cannot start.
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.superviseWatcher(ctx) })
	g.Go(func() error { return d.followStore(ctx) })
	g.Go(func() error { return d.runWorkers(ctx) })
	return g.Wait()
}

func (d *Daemon) start(ctx context.Context) error {
	n, err := d.cfg.Store.RecoverInterrupted(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		d.log.Info("queued again the jobs a stop interrupted", "jobs", n)
	}
	if err := d.ensureDefaultFolder(ctx); err != nil {
		return err
	}
	d.readWorkers(ctx)
	return nil
}

// ensureDefaultFolder watches the default folder when none is configured.
func (d *Daemon) ensureDefaultFolder(ctx context.Context) error {
	folders, err := d.cfg.Store.Folders(ctx)
	if err != nil || len(folders) > 0 || d.cfg.DefaultFolder == "" {
		return err
	}
	dir := d.cfg.DefaultFolder
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the default folder %s: %w", dir, err)
	}
	d.log.Info("no folder configured; watching the default one", "folder", dir)
	_, err = d.cfg.Store.AddFolder(ctx, dir)
	return err
}

// followStore notices what other processes change in the store (folders
// added, retries, pause and resume, settings) within a poll, and publishes
// the watcher's health.
func (d *Daemon) followStore(ctx context.Context) error {
	var seen int64 = -1
	var failing onceLog
	var published watcherState
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		published = d.publishWatcherHealth(ctx, published)
		v, err := d.cfg.Store.DataVersion(ctx)
		if err != nil {
			failing.warn(d.log, "cannot read the database's version; retrying", err)
			continue
		}
		failing.recovered(d.log, "the database can be read again")
		if v == seen {
			continue
		}
		seen = v
		d.syncFolders(ctx)
		d.readWorkers(ctx)
		d.wake.signal()
	}
}

// syncFolders gives the watcher the folders the store lists.
func (d *Daemon) syncFolders(ctx context.Context) {
	folders, err := d.cfg.Store.Folders(ctx)
	if err != nil {
		d.log.Error("read folders", "err", err)
		return
	}
	byPath := make(map[string]int64, len(folders))
	paths := make([]string, 0, len(folders))
	for _, f := range folders {
		byPath[f.Path] = f.ID
		paths = append(paths, f.Path)
	}
	d.mu.Lock()
	d.folders = byPath
	w := d.watcher
	d.mu.Unlock()
	if w != nil {
		w.SetFolders(paths)
	}
}

// readWorkers takes the workers setting; a setting it cannot read keeps
// the number as it was.
func (d *Daemon) readWorkers(ctx context.Context) {
	n, err := d.cfg.Store.Workers(ctx)
	if err != nil {
		d.log.Warn("keeping the number of workers", "workers", d.workers.Load(), "err", err)
		return
	}
	if n == store.AutoWorkers {
		n = d.cfg.AutoWorkers
	}
	if old := d.workers.Swap(int64(n)); old != int64(n) {
		d.cfg.Measurer.SetWorkers(n)
		d.log.Info("workers", "videos at once", n)
	}
}

// broadcast wakes every goroutine waiting on it.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func newBroadcast() broadcast { return broadcast{ch: make(chan struct{})} }

// wait returns a channel closed at the next signal.
func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

func (b *broadcast) signal() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.ch)
	b.ch = make(chan struct{})
}

// onceLog logs a repeating failure once, until it recovers.
type onceLog struct{ failing bool }

func (o *onceLog) warn(log *slog.Logger, msg string, err error) {
	if !o.failing {
		log.Warn(msg, "err", err)
	}
	o.failing = true
}

func (o *onceLog) recovered(log *slog.Logger, msg string) {
	if o.failing {
		log.Info(msg)
	}
	o.failing = false
}

// errStoppedWithoutReason is a watcher's Run returning nil before the stop.
var errStoppedWithoutReason = errors.New("the folder watcher stopped without a reason")
