package video

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// Every frame of every test video, pixels and timestamps, is what OpenCV's
// FFmpeg backend gives OpenFace on x86-64 — on any processor this runs on.
func TestFramesMatchRecorded(t *testing.T) {
	for _, want := range readRecorded(t) {
		t.Run(want.video, func(t *testing.T) {
			r, err := Open(testenv.TestdataPath(t, "videos/"+want.video))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			pixels, stamps := sha256.New(), sha256.New()
			frames := 0
			eachFrame(t, r, func(ts float64, img *bgr.Image) {
				frames++
				if img.W != want.w || img.H != want.h {
					t.Fatalf("frame %d is %d×%d, want %d×%d", frames, img.W, img.H, want.w, want.h)
				}
				pixels.Write(img.Pix)
				fmt.Fprintf(stamps, "%.6f\n", ts)
			})
			if frames != want.frames {
				t.Errorf("%d frames, want %d", frames, want.frames)
			}
			if got := fmt.Sprintf("%x", pixels.Sum(nil)); got != want.pixels {
				t.Errorf("the frames' pixels differ from those recorded (sha256 %s)", got)
			}
			if got := fmt.Sprintf("%x", stamps.Sum(nil)); got != want.stamps {
				t.Errorf("the frames' timestamps differ from those recorded (sha256 %s)", got)
			}
		})
	}
}

type recorded struct {
	video          string
	w, h, frames   int
	pixels, stamps string
}

func readRecorded(t *testing.T) []recorded {
	t.Helper()
	f, err := os.Open("testdata/frames.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []recorded
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 6 {
			t.Fatalf("testdata/frames.tsv: bad line %q", sc.Text())
		}
		r := recorded{video: c[0], pixels: c[4], stamps: c[5]}
		for i, p := range []*int{&r.w, &r.h, &r.frames} {
			if *p, err = strconv.Atoi(c[1+i]); err != nil {
				t.Fatalf("testdata/frames.tsv: %v", err)
			}
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
