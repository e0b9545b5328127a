package landmarks

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gocv.io/x/gocv"

	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
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

// TestFillInputMatchesOpenCV builds the network input the way a reference
// implementation does with OpenCV (cut the crop, pad it with black, resize
// to 112×112 with INTER_LINEAR, BGR→RGB, /255, and flip for the mirror) and
// wants the same values.
func TestFillInputMatchesOpenCV(t *testing.T) {
	img := testvideo.FirstFrame(t, "videos/subj01_timepoint01.mp4")
	l := newTestLocator(t, 0)
	tests := []struct {
		name string
		c    crop
	}{
		{"inside, shrunk 2.5 times", crop{x1: 440, y1: 150, size: 280}},
		{"past the top-left corner", crop{x1: -40, y1: -25, size: 300}},
		{"past the bottom-right corner", crop{x1: 900, y1: 600, size: 201}},
		{"enlarged", crop{x1: 500, y1: 250, size: 90}},
		{"exactly halved", crop{x1: 400, y1: 200, size: 224}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l.fillInput(img, tc.c)
			want := openCVCrop(t, img, tc.c)
			input, mirror := l.direct.Input(0), l.mirror.Input(0)
			const plane = InputSize * InputSize
			differ := 0
			for y := range InputSize {
				for x := range InputSize {
					for ch := range 3 {
						v := float32(want[(y*InputSize+x)*3+2-ch]) / 255
						if input[ch*plane+y*InputSize+x] != v {
							differ++
						}
						if m := mirror[ch*plane+y*InputSize+InputSize-1-x]; m != v {
							t.Fatalf("the mirror at (%d,%d) channel %d is %v, want %v", InputSize-1-x, y, ch, m, v)
						}
					}
				}
			}
			if differ > 0 {
				t.Errorf("%d of %d samples differ from OpenCV", differ, 3*plane)
			}
		})
	}
}

// openCVCrop returns the BGR 112×112 image OpenCV makes of the crop.
func openCVCrop(t *testing.T, img *bgr.Image, c crop) []uint8 {
	t.Helper()
	frame, err := gocv.NewMatFromBytes(img.H, img.W, gocv.MatTypeCV8UC3, img.Pix)
	if err != nil {
		t.Fatal(err)
	}
	defer frame.Close()
	x1, y1 := max(c.x1, 0), max(c.y1, 0)
	x2, y2 := min(c.x1+c.size, img.W), min(c.y1+c.size, img.H)
	part := frame.Region(image.Rect(x1, y1, x2, y2))
	defer part.Close()
	padded := gocv.NewMat()
	defer padded.Close()
	gocv.CopyMakeBorder(part, &padded, y1-c.y1, c.y1+c.size-y2, x1-c.x1, c.x1+c.size-x2, gocv.BorderConstant, color.RGBA{})
	if padded.Cols() != c.size || padded.Rows() != c.size {
		t.Fatalf("padded crop is %d×%d, want %d", padded.Cols(), padded.Rows(), c.size)
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(padded, &small, image.Pt(InputSize, InputSize), 0, 0, gocv.InterpolationLinear)
	out, err := small.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	return append([]uint8(nil), out...)
}
