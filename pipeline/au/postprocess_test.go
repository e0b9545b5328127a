package au

import (
	"math"
	"testing"
)

func closeTo(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func TestIntensityOffset(t *testing.T) {
	values := []float64{0.5, -0.2, 9, 0.1, 0.3}
	success := []bool{true, true, false, true, true}
	// Successful values sorted: −0.2, 0.1, 0.3, 0.5 (the failed 9 is left out).
	tests := []struct {
		name    string
		values  []float64
		success []bool
		cutoff  float64
		want    float64
	}{
		{"static model", values, success, -1, 0},
		{"half: index trunc(4·0.5) = 2", values, success, 0.5, 0.3},
		{"0.55: index trunc(2.2) = 2", values, success, 0.55, 0.3},
		{"0.75: index 3", values, success, 0.75, 0.5},
		{"0: the lowest, negative, value", values, success, 0, -0.2},
		{"no successful frame", values, []bool{false, false, false, false, false}, 0.5, 0},
		{"no frame", nil, nil, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := intensityOffset(tt.values, tt.success, tt.cutoff, make([]float64, 0, len(tt.values))); got != tt.want {
				t.Errorf("offset %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClampToScale(t *testing.T) {
	values := []float64{0.5, -0.2, 9, 0.1, 6.0, 5.3}
	clampToScale(values, []bool{true, true, false, true, true, true}, 0.3)
	want := []float64{0.2, 0, 0, 0, 5, 5}
	if !closeTo(values, want, 1e-12) {
		t.Errorf("got %v, want %v", values, want)
	}
}

func TestSmoothIntensity(t *testing.T) {
	tests := []struct {
		name string
		src  []float64
		want []float64
	}{
		{"edges kept, inner 3-frame means", []float64{3, 0, 0, 6, 3}, []float64{3, 1, 2, 3, 3}},
		{"two frames", []float64{1, 4}, []float64{1, 4}},
		{"one frame", []float64{2}, []float64{2}},
		{"no frame", []float64{}, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float64, len(tt.src))
			smoothIntensity(dst, tt.src)
			if !closeTo(dst, tt.want, 1e-12) {
				t.Errorf("got %v, want %v", dst, tt.want)
			}
		})
	}
}

func TestSmoothOccurrence(t *testing.T) {
	tests := []struct {
		name string
		src  []float64
		want []float64
	}{
		{
			// Windows at 3..6 hold 3, 3, 3 and 4 ones out of 7.
			name: "majority of 7, three edge frames each side kept",
			src:  []float64{0, 1, 0, 1, 0, 0, 1, 0, 1, 1},
			want: []float64{0, 1, 0, 0, 0, 0, 1, 0, 1, 1},
		},
		{
			// 4/7 ≥ 0.5 ⇒ 1, even at a frame that was 0 (failed frames too).
			name: "isolated zero filled",
			src:  []float64{1, 1, 0, 0, 1, 1, 0},
			want: []float64{1, 1, 0, 1, 1, 1, 0},
		},
		{
			name: "six frames: no full window",
			src:  []float64{1, 0, 1, 0, 1, 0},
			want: []float64{1, 0, 1, 0, 1, 0},
		},
		{"no frame", []float64{}, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float64, len(tt.src))
			smoothOccurrence(dst, tt.src)
			if !closeTo(dst, tt.want, 0) {
				t.Errorf("got %v, want %v", dst, tt.want)
			}
		})
	}
}
