package store

import (
	"database/sql"
	"errors"
	"math"
	"slices"
	"testing"
)

func TestCompleteReplacesResultsInOneTransaction(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	f.enqueue(v)
	j := f.claim(v.Path)

	broken := testResult(j.ID, 300, testAUNames)
	frames := testFrames(j.ID, 300, len(testAUNames))
	frames[150].Values = frames[150].Values[:3]
	broken.Frames = slices.Values(frames)
	if err := f.s.Complete(f.ctx, j.ID, broken); err == nil {
		t.Fatal("a result with a short frame was accepted")
	}

	tests := []struct {
		name   string
		frames int
		rerun  func() Job // puts the video back to running
	}{
		{"first run", 300, func() Job { return j }},
		{"after the video changed", 120, func() Job {
			f.enqueue(f.video("a.mp4", "new frames"))
			return f.claim(v.Path)
		}},
	}
	for _, tt := range tests {
		running := tt.rerun()
		if n := f.count("frames", running.ID) + f.count("frame_aus", running.ID) + f.count("summaries", running.ID); n != 0 {
			t.Fatalf("%s: %d result rows before Complete, want 0", tt.name, n)
		}
		f.complete(running.ID, tt.frames)
		counts := map[string]int{
			"frames":      tt.frames,
			"frame_aus":   tt.frames * len(testAUNames),
			"summaries":   1,
			"summary_aus": len(testAUNames),
		}
		for table, want := range counts {
			if got := f.count(table, running.ID); got != want {
				t.Errorf("%s: %d rows in %s, want %d", tt.name, got, table, want)
			}
		}
	}
}

func TestCompleteStoresValues(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	f.enqueue(v)
	j := f.claim(v.Path)
	r := testResult(j.ID, 40, testAUNames)
	frames := testFrames(j.ID, 40, len(testAUNames))
	frames[3].Values[2] = math.NaN()
	r.Frames = slices.Values(frames)
	r.Summary.EveryFrame = true
	if err := f.s.Complete(f.ctx, j.ID, r); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		frame int
		au    string
		want  sql.NullFloat64
	}{
		{1, "AU01_r", sql.NullFloat64{Float64: frames[0].Values[0], Valid: true}},
		{7, "AU12_r", sql.NullFloat64{Float64: frames[6].Values[8], Valid: true}},
		{40, "AU45_r", sql.NullFloat64{Float64: frames[39].Values[16], Valid: true}},
		{4, "AU04_r", sql.NullFloat64{}}, // NaN is stored as NULL
	}
	for _, tt := range tests {
		var got sql.NullFloat64
		var ts float64
		var success bool
		err := f.s.db.QueryRow(`SELECT value, timestamp, success FROM frame_au_values WHERE job_id = ? AND frame = ? AND au = ?`,
			j.ID, tt.frame, tt.au).Scan(&got, &ts, &success)
		if err != nil {
			t.Fatalf("frame %d %s: %v", tt.frame, tt.au, err)
		}
		src := frames[tt.frame-1]
		if got != tt.want || ts != src.Timestamp || success != src.Success {
			t.Errorf("frame %d %s: %v at %v success %v, want %v at %v success %v",
				tt.frame, tt.au, got, ts, success, tt.want, src.Timestamp, src.Success)
		}
	}
	var frameCount, successful int
	var fps, mean, maxValue float64
	var everyFrame bool
	err := f.s.db.QueryRow(`SELECT s.frames, s.successful_frames, s.fps, s.every_frame, a.mean, a.max
		FROM summaries s JOIN summary_aus a USING (job_id) WHERE job_id = ? AND a.au = 'AU06_r'`, j.ID).
		Scan(&frameCount, &successful, &fps, &everyFrame, &mean, &maxValue)
	if err != nil {
		t.Fatal(err)
	}
	want := r.Summary
	if frameCount != want.Frames || successful != want.Successful || fps != want.FPS || everyFrame != want.EveryFrame || mean != want.AUs[4].Mean || maxValue != want.AUs[4].Max {
		t.Errorf("summary %d %d %v every frame %v %v %v, want %+v", frameCount, successful, fps, everyFrame, mean, maxValue, want)
	}
	var synchronous int
	if err := f.s.db.QueryRow(`PRAGMA synchronous`).Scan(&synchronous); err != nil || synchronous != 1 {
		t.Errorf("synchronous after Complete is %d, %v; want 1 (NORMAL)", synchronous, err)
	}
}

func TestCompleteWithoutFrames(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	f.enqueue(v)
	j := f.claim(v.Path)
	if err := f.s.Complete(f.ctx, j.ID, Result{OutputPath: "/o.csv", Summary: Summary{Frames: 0}}); err != nil {
		t.Fatal(err)
	}
	if got := f.job(v.Path); got.State != Done || f.count("summaries", j.ID) != 1 || f.count("frames", j.ID) != 0 {
		t.Fatalf("job %+v", got)
	}
	if err := f.s.Complete(f.ctx, j.ID, Result{}); !errors.Is(err, ErrWrongState) {
		t.Fatalf("completing twice: %v, want ErrWrongState", err)
	}
}
