package watcher

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// scanMarks records what a full rescan saw, so that what it did not see can be dropped.
// A nil *scanMarks records nothing (scans of a single new directory).
type scanMarks struct {
	dirs  map[string]bool
	files map[string]bool
}

func (m *scanMarks) markDir(dir string) {
	if m != nil {
		m.dirs[dir] = true
	}
}

func (m *scanMarks) markFile(path string) {
	if m != nil {
		m.files[path] = true
	}
}

// rescan walks every folder, then drops watches and file state that the walk did not meet.
func (w *Watcher) rescan() {
	w.rescanDue = false
	marks := &scanMarks{dirs: make(map[string]bool), files: make(map[string]bool)}
	paths := make([]string, 0, len(w.folders))
	for path := range w.folders {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		w.scanFolder(w.folders[path], marks)
	}
	for dir := range w.dirs {
		if !marks.dirs[dir] {
			_ = w.notify.Remove(dir) // already gone with its directory, most likely
			delete(w.dirs, dir)
		}
	}
	for path := range w.pending {
		if !marks.files[path] {
			delete(w.pending, path)
		}
	}
	for path := range w.reported {
		if !marks.files[path] {
			delete(w.reported, path)
		}
	}
}

// scanFolder scans one watched folder, or logs once that it is missing.
func (w *Watcher) scanFolder(f *folder, marks *scanMarks) {
	info, err := os.Stat(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !f.missing {
			f.missing = true
			w.log.Warn("watched folder does not exist; will look again at each rescan", "folder", f.path)
		}
	case err != nil:
		w.problem("stat watched folder", f.path, err)
	case !info.IsDir():
		w.problem("watch folder", f.path, errors.New("not a directory"))
	default:
		w.clearProblem("stat watched folder", f.path)
		w.clearProblem("watch folder", f.path)
		if f.missing {
			f.missing = false
			w.log.Info("watched folder is present again", "folder", f.path)
		}
		w.scanDir(f.path, f.path, marks)
	}
}

// scanDir watches dir, then makes pending every acceptable file below it whose state differs
// from what was last reported. Symbolic links are skipped, so the walk cannot loop.
func (w *Watcher) scanDir(folder, dir string, marks *scanMarks) {
	if err := w.notify.Add(dir); err != nil {
		w.problem("watch directory", dir, err)
	} else {
		w.clearProblem("watch directory", dir)
		w.dirs[dir] = folder
		marks.markDir(dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.problem("read directory", dir, err)
		return
	}
	w.clearProblem("read directory", dir)
	now := time.Now()
	for _, entry := range entries {
		name := entry.Name()
		path := filepath.Join(dir, name)
		switch {
		case entry.Type()&fs.ModeSymlink != 0:
		case entry.IsDir():
			if !skipsDir(name) && !w.isOtherFolder(path, folder) {
				w.scanDir(folder, path, marks)
			}
		case entry.Type().IsRegular() && w.extensions.acceptsFile(name):
			w.noticeFile(folder, path, entry, marks, now)
		}
	}
}

// noticeFile makes a scanned file pending unless it is unchanged since reported, already
// pending, or an iCloud placeholder.
func (w *Watcher) noticeFile(folder, path string, entry fs.DirEntry, marks *scanMarks, now time.Time) {
	info, err := entry.Info()
	if err != nil || isDataless(info) {
		return
	}
	marks.markFile(path)
	if prev, ok := w.reported[path]; ok && prev.equal(statOf(info)) {
		return
	}
	if _, ok := w.pending[path]; !ok {
		w.touch(path, folder, now)
	}
}

// isOtherFolder reports whether dir is a watched folder other than folder; nested watched
// folders are scanned on their own so that candidates name the innermost one.
func (w *Watcher) isOtherFolder(dir, folder string) bool {
	_, ok := w.folders[dir]
	return ok && dir != folder
}

// isRealDir reports whether path is a directory and not a symbolic link to one.
func isRealDir(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.IsDir()
}
