package clnf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// referenceResponse is the straightforward form of expertResponse, as
// OpenFace computes it: one normalised patch and one neuron at a time, Σ
// row-major, every sum in float64.
func referenceResponse(e *patchExpert, sigma []float64, area []float32, areaW, window int) []float64 {
	k := e.width * e.height
	raw := make([]float64, window*window)
	col := make([]float64, k)
	for p := range raw {
		start := (p/window)*areaW + p%window
		var sum float64
		for i := range col {
			col[i] = float64(area[start+(i/e.width)*areaW+i%e.width])
			sum += col[i]
		}
		mean, sumSq := sum/float64(k), 0.0
		for i := range col {
			col[i] -= mean
			sumSq += col[i] * col[i]
		}
		norm := math.Sqrt(sumSq)
		if norm == 0 {
			norm = 1
		}
		for n, alpha := range e.alphas {
			if alpha <= 1e-4 {
				continue
			}
			z := float64(e.bias[n])
			for i, c := range col {
				z += float64(e.wt[(n/lanes)*k*lanes+i*lanes+n%lanes]) * c / norm
			}
			raw[p] += 2 * alpha / (1 + math.Exp(-z))
		}
	}
	n := window * window
	out := make([]float64, n)
	minV := math.Inf(1)
	for i := range n {
		for j, r := range raw {
			out[i] += sigma[i*n+j] * r
		}
		minV = min(minV, out[i])
	}
	if minV < 0 {
		for i := range out {
			out[i] -= minV
		}
	}
	return out
}

// untransposed returns Σ row-major from partModel.sigma's padded transpose.
func untransposed(sigmaT []float32, n int) []float64 {
	stride := roundUp8(n)
	s := make([]float64, n*n)
	for i := range n {
		for j := range n {
			s[i*n+j] = float64(sigmaT[j*stride+i])
		}
	}
	return s
}

// responseTolerance bounds a response map's difference from the float64
// reference, relative to the map's largest value: the kernels sum in
// float32, in their own order, with a float32 exponential.
const responseTolerance = 2e-5

// TestExpertResponseMatchesReference checks each kernel set against the
// straightforward float64 computation, for every window size and for flat
// areas (zero norm) as well as textured ones.
func TestExpertResponseMatchesReference(t *testing.T) {
	m := loadModel(t)
	defer func(used kernelSet) { kernels = used }(kernels)
	for name, set := range kernelSets {
		kernels = set
		rng := rand.New(rand.NewPCG(1, 2))
		for _, tc := range []struct {
			window int
			flat   bool
		}{{1, false}, {3, false}, {5, false}, {7, false}, {9, false}, {11, false}, {15, false}, {9, true}} {
			t.Run(fmt.Sprintf("%s window %d flat %v", name, tc.window, tc.flat), func(t *testing.T) {
				e := &m.main.scales[2].experts[0][30]
				areaW := tc.window + e.width - 1
				area := make([]float32, areaW*(tc.window+e.height-1))
				for i := range area {
					area[i] = 128
					if !tc.flat {
						area[i] = float32(rng.IntN(256)) + float32(rng.IntN(32))/32
					}
				}
				n := tc.window * tc.window
				sigmaT := identityT(n)
				if _, ok := m.main.scales[2].sigmaComponents[tc.window]; ok {
					sigmaT = m.main.sigma(2, 0, 30, tc.window)
				}
				want := referenceResponse(e, untransposed(sigmaT, n), area, areaW, tc.window)
				got := make([]float32, roundUp8(n))
				newPatchScratch().expertResponse(e, sigmaT, area, areaW, tc.window, got)
				largest := 0.0
				for _, v := range want {
					largest = max(largest, math.Abs(v))
				}
				for i := range want {
					if d := math.Abs(float64(got[i]) - want[i]); d > responseTolerance*largest || math.IsNaN(d) {
						t.Fatalf("response %d: %g, want %g (largest %g)", i, got[i], want[i], largest)
					}
				}
			})
		}
	}
}

// identityT is the n×n identity in partModel.sigma's padded layout.
func identityT(n int) []float32 {
	stride := roundUp8(n)
	m := make([]float32, n*stride)
	for i := range n {
		m[i*stride+i] = 1
	}
	return m
}

func BenchmarkExpertResponse(b *testing.B) {
	m := loadModel(b)
	for _, window := range []int{7, 9, 11} {
		b.Run(fmt.Sprintf("window=%d", window), func(b *testing.B) {
			e := &m.main.scales[2].experts[0][30]
			areaW := window + e.width - 1
			area := make([]float32, areaW*areaW)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range area {
				area[i] = float32(rng.IntN(256))
			}
			sigma := m.main.sigma(2, 0, 30, window)
			out := make([]float32, roundUp8(window*window))
			s := newPatchScratch()
			b.ReportAllocs()
			for b.Loop() {
				s.expertResponse(e, sigma, area, areaW, window, out)
			}
		})
	}
}

// TestExtractAreaReadsOnlySampledRect checks that sampledRect covers every
// pixel extractArea reads: with everything outside the converted rectangle
// set to NaN, the area must equal the one sampled from a fully converted
// frame, for rotations, scales and positions across the frame's edges.
func TestExtractAreaReadsOnlySampledRect(t *testing.T) {
	const w, h = 64, 48
	img := &bgr.Image{W: w, H: h, Pix: make([]byte, 3*w*h)}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.IntN(256))
	}
	var full grayFrame
	full.setFrame(img)
	full.ensure(rect{0, 0, w, h})
	s := newPatchScratch()
	for _, tc := range []struct {
		cx, cy, scale, angle float32
		areaW, areaH         int
	}{
		{32, 24, 1, 0, 19, 19},
		{32.3, 24.7, 0.6, 0.4, 21, 17},
		{20.5, 30.25, 1.7, -1.2, 17, 21},
		{1.5, 2.5, 1.2, 2.5, 19, 19},
		{62.9, 47.2, 0.8, -2.9, 15, 15},
		{-3, 50, 1, 0.7, 13, 13},
	} {
		t.Run(fmt.Sprintf("%v,%v", tc.cx, tc.cy), func(t *testing.T) {
			a1 := tc.scale * float32(math.Cos(float64(tc.angle)))
			b1 := tc.scale * float32(math.Sin(float64(tc.angle)))
			want := append([]float32(nil), s.extractArea(&full, tc.cx, tc.cy, a1, b1, tc.areaW, tc.areaH)...)
			var part grayFrame
			part.setFrame(img)
			for i := range part.pix {
				part.pix[i] = float32(math.NaN())
			}
			part.ensure(sampledRect(tc.cx, tc.cy, a1, b1, tc.areaW, tc.areaH))
			got := s.extractArea(&part, tc.cx, tc.cy, a1, b1, tc.areaW, tc.areaH)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("area value %d is %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestGrayEnsureGrowsRegion checks that successive requests convert exactly
// their union's bounding box, clipped to the frame, leaving the rest untouched.
func TestGrayEnsureGrowsRegion(t *testing.T) {
	const w, h = 20, 10
	img := &bgr.Image{W: w, H: h, Pix: make([]byte, 3*w*h)}
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	var full grayFrame
	full.setFrame(img)
	full.ensure(rect{0, 0, w, h})
	for _, tc := range []struct {
		name     string
		requests []rect
		want     rect
	}{
		{"one", []rect{{2, 3, 5, 6}}, rect{2, 3, 5, 6}},
		{"inside", []rect{{2, 2, 9, 9}, {3, 3, 4, 4}}, rect{2, 2, 9, 9}},
		{"disjoint", []rect{{1, 1, 3, 3}, {6, 5, 8, 7}}, rect{1, 1, 8, 7}},
		{"overlapping", []rect{{4, 4, 8, 8}, {2, 6, 6, 9}}, rect{2, 4, 8, 9}},
		{"clipped", []rect{{-5, -5, 3, 2}, {18, 8, 40, 40}}, rect{0, 0, w, h}},
		{"empty", []rect{{5, 5, 5, 9}}, rect{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g grayFrame
			g.setFrame(img)
			for i := range g.pix {
				g.pix[i] = -1
			}
			for _, r := range tc.requests {
				g.ensure(r)
			}
			for y := range h {
				for x := range w {
					want := float32(-1)
					if tc.want.contains(rect{x, y, x + 1, y + 1}) {
						want = full.pix[y*w+x]
					}
					if got := g.pix[y*w+x]; got != want {
						t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}
