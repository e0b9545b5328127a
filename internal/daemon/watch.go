package daemon

import (
	"context"
	"fmt"
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
		if err := d.cfg.Store.SetWatcherProblem(context.WithoutCancel(ctx), ""); err != nil {
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

// publishWatcherHealth records the watcher's health in the store when it
// changed since published, and returns what the store now says.
func (d *Daemon) publishWatcherHealth(ctx context.Context, published string) string {
	health := d.watcherHealth()
	if health == published {
		return published
	}
	if err := d.cfg.Store.SetWatcherProblem(ctx, health); err != nil {
		d.log.Warn("record the folder watcher's health", "err", err)
		return published
	}
	return health
}

// enqueue turns a complete file into a job, or follows a finished video
// that was renamed.
func (d *Daemon) enqueue(ctx context.Context, c watcher.Candidate) {
	d.mu.Lock()
	folderID, ok := d.folders[c.Folder]
	d.mu.Unlock()
	if !ok {
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
	d.log.Info("video moved; CSV moved with it", "video", job.Path, "csv", want)
}
