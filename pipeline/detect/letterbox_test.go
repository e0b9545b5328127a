package detect

import (
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

func TestLetterboxGeometry(t *testing.T) {
	tests := []struct {
		w, h       int
		scale      float64
		outW, outH int
	}{
		{640, 480, 1, 640, 480},
		{1080, 720, 640.0 / 1080, 640, 427}, // 426.67 rounds up
		{480, 640, 1, 480, 640},
		{320, 240, 2, 640, 480},
		{1920, 1080, 1.0 / 3, 640, 360},
		{1000, 999, 0.64, 640, 639}, // 639.36
	}
	for _, tc := range tests {
		var lb letterbox
		if !lb.adapt(tc.w, tc.h) {
			t.Errorf("%d×%d: adapt reports no change on a new letterbox", tc.w, tc.h)
		}
		if lb.scale != tc.scale || lb.outW != tc.outW || lb.outH != tc.outH {
			t.Errorf("%d×%d: scale %v into %d×%d, want %v into %d×%d",
				tc.w, tc.h, lb.scale, lb.outW, lb.outH, tc.scale, tc.outW, tc.outH)
		}
		if lb.adapt(tc.w, tc.h) {
			t.Errorf("%d×%d: adapt reports a change for the same size", tc.w, tc.h)
		}
	}
}

// TestLetterboxResize enlarges a 320×2 frame twice into the input. Its first
// two pixels are, in every channel, 100 and 200 on the top row and 20 and 60
// on the bottom row; the rest is black. By hand, with source coordinates
// (x+0.5)/2 − 0.5: output x = 1 lies ¼ of the way from pixel 0 to pixel 1,
// x = 2 ¾ of the way; output y = 1 lies ¼ of the way from row 0 to row 1.
func TestLetterboxResize(t *testing.T) {
	img := bgr.New(320, 2)
	for c := range 3 {
		img.Pix[c], img.Pix[3+c] = 100, 200
		img.Pix[320*3+c], img.Pix[320*3+3+c] = 20, 60
	}
	var lb letterbox
	lb.adapt(img.W, img.H)
	input := make([]float32, 3*InputSize*InputSize)
	for i := range input {
		input[i] = -1000 // marks the padding, which resize must not touch
	}
	lb.resize(img, input)

	tests := []struct {
		x, y int
		want float32 // before the mean is subtracted; -1000 marks padding
	}{
		{0, 0, 100},
		{1, 0, 125},   // ¾·100 + ¼·200
		{2, 0, 175},   // ¼·100 + ¾·200
		{3, 0, 150},   // ¾·200 + ¼·0
		{0, 1, 80},    // ¾·100 + ¼·20
		{1, 1, 101},   // ¾·125 + ¼·(¾·20 + ¼·60) = 101.25
		{2, 1, 144},   // ¾·175 + ¼·(¼·20 + ¾·60) = 143.75
		{0, 3, 20},    // the bottom row repeats below
		{1, 3, 30},    // ¾·20 + ¼·60
		{4, 2, 24},    // ¼·(¼·200) + ¾·(¼·60) = 23.75
		{5, 2, 0},     // black
		{639, 3, 0},   // the last column of the frame
		{0, 4, -1000}, // padding below the frame
		{639, 639, -1000},
	}
	for _, tc := range tests {
		for c, mean := range meanBGR {
			got := input[c*InputSize*InputSize+tc.y*InputSize+tc.x]
			want := tc.want
			if want != -1000 {
				want -= mean
			}
			if got != want {
				t.Errorf("channel %d at (%d,%d) = %v, want %v", c, tc.x, tc.y, got, want)
			}
		}
	}
}

// TestLetterboxShrinkHalf halves a 1280×2 frame: OpenCV then averages each
// 2×2 block, rounding halves up.
func TestLetterboxShrinkHalf(t *testing.T) {
	img := bgr.New(1280, 2)
	blocks := [][4]uint8{{10, 20, 30, 41}, {10, 11, 10, 11}, {255, 255, 255, 255}, {0, 1, 0, 0}, {0, 1, 1, 0}}
	want := []float32{25, 11, 255, 0, 1} // 25.25, 10.5, 255, 0.25, 0.5
	for i, b := range blocks {
		for c := range 3 {
			img.Pix[(2*i)*3+c], img.Pix[(2*i+1)*3+c] = b[0], b[1]
			img.Pix[(1280+2*i)*3+c], img.Pix[(1280+2*i+1)*3+c] = b[2], b[3]
		}
	}
	var lb letterbox
	lb.adapt(img.W, img.H)
	if lb.outW != 640 || lb.outH != 1 {
		t.Fatalf("a 1280×2 frame fills %d×%d, want 640×1", lb.outW, lb.outH)
	}
	input := make([]float32, 3*InputSize*InputSize)
	lb.resize(img, input)
	for i, w := range want {
		for c, mean := range meanBGR {
			if got := input[c*InputSize*InputSize+i]; got != w-mean {
				t.Errorf("block %d channel %d = %v, want %v", i, c, got+mean, w)
			}
		}
	}
}
