package menubar

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/store"
)

// notice is one desktop notification.
type notice struct {
	Title, Body string
}

// Above this many failures seen at once, one notice counts them instead of
// one notice each.
const maxFailureNotices = 3

// noticeTimeout bounds a notification helper that hangs.
const noticeTimeout = 10 * time.Second

// noticeTracker turns successive statuses into notices: one per new failure,
// and one when the queue drains after a batch of videos was measured.
type noticeTracker struct {
	started  bool
	baseline store.Counts        // the counts when the queue was last empty
	lastDone time.Time           // the newest finish time of a done video then
	failures map[int64]time.Time // failed jobs already told: id → finish time
	// reportPath names the report beside a CSV; nil when there are none.
	reportPath func(csv string) string
}

// observe returns the notices that the change since the previous status
// calls for. The first status only sets the baseline: what happened before
// the menu bar started is not news.
func (n *noticeTracker) observe(s store.Status) []notice {
	failures := make(map[int64]time.Time, len(s.RecentFailed))
	var fresh []store.Job
	for _, j := range s.RecentFailed {
		failures[j.ID] = j.FinishedAt
		if seen, ok := n.failures[j.ID]; !ok || !seen.Equal(j.FinishedAt) {
			fresh = append(fresh, j)
		}
	}
	n.failures = failures
	if !n.started {
		n.started = true
		n.setBaseline(s)
		return nil
	}
	notices := failureNotices(fresh)
	if len(s.Running) == 0 && s.Counts.Queued == 0 {
		if measured := n.measured(s); measured > 0 {
			notices = append(notices, n.batch(s, measured))
		}
		n.setBaseline(s)
	}
	return notices
}

func (n *noticeTracker) setBaseline(s store.Status) {
	n.baseline = s.Counts
	if len(s.RecentDone) > 0 {
		n.lastDone = s.RecentDone[0].FinishedAt
	}
}

// measured counts the videos done since the baseline: the growth of the done
// count, or, when a changed video went from done back to the queue, the
// recent list.
func (n *noticeTracker) measured(s store.Status) int {
	recent := 0
	for _, j := range s.RecentDone {
		if j.FinishedAt.After(n.lastDone) {
			recent++
		}
	}
	return max(s.Counts.Done-n.baseline.Done, recent)
}

func failureNotices(jobs []store.Job) []notice {
	if len(jobs) > maxFailureNotices {
		return []notice{{
			Title: fmt.Sprintf("auwatchd: %d videos failed", len(jobs)),
			Body:  "The menu lists them with the reasons; `auwatchd status` too.",
		}}
	}
	var out []notice
	for _, j := range jobs {
		out = append(out, notice{
			Title: "auwatchd: a video failed",
			Body:  fmt.Sprintf("%s: %s", filepath.Base(j.Path), clip(failureReason(j), 200)),
		})
	}
	return out
}

// batchNotice tells of a finished batch; a batch of one video names it and
// its CSV.
func batchNotice(measured, failed int, recent []store.DoneJob) notice {
	if measured == 1 && failed <= 0 && len(recent) > 0 && recent[0].OutputPath != "" {
		j := recent[0]
		body := "CSV: " + j.OutputPath
		if found := framesFound(j); found != "" {
			body += " (" + found + ")"
		}
		return notice{Title: "auwatchd: " + filepath.Base(j.Path) + " measured", Body: body}
	}
	body := plural(measured, "video") + " measured"
	if failed > 0 {
		body += fmt.Sprintf(", %d failed", failed)
	}
	return notice{Title: "auwatchd: batch finished", Body: body + "; each CSV is beside its video"}
}

// unchangedNotice answers a Retry that left files which failed in
// themselves and have not changed since: they would fail the same way.
func unchangedNotice(jobs []store.Job) notice {
	if len(jobs) == 1 {
		return notice{Title: "auwatchd: " + filepath.Base(jobs[0].Path) + " not retried",
			Body: "It is unchanged since it failed, and would fail the same way: copy it again, and it is measured when the copy is complete."}
	}
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = filepath.Base(j.Path)
	}
	return notice{Title: fmt.Sprintf("auwatchd: %d videos not retried", len(jobs)),
		Body: "They are unchanged since they failed, and would fail the same way: copy them again. " + clip(strings.Join(names, ", "), 200)}
}

// batch tells of a finished batch and, while the daemon writes reports,
// where they are.
func (n *noticeTracker) batch(s store.Status, measured int) notice {
	b := batchNotice(measured, s.Counts.Failed-n.baseline.Failed, s.RecentDone)
	if r := n.reportsAt(s, measured); r != "" {
		b.Body += "\n" + r
	}
	return b
}

// reportsAt says where the batch's reports are, when the daemon writes them:
// the one report's path, or their place beside the CSVs.
func (n *noticeTracker) reportsAt(s store.Status, measured int) string {
	switch {
	case n.reportPath == nil || !s.Report || len(s.RecentDone) == 0 || s.RecentDone[0].OutputPath == "":
		return ""
	case measured == 1:
		return "Report: " + n.reportPath(s.RecentDone[0].OutputPath)
	}
	return "Reports: beside each CSV"
}

// showNotice hands a notice to the desktop's notification helper without
// waiting for it; where there is none, the log keeps the notice.
func showNotice(n notice, log *slog.Logger) {
	if args := noticeArgs(n); args != nil {
		go runNotifier(args, log)
		return
	}
	log.Info("notification (no desktop notifier found)", "title", n.Title, "body", n.Body)
}

// NotifyNow shows a notification and waits, up to a few seconds, for the
// desktop to take it: for a process about to exit, such as a daemon that
// cannot start, which nobody watching a terminal would otherwise hear of.
func NotifyNow(title, body string, log *slog.Logger) {
	if args := noticeArgs(notice{Title: title, Body: body}); args != nil {
		runNotifier(args, log)
	}
}

func runNotifier(args []string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
		log.Warn("cannot show a notification", "err", err, "output", string(bytes.TrimSpace(out)))
	}
}
