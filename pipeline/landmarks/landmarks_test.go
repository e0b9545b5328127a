package landmarks

import (
	"fmt"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/detect"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/weights"
)

// TestLocateFirstFrame checks the landmarks of a detected face land in its
// box (grown by a tenth, since the detector's box may cut the jaw), in the
// shape of a face: eyes above the nose above the mouth, the left eye corner
// (in the image) numbered 36.
func TestLocateFirstFrame(t *testing.T) {
	l := newTestLocator(t, 0)
	for _, rel := range []string{"videos/default.wmv", "videos/subj01_timepoint01.mp4"} {
		img := testvideo.FirstFrame(t, rel)
		box, ok := firstFace(t, newTestDetector(t), img)
		if !ok {
			t.Fatalf("%s: no face in the first frame", rel)
		}
		lm := make([]float64, Len)
		if err := l.Locate(img, box, lm); err != nil {
			t.Fatal(err)
		}
		x, y := lm[:NumPoints], lm[NumPoints:]
		mx, my := (box.X2-box.X1)/10, (box.Y2-box.Y1)/10
		for i := range NumPoints {
			if x[i] < box.X1-mx || x[i] > box.X2+mx || y[i] < box.Y1-my || y[i] > box.Y2+my {
				t.Errorf("%s: point %d (%.1f, %.1f) is outside the face box %+v", rel, i, x[i], y[i], box)
			}
		}
		if !(x[36] < x[39] && x[39] < x[42] && x[42] < x[45]) {
			t.Errorf("%s: eye corners are not left to right: %.1f %.1f %.1f %.1f", rel, x[36], x[39], x[42], x[45])
		}
		if !(y[36] < y[30] && y[30] < y[51] && y[51] < y[57] && y[57] < y[8]) {
			t.Errorf("%s: eye, nose, lips and chin are not top to bottom", rel)
		}
	}
}

func TestLocateRejects(t *testing.T) {
	l := newTestLocator(t, 0)
	img := bgr.New(640, 480)
	good := detect.Box{X1: 200, Y1: 100, X2: 400, Y2: 350}
	tests := []struct {
		name string
		img  *bgr.Image
		box  detect.Box
		out  []float64
	}{
		{"short output", img, good, make([]float64, Len-1)},
		{"image without pixels", &bgr.Image{W: 640, H: 480}, good, make([]float64, Len)},
		{"empty box", img, detect.Box{X1: 200, Y1: 100, X2: 200, Y2: 350}, make([]float64, Len)},
		{"box right of the frame", img, detect.Box{X1: 700, Y1: 100, X2: 900, Y2: 350}, make([]float64, Len)},
		{"box above the frame", img, detect.Box{X1: 200, Y1: -400, X2: 400, Y2: -200}, make([]float64, Len)},
	}
	for _, tc := range tests {
		if err := l.Locate(tc.img, tc.box, tc.out); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := l.Locate(img, good, make([]float64, Len)); err != nil {
		t.Errorf("a black frame with a valid box: %v", err)
	}
}

func TestNewLocatorRejectsOtherFiles(t *testing.T) {
	rt := testvideo.Runtime(t)
	for _, path := range []string{
		testenv.ModelPath(t, weights.DetectorFile),
		testenv.ModelPath(t, weights.AUListFile),
		t.TempDir() + "/missing.onnx",
	} {
		if l, err := NewLocator(rt, path, onnx.SessionOptions{}); err == nil {
			l.Close()
			t.Errorf("%s loads as a PFLD model", path)
		}
	}
}

func BenchmarkLocate(b *testing.B) {
	img := testvideo.FirstFrame(b, "videos/default.wmv")
	box := detect.Box{X1: 146.1, Y1: 112.7, X2: 332.2, Y2: 368.4} // the detector's box of this frame
	out := make([]float64, Len)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			l := newTestLocator(b, threads)
			b.ReportAllocs()
			for b.Loop() {
				if err := l.Locate(img, box, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFillInput(b *testing.B) {
	img := testvideo.FirstFrame(b, "videos/subj01_timepoint01.mp4")
	l := newTestLocator(b, 1)
	c := crop{x1: 440, y1: 150, size: 280}
	b.ReportAllocs()
	for b.Loop() {
		l.fillInput(img, c)
	}
}
