package menubar

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/auwatchd/auwatchd/app/icon"
	"github.com/auwatchd/auwatchd/store"
)

// How much the menu lists, and how wide its lines may grow.
const (
	menuRecentDone   = 5  // finished videos listed
	menuRecentFailed = 5  // failed videos listed
	menuFolderSlots  = 8  // watched folders listed
	menuRunningSlots = 8  // running videos listed when there are several
	menuNameWidth    = 36 // runes of a video's name
	menuReasonWidth  = 60 // runes of a failure's reason
	menuPathWidth    = 44 // runes of a folder's path
)

// EveryFrameLabel is the check box of the every-frame mode; it says what
// the mode trades: a fit for every frame on its own, for about a quarter
// more processor time.
const EveryFrameLabel = "Landmarks afresh in every frame (slower)"

// attentionWindow is how long a failure keeps the icon red: long enough to be
// seen the next morning, short enough that an old failure does not hide a new one.
const attentionWindow = 24 * time.Hour

// loginState is the "Start at login" checkbox: hidden when the platform offers
// no login item.
type loginState int

const (
	loginHidden loginState = iota
	loginOff
	loginOn
)

// menuSettings is what the menu shows besides the store's status.
type menuSettings struct {
	Notifications bool
	Login         loginState
	UserHome      string // folder paths under it are shown with ~
	AutoWorkers   int    // what the workers setting "auto" stands for here
	PrivacyURL    string // opens the system's privacy settings; "" where there are none
}

// MenuEntry is one clickable line listing a video or a folder.
type MenuEntry struct {
	Label   string
	Tooltip string
	Path    string // what a click reveals or opens
}

// MenuModel is everything the menu bar shows, as plain data.
type MenuModel struct {
	Icon          icon.State
	Title         string // beside the icon: the running video's progress
	Tooltip       string
	Status        string      // the first line, not clickable
	Warning       string      // what keeps the daemon from seeing new videos; empty hides it
	Running       []MenuEntry // each running video when several run; a click reveals it
	Done          []MenuEntry // newest first; a click reveals the CSV
	Failed        []MenuEntry // newest first; a click reveals the video
	Retry         string      // the "Retry failed" line; empty hides it
	Folders       []MenuEntry // a click opens the folder
	Privacy       MenuEntry   // opens the privacy settings when a folder cannot be read; no label hides it
	MoreFolders   string      // a line for the folders not listed; empty hides it
	Pause         string      // "Pause" or "Resume"
	Notifications bool
	EveryFrame    bool   // the EveryFrameLabel check box
	Report        bool   // the "Write reports" check box
	Thumbnails    bool   // the "Faces in reports" check box
	Workers       string // how many videos run at once, not clickable (auwatchd workers)
	Login         loginState
}

// menuModel maps the store's status at time now to the menu.
func menuModel(s store.Status, now time.Time, set menuSettings) MenuModel {
	m := MenuModel{
		Icon:          iconState(s, now),
		Title:         progressTitle(s.Running),
		Tooltip:       tooltip(s, now),
		Status:        statusLine(s),
		Warning:       warning(s),
		Pause:         "Pause",
		Notifications: set.Notifications,
		EveryFrame:    s.EveryFrame,
		Report:        s.Report,
		Thumbnails:    s.Thumbnails,
		Workers:       workersLine(s.Workers, set.AutoWorkers),
		Login:         set.Login,
	}
	if s.Paused {
		m.Pause = "Resume"
	}
	if len(s.Running) > 1 {
		for _, j := range s.Running[:min(len(s.Running), menuRunningSlots)] {
			m.Running = append(m.Running, MenuEntry{Label: runningLabel(j), Tooltip: "Show " + j.Path, Path: j.Path})
		}
	}
	for _, j := range s.RecentDone[:min(len(s.RecentDone), menuRecentDone)] {
		m.Done = append(m.Done, doneEntry(j, now))
	}
	for _, j := range s.RecentFailed[:min(len(s.RecentFailed), menuRecentFailed)] {
		m.Failed = append(m.Failed, failedEntry(j))
	}
	if s.Counts.Failed > 0 {
		m.Retry = "Retry " + plural(s.Counts.Failed, "failed video")
	}
	for _, f := range s.Folders[:min(len(s.Folders), menuFolderSlots)] {
		m.Folders = append(m.Folders, folderEntry(f, set.UserHome))
	}
	if set.PrivacyURL != "" && slices.ContainsFunc(s.Folders, unreadable) {
		m.Privacy = MenuEntry{Label: "Open Privacy & Security…",
			Tooltip: "Give auwatchd access to the folders it cannot read (Full Disk Access or Files and Folders)",
			Path:    set.PrivacyURL}
	}
	if extra := len(s.Folders) - menuFolderSlots; extra > 0 {
		m.MoreFolders = fmt.Sprintf("%d more — see auwatchd folders", extra)
	}
	return m
}

// folderEntry opens a watched folder, and says when it is missing or
// cannot be read.
func folderEntry(f store.Folder, userHome string) MenuEntry {
	e := MenuEntry{Label: "Open " + shortenPath(homeRelative(f.Path, userHome), menuPathWidth), Tooltip: f.Path, Path: f.Path}
	switch {
	case f.Health == store.FolderMissing:
		e.Label += " — missing"
	case unreadable(f):
		e.Label += " — cannot read"
	}
	if f.Health != "" {
		e.Tooltip += ": " + f.Health
	}
	return e
}

func unreadable(f store.Folder) bool { return f.Health != "" && f.Health != store.FolderMissing }

// iconState picks the most urgent state: a recent failure, then a pause,
// then work in hand.
func iconState(s store.Status, now time.Time) icon.State {
	switch {
	case recentFailure(s, now):
		return icon.Attention
	case s.Paused:
		return icon.Paused
	case s.Watcher != "" || s.DiskFull || slices.ContainsFunc(s.Folders, func(f store.Folder) bool { return f.Health != "" }):
		return icon.Attention
	case len(s.Running) > 0 || s.Counts.Queued > 0:
		return icon.Working
	}
	return icon.Idle
}

func recentFailure(s store.Status, now time.Time) bool {
	if s.Counts.Failed == 0 || len(s.RecentFailed) == 0 {
		return false
	}
	newest := s.RecentFailed[0].FinishedAt
	return newest.IsZero() || now.Sub(newest) < attentionWindow
}

// percent is a running job's progress in whole percent, rounded down so that
// 100% means finished.
func percent(fraction float64) int {
	return int(math.Floor(100 * math.Max(0, math.Min(1, fraction))))
}

// progressTitle is the oldest running video's progress, and how many more run.
func progressTitle(running []store.Job) string {
	if len(running) == 0 {
		return ""
	}
	title := fmt.Sprintf("%d%%", percent(running[0].Progress))
	if len(running) > 1 {
		title += fmt.Sprintf(" +%d", len(running)-1)
	}
	return title
}

// runningLabel is a running video's name and progress.
func runningLabel(j store.Job) string {
	return fmt.Sprintf("%s — %d%%", videoName(j.Path), percent(j.Progress))
}

// workersLine says how many videos run at once, and whether by choice.
func workersLine(n, auto int) string {
	if n == store.AutoWorkers {
		return fmt.Sprintf("Videos at once: %d (auto)", max(1, auto))
	}
	return fmt.Sprintf("Videos at once: %d", n)
}

// warning tells the user what holds the daemon back: a full disk under its
// database, or a watcher that may miss new videos.
func warning(s store.Status) string {
	switch {
	case s.DiskFull:
		return "The data folder's disk is full: results wait for room"
	case s.Watcher != "":
		return "Not watching everything: " + s.Watcher
	}
	return ""
}

func statusLine(s store.Status) string {
	var line string
	switch {
	case len(s.Running) > 1 && s.Paused:
		line = fmt.Sprintf("Pausing after %d videos", len(s.Running))
	case len(s.Running) > 1:
		line = fmt.Sprintf("Measuring %d videos", len(s.Running))
	case len(s.Running) == 1 && s.Paused:
		line = fmt.Sprintf("Pausing after %s (%d%%)", videoName(s.Running[0].Path), percent(s.Running[0].Progress))
	case len(s.Running) == 1:
		line = "Measuring " + runningLabel(s.Running[0])
	case s.Paused:
		line = "Paused"
	case s.Counts.Queued > 0:
		line = "Starting"
	case len(s.Folders) == 0:
		return "Idle — no folder watched"
	default:
		return "Idle — watching " + plural(len(s.Folders), "folder")
	}
	if s.Counts.Queued > 0 {
		line += fmt.Sprintf(" · %d queued", s.Counts.Queued)
	}
	return line
}

// tooltip sums the state up in one line, e.g. "interview.mp4 — 42% · 3 queued".
func tooltip(s store.Status, now time.Time) string {
	var parts []string
	if s.Paused {
		parts = append(parts, "paused")
	}
	if s.Counts.Queued > 0 {
		parts = append(parts, fmt.Sprintf("%d queued", s.Counts.Queued))
	}
	if recentFailure(s, now) {
		parts = append(parts, fmt.Sprintf("%d failed", s.Counts.Failed))
	}
	if s.Watcher != "" {
		parts = append(parts, "not watching everything")
	}
	if len(s.Running) > 0 {
		running := make([]string, len(s.Running))
		for i, j := range s.Running {
			running[i] = runningLabel(j)
		}
		return strings.Join(append(running, parts...), " · ")
	}
	if len(parts) == 0 {
		parts = []string{"idle"}
	}
	return "auwatchd — " + strings.Join(parts, " · ")
}

func doneEntry(j store.Job, now time.Time) MenuEntry {
	label := videoName(j.Path)
	if ago := timeAgo(now, j.FinishedAt); ago != "" {
		label += " · " + ago
	}
	csv := j.OutputPath
	if csv == "" {
		csv = j.Path
	}
	return MenuEntry{Label: label, Tooltip: "Show " + csv, Path: csv}
}

// failedEntry lists a failure with its reason; paths in the video's own
// folder are cut to file names, which leaves room for the reason itself.
func failedEntry(j store.Job) MenuEntry {
	reason := plainReason(j.Error)
	if reason == "" {
		reason = strings.ReplaceAll(j.Error, filepath.Dir(j.Path)+string(filepath.Separator), "")
	}
	return MenuEntry{
		Label:   videoName(j.Path) + " — " + clip(reason, menuReasonWidth),
		Tooltip: printable(j.Error),
		Path:    j.Path,
	}
}

// plainReasons say the failures a researcher meets in plain words, with
// what to do; the full error stays in the tooltip and in `auwatchd status`.
var plainReasons = []struct{ says, means string }{
	{"not a video that can be decoded", "not a video, or copied only in part: copy it again"},
	{"the video has no frames", "no frame could be read: copy it again"},
	{"auwatchd did not write it", "a file of the CSV's name is in the way: move it, then Retry"},
	{"no space left on device", "the disk is full: make room, then Retry"},
	{"permission denied", "auwatchd may not write in its folder"},
	{"crashed the worker", "stopped auwatchd three times: send it to the developers"},
}

// plainReason is the plain words for a failure, or "" for one not listed.
func plainReason(err string) string {
	for _, r := range plainReasons {
		if strings.Contains(err, r.says) {
			return r.means
		}
	}
	return ""
}

// videoName is a video's file name, shortened in the middle to keep its end
// and extension.
func videoName(path string) string {
	return shorten(filepath.Base(path), menuNameWidth)
}

// timeAgo says how long ago t was, coarsely; empty for an unknown time.
func timeAgo(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	case d < 48*time.Hour:
		return "yesterday"
	}
	return t.In(now.Location()).Format("2 Jan")
}

// shorten cuts s to width runes by replacing its middle with "…".
func shorten(s string, width int) string {
	s = printable(s)
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	tail := width / 3
	return string(r[:width-1-tail]) + "…" + string(r[len(r)-tail:])
}

// shortenPath cuts a path to width runes from the left, at a separator
// when there is one, keeping the folder's own name.
func shortenPath(p string, width int) string {
	p = printable(p)
	r := []rune(p)
	if len(r) <= width {
		return p
	}
	tail := string(r[len(r)-width+1:])
	if i := strings.IndexRune(tail, filepath.Separator); i > 0 {
		tail = tail[i:]
	}
	return "…" + tail
}

// clip keeps the first line of s, cut to width runes.
func clip(s string, width int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = printable(strings.TrimSpace(s))
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	return string([]rune(s)[:width-1]) + "…"
}

// printable replaces control characters, which a file name may hold and a
// menu line cannot show, with spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func homeRelative(path, home string) string {
	if home == "" {
		return path
	}
	rel, err := filepath.Rel(home, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	if rel == "." {
		return "~"
	}
	return "~" + string(filepath.Separator) + rel
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
