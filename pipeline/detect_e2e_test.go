package pipeline

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/aucompare"
	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/landmarks"
	"github.com/auwatchd/auwatchd/pipeline/video"
)

func newDetectingEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(Config{ModelDir: filepath.Join(testenv.RepoRoot(t), "models"), Runtime: testvideo.Runtime(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// endToEndFloor holds, per reference video, agreement a little below what
// the pipeline reaches today in either mode (mean AU r, default 0.958,
// 0.966, 0.747, 0.630; every frame 0.951, 0.956, 0.755, 0.622), so a change
// that loses agreement fails. The bar is what OpenFace's own alternative
// landmark models reach: 0.89, 0.92, 0.72, 0.60.
var endToEndFloor = map[string]float64{
	"default.wmv":            0.94,
	"changeLighting.wmv":     0.94,
	"subj01_timepoint01.mp4": 0.74,
	"subj02_timepoint01.mp4": 0.61,
}

func TestEndToEndAgainstOpenFace(t *testing.T) {
	e := newDetectingEngine(t)
	for _, ref := range references {
		checkEndToEnd(t, e, ref, Options{})
	}
}

func TestEndToEndEveryFrame(t *testing.T) {
	e := newDetectingEngine(t)
	for _, ref := range references {
		checkEndToEnd(t, e, ref, Options{EveryFrame: true})
	}
}

// TestModesShareAWarmEngine runs one engine in the default mode, the
// every-frame mode and the default mode again: the mode must leave nothing behind for
// the next video, as the daemon switches modes from video to video.
func TestModesShareAWarmEngine(t *testing.T) {
	e := newDetectingEngine(t)
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	var csvs [3][]byte
	for i, opt := range []Options{{}, {EveryFrame: true}, {}} {
		out := OutputPath(video, t.TempDir())
		if _, err := e.Process(context.Background(), video, out, opt, nil); err != nil {
			t.Fatal(err)
		}
		csvs[i] = mustRead(t, out)
	}
	if !bytes.Equal(csvs[0], csvs[2]) {
		t.Error("the default mode's CSV changed after a video in the every-frame mode")
	}
	if bytes.Equal(csvs[0], csvs[1]) {
		t.Error("the every-frame mode's CSV is the default mode's: the mode was not applied")
	}
}

func checkEndToEnd(t *testing.T, e *Engine, ref reference, opt Options) {
	const maxNME = 0.025
	name := filepath.Base(ref.video)
	t.Run(name, func(t *testing.T) {
		video := testenv.TestdataPath(t, ref.video)
		out := OutputPath(video, t.TempDir())
		sum, err := e.Process(context.Background(), video, out, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := aucompare.Files(out, testenv.TestdataPath(t, ref.csv))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d frames, %d with a face, detector on %d, %.0f frames/s\n%s", sum.Frames, sum.Successful, sum.DetectorFrames, sum.FPS(), rep)
		if float64(rep.Frames) < 0.98*float64(rep.RefSuccess) {
			t.Errorf("a face on %d of the %d frames where OpenFace found one, want ≥ 98 %%", rep.Frames, rep.RefSuccess)
		}
		if rep.LandmarkNME > maxNME {
			t.Errorf("landmark NME %.4f, want ≤ %.3f", rep.LandmarkNME, maxNME)
		}
		if rep.MeanR < endToEndFloor[name] {
			t.Errorf("mean AU r %.3f fell below %.2f", rep.MeanR, endToEndFloor[name])
		}
		checkGaze(t, rep, ref)
		if sum.DetectorFrames*10 > sum.Frames {
			t.Errorf("the detector ran on %d of %d frames; tracking should spare most", sum.DetectorFrames, sum.Frames)
		}
	})
}

// Gaze bars against the references with gaze columns (OpenFace CE-CLM's), a
// little above the worst that OpenFace's own CLNF model reaches on them
// (0.65–2.07° per eye, 0.34–0.45 px). Measured in the default mode: 0.57° and 2.00°,
// 0.44 px on subj01; 0.93° and 1.30°, 0.35 px on subj02 (every frame:
// 0.57° and 1.96°, 0.44 px; 1.07° and 1.50°, 0.36 px).
const (
	maxEyeLandmarkPx = 0.6
	maxGazeDegrees   = 2.2
)

// checkGaze holds the gaze and eye landmark columns to the bars where the
// reference has them.
func checkGaze(t *testing.T, rep *aucompare.Report, ref reference) {
	t.Helper()
	if !ref.gaze {
		return
	}
	g := rep.Gaze
	if g == nil {
		t.Fatal("no gaze columns to compare")
	}
	if g.EyeLandmarkPx > maxEyeLandmarkPx {
		t.Errorf("eye landmarks %.2f px from OpenFace's, want ≤ %g", g.EyeLandmarkPx, maxEyeLandmarkPx)
	}
	for e, d := range g.VectorDegrees {
		if d > maxGazeDegrees {
			t.Errorf("eye %d's gaze %.2f° from OpenFace's, want ≤ %g°", e, d, maxGazeDegrees)
		}
	}
}

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// TestBadVideos feeds the engine what researchers' folders really hold.
// Each case ends in a complete CSV or a clear error naming the file, and a
// failure leaves nothing behind.
func TestBadVideos(t *testing.T) {
	e := newDetectingEngine(t)
	dir := t.TempDir()
	sample := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	whole, err := os.ReadFile(testenv.TestdataPath(t, "videos/subj01_timepoint01.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	audio := filepath.Join(dir, "audio.m4a.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio)
	image := filepath.Join(dir, "photo.png")
	ffmpeg(t, "-i", sample, "-frames:v", "1", image)
	// The same video with its index first, so that a cut leaves the frames before it readable.
	indexFirst := filepath.Join(dir, "index-first.mp4")
	ffmpeg(t, "-i", testenv.TestdataPath(t, "videos/subj01_timepoint01.mp4"), "-c", "copy", "-movflags", "+faststart", indexFirst)
	cut := mustRead(t, indexFirst)
	noFace := filepath.Join(dir, "noface.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15:duration=1", "-c:v", "mpeg4", noFace)
	cases := []struct {
		name, path string
		wantErr    string // empty: a complete CSV is expected
		wantFaces  bool
	}{
		{"missing", filepath.Join(dir, "absent.mp4"), "no such file", false},
		{"folder", dir, "it is a folder", false},
		{"empty", write("empty.mp4", nil), "not a video", false},
		{"random bytes", write("random.mp4", []byte(strings.Repeat("\x13\x37 not a video ", 500))), "not a video", false},
		{"truncated before its index", write("truncated.mp4", whole[:len(whole)/3]), "not a video", false},
		{"truncated after its index", write("cut.mp4", cut[:len(cut)/3]), "", true},
		{"audio only", audio, "not a video", false},
		{"image renamed", write("photo.mov", mustRead(t, image)), "", true},
		{"no face", noFace, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := OutputPath(c.path, outDir)
			sum, err := e.Process(context.Background(), c.path, out, Options{}, nil)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), c.path) {
					t.Fatalf("got %v, want an error naming %s and saying %q", err, c.path, c.wantErr)
				}
				if left, _ := os.ReadDir(outDir); len(left) != 0 {
					t.Fatalf("files left behind: %v", left)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want a complete CSV", err)
			}
			tr, rerr := csvout.ReadTrack(out)
			if rerr != nil || sum.Frames == 0 || len(tr.Frames) != sum.Frames {
				t.Fatalf("CSV unreadable or incomplete (%d frames measured): %v", sum.Frames, rerr)
			}
			if (sum.Successful > 0) != c.wantFaces {
				t.Errorf("%d of %d frames with a face, want faces: %v", sum.Successful, sum.Frames, c.wantFaces)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// bothModes runs a test in the default mode and in the every-frame one,
// whose tracking differs: by default CLNF follows the face between PFLD's
// frames.
func bothModes(t *testing.T, test func(t *testing.T, e *Engine, opt Options)) {
	e := newDetectingEngine(t)
	t.Run("default", func(t *testing.T) { test(t, e, Options{}) })
	t.Run("every-frame", func(t *testing.T) { test(t, e, Options{EveryFrame: true}) })
}

// TestFaceLeavesAndReturns blacks out the middle of a video: those frames
// must fail and the face must be found again after.
func TestFaceLeavesAndReturns(t *testing.T) { bothModes(t, faceLeavesAndReturns) }

func faceLeavesAndReturns(t *testing.T, e *Engine, opt Options) {
	dir := t.TempDir()
	clip := filepath.Join(dir, "away.mp4")
	ffmpeg(t, "-i", testenv.TestdataPath(t, "videos/changeLighting.wmv"), "-vf", "drawbox=enable='between(n,30,49)':color=black:t=fill",
		"-c:v", "mpeg4", "-q:v", "2", clip)
	out := OutputPath(clip, dir)
	sum, err := e.Process(context.Background(), clip, out, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := csvout.ReadTrack(out)
	if err != nil {
		t.Fatal(err)
	}
	black := blackFrames(t, clip)
	if len(black) != len(tr.Frames) || countTrue(black) != 20 {
		t.Fatalf("%d rows for %d frames, %d of them black; want 20 black", len(tr.Frames), len(black), countTrue(black))
	}
	for i, f := range tr.Frames {
		if f.Success == black[i] {
			t.Errorf("frame %d: success %v on a frame that is black: %v", i+1, f.Success, black[i])
		}
	}
	if sum.Successful != sum.Frames-20 {
		t.Errorf("%d of %d frames with a face, want all but the 20 blacked out", sum.Successful, sum.Frames)
	}
}

// blackFrames tells, for each frame of a video, whether it is all but black.
func blackFrames(t *testing.T, path string) []bool {
	rd, err := video.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var img bgr.Image
	var black []bool
	for {
		_, ok, err := rd.Next(&img)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return black
		}
		var sum int
		for _, v := range img.Pix {
			sum += int(v)
		}
		black = append(black, sum < 8*len(img.Pix))
	}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// TestFollowsOneFace runs a video with several people: the tracked face must
// never jump from one person to another between consecutive frames.
func TestFollowsOneFace(t *testing.T) { bothModes(t, followsOneFace) }

func followsOneFace(t *testing.T, e *Engine, opt Options) {
	video := testenv.TestdataPath(t, "videos/multi_face.avi")
	out := OutputPath(video, t.TempDir())
	sum, err := e.Process(context.Background(), video, out, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := csvout.ReadTrack(out)
	if err != nil {
		t.Fatal(err)
	}
	jumps, prev := 0, -1
	for i, f := range tr.Frames {
		if !f.Success {
			continue
		}
		if prev >= 0 && prev == i-1 {
			b0, b1 := landmarks.Bounds(tr.Frames[prev].Landmarks[:]), landmarks.Bounds(f.Landmarks[:])
			cx0, cy0, w := (b0.X1+b0.X2)/2, (b0.Y1+b0.Y2)/2, b0.X2-b0.X1
			cx1, cy1 := (b1.X1+b1.X2)/2, (b1.Y1+b1.Y2)/2
			if math.Hypot(cx1-cx0, cy1-cy0) > 0.5*w {
				jumps++
				t.Logf("frame %d: the face moved %.0f px, face width %.0f", i+1, math.Hypot(cx1-cx0, cy1-cy0), w)
			}
		}
		prev = i
	}
	t.Logf("%d frames, %d with the face, detector on %d", sum.Frames, sum.Successful, sum.DetectorFrames)
	if jumps > 0 || sum.Successful < sum.Frames/2 {
		t.Errorf("%d jumps between people; face on %d of %d frames", jumps, sum.Successful, sum.Frames)
	}
}
