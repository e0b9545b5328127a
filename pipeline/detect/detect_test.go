package detect

import (
	"crypto/sha256"
	"fmt"
	"math"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/weights"
)

// TestLetterboxMatchesOpenCV checks the pure-Go resize against cv::resize
// with INTER_LINEAR (OpenCV 4.6), shrinking and enlarging real frames and
// parts of them: the sha256 of the BGR bytes OpenCV made of each.
func TestLetterboxMatchesOpenCV(t *testing.T) {
	tests := []struct {
		video      string
		x, y, w, h int // the part of the first frame to letterbox
		opencv     string
	}{
		{"videos/subj01_timepoint01.mp4", 0, 0, 1080, 720, "8d83f0ac6e47febd053dc6ef1a762c3068d0bff7293e48d21d699062524e0ac3"}, // × 0.59 into 640×427
		{"videos/subj01_timepoint01.mp4", 40, 10, 1000, 700, "1e09b2515ac54adeee2459c89d2e9226416621f8ebcf2a64d23c8e35644001b8"},
		{"videos/default.wmv", 0, 0, 640, 480, "3ace17cbab059c0c694e25c1b9ab0df132db34b4db22fe55c9e5b7e62765fa40"}, // unscaled
		{"videos/default.wmv", 160, 120, 320, 240, "945ce8f4460507da390882512edfaf8f212287b58a96a6330c7a4c58a2443d28"},
		{"videos/default.wmv", 70, 90, 500, 300, "aa8525db3bf1cca3afb80af07683e6d4cff0ac830c84741310b225009f87957d"},
		{"videos/default.wmv", 20, 15, 600, 450, "f500ddd54505aa90955d6578b4ee07e9a986c6a4672378c23014ec69e69dd612"},
	}
	for _, tc := range tests {
		img := subImage(testvideo.FirstFrame(t, tc.video), tc.x, tc.y, tc.w, tc.h)
		var lb letterbox
		lb.adapt(img.W, img.H)
		input := make([]float32, 3*InputSize*InputSize)
		lb.resize(img, input)

		got := make([]uint8, lb.outW*lb.outH*3)
		for y := range lb.outH {
			for x := range lb.outW {
				for c, mean := range meanBGR {
					v := input[c*InputSize*InputSize+y*InputSize+x] + mean
					if v != float32(math.Round(float64(v))) || v < 0 || v > 255 {
						t.Fatalf("%s: input (%d,%d) channel %d is %v, not a level less the mean", tc.video, x, y, c, v)
					}
					got[(y*lb.outW+x)*3+c] = uint8(v)
				}
			}
		}
		if sum := fmt.Sprintf("%x", sha256.Sum256(got)); sum != tc.opencv {
			t.Errorf("%s %d×%d into %d×%d: differs from OpenCV's resize (sha256 %s)", tc.video, img.W, img.H, lb.outW, lb.outH, sum)
		}
	}
}

func subImage(img *bgr.Image, x0, y0, w, h int) *bgr.Image {
	sub := bgr.New(w, h)
	for y := range h {
		copy(sub.Pix[y*w*3:(y+1)*w*3], img.Pix[((y0+y)*img.W+x0)*3:])
	}
	return sub
}

// referenceVideos are the test videos with OpenFace's landmarks of every frame.
var referenceVideos = []struct{ video, reference string }{
	{"videos/default.wmv", "reference/openface-2.2-clnf/default.csv"},
	{"videos/changeLighting.wmv", "reference/openface-2.2-clnf/changeLighting.csv"},
	{"videos/subj01_timepoint01.mp4", "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv"},
}

// TestDetectOneFace runs the detector on every frame of single-person videos:
// each must give exactly one confident face, and that face's box must hold
// OpenFace's landmarks of the frame, which checks the mapping back to frame
// pixels on both a 640×480 and a 1080×720 video.
func TestDetectOneFace(t *testing.T) {
	d := newTestDetector(t, 0)
	for _, rv := range referenceVideos {
		t.Run(rv.video, func(t *testing.T) {
			ref, err := csvout.ReadTrack(testenv.TestdataPath(t, rv.reference))
			if err != nil {
				t.Fatal(err)
			}
			frames := 0
			testvideo.EachFrame(t, rv.video, func(n int, img *bgr.Image) {
				frames++
				faces, err := d.Detect(img)
				if err != nil {
					t.Fatal(err)
				}
				if c := confident(faces); c != 1 {
					t.Errorf("frame %d: %d faces with score > 0.9, want 1: %+v", n, c, faces)
					return
				}
				if n <= len(ref.Frames) && ref.Frames[n-1].Success {
					checkBoxHoldsLandmarks(t, n, faces[0].Box, ref.Frames[n-1].Landmarks[:])
				}
			})
			if frames != len(ref.Frames) {
				t.Errorf("decoded %d frames, the reference has %d", frames, len(ref.Frames))
			}
		})
	}
}

func confident(faces []Face) int {
	n := 0
	for _, f := range faces {
		if f.Score > 0.9 {
			n++
		}
	}
	return n
}

// checkBoxHoldsLandmarks wants the eyes, nose and mouth inside the box and
// the box about as wide as the landmarks' spread.
func checkBoxHoldsLandmarks(t *testing.T, frame int, b Box, lm []float64) {
	t.Helper()
	for _, p := range []int{30, 36, 45, 48, 54} {
		x, y := lm[p], lm[68+p]
		if x < b.X1 || x > b.X2 || y < b.Y1 || y > b.Y2 {
			t.Errorf("frame %d: landmark %d (%.1f, %.1f) is outside the box %+v", frame, p, x, y, b)
		}
	}
	minX, maxX := lm[0], lm[0]
	for _, x := range lm[:68] {
		minX, maxX = min(minX, x), max(maxX, x)
	}
	if ratio := (b.X2 - b.X1) / (maxX - minX); ratio < 0.8 || ratio > 1.5 {
		t.Errorf("frame %d: the box is %.2f times as wide as the landmarks", frame, ratio)
	}
}

// TestDetectSeveralFaces checks every fifth frame of a video with three people.
func TestDetectSeveralFaces(t *testing.T) {
	d := newTestDetector(t, 0)
	testvideo.EachFrame(t, "videos/multi_face.avi", func(n int, img *bgr.Image) {
		if n%5 != 1 {
			return
		}
		faces, err := d.Detect(img)
		if err != nil {
			t.Fatal(err)
		}
		if c := confident(faces); c < 2 {
			t.Errorf("frame %d: %d faces with score > 0.9, want several", n, c)
		}
		for i := 1; i < len(faces); i++ {
			if faces[i].Score > faces[i-1].Score {
				t.Errorf("frame %d: faces are not sorted by score: %v after %v", n, faces[i].Score, faces[i-1].Score)
			}
			for _, k := range faces[:i] {
				if o := overlap(k.Box, faces[i].Box); o > overlapThreshold {
					t.Errorf("frame %d: kept faces overlap by %.2f", n, o)
				}
			}
		}
	})
}

func TestDetectNothing(t *testing.T) {
	d := newTestDetector(t, 0)
	for _, img := range []*bgr.Image{bgr.New(640, 480), bgr.New(1080, 720), bgr.New(16, 16)} {
		faces, err := d.Detect(img)
		if err != nil {
			t.Fatal(err)
		}
		if len(faces) != 0 {
			t.Errorf("a black %d×%d image gives %d faces: %+v", img.W, img.H, len(faces), faces)
		}
	}
}

// TestDetectAfterSizeChange checks that the padding of a larger letterbox
// does not leak into the next frame: the same frame gives the same faces
// before and after a frame of another size.
func TestDetectAfterSizeChange(t *testing.T) {
	d := newTestDetector(t, 0)
	wide := testvideo.FirstFrame(t, "videos/subj01_timepoint01.mp4") // 640×427 in the input
	tall := testvideo.FirstFrame(t, "videos/default.wmv")            // 640×480 in the input
	first, err := d.Detect(wide)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Face(nil), first...)
	if _, err := d.Detect(tall); err != nil {
		t.Fatal(err)
	}
	got, err := d.Detect(wide)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || got[0] != want[0] {
		t.Errorf("after a frame of another size: %+v, before: %+v", got, want)
	}
}

func TestDetectRejectsBadImages(t *testing.T) {
	d := newTestDetector(t, 0)
	for _, img := range []*bgr.Image{
		{W: 0, H: 0},
		{W: 10, H: 10, Pix: make([]uint8, 299)},
		{W: -2, H: -2, Pix: make([]uint8, 12)},
	} {
		if _, err := d.Detect(img); err == nil {
			t.Errorf("a %d×%d image with %d bytes gives no error", img.W, img.H, len(img.Pix))
		}
	}
}

func TestNewDetectorRejectsOtherFiles(t *testing.T) {
	rt := testvideo.Runtime(t)
	for _, path := range []string{
		testenv.ModelPath(t, weights.LocatorFile),
		testenv.ModelPath(t, weights.AUListFile),
		t.TempDir() + "/missing.onnx",
	} {
		if d, err := NewDetector(rt, path, onnx.SessionOptions{}); err == nil {
			d.Close()
			t.Errorf("%s loads as a RetinaFace model", path)
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	img := testvideo.FirstFrame(b, "videos/default.wmv")
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			d := newTestDetector(b, threads)
			if _, err := d.Detect(img); err != nil { // sizes the reused buffers
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Detect(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLetterbox(b *testing.B) {
	for _, rel := range []string{"videos/default.wmv", "videos/subj01_timepoint01.mp4"} {
		img := testvideo.FirstFrame(b, rel)
		b.Run(rel, func(b *testing.B) {
			var lb letterbox
			lb.adapt(img.W, img.H)
			input := make([]float32, 3*InputSize*InputSize)
			b.ReportAllocs()
			for b.Loop() {
				lb.resize(img, input)
			}
		})
	}
}
