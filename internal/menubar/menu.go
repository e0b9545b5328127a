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
	// ReportPath names the report beside a CSV; nil when there are none.
	ReportPath func(csv string) string
}

// Target is something a click opens: a file or folder, shown selected in
// its folder (Reveal) or opened, or a URL.
type Target struct {
	Path   string
	Reveal bool
	URL    bool // Path is a URL, not a file
}

// MenuEntry is one clickable line listing a video or a folder.
type MenuEntry struct {
	Label   string
	Tooltip string
	// Open is what a click opens: the first target that exists, so a
	// richer one (a report) can stand before a plainer one (the CSV).
	Open []Target
	Job  int64 // the job a line lists, for Retry and Clear; 0 for none
}

// MenuModel is everything the menu bar shows, as plain data.
type MenuModel struct {
	Icon          icon.State
	Title         string // beside the icon: the running video's progress
	Tooltip       string
	Status        string      // the first line, not clickable
	Warning       string      // what keeps the daemon from seeing new videos; empty hides it
	Running       []MenuEntry // each running video when several run; a click reveals it
	DoneHeader    string      // above the finished videos; says where their CSVs are
	Done          []MenuEntry // newest first; a click reveals the CSV
	Failed        []MenuEntry // newest first; each has Show, Retry and Clear
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
		Status:        statusLine(s, now),
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
			m.Running = append(m.Running, MenuEntry{Label: runningLabel(j), Tooltip: "Show " + j.Path, Open: reveal(j.Path), Job: j.ID})
		}
	}
	for _, j := range s.RecentDone[:min(len(s.RecentDone), menuRecentDone)] {
		m.Done = append(m.Done, doneEntry(j, now, set.ReportPath))
	}
	if len(m.Done) > 0 {
		m.DoneHeader = "Recently measured — the CSV is beside each video"
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
			Open:    []Target{{Path: set.PrivacyURL, URL: true}}}
	}
	if extra := len(s.Folders) - menuFolderSlots; extra > 0 {
		m.MoreFolders = fmt.Sprintf("%d more — see auwatchd folders", extra)
	}
	return m
}

// folderEntry opens a watched folder, and says when it is missing or
// cannot be read, or when some folders in it are only rescanned.
func folderEntry(f store.Folder, userHome string) MenuEntry {
	e := MenuEntry{Label: "Open " + shortenPath(homeRelative(f.Path, userHome), menuPathWidth), Tooltip: f.Path, Open: []Target{{Path: f.Path}}}
	switch {
	case f.Health == store.FolderMissing:
		e.Label += " — missing"
	case unreadable(f):
		e.Label += " — cannot read"
	}
	if f.Health != "" {
		e.Tooltip += ": " + f.Health
	}
	if f.Rescanned > 0 {
		e.Label += " — " + plural(f.Rescanned, "folder") + " rescanned"
		e.Tooltip += "; " + plural(f.Rescanned, "folder") + " in it rescanned every so often instead of watched, to spare open files"
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

// statusLine is the menu's first line: what the daemon does now, what it
// waits for, or what needs the user; "Idle" only when nothing does.
func statusLine(s store.Status, now time.Time) string {
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
	case s.WaitingCount > 0:
		return waitingLine(s)
	case iconState(s, now) == icon.Attention:
		return attentionLine(s, now)
	case len(s.Folders) == 0:
		return "Idle — no folder watched"
	default:
		return "Idle — watching " + plural(len(s.Folders), "folder")
	}
	if k := batchPlace(s); k != "" && !s.Paused {
		return line + " · " + k
	}
	if s.Counts.Queued > 0 {
		line += fmt.Sprintf(" · %d queued", s.Counts.Queued)
	}
	return line
}

// batchPlace says which of the batch's videos are being measured ("3 of 7",
// "3–4 of 9"); empty when the batch is a single video or not recorded.
func batchPlace(s store.Status) string {
	b := s.Batch
	first := b.Finished + 1
	last := b.Finished + max(1, len(s.Running))
	if b.Total < 2 || last > b.Total {
		return ""
	}
	if first == last {
		return fmt.Sprintf("%d of %d", first, b.Total)
	}
	return fmt.Sprintf("%d–%d of %d", first, last, b.Total)
}

// waitingLine names the files the watcher waits for to stop changing.
func waitingLine(s store.Status) string {
	if s.WaitingCount == 1 && len(s.Waiting) == 1 {
		return "Waiting for " + videoName(s.Waiting[0]) + " to finish copying"
	}
	return fmt.Sprintf("Waiting for %d files to finish copying", s.WaitingCount)
}

// attentionLine says what turned the icon red, most urgent first.
func attentionLine(s store.Status, now time.Time) string {
	unreadableFolders, missing := 0, 0
	for _, f := range s.Folders {
		switch {
		case f.Health == store.FolderMissing:
			missing++
		case unreadable(f):
			unreadableFolders++
		}
	}
	switch {
	case recentFailure(s, now) && s.Counts.Failed == 1:
		return "1 video failed — see below"
	case recentFailure(s, now):
		return fmt.Sprintf("%d videos failed — see below", s.Counts.Failed)
	case unreadableFolders > 0:
		return "Cannot read " + plural(unreadableFolders, "folder") + " — see below"
	case missing == 1:
		return "1 folder is missing — see below"
	case missing > 1:
		return fmt.Sprintf("%d folders are missing — see below", missing)
	case s.DiskFull:
		return "Held up: the data folder's disk is full"
	}
	return "Not watching everything — see below"
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
	if s.WaitingCount > 0 {
		parts = append(parts, fmt.Sprintf("waiting for %d copying", s.WaitingCount))
	}
	if len(s.Running) > 0 {
		running := make([]string, len(s.Running))
		for i, j := range s.Running {
			running[i] = runningLabel(j)
		}
		return strings.Join(append(running, parts...), " · ")
	}
	if len(parts) == 0 && iconState(s, now) == icon.Attention {
		parts = []string{strings.TrimSuffix(attentionLine(s, now), " — see below")}
	}
	if len(parts) == 0 {
		parts = []string{"idle"}
	}
	return "auwatchd — " + strings.Join(parts, " · ")
}

// doneEntry lists a finished video with its age and what was found in
// it; a click shows its CSV.
func doneEntry(j store.DoneJob, now time.Time, reportPath func(string) string) MenuEntry {
	label := videoName(j.Path)
	if ago := timeAgo(now, j.FinishedAt); ago != "" {
		label += " · " + ago
	}
	if found := framesFound(j); found != "" {
		label += " · " + found
	}
	csv := j.OutputPath
	if csv == "" {
		csv = j.Path
	}
	return MenuEntry{Label: label, Tooltip: "CSV: " + csv, Open: doneTargets(csv, reportPath), Job: j.ID}
}

// doneTargets is what a click on a finished video opens: its report when
// there is one, else its CSV, shown in its folder.
func doneTargets(csv string, reportPath func(string) string) []Target {
	if reportPath == nil || !strings.HasSuffix(csv, ".csv") {
		return reveal(csv)
	}
	return append([]Target{{Path: reportPath(csv)}}, reveal(csv)...)
}

func reveal(path string) []Target { return []Target{{Path: path, Reveal: true}} }

// framesFound says how many frames a video had and in how many the face was
// found; empty when the summary is not known.
func framesFound(j store.DoneJob) string {
	switch {
	case j.Frames == 0:
		return ""
	case j.FaceFrames == 0:
		return plural(j.Frames, "frame") + ", no face found"
	case j.FaceFrames == j.Frames:
		return plural(j.Frames, "frame") + ", a face in all"
	}
	return fmt.Sprintf("%s, a face in %d", plural(j.Frames, "frame"), j.FaceFrames)
}

// failedEntry lists a failure with its reason; paths in the video's own
// folder are cut to file names, which leaves room for the reason itself.
func failedEntry(j store.Job) MenuEntry {
	return MenuEntry{
		Label:   videoName(j.Path) + " — " + clip(failureReason(j), menuReasonWidth),
		Tooltip: printable(j.Error),
		Open:    reveal(j.Path),
		Job:     j.ID,
	}
}

// failureReason is a failure in plain words where it is one a researcher
// meets, or the error with the video's folder left out.
func failureReason(j store.Job) string {
	if reason := plainReason(j.Error); reason != "" {
		return reason
	}
	return strings.ReplaceAll(j.Error, filepath.Dir(j.Path)+string(filepath.Separator), "")
}

// plainReasons say the failures a researcher meets in plain words, with
// what to do; the full error stays in the tooltip and in `auwatchd status`.
// The first that matches wins, so narrower ones come first.
var plainReasons = []struct{ says, means string }{
	{"the file is empty", "the file is empty: copy it again"},
	{"no video stream", "no picture in it: a sound file, or not a video"},
	{"no frame could be decoded", "no frame could be read: copied only in part? Copy it again"},
	{"not a video that can be decoded", "not a video, or copied only in part: copy it again"},
	{"the video has no frames", "no frame could be read: copy it again"},
	{"auwatchd did not write it", "a file of the CSV's name is in the way: move it, then Retry"},
	{"no space left on device", "the disk is full: make room, then Retry"},
	{"permission denied", "auwatchd may not write in its folder: allow it, then Retry"},
	{"operation not permitted", "auwatchd may not use its folder: allow it in Privacy & Security, then Retry"},
	{"no such file or directory", "the file is gone: moved or deleted before it was measured"},
	{"input/output error", "the disk could not be read: check it, then Retry"},
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
