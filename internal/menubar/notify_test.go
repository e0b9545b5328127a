package menubar

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/store"
)

func TestNoticeTracker(t *testing.T) {
	at := func(minute int) time.Time { return menuNow.Add(time.Duration(minute) * time.Minute) }
	fail := func(id int64, name string, minute int) store.Job {
		return store.Job{ID: id, Path: "/v/" + name, State: store.Failed, Error: "no frames in /v/" + name, FinishedAt: at(minute)}
	}
	done := func(id int64, minute int) store.DoneJob {
		return store.DoneJob{Job: store.Job{ID: id, Path: "/v/x.mp4", State: store.Done, FinishedAt: at(minute)}}
	}
	idle := func(done, failed int, recent ...store.Job) store.Status {
		return store.Status{Counts: store.Counts{Done: done, Failed: failed}, RecentFailed: recent}
	}
	busy := func(done, failed, queued int, recent ...store.Job) store.Status {
		s := idle(done, failed, recent...)
		s.Running, s.Counts.Running, s.Counts.Queued = running("/v/x.mp4", 0.5), 1, queued
		return s
	}
	tests := []struct {
		name     string
		statuses []store.Status
		want     [][]notice // per status
	}{
		{
			name:     "what happened before the start is not news",
			statuses: []store.Status{idle(5, 1, fail(1, "a.mp4", 0))},
			want:     [][]notice{nil},
		},
		{
			name:     "a batch of three drains",
			statuses: []store.Status{idle(0, 0), busy(0, 0, 2), busy(1, 0, 1), busy(2, 0, 0), idle(3, 0)},
			want:     [][]notice{nil, nil, nil, nil, {{"auwatchd: batch finished", "3 videos measured; each CSV is beside its video"}}},
		},
		{
			name:     "one video, finished between two looks",
			statuses: []store.Status{idle(4, 0), idle(5, 0), idle(5, 0)},
			want:     [][]notice{nil, {{"auwatchd: batch finished", "1 video measured; each CSV is beside its video"}}, nil},
		},
		{
			name:     "started mid-batch: counts from the start",
			statuses: []store.Status{busy(10, 0, 3), busy(11, 0, 2), idle(14, 0)},
			want:     [][]notice{nil, nil, {{"auwatchd: batch finished", "4 videos measured; each CSV is beside its video"}}},
		},
		{
			name: "a failure mid-batch, then the batch",
			statuses: []store.Status{
				idle(0, 0), busy(0, 0, 2), busy(1, 1, 0, fail(2, "b.mp4", 1)), idle(2, 1, fail(2, "b.mp4", 1)),
			},
			want: [][]notice{nil, nil,
				{{"auwatchd: a video failed", "b.mp4: no frames in b.mp4"}},
				{{"auwatchd: batch finished", "2 videos measured, 1 failed; each CSV is beside its video"}},
			},
		},
		{
			name:     "a batch where every video failed: the failures say it all",
			statuses: []store.Status{idle(3, 0), busy(3, 0, 0), idle(3, 1, fail(9, "c.mp4", 2))},
			want:     [][]notice{nil, nil, {{"auwatchd: a video failed", "c.mp4: no frames in c.mp4"}}},
		},
		{
			name: "a retried video that fails again is news again",
			statuses: []store.Status{
				idle(0, 1, fail(1, "a.mp4", 0)), busy(0, 0, 0), idle(0, 1, fail(1, "a.mp4", 5)),
			},
			want: [][]notice{nil, nil, {{"auwatchd: a video failed", "a.mp4: no frames in a.mp4"}}},
		},
		{
			name: "many failures at once: one notice counts them",
			statuses: []store.Status{
				idle(0, 0), idle(0, 4, fail(4, "d", 1), fail(3, "c", 1), fail(2, "b", 1), fail(1, "a", 1)),
			},
			want: [][]notice{nil, {{"auwatchd: 4 videos failed", "The menu lists them with the reasons; `auwatchd status` too."}}},
		},
		{
			name:     "paused with a queue: not finished",
			statuses: []store.Status{idle(0, 0), busy(0, 0, 3), {Paused: true, Counts: store.Counts{Done: 1, Queued: 3}}},
			want:     [][]notice{nil, nil, nil},
		},
		{
			name: "one video with its CSV: the notice names both",
			statuses: []store.Status{
				idle(0, 0),
				{Counts: store.Counts{Done: 1}, RecentDone: []store.DoneJob{{
					Job:    store.Job{ID: 1, Path: "/v/interview.mp4", OutputPath: "/v/interview.mp4.au.csv", FinishedAt: at(1)},
					Frames: 900, FaceFrames: 880,
				}}},
			},
			want: [][]notice{nil, {{"auwatchd: interview.mp4 measured", "CSV: /v/interview.mp4.au.csv (900 frames, a face in 880)"}}},
		},
		{
			name: "not a video, in plain words",
			statuses: []store.Status{idle(0, 0), idle(0, 1, store.Job{ID: 4, Path: "/v/notes.mp4", State: store.Failed,
				Error: "open video /v/notes.mp4: not a video that can be decoded", FinishedAt: at(1)})},
			want: [][]notice{nil, {{"auwatchd: a video failed", "notes.mp4: not a video, or copied only in part: copy it again"}}},
		},
		{
			name: "a done video queued again because it changed",
			statuses: []store.Status{
				{Counts: store.Counts{Done: 2}, RecentDone: []store.DoneJob{done(2, 0), done(1, 0)}},
				{Counts: store.Counts{Done: 1, Running: 1}, Running: running("/v/2.mp4", 0.1), RecentDone: []store.DoneJob{done(1, 0)}},
				{Counts: store.Counts{Done: 2}, RecentDone: []store.DoneJob{done(2, 3), done(1, 0)}},
			},
			want: [][]notice{nil, nil, {{"auwatchd: batch finished", "1 video measured; each CSV is beside its video"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr noticeTracker
			for i, s := range tt.statuses {
				if got := tr.observe(s); !reflect.DeepEqual(got, tt.want[i]) {
					t.Errorf("status %d: got %q, want %q", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestUnchangedNotice(t *testing.T) {
	one := unchangedNotice([]store.Job{{ID: 1, Path: "/v/notes.mp4"}})
	if one.Title != "auwatchd: notes.mp4 not retried" || !strings.Contains(one.Body, "copy it again") {
		t.Errorf("one file: %+v", one)
	}
	two := unchangedNotice([]store.Job{{ID: 1, Path: "/v/a.mp4"}, {ID: 2, Path: "/v/b.mp4"}})
	if two.Title != "auwatchd: 2 videos not retried" || !strings.Contains(two.Body, "copy them again") || !strings.HasSuffix(two.Body, "a.mp4, b.mp4") {
		t.Errorf("two files: %+v", two)
	}
}

func TestNoticeArgsCarryTheTextAsArguments(t *testing.T) {
	n := notice{Title: "auwatchd: a video failed", Body: `-x "quoted" & end tell.mp4: no frames`}
	args := noticeArgs(n)
	if args == nil {
		t.Fatal("no notification helper found (notify-send on Linux: scripts/deps.sh installs libnotify-bin)")
	}
	if got := args[len(args)-2:]; got[0] != n.Title || got[1] != n.Body {
		t.Errorf("the last arguments are %q, want the title and body as they are", got)
	}
	for _, a := range args[:len(args)-2] {
		if strings.Contains(a, "quoted") {
			t.Errorf("the body leaked into %q", a)
		}
	}
}

// The batch notice says where the reports are while the daemon writes them.
func TestBatchNoticeSaysWhereReportsAre(t *testing.T) {
	done := []store.DoneJob{{Job: store.Job{Path: "/v/b.mp4", OutputPath: "/v/b.mp4.au.csv"}}, {Job: store.Job{Path: "/v/a.mp4", OutputPath: "/v/a.mp4.au.csv"}}}
	for _, c := range []struct {
		status   store.Status
		measured int
		want     string
	}{
		{store.Status{Report: true, RecentDone: done}, 1, "CSV: /v/b.mp4.au.csv\nReport: /v/b.mp4.au.html"},
		{store.Status{Report: true, RecentDone: done}, 2, "2 videos measured; each CSV is beside its video\nReports: beside each CSV"},
		{store.Status{Report: false, RecentDone: done}, 1, "CSV: /v/b.mp4.au.csv"},
	} {
		tracker := noticeTracker{reportPath: func(csv string) string { return strings.TrimSuffix(csv, ".csv") + ".html" }}
		if got := tracker.batch(c.status, c.measured); got.Body != c.want {
			t.Errorf("report %v, %d measured: body %q, want %q", c.status.Report, c.measured, got.Body, c.want)
		}
	}
}
