package au

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// fullScanMedian is UpdateRunningMedian as OpenFace runs it (a full
// cumulative scan of every dimension on every update, bins computed as OpenCV
// evaluates the matrix expression), kept as the reference for the incremental
// runningMedian.
type fullScanMedian struct {
	bins        int
	min, length float64
	hist        [][]int
	count       int
	median      []float64
}

func (r *fullScanMedian) update(desc []float64, add bool) {
	if r.hist == nil {
		r.hist = make([][]int, len(desc))
		for i := range r.hist {
			r.hist[i] = make([]int, r.bins)
		}
		r.median = append([]float64(nil), desc...)
	}
	if add {
		alpha := float64(r.bins) * (1 / r.length)
		beta := (-r.min * float64(r.bins)) * (1 / r.length)
		for i, v := range desc {
			b := math.FMA(v, alpha, beta)
			b = math.Max(0, math.Min(b, float64(r.bins-1)))
			r.hist[i][int(b)]++
		}
		r.count++
	}
	if r.count == 1 {
		copy(r.median, desc)
		return
	}
	cut := (r.count + 1) / 2
	for i, h := range r.hist {
		sum := 0
		for j, n := range h {
			sum += n
			if sum >= cut {
				r.median[i] = r.min + float64(j)*(r.length/float64(r.bins)) + 0.5*r.length/float64(r.bins)
				break
			}
		}
	}
}

func TestRunningMedianMatchesFullScan(t *testing.T) {
	const dims, bins = 6, 40
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		got := newRunningMedian(make([]float64, dims), bins, -1, 1)
		want := fullScanMedian{bins: bins, min: -1, length: 2}
		for step := range 400 {
			desc := make([]float64, dims)
			for i := range desc {
				// Mostly clustered values (many ties), some outside the range.
				desc[i] = math.Round(rng.NormFloat64()*4)/10 + float64(i%3-1)*0.3
			}
			add := rng.Float64() < 0.8 || step == 0 && trial%2 == 0
			got.update(desc, add)
			want.update(desc, add)
			for i := range dims {
				if got.median[i] != want.median[i] {
					t.Fatalf("trial %d step %d dim %d: median %v, full scan gives %v", trial, step, i, got.median[i], want.median[i])
				}
			}
		}
		// A reset tracker must behave as a new one.
		got.reset()
		want = fullScanMedian{bins: bins, min: -1, length: 2}
		for range 9 {
			desc := []float64{0.1, -0.2, 0.3, 0.9, -0.9, 0}
			got.update(desc, true)
			want.update(desc, true)
		}
		for i := range dims {
			if got.median[i] != want.median[i] {
				t.Fatalf("trial %d after reset, dim %d: median %v, want %v", trial, i, got.median[i], want.median[i])
			}
		}
	}
}

// frame is one AddFrame call for the scheduling tests: a successful frame
// with every HOG value hog and every geometry value geom, or a failed one.
type frame struct {
	ok        bool
	hog, geom float64
}

func fill(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// Spec §7.3/§7.4 and the median self-test of §14, checked on the medians an
// Analyser holds after a sequence of frames. Expected values by hand:
// HOG bin b has centre −0.005 + 0.001005·b + 0.0005025; geom bin b has centre
// −60 + 0.012·b + 0.006.
func TestAnalyserMedians(t *testing.T) {
	m := loadShippedModels(t)
	tests := []struct {
		name              string
		frames            []frame
		wantHOG, wantGeom float64
	}{
		{
			// 0.3 → bin trunc(0.305·1000/1.005) = 303 → 0.3000175;
			// 1.234 → bin trunc(61.234·10000/120) = 5102 → 1.230.
			name:    "constant over 5 odd frames gives the bin centre",
			frames:  slices.Repeat([]frame{{true, 0.3, 1.234}}, 9),
			wantHOG: 0.3000175, wantGeom: 1.230,
		},
		{
			name:    "one successful odd frame: the descriptor itself",
			frames:  []frame{{true, 0.3, 1.234}},
			wantHOG: 0.3, wantGeom: 1.234,
		},
		{
			name:    "even frames leave the medians alone",
			frames:  []frame{{true, 0.3, 1.234}, {true, 0.7, -5}},
			wantHOG: 0.3, wantGeom: 1.234,
		},
		{
			// count 0 ⇒ cut 0 ⇒ bin 0: HOG −0.0044975 clamped to 0, geom −59.994.
			name:    "first odd frame failed gives bin 0",
			frames:  []frame{{false, 0, 0}, {true, 0.3, 1.234}},
			wantHOG: 0, wantGeom: -59.994,
		},
		{
			// count stays 1, so the failed frame's zero descriptor becomes the median.
			name:    "failed odd frame after one success overwrites the median",
			frames:  []frame{{true, 0.3, 1.234}, {true, 0.3, 1.234}, {false, 0, 0}},
			wantHOG: 0, wantGeom: 0,
		},
		{
			// Two successes: cut 1 ⇒ the lower value's bin.
			name:    "failed odd frame after two successes changes nothing",
			frames:  []frame{{true, 0.3, 1.234}, {true, 0, 0}, {true, 0.5, 2}, {true, 0, 0}, {false, 0, 0}},
			wantHOG: 0.3000175, wantGeom: 1.230,
		},
		{
			name:    "a negative HOG median is clamped at 0",
			frames:  []frame{{true, -0.003, 0}},
			wantHOG: 0, wantGeom: 0,
		},
		{
			// HOG 0 → bin 4, centre −0.0004775 → 0; geom 0 → bin 5000 → 0.006.
			name:    "zero descriptor",
			frames:  slices.Repeat([]frame{{true, 0, 0}}, 3),
			wantHOG: 0, wantGeom: 0.006,
		},
		{
			// Clamped into the last bins: HOG 999 → 0.9994975; geom 9999 → 59.994.
			name:    "values above the range",
			frames:  slices.Repeat([]frame{{true, 2, 100}}, 3),
			wantHOG: 0.9994975, wantGeom: 59.994,
		},
		{
			// Below the range: bin 0.
			name:    "values below the range",
			frames:  slices.Repeat([]frame{{true, -1, -100}}, 3),
			wantHOG: 0, wantGeom: -59.994,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnalyser(m)
			for _, f := range tt.frames {
				a.AddFrame(f.ok, fill(HOGLen, f.hog), fill(GeomLen, f.geom))
			}
			for i, v := range a.medians {
				want, what := tt.wantHOG, "HOG"
				if i >= HOGLen {
					want, what = tt.wantGeom, "geom"
				}
				if math.Abs(v-want) > 1e-9 {
					t.Fatalf("%s median[%d] = %.10g, want %.10g", what, i, v, want)
				}
			}
		})
	}
}
