package watcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Candidate is a file with a video extension, or one of auwatchd's CSVs, that has stopped
// changing.
type Candidate struct {
	Path    string
	Size    int64
	ModTime time.Time
	// Folder is the watched folder holding Path, as passed to SetFolders (cleaned).
	Folder string
	// Output marks one of auwatchd's ".au.csv" outputs rather than a video.
	Output bool
}

// outputBuffer lets a burst of reports wait while the caller is busy.
const outputBuffer = 16

// Watcher reports complete videos appearing in a set of folders and their subfolders.
//
// A file is reported Config.Quiet plus up to two Config.Poll intervals after its last change,
// once per path, size and modification time. A moved or renamed file is reported again under
// its new path (Fingerprint tells the caller it is the same content); deletions are not
// reported. Hidden files and folders (which covers "._*" and ".DS_Store"), partial downloads,
// files without a video extension and, on macOS, iCloud placeholders not yet downloaded are
// never reported, and never read. auwatchd's own ".au.csv" outputs are reported as outputs
// (Candidate.Output), never as videos.
//
// Only directories are handed to fsnotify, never files. On Linux each watched directory costs
// one inotify watch (limit: fs.inotify.max_user_watches). On macOS fsnotify's kqueue backend
// opens one descriptor per watched directory and one per entry inside it, which no option
// avoids, so a tree of per-frame image folders could take every descriptor the process has and
// leave none for decoding, CSVs or the database. Watches therefore stay within
// Config.WatchBudget, handed out breadth first from each watched folder; the directories past
// it are covered by the periodic rescans alone, and Rescanned counts them. When adding a watch
// fails all the same, the directory is still rescanned, and the failure is logged once and
// listed by Problems until a later attempt succeeds.
//
// Symbolic links inside a watched folder are skipped, files and directories alike, so the
// watcher never leaves a folder nor loops; a watched folder may itself be a symbolic link.
//
// Run must be running, and the caller must drain Candidates, for events to be consumed.
type Watcher struct {
	cfg        Config
	log        *slog.Logger
	notify     *fsnotify.Watcher
	candidates chan Candidate
	// addWatch asks the notification backend to watch a directory; tests replace it to
	// make watches fail.
	addWatch func(dir string) error

	mu             sync.Mutex
	wanted         []string
	foldersChanged chan struct{}

	started   atomic.Bool
	closeOnce sync.Once
	closeErr  error

	// problemsMu guards what Run's goroutine publishes for others: problems (read by Problems)
	// and rescannedCounts (read by Rescanned).
	problemsMu      sync.Mutex
	problems        map[problemKey]Problem
	rescannedCounts map[string]int

	waitingMu sync.Mutex
	waiting   []string // the pending files at the last poll, by path; read by Waiting

	// Owned by Run's goroutine.
	folders               map[string]*folder      // cleaned folder path → state
	dirs                  map[string]watchedDir   // watched directory → its folder and cost
	spent                 int                     // the cost of every watch in dirs
	rescanned             map[string]string       // directory past the budget → its folder
	rescannedChanged      bool                    // rescanned changed since last published
	pending               map[string]*pendingFile // file path → stability state
	reported              map[string]fileStat     // file path → what was last reported
	rescanDue             bool
	eventErrorSinceRescan bool // the backend reported an error since the last periodic rescan
}

// folder is one watched folder.
type folder struct {
	path string
}

// New returns a Watcher with cfg's defaults filled in; call SetFolders, then Run.
func New(cfg Config) (*Watcher, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	notify, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("start file-system notifications: %w", err)
	}
	return &Watcher{
		cfg:            cfg,
		log:            cfg.Logger,
		notify:         notify,
		candidates:     make(chan Candidate, outputBuffer),
		addWatch:       notify.Add,
		foldersChanged: make(chan struct{}, 1),
		problems:       make(map[problemKey]Problem),
		folders:        make(map[string]*folder),
		dirs:           make(map[string]watchedDir),
		rescanned:      make(map[string]string),
		pending:        make(map[string]*pendingFile),
		reported:       make(map[string]fileStat),
	}, nil
}

// Candidates delivers complete videos; it is closed when Run returns.
func (w *Watcher) Candidates() <-chan Candidate { return w.candidates }

// SetFolders replaces the set of watched folders; paths should be absolute. It may be called
// before Run or while it runs, from any goroutine; Run applies the latest set promptly.
func (w *Watcher) SetFolders(paths []string) {
	cleaned := make([]string, 0, len(paths))
	for _, p := range paths {
		if p != "" {
			cleaned = append(cleaned, filepath.Clean(p))
		}
	}
	w.mu.Lock()
	w.wanted = cleaned
	w.mu.Unlock()
	select {
	case w.foldersChanged <- struct{}{}:
	default:
	}
}

// Run watches until ctx is done, then closes Candidates and returns nil. It starts
// with a full scan, so files already present are reported. It may be called only once.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return errors.New("watcher: Run called twice")
	}
	defer close(w.candidates)
	w.applyFolders()
	poll := time.NewTicker(w.cfg.Poll)
	defer poll.Stop()
	rescan := time.NewTicker(w.cfg.Rescan)
	defer rescan.Stop()
	for {
		w.publishRescanned()
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.notify.Events:
			if !ok {
				return w.closedDuringRun(ctx)
			}
			w.handleEvent(ev, time.Now())
		case err, ok := <-w.notify.Errors:
			if !ok {
				return w.closedDuringRun(ctx)
			}
			w.handleNotifyError(err)
		case <-w.foldersChanged:
			w.applyFolders()
		case <-rescan.C:
			w.resolveEventErrors()
			w.rescan()
		case now := <-poll.C:
			if w.rescanDue {
				w.rescan()
			}
			if !w.checkPending(ctx, now) {
				return nil
			}
			w.publishWaiting()
		}
	}
}

// closedDuringRun explains why Run stops when the notification channels close.
func (w *Watcher) closedDuringRun(ctx context.Context) error {
	if ctx.Err() != nil {
		return nil
	}
	return errors.New("watcher: closed while running")
}

// Close releases the file-system watches; Run, if running, returns.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() { w.closeErr = w.notify.Close() })
	return w.closeErr
}

// handleEvent turns one fsnotify event into watch changes and pending files.
func (w *Watcher) handleEvent(ev fsnotify.Event, now time.Time) {
	path := filepath.Clean(ev.Name)
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.forget(path)
		return
	}
	parent, ok := w.dirs[filepath.Dir(path)]
	if !ok {
		return
	}
	folder, name := parent.folder, filepath.Base(path)
	if ev.Has(fsnotify.Create) {
		w.entryAdded(filepath.Dir(path))
	}
	if ev.Has(fsnotify.Create) && isRealDir(path) {
		switch nested := w.folders[path]; {
		case skipsDir(name):
		case nested != nil:
			w.scanFolder(nested, nil)
		default:
			w.scanDir(folder, path, nil)
		}
		return
	}
	if reportsFile(name) {
		w.touch(path, folder, now)
	}
}

// handleNotifyError records the failure and schedules a full rescan: after an overflow or a
// watch error some events are lost.
func (w *Watcher) handleNotifyError(err error) {
	w.problem(OpReceiveEvents, "", "", err)
	w.eventErrorSinceRescan = true
	w.rescanDue = true
}

// applyFolders makes the watched folders match the latest SetFolders call.
func (w *Watcher) applyFolders() {
	w.mu.Lock()
	wanted := w.wanted
	w.mu.Unlock()
	keep := make(map[string]bool, len(wanted))
	for _, path := range wanted {
		keep[path] = true
	}
	for path := range w.folders {
		if !keep[path] {
			delete(w.folders, path)
			w.unwatchTree(path)
			w.forgetTree(path)
			w.log.Info("stopped watching folder", "folder", path)
			// A folder nested in the removed one becomes visible to its parent's scan.
			w.rescanDue = true
		}
	}
	var roots []dirIn
	for _, path := range wanted {
		if _, ok := w.folders[path]; !ok {
			f := &folder{path: path}
			w.folders[path] = f
			w.log.Info("watching folder", "folder", path)
			if w.folderReady(f) {
				roots = append(roots, dirIn{folder: path, dir: path})
			}
		}
	}
	// New folders are walked together, so that each one's top directories are watched first.
	w.walk(roots, nil)
}

// forget drops everything known under path, which was removed or renamed away.
func (w *Watcher) forget(path string) {
	delete(w.pending, path)
	delete(w.reported, path)
	_, watched := w.dirs[path]
	_, rescanned := w.rescanned[path]
	if watched || rescanned {
		w.unwatchTree(path)
		w.forgetTree(path)
	}
}

// unwatchTree removes the watches on dir and every directory below it, and forgets those of
// them past the budget.
func (w *Watcher) unwatchTree(dir string) {
	for d := range w.dirs {
		if d == dir || within(dir, d) {
			w.unwatch(d)
		}
	}
	for d := range w.rescanned {
		if d == dir || within(dir, d) {
			w.setWatched(d)
		}
	}
}

// forgetTree drops the pending and reported state of every file below dir.
func (w *Watcher) forgetTree(dir string) {
	for path := range w.pending {
		if within(dir, path) {
			delete(w.pending, path)
		}
	}
	for path := range w.reported {
		if within(dir, path) {
			delete(w.reported, path)
		}
	}
}

// within reports whether path lies strictly below dir; both are clean.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && filepath.IsLocal(rel)
}
