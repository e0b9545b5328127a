package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatus(t *testing.T) {
	f := newFixture(t)
	empty, err := f.s.Status(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Running) != 0 || empty.Workers != AutoWorkers || empty.Watcher != "" || len(empty.RecentDone) != 0 || empty.Counts != (Counts{}) || empty.Paused {
		t.Fatalf("empty store status %+v", empty)
	}

	for i := range RecentLimit + 2 {
		v := f.video(fmt.Sprintf("done%02d.mp4", i), fmt.Sprint("done", i))
		f.enqueue(v)
		f.complete(f.claim(v.Path).ID, 1)
	}
	for i := range 2 {
		v := f.video(fmt.Sprintf("failed%d.mp4", i), fmt.Sprint("failed", i))
		f.enqueue(v)
		if _, err := f.s.Fail(f.ctx, f.claim(v.Path).ID, fmt.Sprintf("cannot decode %s", v.Path), Final); err != nil {
			t.Fatal(err)
		}
	}
	running := f.video("running.mp4", "running")
	f.enqueue(running)
	if err := f.s.Progress(f.ctx, f.claim(running.Path).ID, 0.25); err != nil {
		t.Fatal(err)
	}
	second := f.video("second.mp4", "second")
	f.enqueue(second)
	f.claim(second.Path)
	f.enqueue(f.video("queued1.mp4", "q1"))
	f.enqueue(f.video("queued2.mp4", "q2"))
	if err := f.s.SetPaused(f.ctx, true); err != nil {
		t.Fatal(err)
	}

	st, err := f.s.Status(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{Queued: 2, Running: 2, Done: RecentLimit + 2, Failed: 2}); st.Counts != want {
		t.Errorf("counts %+v, want %+v", st.Counts, want)
	}
	if !st.Paused {
		t.Error("not paused")
	}
	if len(st.Running) != 2 || st.Running[0].Path != running.Path || st.Running[0].Progress != 0.25 ||
		st.Running[1].Path != second.Path {
		t.Errorf("running %+v, want %s at 0.25, then %s", st.Running, running.Path, second.Path)
	}
	if len(st.RecentDone) != RecentLimit || filepath.Base(st.RecentDone[0].Path) != "done11.mp4" ||
		filepath.Base(st.RecentDone[RecentLimit-1].Path) != "done02.mp4" || st.RecentDone[0].OutputPath == "" {
		t.Errorf("recent done %v", paths(st.RecentDone, func(j DoneJob) string { return j.Path }))
	}
	if len(st.RecentFailed) != 2 || filepath.Base(st.RecentFailed[0].Path) != "failed1.mp4" ||
		!strings.Contains(st.RecentFailed[0].Error, "cannot decode") {
		t.Errorf("recent failed %v", paths(st.RecentFailed, func(j Job) string { return j.Path }))
	}
	if len(st.Folders) != 1 || st.Folders[0] != f.folder {
		t.Errorf("folders %+v, want %+v", st.Folders, f.folder)
	}

	encoded, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"paused":true`, `"queued":2`, `"progress":0.25`, `"output_path":`, `"error":"cannot decode`} {
		if !strings.Contains(string(encoded), key) {
			t.Errorf("JSON status lacks %s: %s", key, encoded)
		}
	}
}

func paths[J any](jobs []J, path func(J) string) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, filepath.Base(path(j)))
	}
	return out
}

func TestSettingsAreShared(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	daemon, cli := openStore(t, path), openStore(t, path)

	if paused, err := daemon.Paused(ctx); err != nil || paused {
		t.Fatalf("paused by default: %v, %v", paused, err)
	}
	if on, err := daemon.Notifications(ctx); err != nil || !on {
		t.Fatalf("notifications by default: %v, %v", on, err)
	}
	if everyFrame, err := daemon.EveryFrame(ctx); err != nil || everyFrame {
		t.Fatalf("every-frame mode by default: %v, %v", everyFrame, err)
	}
	if _, ok, err := daemon.Setting(ctx, "missing"); ok || err != nil {
		t.Fatalf("missing setting: ok=%v, %v", ok, err)
	}
	steps := []struct {
		set                       func() error
		paused, notif, everyFrame bool
	}{
		{func() error { return cli.SetPaused(ctx, true) }, true, true, false},
		{func() error { return cli.SetNotifications(ctx, false) }, true, false, false},
		{func() error { return cli.SetEveryFrame(ctx, true) }, true, false, true},
		{func() error { return cli.SetPaused(ctx, false) }, false, false, true},
		{func() error { return cli.SetEveryFrame(ctx, false) }, false, false, false},
	}
	for i, st := range steps {
		if err := st.set(); err != nil {
			t.Fatal(err)
		}
		paused, err1 := daemon.Paused(ctx)
		notif, err2 := daemon.Notifications(ctx)
		everyFrame, err3 := daemon.EveryFrame(ctx)
		if err := errors.Join(err1, err2, err3); err != nil || paused != st.paused || notif != st.notif || everyFrame != st.everyFrame {
			t.Errorf("step %d: paused %v notifications %v every frame %v (%v), want %v %v %v", i, paused, notif, everyFrame, err, st.paused, st.notif, st.everyFrame)
		}
	}
	if err := cli.SetSetting(ctx, SettingPaused, "sometimes"); err != nil {
		t.Fatal(err)
	}
	if _, err := daemon.Paused(ctx); err == nil {
		t.Error("a paused setting that is not a boolean was accepted")
	}
	if v, ok, err := daemon.Setting(ctx, SettingPaused); err != nil || !ok || v != "sometimes" {
		t.Errorf("raw setting %q, %v, %v", v, ok, err)
	}
}

func TestWorkersAndWatcherSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	daemon, cli := openStore(t, path), openStore(t, path)
	if n, err := daemon.Workers(ctx); err != nil || n != AutoWorkers {
		t.Fatalf("workers by default: %d, %v", n, err)
	}
	for _, n := range []int{3, AutoWorkers, 1} {
		if err := cli.SetWorkers(ctx, n); err != nil {
			t.Fatal(err)
		}
		if got, err := daemon.Workers(ctx); err != nil || got != n {
			t.Errorf("workers %d, %v; want %d", got, err, n)
		}
	}
	if err := cli.SetWorkers(ctx, -1); err == nil {
		t.Error("-1 workers accepted")
	}
	for _, bad := range []string{"0", "many", "-2"} {
		if err := cli.SetSetting(ctx, SettingWorkers, bad); err != nil {
			t.Fatal(err)
		}
		if _, err := daemon.Workers(ctx); err == nil {
			t.Errorf("workers setting %q accepted", bad)
		}
	}
	if err := cli.SetWorkers(ctx, 2); err != nil {
		t.Fatal(err)
	}

	const problem = "cannot watch /videos: too many open files"
	if err := daemon.SetWatcherProblem(ctx, problem); err != nil {
		t.Fatal(err)
	}
	st, err := cli.Status(ctx)
	if err != nil || st.Watcher != problem || st.Workers != 2 {
		t.Fatalf("status watcher %q workers %d (%v), want %q and 2", st.Watcher, st.Workers, err, problem)
	}
	if err := daemon.SetWatcherProblem(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if st, err := cli.Status(ctx); err != nil || st.Watcher != "" {
		t.Fatalf("status watcher %q (%v) after it recovered", st.Watcher, err)
	}
}

func TestFolderHealth(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), FileName))
	for _, p := range []string{"/v/a", "/v/b", "/v/c"} {
		if _, err := s.AddFolder(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	health := func() map[string]FolderHealth {
		t.Helper()
		st, err := s.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]FolderHealth{}
		for _, f := range st.Folders {
			got[f.Path] = FolderHealth{f.Health, f.Rescanned}
		}
		return got
	}
	want := map[string]FolderHealth{"/v/a": {Health: FolderMissing}, "/v/b": {Health: CannotRead("permission denied")}, "/v/c": {Rescanned: 4873}}
	set := maps.Clone(want)
	set["/elsewhere"] = FolderHealth{Health: FolderMissing}
	if err := s.SetFolderHealth(ctx, set); err != nil {
		t.Fatal(err)
	}
	if got := health(); !maps.Equal(got, want) {
		t.Errorf("health %v, want %v", got, want)
	}
	if err := s.SetFolderHealth(ctx, map[string]FolderHealth{"/v/b": {Health: CannotRead("permission denied")}}); err != nil {
		t.Fatal(err)
	}
	want["/v/a"], want["/v/c"] = FolderHealth{}, FolderHealth{}
	if got := health(); !maps.Equal(got, want) {
		t.Errorf("after /v/a came back and /v/c is watched in full: %v, want %v", got, want)
	}
}

// Reports and their thumbnails are on until turned off, and what one process
// sets, another reads, in the settings and in the status.
func TestReportSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	daemon, cli := openStore(t, path), openStore(t, path)
	for i, st := range []struct {
		set           func() error
		report, faces bool
	}{
		{func() error { return nil }, true, true},
		{func() error { return cli.SetThumbnails(ctx, false) }, true, false},
		{func() error { return cli.SetReport(ctx, false) }, false, false},
		{func() error { return cli.SetThumbnails(ctx, true) }, false, true},
		{func() error { return cli.SetReport(ctx, true) }, true, true},
	} {
		if err := st.set(); err != nil {
			t.Fatal(err)
		}
		report, err1 := daemon.Report(ctx)
		faces, err2 := daemon.Thumbnails(ctx)
		status, err3 := daemon.Status(ctx)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		if report != st.report || faces != st.faces || status.Report != st.report || status.Thumbnails != st.faces {
			t.Errorf("step %d: report %v/%v thumbnails %v/%v, want %v %v", i, report, status.Report, faces, status.Thumbnails, st.report, st.faces)
		}
	}
	if err := cli.SetSetting(ctx, SettingReport, "maybe"); err != nil {
		t.Fatal(err)
	}
	if _, err := daemon.Report(ctx); err == nil {
		t.Error("a report setting that is not a boolean was accepted")
	}
}
