package menubar

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/auwatchd/auwatchd/app/icon"
	"github.com/auwatchd/auwatchd/store"
)

var menuNow = time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)

func running(path string, progress float64) []store.Job {
	return []store.Job{{ID: 7, Path: path, State: store.Running, Progress: progress}}
}

func failedJob(id int64, path, reason string, ago time.Duration) store.Job {
	return store.Job{ID: id, Path: path, State: store.Failed, Error: reason, FinishedAt: menuNow.Add(-ago)}
}

func folder(path string) []Target { return []Target{{Path: path}} }

func watching(paths ...string) []store.Folder {
	var folders []store.Folder
	for i, p := range paths {
		folders = append(folders, store.Folder{ID: int64(i + 1), Path: p})
	}
	return folders
}

// TestMenuModelStates maps every state of the daemon to the icon, the text
// beside it, the tooltip, the status line and the Pause/Resume line.
func TestMenuModelStates(t *testing.T) {
	longName := "participant_0042_session_03_follow_up_interview_camera_B.mp4"
	tests := []struct {
		name    string
		status  store.Status
		icon    icon.State
		title   string
		tooltip string
		line    string
		pause   string
	}{
		{
			name:    "idle, nothing watched",
			status:  store.Status{},
			icon:    icon.Idle,
			tooltip: "auwatchd — idle",
			line:    "Idle — no folder watched",
			pause:   "Pause",
		},
		{
			name:    "idle, one folder",
			status:  store.Status{Folders: watching("/v/lab")},
			icon:    icon.Idle,
			tooltip: "auwatchd — idle",
			line:    "Idle — watching 1 folder",
			pause:   "Pause",
		},
		{
			name:    "idle, two folders, videos done before",
			status:  store.Status{Folders: watching("/v/a", "/v/b"), Counts: store.Counts{Done: 12}},
			icon:    icon.Idle,
			tooltip: "auwatchd — idle",
			line:    "Idle — watching 2 folders",
			pause:   "Pause",
		},
		{
			name:    "working, nothing queued",
			status:  store.Status{Running: running("/v/interview.mp4", 0.42), Counts: store.Counts{Running: 1}},
			icon:    icon.Working,
			title:   "42%",
			tooltip: "interview.mp4 — 42%",
			line:    "Measuring interview.mp4 — 42%",
			pause:   "Pause",
		},
		{
			name:    "working with a queue",
			status:  store.Status{Running: running("/v/interview.mp4", 0.42), Counts: store.Counts{Running: 1, Queued: 3}},
			icon:    icon.Working,
			title:   "42%",
			tooltip: "interview.mp4 — 42% · 3 queued",
			line:    "Measuring interview.mp4 — 42% · 3 queued",
			pause:   "Pause",
		},
		{
			name:    "working, just started",
			status:  store.Status{Running: running("/v/a.mov", 0), Counts: store.Counts{Running: 1}},
			icon:    icon.Working,
			title:   "0%",
			tooltip: "a.mov — 0%",
			line:    "Measuring a.mov — 0%",
			pause:   "Pause",
		},
		{
			name:    "working, last frame: never 100% before done",
			status:  store.Status{Running: running("/v/a.mov", 0.999), Counts: store.Counts{Running: 1}},
			icon:    icon.Working,
			title:   "99%",
			tooltip: "a.mov — 99%",
			line:    "Measuring a.mov — 99%",
			pause:   "Pause",
		},
		{
			name:    "working, progress out of range is clamped",
			status:  store.Status{Running: running("/v/a.mov", 1.7), Counts: store.Counts{Running: 1}},
			icon:    icon.Working,
			title:   "100%",
			tooltip: "a.mov — 100%",
			line:    "Measuring a.mov — 100%",
			pause:   "Pause",
		},
		{
			name:    "queued, between two videos",
			status:  store.Status{Counts: store.Counts{Queued: 2}},
			icon:    icon.Working,
			tooltip: "auwatchd — 2 queued",
			line:    "Starting · 2 queued",
			pause:   "Pause",
		},
		{
			name:    "paused, nothing queued",
			status:  store.Status{Paused: true, Folders: watching("/v/lab")},
			icon:    icon.Paused,
			tooltip: "auwatchd — paused",
			line:    "Paused",
			pause:   "Resume",
		},
		{
			name:    "paused with a queue",
			status:  store.Status{Paused: true, Counts: store.Counts{Queued: 4}},
			icon:    icon.Paused,
			tooltip: "auwatchd — paused · 4 queued",
			line:    "Paused · 4 queued",
			pause:   "Resume",
		},
		{
			name:    "paused while the current video finishes",
			status:  store.Status{Paused: true, Running: running("/v/interview.mp4", 0.5), Counts: store.Counts{Running: 1, Queued: 1}},
			icon:    icon.Paused,
			title:   "50%",
			tooltip: "interview.mp4 — 50% · paused · 1 queued",
			line:    "Pausing after interview.mp4 (50%) · 1 queued",
			pause:   "Resume",
		},
		{
			name: "attention: a video failed an hour ago",
			status: store.Status{Folders: watching("/v/lab"), Counts: store.Counts{Failed: 1},
				RecentFailed: []store.Job{failedJob(3, "/v/lab/bad.mp4", "not a video", time.Hour)}},
			icon:    icon.Attention,
			tooltip: "auwatchd — 1 failed",
			line:    "1 video failed — see below",
			pause:   "Pause",
		},
		{
			name: "attention while working",
			status: store.Status{Running: running("/v/interview.mp4", 0.42), Counts: store.Counts{Running: 1, Queued: 3, Failed: 2},
				RecentFailed: []store.Job{failedJob(3, "/v/bad.mp4", "no frames", time.Minute), failedJob(2, "/v/old.mp4", "gone", 3*time.Hour)}},
			icon:    icon.Attention,
			title:   "42%",
			tooltip: "interview.mp4 — 42% · 3 queued · 2 failed",
			line:    "Measuring interview.mp4 — 42% · 3 queued",
			pause:   "Pause",
		},
		{
			name: "attention beats paused",
			status: store.Status{Paused: true, Counts: store.Counts{Failed: 1},
				RecentFailed: []store.Job{failedJob(3, "/v/bad.mp4", "no frames", time.Minute)}},
			icon:    icon.Attention,
			tooltip: "auwatchd — paused · 1 failed",
			line:    "Paused",
			pause:   "Resume",
		},
		{
			name: "a failure older than a day no longer asks for attention",
			status: store.Status{Folders: watching("/v/lab"), Counts: store.Counts{Failed: 1},
				RecentFailed: []store.Job{failedJob(3, "/v/bad.mp4", "no frames", 25*time.Hour)}},
			icon:    icon.Idle,
			tooltip: "auwatchd — idle",
			line:    "Idle — watching 1 folder",
			pause:   "Pause",
		},
		{
			name: "a failure with no finish time asks for attention",
			status: store.Status{Counts: store.Counts{Failed: 1},
				RecentFailed: []store.Job{{ID: 3, Path: "/v/bad.mp4", State: store.Failed, Error: "no frames"}}},
			icon:    icon.Attention,
			tooltip: "auwatchd — 1 failed",
			line:    "1 video failed — see below",
			pause:   "Pause",
		},
		{
			name:    "working on a long name: shortened in the middle, extension kept",
			status:  store.Status{Running: running("/v/"+longName, 0.1), Counts: store.Counts{Running: 1, Queued: 1}},
			icon:    icon.Working,
			title:   "10%",
			tooltip: "participant_0042_sessio…camera_B.mp4 — 10% · 1 queued",
			line:    "Measuring participant_0042_sessio…camera_B.mp4 — 10% · 1 queued",
			pause:   "Pause",
		},
		{
			name: "two videos at once",
			status: store.Status{Running: append(running("/v/a.mov", 0.42), store.Job{ID: 8, Path: "/v/b.mov", Progress: 0.1}),
				Counts: store.Counts{Running: 2, Queued: 1}},
			icon:    icon.Working,
			title:   "42% +1",
			tooltip: "a.mov — 42% · b.mov — 10% · 1 queued",
			line:    "Measuring 2 videos · 1 queued",
			pause:   "Pause",
		},
		{
			name: "two videos at once, pausing",
			status: store.Status{Paused: true, Running: append(running("/v/a.mov", 0.42), store.Job{ID: 8, Path: "/v/b.mov", Progress: 0.1}),
				Counts: store.Counts{Running: 2}},
			icon:    icon.Paused,
			title:   "42% +1",
			tooltip: "a.mov — 42% · b.mov — 10% · paused",
			line:    "Pausing after 2 videos",
			pause:   "Resume",
		},
		{
			name:    "the watcher has a problem",
			status:  store.Status{Folders: watching("/v/lab"), Watcher: "cannot watch /v/lab/old: too many open files"},
			icon:    icon.Attention,
			tooltip: "auwatchd — not watching everything",
			line:    "Not watching everything — see below",
			pause:   "Pause",
		},
		{
			name: "idle, three videos failed: never Idle under a red icon",
			status: store.Status{Folders: watching("/v/lab"), Counts: store.Counts{Failed: 3},
				RecentFailed: []store.Job{failedJob(3, "/v/c.mp4", "no frames", time.Minute)}},
			icon:    icon.Attention,
			tooltip: "auwatchd — 3 failed",
			line:    "3 videos failed — see below",
			pause:   "Pause",
		},
		{
			name:    "a folder cannot be read",
			status:  store.Status{Folders: []store.Folder{{ID: 1, Path: "/v/desk", Health: store.CannotRead("permission denied")}, {ID: 2, Path: "/v/lab"}}},
			icon:    icon.Attention,
			tooltip: "auwatchd — Cannot read 1 folder",
			line:    "Cannot read 1 folder — see below",
			pause:   "Pause",
		},
		{
			name:    "two folders are missing",
			status:  store.Status{Folders: []store.Folder{{ID: 1, Path: "/v/a", Health: store.FolderMissing}, {ID: 2, Path: "/v/b", Health: store.FolderMissing}}},
			icon:    icon.Attention,
			tooltip: "auwatchd — 2 folders are missing",
			line:    "2 folders are missing — see below",
			pause:   "Pause",
		},
		{
			name:    "the data folder's disk is full",
			status:  store.Status{Folders: watching("/v/lab"), DiskFull: true},
			icon:    icon.Attention,
			tooltip: "auwatchd — Held up: the data folder's disk is full",
			line:    "Held up: the data folder's disk is full",
			pause:   "Pause",
		},
		{
			name:    "a file being copied in: waited for by name",
			status:  store.Status{Folders: watching("/v/lab"), Waiting: []string{"/v/lab/interview.mp4"}, WaitingCount: 1},
			icon:    icon.Idle,
			tooltip: "auwatchd — waiting for 1 copying",
			line:    "Waiting for interview.mp4 to finish copying",
			pause:   "Pause",
		},
		{
			name:    "many files being copied in",
			status:  store.Status{Folders: watching("/v/lab"), Waiting: []string{"/v/lab/a.mp4", "/v/lab/b.mp4"}, WaitingCount: 14},
			icon:    icon.Idle,
			tooltip: "auwatchd — waiting for 14 copying",
			line:    "Waiting for 14 files to finish copying",
			pause:   "Pause",
		},
		{
			name: "waiting beats an old failure's red, which the list still shows",
			status: store.Status{Folders: watching("/v/lab"), Waiting: []string{"/v/lab/a.mp4"}, WaitingCount: 1, Counts: store.Counts{Failed: 1},
				RecentFailed: []store.Job{failedJob(3, "/v/bad.mp4", "no frames", time.Minute)}},
			icon:    icon.Attention,
			tooltip: "auwatchd — 1 failed · waiting for 1 copying",
			line:    "Waiting for a.mp4 to finish copying",
			pause:   "Pause",
		},
		{
			name: "a batch: the third of seven",
			status: store.Status{Running: running("/v/c.mp4", 0.42), Counts: store.Counts{Running: 1, Queued: 4, Done: 2},
				Batch: store.Batch{Finished: 2, Total: 7}},
			icon:    icon.Working,
			title:   "42%",
			tooltip: "c.mp4 — 42% · 4 queued",
			line:    "Measuring c.mp4 — 42% · 3 of 7",
			pause:   "Pause",
		},
		{
			name: "a batch, two at once",
			status: store.Status{Running: append(running("/v/c.mp4", 0.42), store.Job{ID: 8, Path: "/v/d.mp4", Progress: 0.1}),
				Counts: store.Counts{Running: 2, Queued: 5, Done: 2}, Batch: store.Batch{Finished: 2, Total: 9}},
			icon:    icon.Working,
			title:   "42% +1",
			tooltip: "c.mp4 — 42% · d.mp4 — 10% · 5 queued",
			line:    "Measuring 2 videos · 3–4 of 9",
			pause:   "Pause",
		},
		{
			name: "the last of a batch, every frame measured",
			status: store.Status{Running: running("/v/g.mp4", 1), Counts: store.Counts{Running: 1, Done: 6},
				Batch: store.Batch{Finished: 6, Total: 7}},
			icon:    icon.Working,
			title:   "100%",
			tooltip: "g.mp4 — 100%",
			line:    "Measuring g.mp4 — 100% · 7 of 7",
			pause:   "Pause",
		},
		{
			name: "a batch of one says no count",
			status: store.Status{Running: running("/v/a.mp4", 0.5), Counts: store.Counts{Running: 1},
				Batch: store.Batch{Finished: 0, Total: 1}},
			icon:    icon.Working,
			title:   "50%",
			tooltip: "a.mp4 — 50%",
			line:    "Measuring a.mp4 — 50%",
			pause:   "Pause",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := menuModel(tt.status, menuNow, menuSettings{})
			got := []string{m.Icon.String(), m.Title, m.Tooltip, m.Status, m.Pause}
			want := []string{tt.icon.String(), tt.title, tt.tooltip, tt.line, tt.pause}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("icon, title, tooltip, status, pause:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestMenuModelRunningAndWarning checks the lines of several running videos
// and of a watcher that cannot watch everything.
func TestMenuModelRunningAndWarning(t *testing.T) {
	one := menuModel(store.Status{Running: running("/v/a.mov", 0.5)}, menuNow, menuSettings{})
	if len(one.Running) != 0 || one.Warning != "" {
		t.Errorf("one running video: lines %v, warning %q; want the status line alone", one.Running, one.Warning)
	}
	s := store.Status{
		Running: append(running("/v/a.mov", 0.5), store.Job{ID: 8, Path: "/v/b.mov", Progress: 0.25}),
		Watcher: "cannot watch /v/lab: permission denied",
	}
	m := menuModel(s, menuNow, menuSettings{})
	want := []MenuEntry{
		{Label: "a.mov — 50%", Tooltip: "Show /v/a.mov", Open: reveal("/v/a.mov"), Job: 7},
		{Label: "b.mov — 25%", Tooltip: "Show /v/b.mov", Open: reveal("/v/b.mov"), Job: 8},
	}
	if !reflect.DeepEqual(m.Running, want) {
		t.Errorf("running lines %+v, want %+v", m.Running, want)
	}
	if m.Warning != "Not watching everything: cannot watch /v/lab: permission denied" {
		t.Errorf("warning %q", m.Warning)
	}
	for _, tt := range []struct {
		workers, auto int
		want          string
	}{{store.AutoWorkers, 2, "Videos at once: 2 (auto)"}, {store.AutoWorkers, 0, "Videos at once: 1 (auto)"}, {3, 2, "Videos at once: 3"}} {
		m := menuModel(store.Status{Workers: tt.workers}, menuNow, menuSettings{AutoWorkers: tt.auto})
		if m.Workers != tt.want {
			t.Errorf("workers %d, auto %d: %q, want %q", tt.workers, tt.auto, m.Workers, tt.want)
		}
	}
	s.DiskFull = true
	if m := menuModel(s, menuNow, menuSettings{}); m.Icon != icon.Attention || !strings.Contains(m.Warning, "disk is full") {
		t.Errorf("disk full: icon %v, warning %q", m.Icon, m.Warning)
	}
}

// A folder the daemon cannot read, or that is missing, says so on its line;
// where the system keeps privacy grants, a line opens them.
func TestMenuModelFolderHealth(t *testing.T) {
	s := store.Status{Folders: []store.Folder{
		{ID: 1, Path: "/v/desk", Health: store.CannotRead("permission denied")},
		{ID: 2, Path: "/v/drive", Health: store.FolderMissing},
		{ID: 3, Path: "/v/lab"},
		{ID: 4, Path: "/v/frames", Rescanned: 4873},
	}}
	const url = "x-apple.systempreferences:com.apple.preference.security?Privacy"
	m := menuModel(s, menuNow, menuSettings{PrivacyURL: url})
	want := []MenuEntry{
		{Label: "Open /v/desk — cannot read", Tooltip: "/v/desk: cannot read: permission denied", Open: folder("/v/desk")},
		{Label: "Open /v/drive — missing", Tooltip: "/v/drive: missing", Open: folder("/v/drive")},
		{Label: "Open /v/lab", Tooltip: "/v/lab", Open: folder("/v/lab")},
		{Label: "Open /v/frames — 4873 folders rescanned",
			Tooltip: "/v/frames; 4873 folders in it rescanned every so often instead of watched, to spare open files", Open: folder("/v/frames")},
	}
	if !reflect.DeepEqual(m.Folders, want) {
		t.Errorf("folder lines\n got %+v\nwant %+v", m.Folders, want)
	}
	if len(m.Privacy.Open) != 1 || m.Privacy.Open[0] != (Target{Path: url, URL: true}) || m.Privacy.Label == "" || m.Icon != icon.Attention {
		t.Errorf("privacy line %+v, icon %v; want the settings line and attention", m.Privacy, m.Icon)
	}
	if m := menuModel(s, menuNow, menuSettings{}); m.Privacy.Label != "" {
		t.Errorf("a privacy line %+v where the system has no privacy settings", m.Privacy)
	}
	s.Folders[0].Health = ""
	if m := menuModel(s, menuNow, menuSettings{PrivacyURL: url}); m.Privacy.Label != "" {
		t.Errorf("a privacy line %+v with only a missing folder", m.Privacy)
	}
	// Folders left to the rescans are still found: no attention for them.
	s.Folders = s.Folders[2:]
	if m := menuModel(s, menuNow, menuSettings{PrivacyURL: url}); m.Icon == icon.Attention || m.Privacy.Label != "" {
		t.Errorf("with only rescanned folders: icon %v, privacy line %+v", m.Icon, m.Privacy)
	}
}

func TestFailuresInPlainWords(t *testing.T) {
	tests := map[string]string{
		"open video /v/a.mp4: not a video that can be decoded":                        "not a video, or copied only in part: copy it again",
		"open video /v/a.mp4: the file is empty: not a video that can be decoded":     "the file is empty: copy it again",
		"open video /v/a.mp4: no video stream: not a video that can be decoded":       "no picture in it: a sound file, or not a video",
		"decode /v/a.mp4: no frame could be decoded: not a video that can be decoded": "no frame could be read: copied only in part? Copy it again",
		"write /v/a.mp4.au.csv: no space left on device":                              "the disk is full: make room, then Retry",
		"create output beside /v/a.mp4.au.csv: open /v/.a: permission denied":         "auwatchd may not write in its folder: allow it, then Retry",
		"create output beside /v/a.mp4.au.csv: open /v/.a: operation not permitted":   "auwatchd may not use its folder: allow it in Privacy & Security, then Retry",
		"process /v/a.mp4: stat /v/a.mp4: no such file or directory":                  "the file is gone: moved or deleted before it was measured",
		"decode /v/a.mp4: frame 12: read /v/a.mp4: input/output error":                "the disk could not be read: check it, then Retry",
		"process /v/a.mp4: the video has no frames":                                   "no frame could be read: copy it again",
		"crashed the worker 3 times":                                                  "stopped auwatchd three times: send it to the developers",
		"/v/a.mp4.au.csv already exists and auwatchd did not write it; move it…":      "a file of the CSV's name is in the way: move it, then Retry",
		"something nobody foresaw":                                                    "",
	}
	for err, want := range tests {
		if got := plainReason(err); got != want {
			t.Errorf("plainReason(%q) = %q, want %q", err, got, want)
		}
	}
	if e := failedEntry(store.Job{Path: "/v/odd.mp4", Error: "/v/odd.mp4: something nobody foresaw"}); e.Label != "odd.mp4 — odd.mp4: something nobody foresaw" {
		t.Errorf("an unlisted failure reads %q", e.Label)
	}
}

// TestMenuModelLists checks the lines listing videos and folders.
func TestMenuModelLists(t *testing.T) {
	done := func(id int64, path string, ago time.Duration) store.DoneJob {
		return store.DoneJob{Job: store.Job{ID: id, Path: path, State: store.Done, OutputPath: path + ".au.csv", FinishedAt: menuNow.Add(-ago)}}
	}
	doneLine := func(id int64, label, csv string) MenuEntry {
		return MenuEntry{Label: label, Tooltip: "CSV: " + csv, Open: reveal(csv), Job: id}
	}
	const header = "Recently measured — the CSV is beside each video"
	tests := []struct {
		name   string
		status store.Status
		home   string
		want   MenuModel
	}{
		{
			name:   "nothing to list",
			status: store.Status{},
			want:   MenuModel{},
		},
		{
			name: "finished videos: newest first, at most five, with their age; a click shows the CSV",
			status: store.Status{Counts: store.Counts{Done: 7}, RecentDone: []store.DoneJob{
				done(7, "/v/g.mp4", 10*time.Second), done(6, "/v/f.mp4", 5*time.Minute), done(5, "/v/e.mp4", 3*time.Hour),
				done(4, "/v/d.mp4", 30*time.Hour), done(3, "/v/c.mp4", 72*time.Hour), done(2, "/v/b.mp4", 80*time.Hour),
			}},
			want: MenuModel{DoneHeader: header, Done: []MenuEntry{
				doneLine(7, "g.mp4 · just now", "/v/g.mp4.au.csv"),
				doneLine(6, "f.mp4 · 5 min ago", "/v/f.mp4.au.csv"),
				doneLine(5, "e.mp4 · 3 h ago", "/v/e.mp4.au.csv"),
				doneLine(4, "d.mp4 · yesterday", "/v/d.mp4.au.csv"),
				doneLine(3, "c.mp4 · 11 Mar", "/v/c.mp4.au.csv"),
			}},
		},
		{
			name: "finished videos say how many frames they had and in how many a face was found",
			status: store.Status{Counts: store.Counts{Done: 3}, RecentDone: []store.DoneJob{
				{Job: done(3, "/v/c.mp4", time.Minute).Job, Frames: 1204, FaceFrames: 1190},
				{Job: done(2, "/v/b.mp4", time.Minute).Job, Frames: 300, FaceFrames: 300},
				{Job: done(1, "/v/a.mp4", time.Minute).Job, Frames: 1, FaceFrames: 0},
			}},
			want: MenuModel{DoneHeader: header, Done: []MenuEntry{
				doneLine(3, "c.mp4 · 1 min ago · 1204 frames, a face in 1190", "/v/c.mp4.au.csv"),
				doneLine(2, "b.mp4 · 1 min ago · 300 frames, a face in all", "/v/b.mp4.au.csv"),
				doneLine(1, "a.mp4 · 1 min ago · 1 frame, no face found", "/v/a.mp4.au.csv"),
			}},
		},
		{
			name: "failed videos with their reasons and Retry; a click shows the video",
			status: store.Status{Counts: store.Counts{Failed: 2}, RecentFailed: []store.Job{
				failedJob(9, "/v/lab/x.wmv", "/v/lab/x.wmv.au.csv already exists and auwatchd did not write it; move it away and retry", time.Minute),
				failedJob(8, "/v/notes.mp4", "open /v/notes.mp4: not a video\nffmpeg said: invalid data", 2*time.Hour),
			}},
			want: MenuModel{
				Icon: icon.Attention,
				Failed: []MenuEntry{
					{
						Label:   "x.wmv — a file of the CSV's name is in the way: move it, then Retry",
						Tooltip: "/v/lab/x.wmv.au.csv already exists and auwatchd did not write it; move it away and retry",
						Open:    reveal("/v/lab/x.wmv"),
						Job:     9,
					},
					{Label: "notes.mp4 — open notes.mp4: not a video", Tooltip: "open /v/notes.mp4: not a video ffmpeg said: invalid data", Open: reveal("/v/notes.mp4"), Job: 8},
				},
				Retry: "Retry 2 failed videos",
			},
		},
		{
			name: "more failures than lines: Retry counts them all",
			status: store.Status{Counts: store.Counts{Failed: 1}, RecentFailed: []store.Job{
				failedJob(1, "/v/a.mp4", "no frames", 30*time.Hour),
			}},
			want: MenuModel{
				Failed: []MenuEntry{{Label: "a.mp4 — no frames", Tooltip: "no frames", Open: reveal("/v/a.mp4"), Job: 1}},
				Retry:  "Retry 1 failed video",
			},
		},
		{
			name:   "folders: under the home folder shown with ~, long paths cut from the left",
			status: store.Status{Folders: watching("/home/ana/AUWatch", "/home/ana", "/mnt/lab-share/studies/2026/facial-paralysis/follow-up/videos", "/home/anabel")},
			home:   "/home/ana",
			want: MenuModel{Folders: []MenuEntry{
				{Label: "Open ~/AUWatch", Tooltip: "/home/ana/AUWatch", Open: folder("/home/ana/AUWatch")},
				{Label: "Open ~", Tooltip: "/home/ana", Open: folder("/home/ana")},
				{Label: "Open …/2026/facial-paralysis/follow-up/videos", Tooltip: "/mnt/lab-share/studies/2026/facial-paralysis/follow-up/videos", Open: folder("/mnt/lab-share/studies/2026/facial-paralysis/follow-up/videos")},
				{Label: "Open /home/anabel", Tooltip: "/home/anabel", Open: folder("/home/anabel")},
			}},
		},
		{
			name:   "more folders than lines",
			status: store.Status{Folders: watching("/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9", "/10")},
			want: MenuModel{
				Folders: []MenuEntry{
					{Label: "Open /1", Tooltip: "/1", Open: folder("/1")}, {Label: "Open /2", Tooltip: "/2", Open: folder("/2")},
					{Label: "Open /3", Tooltip: "/3", Open: folder("/3")}, {Label: "Open /4", Tooltip: "/4", Open: folder("/4")},
					{Label: "Open /5", Tooltip: "/5", Open: folder("/5")}, {Label: "Open /6", Tooltip: "/6", Open: folder("/6")},
					{Label: "Open /7", Tooltip: "/7", Open: folder("/7")}, {Label: "Open /8", Tooltip: "/8", Open: folder("/8")},
				},
				MoreFolders: "2 more — see auwatchd folders",
			},
		},
		{
			name: "control characters in a file name do not break the line",
			status: store.Status{RecentDone: []store.DoneJob{
				{Job: store.Job{ID: 1, Path: "/v/two\nlines.mp4", OutputPath: "/v/two\nlines.mp4.au.csv"}},
			}},
			want: MenuModel{DoneHeader: header, Done: []MenuEntry{doneLine(1, "two lines.mp4", "/v/two\nlines.mp4.au.csv")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := menuModel(tt.status, menuNow, menuSettings{UserHome: tt.home})
			got := MenuModel{Icon: m.Icon, DoneHeader: m.DoneHeader, Done: m.Done, Failed: m.Failed, Retry: m.Retry, Folders: m.Folders, MoreFolders: m.MoreFolders}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMenuModelSettings(t *testing.T) {
	tests := []struct {
		status                    store.Status
		set                       menuSettings
		notifications, everyFrame bool
		login                     loginState
	}{
		{store.Status{}, menuSettings{}, false, false, loginHidden},
		{store.Status{}, menuSettings{Notifications: true, Login: loginOff}, true, false, loginOff},
		{store.Status{}, menuSettings{Notifications: true, Login: loginOn}, true, false, loginOn},
		{store.Status{EveryFrame: true}, menuSettings{Login: loginOff}, false, true, loginOff},
	}
	for _, tt := range tests {
		m := menuModel(tt.status, menuNow, tt.set)
		if m.Notifications != tt.notifications || m.EveryFrame != tt.everyFrame || m.Login != tt.login {
			t.Errorf("settings %+v: notifications %v, every frame %v, login %v", tt.set, m.Notifications, m.EveryFrame, m.Login)
		}
	}
}

func TestShortenKeepsWidthAndEnds(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"interview.mp4", 36, "interview.mp4"},
		{"abcdefghij.mp4", 14, "abcdefghij.mp4"},
		{"abcdefghijk.mp4", 14, "abcdefghi….mp4"},
		{"ééééééééééééééééééééé.mov", 12, "ééééééé….mov"},
		{"tab\there.mp4", 36, "tab here.mp4"},
	}
	for _, tt := range tests {
		got := shorten(tt.in, tt.width)
		if got != tt.want || utf8.RuneCountInString(got) > tt.width {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestClipKeepsTheFirstLine(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"no frames", 20, "no frames"},
		{"  decode error\nat frame 12  ", 20, "decode error"},
		{"a reason far too long to fit", 10, "a reason …"},
		{"", 10, ""},
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.width); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestTimeAgo(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, ""},
		{menuNow.Add(time.Minute), "just now"}, // a clock set back
		{menuNow.Add(-59 * time.Second), "just now"},
		{menuNow.Add(-time.Minute), "1 min ago"},
		{menuNow.Add(-59 * time.Minute), "59 min ago"},
		{menuNow.Add(-time.Hour), "1 h ago"},
		{menuNow.Add(-23 * time.Hour), "23 h ago"},
		{menuNow.Add(-24 * time.Hour), "yesterday"},
		{menuNow.Add(-48 * time.Hour), "12 Mar"},
	}
	for _, tt := range tests {
		if got := timeAgo(menuNow, tt.at); got != tt.want {
			t.Errorf("timeAgo(%v) = %q, want %q", menuNow.Sub(tt.at), got, tt.want)
		}
	}
}

func TestMenuLinesStayNarrow(t *testing.T) {
	long := strings.Repeat("very-long-name-", 20)
	s := store.Status{
		Running:      running("/v/"+long+".mp4", 0.3),
		Counts:       store.Counts{Running: 1, Queued: 12345, Failed: 1},
		RecentDone:   []store.DoneJob{{Job: store.Job{ID: 1, Path: "/v/" + long + ".mp4", OutputPath: "/v/" + long + ".mp4.au.csv", FinishedAt: menuNow}, Frames: 123456, FaceFrames: 123450}},
		RecentFailed: []store.Job{failedJob(2, "/v/"+long+".mov", strings.Repeat("why ", 100), time.Minute)},
		Folders:      watching("/" + strings.Repeat("deep/", 40)),
	}
	m := menuModel(s, menuNow, menuSettings{})
	lines := []string{m.Status, m.Tooltip, m.Done[0].Label, m.Failed[0].Label, m.Folders[0].Label}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("line of %d runes: %q", n, l)
		}
	}
}

// A finished video's line opens its report, or, without one, shows its CSV.
func TestDoneLineOpensTheReport(t *testing.T) {
	s := store.Status{RecentDone: []store.DoneJob{{Job: store.Job{Path: "/v/a.mov", OutputPath: "/v/a.mov.au.csv"}}}}
	report := func(csv string) string { return strings.TrimSuffix(csv, ".csv") + ".html" }
	m := menuModel(s, menuNow, menuSettings{ReportPath: report})
	want := []Target{{Path: "/v/a.mov.au.html"}, {Path: "/v/a.mov.au.csv", Reveal: true}}
	if got := m.Done[0].Open; !slices.Equal(got, want) {
		t.Errorf("with reports: opens %v, want %v", got, want)
	}
	if got := menuModel(s, menuNow, menuSettings{}).Done[0].Open; !slices.Equal(got, want[1:]) {
		t.Errorf("without reports: opens %v, want %v", got, want[1:])
	}
}
