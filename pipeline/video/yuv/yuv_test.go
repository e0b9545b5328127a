package yuv

import (
	"math/rand/v2"
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// simdLane is FFmpeg's SSSE3 yuv420→bgr24 arithmetic for one pixel, step by
// step with its 16-bit saturations, on the coefficients swscale puts in its
// context for BT.601 input (limited range: yuv420p; full: yuvj420p).
func simdLane(y, u, v uint8, fullRange bool) (b, g, r uint8) {
	c := [6]int32{9539, 128, 16525, -3209, 13075, -6660} // y, y offset, ub, ug, vr, vg
	if fullRange {
		c = [6]int32{8192, 0, 14516, -2819, 11485, -5850}
	}
	sat := func(x int32) int32 { return min(max(x, -32768), 32767) }
	mulhi := func(a, b int32) int32 { return a * b >> 16 }
	pack := func(x int32) uint8 { return uint8(min(max(x, 0), 255)) }
	uu, vv := sat(int32(u)<<3-1024), sat(int32(v)<<3-1024)
	ly := mulhi(int32(int16(int32(y)<<3-c[1])), c[0])
	green := sat(mulhi(uu, c[3]) + mulhi(vv, c[5]))
	return pack(sat(ly + mulhi(uu, c[2]))), pack(sat(ly + green)), pack(sat(ly + mulhi(vv, c[4])))
}

// Every Y, U, V, through the vector code where the processor has it: rows
// of all 256 luma values, one row per chroma pair.
func TestEveryYUVFollowsTheSIMDArithmetic(t *testing.T) {
	y, u, v := make([]uint8, 256), make([]uint8, 128), make([]uint8, 128)
	for i := range y {
		y[i] = uint8(i)
	}
	dst := make([]uint8, 3*256)
	for _, full := range []bool{false, true} {
		conv := newConverter(full)
		bad := 0
		for cu := range 256 {
			for cv := range 256 {
				for i := range u {
					u[i], v[i] = uint8(cu), uint8(cv)
				}
				conv.convertRow(dst, y, u, v)
				for x := range 256 {
					b, g, r := simdLane(uint8(x), uint8(cu), uint8(cv), full)
					if dst[3*x] != b || dst[3*x+1] != g || dst[3*x+2] != r {
						if bad++; bad <= 5 {
							t.Errorf("full range %v, YUV %d %d %d: BGR %v, want %d %d %d", full, x, cu, cv, dst[3*x:3*x+3], b, g, r)
						}
					}
				}
			}
		}
	}
}

// Whole rows, through the vector code where the processor has it and the
// scalar code for what is left, give every pixel the model's value.
func TestRowsFollowTheSIMDArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, full := range []bool{false, true} {
		conv := newConverter(full)
		for _, w := range []int{1, 2, 7, 8, 9, 15, 16, 17, 33, 640, 1079, 1080} {
			y, u, v := make([]uint8, w), make([]uint8, (w+1)/2), make([]uint8, (w+1)/2)
			for i := range y {
				y[i] = uint8(rng.IntN(256))
			}
			for i := range u {
				u[i], v[i] = uint8(rng.IntN(256)), uint8(rng.IntN(256))
			}
			dst := make([]uint8, 3*w)
			conv.convertRow(dst, y, u, v)
			for x := range w {
				b, g, r := simdLane(y[x], u[x/2], v[x/2], full)
				if dst[3*x] != b || dst[3*x+1] != g || dst[3*x+2] != r {
					t.Fatalf("full range %v, width %d, pixel %d: BGR %v, want %d %d %d", full, w, x, dst[3*x:3*x+3], b, g, r)
				}
			}
		}
	}
}

// BenchmarkConvert converts one 1080×720 frame.
func BenchmarkConvert(b *testing.B) {
	const w, h = 1080, 720
	y, u, v := make([]uint8, w*h), make([]uint8, w*h/4), make([]uint8, w*h/4)
	for i := range y {
		y[i] = uint8(i * 7)
	}
	for i := range u {
		u[i], v[i] = uint8(i*3), uint8(i*5)
	}
	conv := Limited
	img := bgr.New(w, h)
	b.SetBytes(w * h * 3)
	for b.Loop() {
		conv.Convert(img, y, u, v, w, w/2)
	}
}
