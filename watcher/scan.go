package watcher

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// scanMarks records what a full rescan met, so that what it did not meet can be dropped:
// every directory walked (watched or not) and every acceptable file; and how much of the watch
// budget the walk has handed out so far. A nil *scanMarks records nothing (scans of a single
// new directory).
type scanMarks struct {
	dirs     map[string]bool
	files    map[string]bool
	allotted int
}

func (m *scanMarks) allot(cost int) {
	if m != nil {
		m.allotted += cost
	}
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
	// One walk over every folder, so that the watch budget goes to each folder's top
	// directories before any folder's deeper ones.
	var roots []dirIn
	for _, path := range paths {
		if w.folderReady(w.folders[path]) {
			roots = append(roots, dirIn{folder: path, dir: path})
		}
	}
	w.walk(roots, marks)
	for dir := range w.dirs {
		if !marks.dirs[dir] {
			w.unwatch(dir)
		}
	}
	for dir := range w.rescanned {
		if !marks.dirs[dir] {
			w.setWatched(dir)
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
	w.dropProblemsNotMet(marks)
}

// scanFolder scans one watched folder, or records why it cannot.
func (w *Watcher) scanFolder(f *folder, marks *scanMarks) {
	if w.folderReady(f) {
		w.scanDir(f.path, f.path, marks)
	}
}

// folderReady reports whether a watched folder is there to be scanned, or records why not.
func (w *Watcher) folderReady(f *folder) bool {
	info, err := os.Stat(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.problem(OpFindFolder, f.path, f.path, errFolderMissing)
	case err != nil:
		w.problem(OpStatFolder, f.path, f.path, err)
	case !info.IsDir():
		w.problem(OpWatchFolder, f.path, f.path, errors.New("not a directory"))
	default:
		w.clearProblem(OpFindFolder, f.path)
		w.clearProblem(OpStatFolder, f.path)
		w.clearProblem(OpWatchFolder, f.path)
		return true
	}
	return false
}

// scanDir walks dir and the directories below it breadth first, so that a watch budget too
// small for the whole tree goes to the directories nearest the watched folder. It watches each
// directory the budget allows and makes pending every acceptable file whose state differs from
// what was last reported. Symbolic links are skipped, so the walk cannot loop.
func (w *Watcher) scanDir(folder, dir string, marks *scanMarks) {
	w.walk([]dirIn{{folder: folder, dir: dir}}, marks)
}

// dirIn is a directory to scan and the watched folder it lies in.
type dirIn struct {
	folder, dir string
}

// walk scans the directories of queue and every directory below them, breadth first.
func (w *Watcher) walk(queue []dirIn, marks *scanMarks) {
	for ; len(queue) > 0; queue = queue[1:] {
		d := queue[0]
		for _, sub := range w.scanOneDir(d.folder, d.dir, marks) {
			queue = append(queue, dirIn{folder: d.folder, dir: sub})
		}
	}
}

// scanOneDir watches dir within the budget, notices its files, and returns its subdirectories
// to walk.
func (w *Watcher) scanOneDir(folder, dir string, marks *scanMarks) []string {
	marks.markDir(dir)
	entries, err := os.ReadDir(dir)
	if err == nil && w.watchWithinBudget(folder, dir, len(entries), marks) {
		// Files created between the listing and the watch have no event of their own.
		entries, err = os.ReadDir(dir)
	}
	if err != nil {
		w.problem(OpReadDirectory, folder, dir, err)
		return nil
	}
	w.clearProblem(OpReadDirectory, dir)
	now := time.Now()
	var subdirs []string
	for _, entry := range entries {
		name := entry.Name()
		path := filepath.Join(dir, name)
		switch {
		case entry.Type()&fs.ModeSymlink != 0:
		case entry.IsDir():
			if !skipsDir(name) && !w.isOtherFolder(path, folder) {
				subdirs = append(subdirs, path)
			}
		case entry.Type().IsRegular() && reportsFile(name):
			w.noticeFile(folder, path, entry, marks, now)
		}
	}
	return subdirs
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
