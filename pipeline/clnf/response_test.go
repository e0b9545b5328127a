package clnf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// referenceResponse is the straightforward form of expertResponse: one
// normalised patch and one neuron at a time, OpenFace's float32 order.
func referenceResponse(e *patchExpert, sigma, area []float32, areaW, window int) []float32 {
	patchLen := e.width * e.height
	stride := patchLen + 1
	raw := make([]float32, window*window)
	col := make([]float32, stride)
	col[0] = 1
	for x := range window {
		for y := range window {
			var sum float32
			for xx := range e.width {
				for yy := range e.height {
					v := area[(y+yy)*areaW+x+xx]
					col[1+xx*e.height+yy] = v
					sum += v
				}
			}
			mean := sum / float32(patchLen)
			var sumSq float32
			for k := 1; k < stride; k++ {
				col[k] -= mean
				sumSq += col[k] * col[k]
			}
			inv := inverseNorm(sumSq)
			for k := 1; k < stride; k++ {
				col[k] *= inv
			}
			var total float32
			for n, alpha := range e.alphas {
				if alpha <= 1e-4 {
					continue
				}
				var z float32
				for k, c := range col {
					z += e.weights[n*stride+k] * c
				}
				total += float32(2 * alpha / (1 + math.Exp(-float64(z))))
			}
			raw[y*window+x] = total
		}
	}
	n := window * window
	out := make([]float32, n)
	minV := float32(math.Inf(1))
	for i := range n {
		var s float32
		for k, r := range raw {
			s += sigma[i*n+k] * r
		}
		out[i] = s
		minV = min(minV, s)
	}
	if minV < 0 {
		for i := range out {
			out[i] -= minV
		}
	}
	return out
}

// TestExpertResponseMatchesReference checks the blocked response code
// against the straightforward loops bit for bit, for every window size and
// for flat areas (zero norm) as well as textured ones.
func TestExpertResponseMatchesReference(t *testing.T) {
	m := loadModel(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		window int
		flat   bool
	}{{1, false}, {3, false}, {5, false}, {7, false}, {9, false}, {11, false}, {9, true}} {
		t.Run(fmt.Sprintf("window %d flat %v", tc.window, tc.flat), func(t *testing.T) {
			e := &m.main.scales[2].experts[0][30]
			areaW := tc.window + e.width - 1
			area := make([]float32, areaW*(tc.window+e.height-1))
			for i := range area {
				area[i] = 128
				if !tc.flat {
					area[i] = float32(rng.IntN(256)) + float32(rng.IntN(32))/32
				}
			}
			sigma := m.main.sigma(2, 0, 30, tc.window)
			if sigma == nil || tc.window == 1 {
				sigma = identity(tc.window * tc.window)
			}
			want := referenceResponse(e, sigma, area, areaW, tc.window)
			got := make([]float32, tc.window*tc.window)
			newPatchScratch().expertResponse(e, sigma, area, areaW, tc.window, got)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("response %d: %g, want %g", i, got[i], want[i])
				}
			}
		})
	}
}

func identity(n int) []float32 {
	m := make([]float32, n*n)
	for i := range n {
		m[i*n+i] = 1
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
			out := make([]float32, window*window)
			s := newPatchScratch()
			b.ReportAllocs()
			for b.Loop() {
				s.expertResponse(e, sigma, area, areaW, window, out)
			}
		})
	}
}
