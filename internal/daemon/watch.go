package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
)

// superviseWatcher keeps a folder watcher running: when one stops with an
// error, it is logged, shown in the status, and a new one starts after a
// pause that doubles while watchers keep failing.
func (d *Daemon) superviseWatcher(ctx context.Context) error {
	// A stopped daemon watches nothing; the next one finds its own problems.
	defer func() {
		clear := context.WithoutCancel(ctx)
		err := errors.Join(d.cfg.Store.SetWatcherProblem(clear, ""), d.cfg.Store.SetFolderHealth(clear, nil), d.cfg.Store.SetWaiting(clear, nil))
		if err != nil {
			d.log.Warn("clear the folder watcher's health", "err", err)
		}
	}()
	delay := firstRestart
	for {
		started := time.Now()
		err := d.watchOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(started) >= healthyRun {
			delay = firstRestart
		}
		d.log.Error("the folder watcher stopped; starting a new one", "err", err, "in", delay)
		d.setWatcherNote(fmt.Sprintf("the folder watcher stopped (%v); starting a new one", err))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, longestRestart)
	}
}

// watchOnce runs one watcher, turning its videos into jobs, until it stops.
func (d *Daemon) watchOnce(ctx context.Context) error {
	w, err := d.cfg.NewWatcher()
	if err != nil {
		return err
	}
	defer func() {
		if err := w.Close(); err != nil {
			d.log.Warn("close the folder watcher", "err", err)
		}
	}()
	d.mu.Lock()
	d.watcher = w
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.watcher = nil
		d.mu.Unlock()
	}()
	d.syncFolders(ctx)
	intook := make(chan struct{})
	go func() {
		defer close(intook)
		for c := range w.Candidates() {
			d.enqueue(ctx, c)
		}
	}()
	d.setWatcherNote("")
	err = w.Run(ctx)
	<-intook
	if err == nil && ctx.Err() == nil {
		err = errStoppedWithoutReason
	}
	return err
}

func (d *Daemon) setWatcherNote(note string) {
	d.mu.Lock()
	d.watcherNote = note
	d.mu.Unlock()
}

// watcherHealth says what keeps the folder watcher from working, or "".
func (d *Daemon) watcherHealth() string {
	d.mu.Lock()
	note, w := d.watcherNote, d.watcher
	d.mu.Unlock()
	if note != "" || w == nil {
		return note
	}
	problems := w.Problems()
	if len(problems) == 0 {
		return ""
	}
	texts := make([]string, len(problems))
	for i, p := range problems {
		texts[i] = p.String()
	}
	return strings.Join(texts, "; ")
}

// watcherState is what the store was last told of the watcher: its
// problems in a line, each folder's health, and the files it waits for.
type watcherState struct {
	known    bool // false before the first publication, which writes all
	problems string
	folders  map[string]store.FolderHealth
	waiting  []string
}

// publishWatcherHealth records the watcher's health and each folder's in
// the store when they changed since published, and returns what the store
// now holds.
func (d *Daemon) publishWatcherHealth(ctx context.Context, published watcherState) watcherState {
	now := watcherState{known: true, problems: d.watcherHealth(), folders: d.folderHealth(), waiting: d.waiting()}
	if !published.known || now.problems != published.problems {
		if err := d.cfg.Store.SetWatcherProblem(ctx, now.problems); err != nil {
			d.log.Warn("record the folder watcher's health", "err", err)
			return published
		}
	}
	if !published.known || !maps.Equal(now.folders, published.folders) {
		if err := d.cfg.Store.SetFolderHealth(ctx, now.folders); err != nil {
			d.log.Warn("record the watched folders' health", "err", err)
			return watcherState{known: true, problems: now.problems, folders: published.folders, waiting: published.waiting}
		}
	}
	if !published.known || !slices.Equal(now.waiting, published.waiting) {
		if err := d.cfg.Store.SetWaiting(ctx, now.waiting); err != nil {
			d.log.Warn("record the files waited for", "err", err)
			now.waiting = published.waiting
		}
	}
	return now
}

// waiting is the files the watcher waits for to stop changing.
func (d *Daemon) waiting() []string {
	d.mu.Lock()
	w := d.watcher
	d.mu.Unlock()
	if w == nil {
		return nil
	}
	return w.Waiting()
}

// folderHealth maps the watcher's problems onto the watched folders (one
// that is missing, or that cannot be read in whole or in part), with how
// many folders in each only rescans cover.
func (d *Daemon) folderHealth() map[string]store.FolderHealth {
	d.mu.Lock()
	w := d.watcher
	d.mu.Unlock()
	health := map[string]store.FolderHealth{}
	if w == nil {
		return health
	}
	for _, p := range w.Problems() {
		h := health[p.Folder]
		switch {
		case p.Folder == "":
			continue
		case p.Op == watcher.OpFindFolder:
			h.Health = store.FolderMissing
		case h.Health == "" && (p.Op == watcher.OpStatFolder || p.Op == watcher.OpWatchFolder || p.Op == watcher.OpReadDirectory):
			h.Health = store.CannotRead(readFailure(p))
		default:
			continue
		}
		health[p.Folder] = h
	}
	for folder, n := range w.Rescanned() {
		h := health[folder]
		h.Rescanned = n
		health[folder] = h
	}
	return health
}

// readFailure says why a folder, or a folder inside it, cannot be read:
// the error's last part ("permission denied"), and where, when not the
// watched folder itself.
func readFailure(p watcher.Problem) string {
	reason := strings.TrimSpace(p.Err[strings.LastIndex(p.Err, ": ")+1:])
	if rel, err := filepath.Rel(p.Folder, p.Path); err == nil && rel != "." {
		reason += " (" + rel + ")"
	}
	return reason
}

// enqueue turns a complete file into a job, or follows a finished video
// that was renamed.
func (d *Daemon) enqueue(ctx context.Context, c watcher.Candidate) {
	d.mu.Lock()
	folderID, ok := d.folders[c.Folder]
	d.mu.Unlock()
	switch {
	case !ok:
		return
	case c.Output:
		d.collectOutput(ctx, folderID, c)
		return
	}
	fp, err := watcher.Fingerprint(c.Path)
	if err != nil {
		d.log.Warn("cannot read new file", "path", c.Path, "err", err)
		return
	}
	job, created, err := d.cfg.Store.Enqueue(ctx, folderID, store.VideoFile{Path: c.Path, Size: c.Size, MtimeNs: c.ModTime.UnixNano(), Fingerprint: fp})
	if err != nil {
		d.log.Error("queue video", "path", c.Path, "err", err)
		return
	}
	if created {
		d.log.Info("queued", "job", job.ID, "path", c.Path)
		d.wake.signal()
		return
	}
	d.followMove(ctx, job)
}

// collectOutput records a CSV that a cluster's task measured; the CSVs the
// daemon writes itself are recorded already, and are left as they are.
func (d *Daemon) collectOutput(ctx context.Context, folderID int64, c watcher.Candidate) {
	if d.cfg.Outputs == nil {
		return
	}
	recorded, err := d.cfg.Outputs.Collect(ctx, folderID, c.Folder, c.Path)
	switch {
	case err != nil:
		d.log.Warn("cannot record a CSV measured elsewhere", "csv", c.Path, "err", err)
	case recorded:
		d.log.Info("recorded a CSV measured elsewhere", "csv", c.Path)
	}
}

// followMove renames a finished video's CSV after the video was renamed or
// moved inside a watched folder, instead of measuring it again. A file
// already at the new name is never replaced.
func (d *Daemon) followMove(ctx context.Context, job store.Job) {
	want := pipeline.OutputPath(job.Path, "")
	if job.State != store.Done || job.OutputPath == "" || job.OutputPath == want {
		return
	}
	if err := atomicfile.Rename(job.OutputPath, want); err != nil {
		d.log.Warn("cannot move the CSV after its video moved", "from", job.OutputPath, "to", want, "err", err)
		return
	}
	if err := d.cfg.Store.SetOutput(context.WithoutCancel(ctx), job.ID, want, job.OutputSHA256); err != nil {
		d.log.Error("record the moved CSV", "path", want, "err", err)
		return
	}
	from, to := pipeline.ReportPath(job.OutputPath), pipeline.ReportPath(want)
	if err := atomicfile.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
		d.log.Warn("cannot move the report after its video moved", "from", from, "to", to, "err", err)
	}
	d.log.Info("video moved; CSV moved with it", "video", job.Path, "csv", want)
}
