package store

import (
	"context"
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

// Import records a result measured elsewhere: a new video becomes a done
// job with its rows, a queued one is done without being measured, a second
// import replaces the rows, a running job is left to the daemon, and the
// daemon finding the same video unchanged has no new work.
func TestImportRecordsResultsMeasuredElsewhere(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	j, err := f.s.Import(f.ctx, 0, v, testResult(0, 30, testAUNames))
	if err != nil {
		t.Fatal(err)
	}
	if j.State != Done || j.FolderID != 0 || f.count("frames", j.ID) != 30 || f.count("summary_aus", j.ID) != len(testAUNames) {
		t.Fatalf("first import: %s in folder %d with %d frames, want done, no folder, 30 frames", j.State, j.FolderID, f.count("frames", j.ID))
	}
	again, err := f.s.Import(f.ctx, f.folder.ID, v, testResult(0, 12, testAUNames))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != j.ID || again.FolderID != f.folder.ID || f.count("frames", j.ID) != 12 {
		t.Errorf("second import: job %d in folder %d with %d frames, want job %d in folder %d with 12", again.ID, again.FolderID, f.count("frames", j.ID), j.ID, f.folder.ID)
	}
	if _, created := f.enqueue(v); created {
		t.Error("the daemon would measure an imported video again")
	}
	f.claimNothing()

	queued := f.video("b.mp4", "more frames")
	f.enqueue(queued)
	if j, err := f.s.Import(f.ctx, f.folder.ID, queued, testResult(0, 5, testAUNames)); err != nil || j.State != Done {
		t.Fatalf("import of a queued video: %v, %v", j.State, err)
	}
	f.claimNothing()

	running := f.video("c.mp4", "frames of c")
	f.enqueue(running)
	f.claim(running.Path)
	if _, err := f.s.Import(f.ctx, f.folder.ID, running, testResult(0, 5, testAUNames)); !errors.Is(err, ErrWrongState) {
		t.Errorf("import of a running video: %v, want ErrWrongState", err)
	}
}

// TestCompleteStoresGaze: each frame with a face keeps its gaze angles,
// a frame without one NULLs, and the summary their means.
func TestCompleteStoresGaze(t *testing.T) {
	f := newFixture(t)
	v := f.video("a.mp4", "frames")
	f.enqueue(v)
	j := f.claim(v.Path)
	r := testResult(j.ID, 40, testAUNames)
	frames := testFrames(j.ID, 40, len(testAUNames))
	r.Frames = slices.Values(frames)
	if err := f.s.Complete(f.ctx, j.ID, r); err != nil {
		t.Fatal(err)
	}
	for _, frame := range []int{1, 8} { // frame 1 has no face
		var x, y sql.NullFloat64
		err := f.s.db.QueryRow(`SELECT gaze_angle_x, gaze_angle_y FROM frame_gaze_values WHERE job_id = ? AND frame = ?`,
			j.ID, frame).Scan(&x, &y)
		src := frames[frame-1]
		want := [2]sql.NullFloat64{{Float64: src.Gaze[0], Valid: src.Success}, {Float64: src.Gaze[1], Valid: src.Success}}
		if err != nil || x != want[0] || y != want[1] {
			t.Errorf("frame %d: gaze %v %v (%v), want %v", frame, x, y, err, want)
		}
	}
	var mx, my float64
	err := f.s.db.QueryRow(`SELECT mean_gaze_angle_x, mean_gaze_angle_y FROM summaries WHERE job_id = ?`, j.ID).Scan(&mx, &my)
	if err != nil || [2]float64{mx, my} != *r.Summary.MeanGaze {
		t.Errorf("summary gaze %v %v (%v), want %v", mx, my, err, *r.Summary.MeanGaze)
	}
}

// TestGazeAfterUpgrade: results stored before gaze was measured read back
// with NULL gaze angles.
func TestGazeAfterUpgrade(t *testing.T) {
	db, path := openUnmigrated(t)
	const beforeGaze = 7
	if err := migrate(context.Background(), db, migrations[:beforeGaze]); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(`
		INSERT INTO jobs (id, path, state, created_at, updated_at) VALUES (1, '/v/a.mp4', 'done', 'x', 'x');
		INSERT INTO summaries (job_id, frames, successful_frames, fps, wall_seconds) VALUES (1, 1, 1, 30, 1);
		INSERT INTO frames (job_id, frame, timestamp, success) VALUES (1, 1, 0, 1);`)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openStore(t, path)
	var x, mean sql.NullFloat64
	if err := s.rdb.QueryRow(`SELECT gaze_angle_x FROM frame_gaze_values WHERE job_id = 1`).Scan(&x); err != nil || x.Valid {
		t.Errorf("gaze of an old frame: %v (%v), want NULL", x, err)
	}
	if err := s.rdb.QueryRow(`SELECT mean_gaze_angle_x FROM summaries WHERE job_id = 1`).Scan(&mean); err != nil || mean.Valid {
		t.Errorf("mean gaze of an old summary: %v (%v), want NULL", mean, err)
	}
}
