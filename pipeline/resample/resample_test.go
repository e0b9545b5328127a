package resample

import "testing"

func TestLinearTaps(t *testing.T) {
	tests := []struct {
		name     string
		srcLen   int
		invScale float64
		axis     Axis
		want     []Tap
	}{
		{"enlarge 2 → 4 columns: edges repeat, quarter weights inside", 2, 0.5, Columns, []Tap{
			{0, 1, 2048, 0}, {0, 1, 1536, 512}, {0, 1, 512, 1536}, {1, 1, 2048, 0},
		}},
		{"enlarge 2 → 4 rows: the edge rows keep their fractions", 2, 0.5, Rows, []Tap{
			{0, 0, 512, 1536}, {0, 1, 1536, 512}, {0, 1, 512, 1536}, {1, 1, 1536, 512},
		}},
		{"shrink 4 → 2: halves", 4, 2, Columns, []Tap{{0, 1, 1024, 1024}, {2, 3, 1024, 1024}}},
		{"shrink 6 → 2: one tap each, no widening", 6, 3, Rows, []Tap{{1, 2, 2048, 0}, {4, 5, 2048, 0}}},
		{"identity", 3, 1, Columns, []Tap{{0, 1, 2048, 0}, {1, 2, 2048, 0}, {2, 2, 2048, 0}}},
		{"shrink 5 → 3: a third", 5, 5.0 / 3, Columns, []Tap{{0, 1, 1365, 683}, {2, 3, 2048, 0}, {3, 4, 683, 1365}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make([]Tap, len(tc.want))
			LinearTaps(got, tc.srcLen, tc.invScale, tc.axis)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("tap %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestBlend interpolates a 2×2 block of samples, top-left, top-right,
// bottom-left, bottom-right, with both passes.
func TestBlend(t *testing.T) {
	whole, quarter, threeQuarters, half := Tap{0, 1, WeightOne, 0}, Tap{0, 1, 1536, 512}, Tap{0, 1, 512, 1536}, Tap{0, 1, 1024, 1024}
	tests := []struct {
		name   string
		block  [4]uint8
		tx, ty Tap
		want   int
	}{
		{"the top-left sample alone", [4]uint8{255, 0, 0, 0}, whole, whole, 255},
		{"a quarter along x", [4]uint8{100, 200, 0, 0}, quarter, whole, 125},
		{"three quarters along x", [4]uint8{100, 200, 0, 0}, threeQuarters, whole, 175},
		{"a quarter along x and y: 101.25", [4]uint8{100, 200, 20, 60}, quarter, quarter, 101},
		{"three quarters along x, a quarter along y: 143.75", [4]uint8{100, 200, 20, 60}, threeQuarters, quarter, 144},
		{"the mean of 25.25 rounds down", [4]uint8{10, 20, 30, 41}, half, half, 25},
		{"the mean of 10.5 rounds up", [4]uint8{10, 11, 10, 11}, half, half, 11},
		{"the mean of 0.5 rounds up", [4]uint8{0, 1, 1, 0}, half, half, 1},
		{"the mean of 0.25 rounds down", [4]uint8{0, 1, 0, 0}, half, half, 0},
		{"white stays white", [4]uint8{255, 255, 255, 255}, half, quarter, 255},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			upper := BlendColumns(tc.block[0], tc.block[1], tc.tx)
			lower := BlendColumns(tc.block[2], tc.block[3], tc.tx)
			if got := BlendRows(upper, lower, tc.ty); got != tc.want {
				t.Errorf("blend = %d, want %d", got, tc.want)
			}
		})
	}
}

func BenchmarkLinearTaps(b *testing.B) {
	taps := make([]Tap, 640)
	b.ReportAllocs()
	for b.Loop() {
		LinearTaps(taps, 1080, 1080.0/640, Columns)
	}
}
