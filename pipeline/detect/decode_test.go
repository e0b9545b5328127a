package detect

import (
	"math"
	"testing"
)

func TestOverlap(t *testing.T) {
	tests := []struct {
		name string
		a, b Box
		want float64
	}{
		{"identical", Box{0, 0, 9, 9}, Box{0, 0, 9, 9}, 1},
		{"disjoint", Box{0, 0, 9, 9}, Box{20, 20, 29, 29}, 0},
		{"touching edges share a pixel row", Box{0, 0, 9, 9}, Box{9, 0, 18, 9}, 10.0 / 190},
		{"half shifted: 50 of 150 pixels", Box{0, 0, 9, 9}, Box{5, 0, 14, 9}, 50.0 / 150},
		{"nested 4×10 in 10×10", Box{0, 0, 9, 9}, Box{0, 0, 3, 9}, 0.4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := overlap(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("overlap = %v, want %v", got, tc.want)
			}
			if got := overlap(tc.b, tc.a); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("overlap is not symmetric: %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSuppressOverlaps(t *testing.T) {
	face := func(score float64, b Box) Face { return Face{Box: b, Score: score} }
	tests := []struct {
		name  string
		faces []Face // most confident first
		want  []float64
	}{
		{"empty", nil, nil},
		{"one", []Face{face(0.9, Box{0, 0, 9, 9})}, []float64{0.9}},
		{"IoU 0.43 drops the weaker", []Face{
			face(0.9, Box{0, 0, 9, 9}), face(0.8, Box{4, 0, 13, 9}),
		}, []float64{0.9}},
		{"IoU exactly 0.4 keeps both", []Face{
			face(0.9, Box{0, 0, 9, 9}), face(0.8, Box{0, 0, 3, 9}),
		}, []float64{0.9, 0.8}},
		{"IoU 0.33 keeps both", []Face{
			face(0.9, Box{0, 0, 9, 9}), face(0.8, Box{5, 0, 14, 9}),
		}, []float64{0.9, 0.8}},
		{"a dropped box does not suppress", []Face{
			// 0.8 overlaps 0.9 and is dropped; 0.7 overlaps only 0.8, so it stays.
			face(0.9, Box{0, 0, 9, 9}), face(0.8, Box{4, 0, 13, 9}), face(0.7, Box{9, 0, 18, 9}),
		}, []float64{0.9, 0.7}},
		{"two faces with duplicates each", []Face{
			face(0.99, Box{100, 100, 199, 199}), face(0.98, Box{0, 0, 49, 49}),
			face(0.97, Box{102, 101, 201, 198}), face(0.96, Box{1, 1, 50, 50}),
		}, []float64{0.99, 0.98}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := suppressOverlaps(tc.faces)
			if len(got) != len(tc.want) {
				t.Fatalf("kept %d faces %+v, want scores %v", len(got), got, tc.want)
			}
			for i, f := range got {
				if f.Score != tc.want[i] {
					t.Errorf("face %d has score %v, want %v", i, f.Score, tc.want[i])
				}
			}
		})
	}
}

func TestDecodeFaces(t *testing.T) {
	priors := []prior{{100, 50, 16, 32}, {200, 200, 64, 64}, {300, 300, 128, 128}, {400, 400, 8, 8}}
	loc := []float32{
		0, 0, 0, 0, // the anchor itself
		1, -1, 0, 0, // centre moved by 0.1 of the size
		0, 0, 5, -5, // size × e and ÷ e
		0, 0, 0, 0,
	}
	conf := []float32{0.2, 0.8, 0.1, 0.9, 0.5, 0.5, 0.7, 0.3}
	points := make([]float32, 4*10)
	points[10*1+0], points[10*1+1] = 10, -10 // first point of anchor 1: (+0.1·64·10, −0.1·64·10)

	faces := decodeFaces(nil, priors, loc, conf, points)
	if len(faces) != 2 {
		t.Fatalf("got %d faces, want 2 (0.5 is not above the threshold): %+v", len(faces), faces)
	}
	want := []Face{
		{Box: Box{200 + 6.4 - 32, 200 - 6.4 - 32, 200 + 6.4 + 32, 200 - 6.4 + 32}, Score: 0.9},
		{Box: Box{92, 34, 108, 66}, Score: 0.8},
	}
	want[0].Points = [5][2]float64{{264, 136}, {200, 200}, {200, 200}, {200, 200}, {200, 200}}
	want[1].Points = [5][2]float64{{100, 50}, {100, 50}, {100, 50}, {100, 50}, {100, 50}}
	for i := range want {
		if !sameFace(faces[i], want[i]) {
			t.Errorf("face %d = %+v, want %+v", i, faces[i], want[i])
		}
	}

	scaled := decodeFaces(nil, priors[2:3], loc[8:12], []float32{0, 1}, points[20:30])
	b := scaled[0].Box
	if w, h := b.X2-b.X1, b.Y2-b.Y1; math.Abs(w-128*math.E) > 1e-9 || math.Abs(h-128/math.E) > 1e-9 {
		t.Errorf("size regression gives %v×%v, want %v×%v", w, h, 128*math.E, 128/math.E)
	}
}

func sameFace(a, b Face) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-4 }
	if !near(a.Score, b.Score) || !near(a.Box.X1, b.Box.X1) || !near(a.Box.Y1, b.Box.Y1) ||
		!near(a.Box.X2, b.Box.X2) || !near(a.Box.Y2, b.Box.Y2) {
		return false
	}
	for q := range a.Points {
		if !near(a.Points[q][0], b.Points[q][0]) || !near(a.Points[q][1], b.Points[q][1]) {
			return false
		}
	}
	return true
}

func TestToFramePixels(t *testing.T) {
	faces := []Face{{Box: Box{64, 128, 320, 640}, Points: [5][2]float64{{32, 64}}}}
	toFramePixels(faces, 0.5)
	if want := (Box{128, 256, 640, 1280}); faces[0].Box != want {
		t.Errorf("box = %+v, want %+v", faces[0].Box, want)
	}
	if faces[0].Points[0] != [2]float64{64, 128} {
		t.Errorf("point = %v, want [64 128]", faces[0].Points[0])
	}
}
