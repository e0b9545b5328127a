package testvideo

import (
	"bytes"
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

func TestRuntimeStartsOnce(t *testing.T) {
	if Runtime(t) != Runtime(t) {
		t.Error("a second call starts another runtime")
	}
}

func TestEachFrameAndFirstFrame(t *testing.T) {
	tests := []struct {
		video string
		w, h  int
	}{
		{"videos/default.wmv", 640, 480},
		{"videos/subj01_timepoint01.mp4", 1080, 720},
	}
	for _, tc := range tests {
		t.Run(tc.video, func(t *testing.T) {
			var count int
			var decodedFirst []uint8
			EachFrame(t, tc.video, func(n int, img *bgr.Image) {
				count++
				if n != count {
					t.Fatalf("frame %d is numbered %d", count, n)
				}
				if img.W != tc.w || img.H != tc.h || len(img.Pix) != 3*tc.w*tc.h {
					t.Fatalf("frame %d is %d×%d with %d bytes, want %d×%d", n, img.W, img.H, len(img.Pix), tc.w, tc.h)
				}
				if n == 1 {
					decodedFirst = append([]uint8(nil), img.Pix...)
				}
			})
			if count < 2 {
				t.Fatalf("%d frames decoded", count)
			}
			first := FirstFrame(t, tc.video)
			if first.W != tc.w || first.H != tc.h || !bytes.Equal(first.Pix, decodedFirst) {
				t.Error("the first frame differs from the one EachFrame gives first")
			}
		})
	}
}
