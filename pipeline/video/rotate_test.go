package video

import (
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// Each quarter turn puts every pixel where its definition says, on an
// image wider than tall and larger than a tile, with partial tiles.
func TestTurn(t *testing.T) {
	const w, h = 37, 21
	src := bgr.New(w, h)
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	for quarters, to := range map[int]func(x, y int) (int, int){
		1: func(x, y int) (int, int) { return h - 1 - y, x },
		2: func(x, y int) (int, int) { return w - 1 - x, h - 1 - y },
		3: func(x, y int) (int, int) { return y, w - 1 - x },
	} {
		var dst bgr.Image
		turn(&dst, src, quarters)
		if wantW := map[bool]int{true: h, false: w}[quarters%2 == 1]; dst.W != wantW || dst.W*dst.H != w*h {
			t.Fatalf("%d quarter turns: %d×%d", quarters, dst.W, dst.H)
		}
		for y := range h {
			for x := range w {
				dx, dy := to(x, y)
				if b, g, r := dst.At(dx, dy); [3]uint8{b, g, r} != [3]uint8(src.Pix[(y*w+x)*3:]) {
					t.Fatalf("%d quarter turns: pixel (%d,%d) is not at (%d,%d)", quarters, x, y, dx, dy)
				}
			}
		}
	}
}

// BenchmarkTurn turns a 1920×1080 frame a quarter, as a portrait phone
// video needs every frame.
func BenchmarkTurn(b *testing.B) {
	src := bgr.New(1920, 1080)
	var dst bgr.Image
	for b.Loop() {
		turn(&dst, src, 1)
	}
}
