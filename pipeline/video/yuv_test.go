package video

import (
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// On x86-64, swscale itself does this arithmetic: frames with full-range
// chroma and an odd width come out the same from both.
func TestYUVMatchesSwscaleOnX86(t *testing.T) {
	if runtime.GOARCH != "amd64" || !cpu.X86.HasSSSE3 {
		t.Skip("swscale does the SSSE3 arithmetic only on x86-64 processors with SSSE3; yuv.TestEveryYUVFollowsTheSIMDArithmetic checks it everywhere")
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
