package clnf

import "math"

// The response kernels work on one data layout whatever computes them:
//   - a patch column is the w×h patch in row-major order, mean subtracted,
//     then zeros up to columnStride(w, h) values; inv holds 1/‖column‖ (1
//     for a flat patch), so the normalised patch of OpenFace's im2col is
//     column·inv;
//   - an expert's neurons go in groups of eight lanes (patchExpert.wt);
//   - Σ is stored transposed with rows padded to a multiple of eight.
//
// The vector kernels (kernels_amd64.s, kernels_arm64.s) sum in a
// different order from these Go ones and use a float32 exponential, so
// their maps differ in the last bits; OpenFace's own maps come from OpenBLAS's sgemm and OpenCV's exp,
// whose order differs from both.
type kernelSet struct {
	centredColumns func(area []float32, areaW, window, w, h int, cols, inv []float32)
	neuronSums     func(cols []float32, stride, positions int, e *patchExpert, inv, out []float32)
	smooth         func(sigmaT []float32, stride int, raw, out []float32)
}

// kernelSets are the kernel sets this processor can run, by name: "go"
// everywhere, "vector" where kernels_amd64.go finds AVX2 and FMA and on
// every arm64 processor (NEON, kernels_arm64.go).
var kernelSets = map[string]kernelSet{
	"go": {centredColumnsGo, neuronSumsGo, smoothGo},
}

// kernels is the set the responses use: the vector one where there is one.
var kernels = kernelSets["go"]

// lanes is the neuron group width of patchExpert.wt.
const lanes = 8

// roundUp8 rounds n up to a multiple of eight.
func roundUp8(n int) int { return (n + 7) &^ 7 }

// columnStride is the length of one patch column in the response scratch.
func columnStride(w, h int) int { return roundUp8(w * h) }

// centredColumnsGo writes the column of the w×h patch at each position
// p = y·window + x of area (areaW wide) to cols[p·stride:] and its inverse
// norm to inv[p].
func centredColumnsGo(area []float32, areaW, window, w, h int, cols, inv []float32) {
	n, stride := w*h, columnStride(w, h)
	for p := range window * window {
		col := cols[p*stride : (p+1)*stride]
		start := (p/window)*areaW + p%window
		var sum float32
		for y := range h {
			copy(col[y*w:(y+1)*w], area[start+y*areaW:])
			for _, v := range col[y*w : (y+1)*w] {
				sum += v
			}
		}
		mean := sum / float32(n)
		var sumSq float32
		for k := range col[:n] {
			col[k] -= mean
			sumSq += col[k] * col[k]
		}
		clear(col[n:])
		inv[p] = inverseNorm(sumSq)
	}
}

// neuronSumsGo adds to out[p], for positions 0..positions−1, the sum over
// e's neurons of 2α/(1+e^(−z)), z = bias + inv[p]·(weights · column p).
func neuronSumsGo(cols []float32, stride, positions int, e *patchExpert, inv, out []float32) {
	k := e.width * e.height
	for g := range e.groups() {
		wt := e.wt[g*k*lanes : (g+1)*k*lanes]
		bias, alpha2 := e.bias[g*lanes:(g+1)*lanes], e.alpha2[g*lanes:(g+1)*lanes]
		for p := range positions {
			var z [lanes]float32
			for i, c := range cols[p*stride : p*stride+k] {
				w := wt[i*lanes : (i+1)*lanes]
				for l := range z {
					z[l] += w[l] * c
				}
			}
			var total float32
			for l, zl := range z {
				if alpha2[l] != 0 {
					total += alpha2[l] / (1 + float32(math.Exp(-float64(bias[l]+inv[p]*zl))))
				}
			}
			out[p] += total
		}
	}
}

// smoothGo sets out[i] = Σ_j Σ[i][j]·raw[j] for i < len(raw), from Σ
// transposed with rows of stride values.
func smoothGo(sigmaT []float32, stride int, raw, out []float32) {
	out = out[:len(raw)]
	clear(out)
	for j, r := range raw {
		for i, s := range sigmaT[j*stride : j*stride+len(raw)] {
			out[i] += s * r
		}
	}
}

// inverseNorm is 1/√sumSq in float32, taking a zero norm as 1.
func inverseNorm(sumSq float32) float32 {
	norm := float32(math.Sqrt(float64(sumSq)))
	if norm == 0 {
		norm = 1
	}
	return 1 / norm
}
