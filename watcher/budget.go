package watcher

import "maps"

// watchedDir is a directory handed to the notification backend, and what it costs there.
type watchedDir struct {
	folder string // the watched folder it lies in
	cost   int
}

// watchCost is what watching a directory holding entries costs the backend, in the unit of
// Config.WatchBudget: the directory itself plus entryCost per entry.
func watchCost(entries int) int { return 1 + entryCost*entries }

// watchWithinBudget watches dir, holding entries, when the budget allows, and drops its watch
// when it no longer does. During a full rescan (marks not nil) the budget is handed out anew in
// the walk's order, breadth first, so the directories nearest the watched folders come first:
// a directory given its share keeps it even while the watches of deeper directories, dropped
// later in the same walk, still hold it; it is watched from the next rescan on. The watches
// held never exceed the budget. It reports whether it added a watch; the caller then lists dir
// again, for files that appeared before the watch did. A directory not watched for the budget's
// sake is counted as rescanned.
func (w *Watcher) watchWithinBudget(folder, dir string, entries int, marks *scanMarks) bool {
	cost := watchCost(entries)
	old, watched := w.dirs[dir]
	given := marks == nil || marks.allotted+cost <= w.cfg.WatchBudget
	if given {
		marks.allot(cost)
	}
	if !given || w.spent-old.cost+cost > w.cfg.WatchBudget {
		if watched {
			w.unwatch(dir)
		}
		w.setRescanned(dir, folder)
		return false
	}
	w.setWatched(dir)
	if !watched {
		if err := w.addWatch(dir); err != nil {
			w.problem(OpWatchDirectory, folder, dir, explainWatchError(err))
			return false
		}
		w.clearProblem(OpWatchDirectory, dir)
	}
	w.spent += cost - old.cost
	w.dirs[dir] = watchedDir{folder: folder, cost: cost}
	return !watched
}

// entryAdded charges a watched directory for an entry that appeared in it (kqueue opens one
// more descriptor), and gives its watch up to the rescans when that overdraws the budget.
func (w *Watcher) entryAdded(dir string) {
	d, ok := w.dirs[dir]
	if !ok || entryCost == 0 {
		return
	}
	d.cost += entryCost
	w.dirs[dir] = d
	w.spent += entryCost
	if w.spent > w.cfg.WatchBudget {
		w.unwatch(dir)
		w.setRescanned(dir, d.folder)
	}
}

// unwatch removes dir's watch and returns its cost to the budget.
func (w *Watcher) unwatch(dir string) {
	// The watch may already be gone with its directory; nothing to do then.
	_ = w.notify.Remove(dir)
	w.spent -= w.dirs[dir].cost
	delete(w.dirs, dir)
}

func (w *Watcher) setRescanned(dir, folder string) {
	if w.rescanned[dir] != folder {
		w.rescanned[dir] = folder
		w.rescannedChanged = true
	}
}

func (w *Watcher) setWatched(dir string) {
	if _, ok := w.rescanned[dir]; ok {
		delete(w.rescanned, dir)
		w.rescannedChanged = true
	}
}

// publishRescanned makes the count of rescanned directories per folder visible to Rescanned.
func (w *Watcher) publishRescanned() {
	if !w.rescannedChanged {
		return
	}
	w.rescannedChanged = false
	counts := make(map[string]int)
	for _, folder := range w.rescanned {
		counts[folder]++
	}
	w.problemsMu.Lock()
	old := w.rescannedCounts
	w.rescannedCounts = counts
	w.problemsMu.Unlock()
	if !maps.Equal(old, counts) {
		w.log.Info("folders past the watch budget are found by the rescans alone", "rescanned", counts, "budget", w.cfg.WatchBudget)
	}
}

// Rescanned returns, per watched folder, how many directories in it (itself included) are past
// the watch budget and so covered by the periodic rescans instead of file-system events; a
// folder whose directories are all watched is absent. It is safe to call from any goroutine.
func (w *Watcher) Rescanned() map[string]int {
	w.problemsMu.Lock()
	defer w.problemsMu.Unlock()
	return maps.Clone(w.rescannedCounts)
}
