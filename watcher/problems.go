package watcher

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"syscall"
	"time"
)

// Op names what failed, as a phrase that reads after "cannot".
type Op string

// The failures a Watcher works around. Videos below a directory it cannot watch, and in
// every folder while it cannot receive events, are still found by the rescans, only later;
// a folder or directory it cannot find or read yields nothing until the problem is resolved.
const (
	OpFindFolder     Op = "find watched folder"        // the folder does not exist (yet)
	OpStatFolder     Op = "stat watched folder"        // the folder cannot be examined
	OpWatchFolder    Op = "watch folder"               // the path is not a directory
	OpWatchDirectory Op = "watch directory"            // the notification backend refused a watch
	OpReadDirectory  Op = "read directory"             // the directory cannot be listed
	OpReceiveEvents  Op = "receive file-system events" // the backend lost events or failed
)

// Problem is a failure the watcher has met and not yet seen resolved.
type Problem struct {
	Op Op
	// Path is the watched folder or directory concerned; empty for OpReceiveEvents, which
	// concerns every folder.
	Path string
	// Folder is the watched folder Path is or lies in; empty for OpReceiveEvents.
	Folder string
	// Err is the error's text.
	Err string
	// Since is when the failure was first met; it stays while the failure repeats.
	Since time.Time
}

// String says what failed in one line, for logs and status output.
func (p Problem) String() string {
	if p.Path == "" {
		return fmt.Sprintf("cannot %s: %s", p.Op, p.Err)
	}
	return fmt.Sprintf("cannot %s %s: %s", p.Op, p.Path, p.Err)
}

// errFolderMissing is the Err of OpFindFolder.
var errFolderMissing = errors.New("the watched folder does not exist")

// problemKey identifies a problem: one per operation and path.
type problemKey struct {
	op   Op
	path string
}

// Problems returns the problems met and not yet resolved, oldest first. It is safe to call
// from any goroutine, before, during and after Run. A problem is resolved when its operation
// succeeds again, when a rescan no longer meets its path, or, for OpReceiveEvents, when a
// whole Config.Rescan interval passes without another error from the backend.
func (w *Watcher) Problems() []Problem {
	w.problemsMu.Lock()
	list := make([]Problem, 0, len(w.problems))
	for _, p := range w.problems {
		list = append(list, p)
	}
	w.problemsMu.Unlock()
	slices.SortFunc(list, func(a, b Problem) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Op, b.Op))
	})
	return list
}

// problem records a failure and logs it the first time, until clearProblem reports that the
// operation succeeded again.
func (w *Watcher) problem(op Op, folder, path string, err error) {
	key := problemKey{op, path}
	w.problemsMu.Lock()
	p, known := w.problems[key]
	if !known {
		p = Problem{Op: op, Path: path, Folder: folder, Since: time.Now()}
	}
	p.Err = err.Error()
	w.problems[key] = p
	w.problemsMu.Unlock()
	if !known {
		w.log.Warn("cannot "+string(op)+"; will retry at each rescan", "path", path, "err", err)
	}
}

// clearProblem forgets a recorded failure, logging that it is resolved, so that a later one
// is logged again.
func (w *Watcher) clearProblem(op Op, path string) {
	key := problemKey{op, path}
	w.problemsMu.Lock()
	_, known := w.problems[key]
	delete(w.problems, key)
	w.problemsMu.Unlock()
	if known {
		w.log.Info("can "+string(op)+" again", "path", path)
	}
}

// dropProblemsNotMet forgets the problems of paths that the last rescan did not meet: they
// were removed, or their folder is no longer watched.
func (w *Watcher) dropProblemsNotMet(marks *scanMarks) {
	w.problemsMu.Lock()
	defer w.problemsMu.Unlock()
	for key := range w.problems {
		_, watched := w.folders[key.path]
		if key.path != "" && !watched && !marks.dirs[key.path] {
			delete(w.problems, key)
		}
	}
}

// resolveEventErrors runs at each periodic rescan: a backend failure counts as resolved once
// a whole interval has passed without another one.
func (w *Watcher) resolveEventErrors() {
	if !w.eventErrorSinceRescan {
		w.clearProblem(OpReceiveEvents, "")
	}
	w.eventErrorSinceRescan = false
}

// explainWatchError adds what to do when adding a watch fails for lack of a system resource.
func explainWatchError(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w: the system's limit of file-system watches is reached (on Linux, raise fs.inotify.max_user_watches)", err)
	case errors.Is(err, syscall.EMFILE):
		return fmt.Errorf("%w: too many open files (raise the open-files limit, ulimit -n)", err)
	}
	return err
}
