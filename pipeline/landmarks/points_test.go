package landmarks

import (
	"math"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/detect"
)

func TestMirrorPoint(t *testing.T) {
	seen := map[int]bool{}
	for i, j := range mirrorPoint {
		if mirrorPoint[j] != i {
			t.Errorf("mirroring twice takes %d to %d", i, mirrorPoint[j])
		}
		seen[j] = true
	}
	if len(seen) != NumPoints {
		t.Errorf("the mirror reaches %d of %d points", len(seen), NumPoints)
	}
	pairs := []struct {
		name string
		a, b int
	}{
		{"outer eye corners", 36, 45},
		{"inner eye corners", 39, 42},
		{"upper eyelids", 37, 44},
		{"lower eyelids", 41, 46},
		{"jaw ends", 0, 16},
		{"chin", 8, 8},
		{"brow ends", 17, 26},
		{"nose tip", 30, 30},
		{"nostrils", 31, 35},
		{"mouth corners", 48, 54},
		{"upper lip centre", 51, 51},
		{"inner mouth corners", 60, 64},
		{"inner lower lip", 65, 67},
	}
	for _, p := range pairs {
		if mirrorPoint[p.a] != p.b {
			t.Errorf("%s: %d mirrors to %d, want %d", p.name, p.a, mirrorPoint[p.a], p.b)
		}
	}
}

// TestMirrorPointOnAFace mirrors OpenFace's landmarks of a near-frontal face
// about the face's midline: renumbered with mirrorPoint, they must land
// close to the original points, and far from them without renumbering.
func TestMirrorPointOnAFace(t *testing.T) {
	ref, err := csvout.ReadTrack(testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lm := ref.Frames[0].Landmarks[:]
	midline := 0.0
	for _, i := range []int{27, 28, 29, 30, 33, 51, 57, 8} {
		midline += lm[i] / 8
	}
	mirrored := make([]float64, Len)
	unnumbered := make([]float64, Len)
	for i := range NumPoints {
		j := mirrorPoint[i]
		mirrored[i], mirrored[NumPoints+i] = 2*midline-lm[j], lm[NumPoints+j]
		unnumbered[i], unnumbered[NumPoints+i] = 2*midline-lm[i], lm[NumPoints+i]
	}
	if e := nme(mirrored, lm); e > 0.06 {
		t.Errorf("the mirrored face is %.3f eye-distances from the face, want under 0.06", e)
	}
	if e := nme(unnumbered, lm); e < 0.3 {
		t.Errorf("without renumbering the mirrored face is only %.3f eye-distances away", e)
	}
}

// TestToFrame checks the flip average and the pixel-centre mapping on a
// hand-made network output.
func TestToFrame(t *testing.T) {
	output := make([]float32, 2*Len)
	for i := range NumPoints {
		output[2*i], output[2*i+1] = 0.5, 0.5
		output[Len+2*i], output[Len+2*i+1] = 0.5, 0.5
	}
	output[2*36], output[2*36+1] = 0.3, 0.4           // point 36 seen directly
	output[Len+2*45], output[Len+2*45+1] = 0.72, 0.42 // and as 45 in the mirror, at u = 1 − 0.72
	output[2*45], output[Len+2*36] = 0.75, 0.27       // point 45: u = (0.75 + 0.73)/2
	out := make([]float64, Len)
	c := crop{x1: 10, y1: -20, size: 100}
	toFrame(output[:Len], output[Len:], c, out)

	tests := []struct {
		name         string
		point        int
		wantX, wantY float64
	}{
		{"average of direct and mirrored", 36, 0.29*100 + 10 - 0.5, 0.41*100 - 20 - 0.5},
		{"the other eye corner", 45, 0.74*100 + 10 - 0.5, 0.5*100 - 20 - 0.5},
		{"crop centre maps to the centre pixel's edge", 0, 50 + 10 - 0.5, 50 - 20 - 0.5},
	}
	for _, tc := range tests {
		x, y := out[tc.point], out[NumPoints+tc.point]
		if math.Abs(x-tc.wantX) > 1e-5 || math.Abs(y-tc.wantY) > 1e-5 {
			t.Errorf("%s: point %d at (%v, %v), want (%v, %v)", tc.name, tc.point, x, y, tc.wantX, tc.wantY)
		}
	}
}

func TestBoxFromLandmarks(t *testing.T) {
	lm := make([]float64, Len)
	for i := range NumPoints {
		lm[i] = 100 + float64(i%11)*10          // x spans 100..200
		lm[NumPoints+i] = 300 + float64(i%5)*50 // y spans 300..500
	}
	// Width 100, height 200: centre (150, 400 − 34), height 258.
	want := detect.Box{X1: 100, Y1: 366 - 129, X2: 200, Y2: 366 + 129}
	got := BoxFromLandmarks(lm)
	if math.Abs(got.X1-want.X1) > 1e-9 || math.Abs(got.Y1-want.Y1) > 1e-9 ||
		math.Abs(got.X2-want.X2) > 1e-9 || math.Abs(got.Y2-want.Y2) > 1e-9 {
		t.Errorf("box = %+v, want %+v", got, want)
	}
}
