package align

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// goldenCases are checked against testdata/opencv: each <name>.bgr holds the
// 112×112 face and <name>.warp the 2×3 matrix that OpenFace 2.2's own
// AlignFaceMask (Face_utils.cpp, PAW.cpp, RotationHelpers.h), built against
// OpenCV 4.6.0, produced for syntheticFrame with the landmarks and p_tx,
// p_ty of the given CSV frame and the PDM mean. Cases without a CSV call
// cv::warpAffine alone with the matrix given here.
var goldenCases = []struct {
	name  string
	csv   string
	frame int
	w, h  int
	warp  [6]float32
}{
	{name: "default_f1", csv: "reference/openface-2.2-clnf/default.csv", frame: 1, w: 640, h: 480},
	{name: "changeLighting_f60", csv: "reference/openface-2.2-clnf/changeLighting.csv", frame: 60, w: 640, h: 480},
	{name: "subj02_f100", csv: "reference/openface-2.2-ceclm/subj02_timepoint01_openface.csv", frame: 100, w: 1080, h: 720},
	{name: "warp_rotated_past_bottom", w: 640, h: 480, warp: [6]float32{0.31, -0.52, 250.25, 0.52, 0.31, -150.5}},
	{name: "warp_partly_off_frame", w: 200, h: 150, warp: [6]float32{1.7, 0.2, 30.1, -0.2, 1.7, 50.3}},
}

// syntheticFrame is a deterministic frame built with integer arithmetic
// only: a triangle-wave ramp per channel plus hashed noise.
func syntheticFrame(w, h int) *bgr.Image {
	img := bgr.New(w, h)
	for y := range h {
		for x := range w {
			for c := range 3 {
				ramp := (x*(2+c) + y*(3-c)) % 400
				if ramp >= 200 {
					ramp = 399 - ramp
				}
				img.Pix[(y*w+x)*3+c] = uint8(ramp + int(noiseHash(x, y, c)%56))
			}
		}
	}
	return img
}

func noiseHash(x, y, c int) uint32 {
	h := uint32(x)*0x9E3779B1 ^ uint32(y)*0x85EBCA77 ^ uint32(c)*0xC2B2AE3D
	h ^= h >> 15
	h *= 0x2C1B3C6D
	h ^= h >> 12
	return h
}

func TestMatchesOpenCVGolden(t *testing.T) {
	a, _ := newTestAligner(t)
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			base := filepath.Join("testdata", "opencv", c.name)
			want, err := os.ReadFile(base + ".bgr")
			if err != nil {
				t.Fatal(err)
			}
			wantWarp := readWarpFile(t, base+".warp")
			frame := syntheticFrame(c.w, c.h)
			face := bgr.New(FaceSize, FaceSize)
			var gotWarp [6]float32
			if c.csv == "" {
				var raw Aligner
				raw.warpAffine(frame, c.warp, face, nil)
				gotWarp = c.warp
			} else {
				row := readCSVFrame(t, c.csv, c.frame)
				a.Align(frame, row.landmarks, row.tx, row.ty, face)
				gotWarp = a.warp
			}
			if gotWarp != wantWarp {
				t.Errorf("warp matrix %v, OpenFace %v", gotWarp, wantWarp)
			}
			differ, first := 0, -1
			for i := range want {
				if face.Pix[i] != want[i] {
					if first < 0 {
						first = i
					}
					differ++
				}
			}
			if differ > 0 {
				p := first / 3
				t.Errorf("%d bytes differ from OpenFace; first at pixel (%d,%d) channel %d: %d, want %d",
					differ, p%FaceSize, p/FaceSize, first%3, face.Pix[first], want[first])
			}
			if zeros := countZeroPixels(want); zeros == 0 || zeros == FaceSize*FaceSize {
				t.Errorf("golden face has %d black pixels: it does not exercise both the image and its border", zeros)
			}
		})
	}
}

func readWarpFile(t *testing.T, path string) [6]float32 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(raw))
	if len(fields) != 6 {
		t.Fatalf("%s: %d values, want 6", path, len(fields))
	}
	var m [6]float32
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 32)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		m[i] = float32(v)
	}
	return m
}

func countZeroPixels(pix []uint8) int {
	n := 0
	for i := 0; i < len(pix); i += 3 {
		if pix[i] == 0 && pix[i+1] == 0 && pix[i+2] == 0 {
			n++
		}
	}
	return n
}
