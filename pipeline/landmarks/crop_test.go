package landmarks

import (
	"crypto/sha256"
	"fmt"
	"math"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/detect"
)

func TestSquareCrop(t *testing.T) {
	tests := []struct {
		name string
		box  detect.Box
		want crop
	}{
		// 100×120 → side 132; centre (150, 110).
		{"inside", detect.Box{X1: 100.7, Y1: 50.2, X2: 200.9, Y2: 170.6}, crop{x1: 84, y1: 44, size: 132}},
		// Corners truncate toward zero: (−20, −10, 60, 90); 80×100 → 110; centre (20, 40).
		{"past the top-left corner", detect.Box{X1: -20.5, Y1: -10.2, X2: 60.3, Y2: 90.9}, crop{x1: -35, y1: -15, size: 110}},
		// 81 wide: centre 10 + 40.5 truncates to 50; 81·1.1 = 89.1 → 89, half 44.
		{"odd width", detect.Box{X1: 10, Y1: 10, X2: 91, Y2: 50}, crop{x1: 6, y1: -14, size: 89}},
		{"one pixel", detect.Box{X1: 5, Y1: 5, X2: 6, Y2: 6}, crop{x1: 5, y1: 5, size: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := squareCrop(tc.box)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("crop = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSquareCropRejects(t *testing.T) {
	for _, b := range []detect.Box{
		{X1: 10, Y1: 10, X2: 10, Y2: 50},
		{X1: 50, Y1: 10, X2: 10, Y2: 50},
		{X1: 10, Y1: 10, X2: 10.9, Y2: 50}, // empty once truncated
		{X1: math.NaN(), Y1: 10, X2: 20, Y2: 50},
		{X1: 0, Y1: 0, X2: math.Inf(1), Y2: 50},
		{X1: -1e30, Y1: 0, X2: 10, Y2: 50},
	} {
		if c, err := squareCrop(b); err == nil {
			t.Errorf("box %+v gives the crop %+v, want an error", b, c)
		}
	}
}

// TestFillInputMatchesOpenCV wants the network input a reference
// implementation makes with OpenCV 4.6 (cut the crop, pad it with black,
// resize to 112×112 with INTER_LINEAR, BGR→RGB, /255, and flip for the
// mirror): the sha256 of each crop's BGR bytes as OpenCV made them.
func TestFillInputMatchesOpenCV(t *testing.T) {
	img := testvideo.FirstFrame(t, "videos/subj01_timepoint01.mp4")
	l := newTestLocator(t, 0)
	tests := []struct {
		name   string
		c      crop
		opencv string
	}{
		{"inside, shrunk 2.5 times", crop{x1: 440, y1: 150, size: 280}, "d9dbefb246c60ebbd62690d8bea0b4811c999f569f10bc5b594ca9ef8469027b"},
		{"past the top-left corner", crop{x1: -40, y1: -25, size: 300}, "48e32e640959622b89e1d97d789350827d00cbd85567794951caf085c2db5d90"},
		{"past the bottom-right corner", crop{x1: 900, y1: 600, size: 201}, "af82e255d3c65e181749a8381b98e892ce5b5ba5b15fa706bd04b7fa29efe713"},
		{"enlarged", crop{x1: 500, y1: 250, size: 90}, "4de1763476fd074089ea7fdaf384e628676ed1f4d941d2a53fc7e568988f3cd9"},
		{"exactly halved", crop{x1: 400, y1: 200, size: 224}, "2e6d46101ef8624e047d8ce304ade1f6e1293f08e57162a0f7ff60ae9bb521c9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l.fillInput(img, tc.c)
			input, mirror := l.direct.Input(0), l.mirror.Input(0)
			const plane = InputSize * InputSize
			crop := make([]uint8, 3*plane)
			for y := range InputSize {
				for x := range InputSize {
					for ch := range 3 {
						v := input[ch*plane+y*InputSize+x]
						level := math.Round(float64(v) * 255)
						if float32(level)/255 != v || level < 0 || level > 255 {
							t.Fatalf("input (%d,%d) channel %d is %v, not a level/255", x, y, ch, v)
						}
						crop[(y*InputSize+x)*3+2-ch] = uint8(level)
						if m := mirror[ch*plane+y*InputSize+InputSize-1-x]; m != v {
							t.Fatalf("the mirror at (%d,%d) channel %d is %v, want %v", InputSize-1-x, y, ch, m, v)
						}
					}
				}
			}
			if got := fmt.Sprintf("%x", sha256.Sum256(crop)); got != tc.opencv {
				t.Errorf("the crop differs from OpenCV's (sha256 %s)", got)
			}
		})
	}
}
