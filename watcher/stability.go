package watcher

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// fileStat is what must stay unchanged for a file to count as complete.
type fileStat struct {
	size    int64
	modTime time.Time
}

func statOf(info fs.FileInfo) fileStat {
	return fileStat{size: info.Size(), modTime: info.ModTime()}
}

func (s fileStat) equal(o fileStat) bool {
	return s.size == o.size && s.modTime.Equal(o.modTime)
}

// pendingFile is a file that changed and is not yet known to be complete.
type pendingFile struct {
	folder     string
	lastChange time.Time // last event, or last change seen by stat
	observed   bool      // last holds a stat taken after the quiet period
	last       fileStat
}

// touch records activity on path: the quiet period and the stat comparison start over.
func (w *Watcher) touch(path, folder string, now time.Time) {
	p, ok := w.pending[path]
	if !ok {
		p = &pendingFile{folder: folder}
		w.pending[path] = p
	}
	p.lastChange = now
	p.observed = false
}

// checkPending stats every pending file that has been quiet long enough and reports those
// whose size and modification time match the previous poll. It returns false when ctx ended
// while a report was waiting to be delivered.
func (w *Watcher) checkPending(ctx context.Context, now time.Time) bool {
	paths := make([]string, 0, len(w.pending))
	for path, p := range w.pending {
		if now.Sub(p.lastChange) >= w.cfg.Quiet {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	for _, path := range paths {
		p := w.pending[path]
		st, ok := w.statPending(path)
		switch {
		case !ok:
			delete(w.pending, path)
		case !p.observed:
			p.last, p.observed = st, true
		case !st.equal(p.last):
			p.last, p.lastChange = st, now
		default:
			delete(w.pending, path)
			if !w.report(ctx, path, p.folder, st) {
				return false
			}
		}
	}
	return true
}

// Waiting returns the files that changed and are not yet known to be complete (being copied,
// downloaded or recorded), by path, as of the last poll. It is safe to call from any goroutine.
func (w *Watcher) Waiting() []string {
	w.waitingMu.Lock()
	defer w.waitingMu.Unlock()
	return slices.Clone(w.waiting)
}

// publishWaiting makes the pending videos what Waiting returns; auwatchd's own CSVs, pending
// too, are no file a person waits for.
func (w *Watcher) publishWaiting() {
	paths := slices.DeleteFunc(slices.Sorted(maps.Keys(w.pending)), func(p string) bool {
		return isOwnOutput(filepath.Base(p))
	})
	w.waitingMu.Lock()
	w.waiting = paths
	w.waitingMu.Unlock()
}

// statPending stats a pending file without following links; false means it is gone, is no
// longer a regular file, or is an iCloud placeholder that must not be read.
func (w *Watcher) statPending(path string) (fileStat, bool) {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return fileStat{}, false
	}
	if isDataless(info) {
		w.log.Debug("skipping iCloud placeholder that is not downloaded", "path", path)
		return fileStat{}, false
	}
	return statOf(info), true
}

// report sends a stable file as a Candidate, unless the same path, size and modification
// time were reported already. It returns false when ctx ended first.
func (w *Watcher) report(ctx context.Context, path, folder string, st fileStat) bool {
	if prev, ok := w.reported[path]; ok && prev.equal(st) {
		return true
	}
	w.reported[path] = st
	output := isOwnOutput(filepath.Base(path))
	return send(ctx, w.candidates, Candidate{Path: path, Size: st.size, ModTime: st.modTime, Folder: folder, Output: output})
}

// send delivers v on ch unless ctx ends first.
func send[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}
