package hog

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// goldenImages are checked against testdata/dlib/<name>.f32: the float32
// features, in OpenFace's order, that dlib 19.24's extract_fhog_features
// (cell size 8, built with SSE4.1 as dlib's CMake does by default) wrote
// for these images. Each image is built with integer arithmetic only.
var goldenImages = []struct {
	name  string
	image func() *bgr.Image
}{
	{"hashed_noise", func() *bgr.Image { return hashedImage(1, 256) }},
	{"low_contrast_ties", func() *bgr.Image { return hashedImage(2, 4) }},
	{"masked_waves", maskedWaves},
}

func hashedImage(seed uint32, levels uint32) *bgr.Image {
	img := bgr.New(ImageSize, ImageSize)
	for i := range img.Pix {
		h := (uint32(i) + seed*0x9E3779B1) * 0x85EBCA77
		h ^= h >> 15
		h *= 0x2C1B3C6D
		h ^= h >> 12
		img.Pix[i] = uint8(h % levels)
	}
	return img
}

// maskedWaves is a face-like test image: colour triangle waves inside an
// ellipse, black outside it.
func maskedWaves() *bgr.Image {
	img := bgr.New(ImageSize, ImageSize)
	for y := range ImageSize {
		for x := range ImageSize {
			dx, dy := x-56, y-60
			if dx*dx*64+dy*dy*36 > 48*48*36 {
				continue
			}
			for c := range 3 {
				v := (x*(3+c) + y*(7-2*c)) % 240
				if v >= 120 {
					v = 239 - v
				}
				img.Pix[(y*ImageSize+x)*3+c] = uint8(60 + v)
			}
		}
	}
	return img
}

func TestMatchesDlibGolden(t *testing.T) {
	for _, g := range goldenImages {
		t.Run(g.name, func(t *testing.T) {
			path := filepath.Join("testdata", "dlib", g.name+".f32")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) != 4*Length {
				t.Fatalf("%s holds %d bytes, want %d", path, len(raw), 4*Length)
			}
			got := extract(t, g.image())
			differ, first := 0, -1
			for i := range got {
				want := float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
				if got[i] != want {
					if first < 0 {
						first = i
					}
					differ++
				}
			}
			if differ > 0 {
				want := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*first:]))
				t.Errorf("%d of %d features differ from dlib; first is %d: %.9g, want %.9g", differ, Length, first, got[first], want)
			}
		})
	}
}
