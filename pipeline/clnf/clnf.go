// Package clnf refines 68 facial landmarks with OpenFace's CLNF fitting: CCNF
// patch-expert responses around each point and a regularised landmark
// mean-shift fit of the point distribution model (NU-RLMS).
// It starts from landmarks found elsewhere and moves them towards what
// OpenFace 2.2's CLNF tracker would report on the same frame.
package clnf

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

const (
	numScales = 3
	// maxWindow is the largest response window a model file may declare.
	maxWindow = 15
)

// Model is a loaded CLNF landmark model: the 68-point PDM with its CCNF
// patch experts at three scales and the hierarchical part models the
// description names. It is read-only after Load except for caches of the
// per-window Sigma matrices and mean-shift kernels, which are safe for
// concurrent Fitters and shared by them.
type Model struct {
	PDM   *pdm.Model
	main  *partModel
	parts []*part
}

// part is a hierarchical part model (inner face, one eye) and where its
// points come from.
type part struct {
	name     string
	model    *partModel
	mapping  [][2]int // (index in the 68 points, index in the part)
	settings partSettings
}

// partModel is one CLNF: a shape model and its patch experts per scale.
type partModel struct {
	shape  *shapeModel
	scales []*scaleExperts

	mu     sync.Mutex
	sigmas map[sigmaKey][]float32
	kdes   map[kdeKey][]float32
}

// Parts returns the names of the model's hierarchical part models.
func (m *Model) Parts() []string {
	names := make([]string, len(m.parts))
	for i, p := range m.parts {
		names[i] = p.name
	}
	return names
}

// scaleExperts holds the experts of one patch scale (one PatchesCCNF file).
type scaleExperts struct {
	scaling         float64 // the reference shape's scale at which patches were trained
	views           []view
	sigmaComponents map[int][][]float32 // window size → components (window²×window² each)
	numBetas        int
	experts         [][]patchExpert // [view][landmark]
}

// view is one head orientation an expert set was trained for.
type view struct {
	center  [3]float64 // Euler angles in radians
	visible []bool
}

// patchExpert is one landmark's CCNF: neurons and edge weights betas. The
// neurons go in groups of eight lanes, unused lanes zero: wt holds, per
// group, the norm-weighted patch weights in row-major patch order, eight
// per patch value; bias the biases; alpha2 2α, or 0 where OpenFace skips a
// neuron for its negligible α.
type patchExpert struct {
	width, height int
	wt            []float32 // [group][y·width+x][lane]
	bias, alpha2  []float32 // [group][lane]
	alphas        []float64
	betas         []float64
	confidence    float64
}

// groups is the number of eight-neuron groups.
func (e *patchExpert) groups() int { return len(e.bias) / lanes }

type sigmaKey struct{ scale, view, landmark, window int }

// sigma returns the response-smoothing matrix Σ = (2(Σα·I + Σβ·S))⁻¹ of an
// expert for a window size (CCNF_patch_expert::ComputeSigmas), computing it
// on first use. It is stored transposed, each row padded to
// roundUp8(window²) values.
func (m *partModel) sigma(scale, viewIdx, landmark, window int) []float32 {
	key := sigmaKey{scale, viewIdx, landmark, window}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sigmas[key]; ok {
		return s
	}
	s := m.uncachedSigma(key)
	m.sigmas[key] = s
	return s
}

// uncachedSigma computes the Σ of key without the cache.
func (m *partModel) uncachedSigma(key sigmaKey) []float32 {
	se := m.scales[key.scale]
	return computeSigma(&se.experts[key.view][key.landmark], se.sigmaComponents[key.window], key.window)
}

// prepareSigmas computes on workers goroutines every Σ that fits with these
// windows will read and the cache lacks, so that memory stays the same
// whatever head poses a video shows.
func (m *partModel) prepareSigmas(windows []int, workers int) {
	var keys []sigmaKey
	m.mu.Lock()
	for scale, w := range windows {
		if w == 0 {
			continue
		}
		se := m.scales[scale]
		for v, experts := range se.experts {
			for i := range experts {
				key := sigmaKey{scale, v, i, w}
				if _, cached := m.sigmas[key]; !cached && se.views[v].visible[i] && len(experts[i].alphas) > 0 {
					keys = append(keys, key)
				}
			}
		}
	}
	m.mu.Unlock()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(keys) {
					return
				}
				s := m.uncachedSigma(keys[k])
				m.mu.Lock()
				m.sigmas[keys[k]] = s
				m.mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func computeSigma(e *patchExpert, comps [][]float32, window int) []float32 {
	n := window * window
	var sumAlpha float32
	for _, a := range e.alphas {
		sumAlpha += float32(a)
	}
	inv := make([]float64, n*n)
	for i := range n {
		for j := range n {
			var q float32
			if i == j {
				q = sumAlpha
			}
			for b, c := range comps {
				q += float32(e.betas[b]) * c[i*n+j]
			}
			inv[i*n+j] = float64(2 * q)
		}
	}
	stride := roundUp8(n)
	out := make([]float32, n*stride)
	for i, v := range invertSPD(inv, n) {
		out[(i%n)*stride+i/n] = float32(v)
	}
	return out
}

// invertSPD inverts a symmetric positive-definite n×n matrix by Cholesky.
func invertSPD(a []float64, n int) []float64 {
	l := make([]float64, n*n)
	for i := range n {
		for j := 0; j <= i; j++ {
			s := a[i*n+j]
			for k := range j {
				s -= l[i*n+k] * l[j*n+k]
			}
			if i == j {
				l[i*n+i] = math.Sqrt(math.Max(s, 1e-300))
			} else {
				l[i*n+j] = s / l[j*n+j]
			}
		}
	}
	inv := make([]float64, n*n)
	col := make([]float64, n)
	for c := range n {
		for i := range n {
			s := 0.0
			if i == c {
				s = 1
			}
			for k := range i {
				s -= l[i*n+k] * col[k]
			}
			col[i] = s / l[i*n+i]
		}
		for i := n - 1; i >= 0; i-- {
			s := col[i]
			for k := i + 1; k < n; k++ {
				s -= l[k*n+i] * inv[k*n+c]
			}
			inv[i*n+c] = s / l[i*n+i]
		}
	}
	return inv
}

// viewIndex picks the view whose centre is nearest the head rotation
// (Patch_experts::GetViewIdx).
func (s *scaleExperts) viewIndex(rx, ry, rz float64) int {
	best, bestD := 0, math.Inf(1)
	for i, v := range s.views {
		d1, d2, d3 := float32(rx-v.center[0]), float32(ry-v.center[1]), float32(rz-v.center[2])
		if d := float64(d1*d1 + d2*d2 + d3*d3); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// checkWindow reports whether every scale can serve a window size.
func (m *partModel) checkWindow(w int) error {
	for i, s := range m.scales {
		if _, ok := s.sigmaComponents[w]; !ok {
			return fmt.Errorf("scale %d has no sigma components for window %d", i, w)
		}
	}
	return nil
}
