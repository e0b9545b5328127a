package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/aucompare"
	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
)

// reference pairs a sample video with OpenFace 2.2's own CSV for it; gaze
// says the CSV has the gaze and eye landmark columns.
type reference struct {
	video, csv string
	gaze       bool
}

var references = []reference{
	{"videos/default.wmv", "reference/openface-2.2-clnf/default.csv", false},
	{"videos/changeLighting.wmv", "reference/openface-2.2-clnf/changeLighting.csv", false},
	{"videos/subj01_timepoint01.mp4", "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv", true},
	{"videos/subj02_timepoint01.mp4", "reference/openface-2.2-ceclm/subj02_timepoint01_openface.csv", true},
}

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(Config{ModelDir: filepath.Join(testenv.RepoRoot(t), "models")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// processOnTrack runs the AU stages on OpenFace's own landmarks of ref.
func processOnTrack(t *testing.T, e *Engine, ref reference, opt Options) (string, Summary) {
	t.Helper()
	track, err := csvout.ReadTrack(testenv.TestdataPath(t, ref.csv))
	if err != nil {
		t.Fatal(err)
	}
	opt.Track = track
	video := testenv.TestdataPath(t, ref.video)
	out := OutputPath(video, t.TempDir())
	sum, err := e.Process(context.Background(), video, out, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out, sum
}

// TestAUsOnOpenFaceLandmarks holds the AU stages to OpenFace 2.2's own
// output when given OpenFace's landmarks: any difference is ours.
func TestAUsOnOpenFaceLandmarks(t *testing.T) {
	e := newTestEngine(t)
	for _, ref := range references {
		t.Run(filepath.Base(ref.video), func(t *testing.T) {
			out, sum := processOnTrack(t, e, ref, Options{})
			rep, err := aucompare.Files(out, testenv.TestdataPath(t, ref.csv))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d frames at %.0f frames/s\n%s", sum.Frames, sum.FPS(), rep)
			if rep.Frames != sum.Frames || sum.Successful != sum.Frames {
				t.Errorf("compared %d of %d frames, %d successful", rep.Frames, sum.Frames, sum.Successful)
			}
			if rep.MeanR < 0.99 || rep.MinR < 0.97 || rep.MeanMAE > 0.03 || rep.MeanAgree < 0.98 {
				t.Errorf("below the bar (mean r ≥ 0.99, every AU ≥ 0.97, mean MAE ≤ 0.03, occurrence ≥ 0.98)")
			}
			if rep.PoseDegrees > 0.05 {
				t.Errorf("head rotation differs by %.3f°, want the track's own pose", rep.PoseDegrees)
			}
			checkTrackEyes(t, out, ref, rep, sum)
		})
	}
}

// checkTrackEyes: a track with OpenFace's eye landmarks gives them back and,
// through the gaze stage, OpenFace's gaze within the formula's bar; a track
// without them gets eyes fitted on the frames, and a gaze on every frame.
func checkTrackEyes(t *testing.T, out string, ref reference, rep *aucompare.Report, sum Summary) {
	t.Helper()
	if ref.gaze {
		g := rep.Gaze
		if sum.Eyes != EyesFromTrack || g == nil || g.EyeLandmarkPx > 0.01 || max(g.VectorDegrees[0], g.VectorDegrees[1]) > 0.4 {
			t.Errorf("eyes %v: %+v, want the CSV's eye landmarks and its gaze within 0.4°", sum.Eyes, g)
		}
		return
	}
	if sum.Eyes != EyesFittedToTrack {
		t.Errorf("eyes %v, want them fitted to the track", sum.Eyes)
	}
	tr, err := csvout.ReadTrack(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range tr.Frames {
		if f.Success && (!tr.HasEyes3D || f.EyeLandmarks[0] == 0 || f.EyeCamera[2*csvout.EyeLandmarkCount] == 0 || sum.Results.GazeAngles[i] == [2]float64{}) {
			t.Fatalf("frame %d has no eyes or no gaze", i+1)
		}
	}
}

// TestAUsFromTrackParams measures the alternative of feeding the tracker's
// parameters to the AU stage instead of fitting them as OpenFace does.
func TestAUsFromTrackParams(t *testing.T) {
	e := newTestEngine(t)
	for _, ref := range references {
		out, _ := processOnTrack(t, e, ref, Options{AUFromTrackParams: true})
		rep, err := aucompare.Files(out, testenv.TestdataPath(t, ref.csv))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s with the CSV's p_*: mean r %.3f, lowest %.3f, mean MAE %.3f", filepath.Base(ref.video), rep.MeanR, rep.MinR, rep.MeanMAE)
		if rep.MeanR < 0.97 {
			t.Errorf("%s: mean r %.3f with the CSV's parameters, want ≥ 0.97", ref.video, rep.MeanR)
		}
	}
}

func TestTrackMustMatchTheVideo(t *testing.T) {
	e := newTestEngine(t)
	track, err := csvout.ReadTrack(testenv.TestdataPath(t, "reference/openface-2.2-clnf/changeLighting.csv"))
	if err != nil {
		t.Fatal(err)
	}
	track.Frames = track.Frames[:50]
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	dir := t.TempDir()
	_, err = e.Process(context.Background(), video, OutputPath(video, dir), Options{Track: track}, nil)
	if err == nil || !strings.Contains(err.Error(), "more frames than the 50 of the landmarks track") || !strings.Contains(err.Error(), video) {
		t.Fatalf("want a frame-count error naming the video, got %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("files left behind after a failed run: %v", left)
	}
}

func TestCancelLeavesNoOutput(t *testing.T) {
	e := newTestEngine(t)
	track, err := csvout.ReadTrack(testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	video := testenv.TestdataPath(t, "videos/default.wmv")
	dir := t.TempDir()
	_, err = e.Process(ctx, video, OutputPath(video, dir), Options{Track: track}, func(p Progress) {
		if p.Frame == 20 {
			cancel()
		}
	})
	if err == nil || ctx.Err() == nil {
		t.Fatalf("want a cancellation error, got %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("files left behind after cancelling: %v", left)
	}
}

func TestOutputNaming(t *testing.T) {
	for _, c := range []struct{ video, dir, want string }{
		{"/data/interview.mp4", "", "/data/interview.mp4.au.csv"},
		{"/data/interview.mov", "", "/data/interview.mov.au.csv"},
		{"/data/a b.MP4", "/out", "/out/a b.MP4.au.csv"},
	} {
		if got := OutputPath(c.video, c.dir); got != c.want {
			t.Errorf("OutputPath(%q, %q) = %q, want %q", c.video, c.dir, got, c.want)
		}
	}
}
