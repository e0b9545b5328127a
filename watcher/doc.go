// Package watcher turns file-system noise in the watched folders into "this file is a complete video" events.
// It knows nothing of jobs or models: it reports candidates, and the caller decides whether they are new work.
//
// # Design
//
// One goroutine (Run) owns all state. It combines three sources of truth:
//
//   - fsnotify events on every directory of every watched folder; a changed file becomes pending;
//   - a stability check on pending files: no event and no observed change for Config.Quiet, then
//     size and modification time unchanged across two stat calls Config.Poll apart;
//   - a full rescan every Config.Rescan (and after an event overflow or watch error), which adds
//     watches for directories that appeared, drops those that vanished, and makes pending any file
//     whose size or modification time differs from what was last reported.
//
// Which files count is the watcher's own rule: a video extension, and not hidden, a partial
// download or the daemon's own output. A stable file is reported as a Candidate once per (path,
// size, modification time); whether it really decodes is for the caller to find out. The
// daemon's own ".au.csv" outputs are reported the same way, marked as outputs, so that a CSV
// measured elsewhere (by a cluster's task) can be recorded.
//
// Failures do not stop the watcher: a folder that is missing or unreadable, a directory the
// notification backend cannot watch (the inotify watch limit, the open-files limit on macOS),
// events the backend lost. Each is logged once and listed by Watcher.Problems until it is
// resolved; the rescans keep finding videos below directories that cannot be watched.
package watcher
