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
// A stable file is passed to Config.IsVideo and reported once per (path, size, modification time),
// either as a Candidate or as a Skipped.
package watcher
