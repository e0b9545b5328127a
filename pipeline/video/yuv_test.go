package video

import (
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"

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

func TestYUVTablesFollowTheSIMDArithmetic(t *testing.T) {
	for _, full := range []bool{false, true} {
		conv := newYUVToBGR(full)
		img := bgr.Image{W: 2, H: 1, Pix: make([]uint8, 6)}
		bad := 0
		for y := range 256 {
			for u := range 256 {
				for v := range 256 {
					conv.convertRow(img.Pix[:3], []uint8{uint8(y)}, []uint8{uint8(u)}, []uint8{uint8(v)})
					b, g, r := simdLane(uint8(y), uint8(u), uint8(v), full)
					if img.Pix[0] != b || img.Pix[1] != g || img.Pix[2] != r {
						if bad++; bad <= 5 {
							t.Errorf("full range %v, YUV %d %d %d: BGR %v, want %d %d %d", full, y, u, v, img.Pix[:3], b, g, r)
						}
					}
				}
			}
		}
	}
}

// On x86-64, swscale itself does this arithmetic: frames with full-range
// chroma and an odd width come out the same from both.
func TestYUVMatchesSwscaleOnX86(t *testing.T) {
	if runtime.GOARCH != "amd64" || !cpu.X86.HasSSSE3 {
		t.Skip("swscale does the SSSE3 arithmetic only on x86-64 processors with SSSE3; TestYUVTablesFollowTheSIMDArithmetic checks it everywhere")
	}
	dir := t.TempDir()
	jpeg, odd := filepath.Join(dir, "jpeg.avi"), filepath.Join(dir, "odd.nut")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=0.3", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", jpeg)
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=161x120:rate=10:duration=0.3", "-c:v", "rawvideo", "-pix_fmt", "yuv420p", odd)
	for _, c := range []struct {
		path string
		full bool
	}{{jpeg, true}, {odd, false}} {
		r, err := Open(c.path)
		if err != nil {
			t.Fatal(err)
		}
		var ours, theirs bgr.Image
		if _, _, err := r.Next(&ours); err != nil {
			t.Fatal(err)
		}
		if _, full, ok := r.dec.yuv420(); !ok || full != c.full {
			t.Fatalf("%s: not decoded as 4:2:0 YUV of full range %v", filepath.Base(c.path), c.full)
		}
		theirs.Reshape(r.dec.size())
		if err := r.dec.scale(&theirs); err != nil {
			t.Fatal(err)
		}
		if d := meanAbsDiff(ours.Pix, theirs.Pix); d != 0 {
			t.Errorf("%s: our BGR differs from swscale's by %.3f levels on average", filepath.Base(c.path), d)
		}
		r.Close()
	}
}

// BenchmarkYUVToBGR converts one 1080×720 frame.
func BenchmarkYUVToBGR(b *testing.B) {
	const w, h = 1080, 720
	y, u, v := make([]uint8, w*h), make([]uint8, w*h/4), make([]uint8, w*h/4)
	for i := range y {
		y[i] = uint8(i * 7)
	}
	for i := range u {
		u[i], v[i] = uint8(i*3), uint8(i*5)
	}
	conv := newYUVToBGR(false)
	img := bgr.New(w, h)
	b.SetBytes(w * h * 3)
	for b.Loop() {
		conv.convert(img, y, u, v, w, w/2)
	}
}
