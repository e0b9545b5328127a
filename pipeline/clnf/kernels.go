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
// norm to inv[p]. The sums run in four interleaved parts, which hides the
// addition's latency.
func centredColumnsGo(area []float32, areaW, window, w, h int, cols, inv []float32) {
	n, stride := w*h, columnStride(w, h)
	for p := range window * window {
		col := cols[p*stride : (p+1)*stride]
		start := (p/window)*areaW + p%window
		for y := range h {
			copy(col[y*w:(y+1)*w], area[start+y*areaW:])
		}
		v := col[:n]
		var s0, s1, s2, s3 float32
		k := 0
		for ; k+4 <= len(v); k += 4 {
			q := (*[4]float32)(v[k:])
			s0 += q[0]
			s1 += q[1]
			s2 += q[2]
			s3 += q[3]
		}
		for ; k < len(v); k++ {
			s0 += v[k]
		}
		mean := ((s0 + s1) + (s2 + s3)) / float32(n)
		s0, s1, s2, s3 = 0, 0, 0, 0
		for k = 0; k+4 <= len(v); k += 4 {
			q := (*[4]float32)(v[k:])
			q[0] -= mean
			q[1] -= mean
			q[2] -= mean
			q[3] -= mean
			s0 += q[0] * q[0]
			s1 += q[1] * q[1]
			s2 += q[2] * q[2]
			s3 += q[3] * q[3]
		}
		for ; k < len(v); k++ {
			v[k] -= mean
			s0 += v[k] * v[k]
		}
		clear(col[n:])
		inv[p] = inverseNorm((s0 + s1) + (s2 + s3))
	}
}

// neuronSumsGo adds to out[p], for positions 0..positions−1, the sum over
// e's neurons of 2α/(1+e^(−z)), z = bias + inv[p]·(weights · column p).
// The eight neurons of a group are eight independent sums.
func neuronSumsGo(cols []float32, stride, positions int, e *patchExpert, inv, out []float32) {
	k := e.width * e.height
	inv, out = inv[:positions], out[:positions]
	for g := range e.groups() {
		wt := e.wt[g*k*lanes : (g+1)*k*lanes]
		bias, alpha2 := (*[lanes]float32)(e.bias[g*lanes:]), (*[lanes]float32)(e.alpha2[g*lanes:])
		for p := range out {
			var z0, z1, z2, z3, z4, z5, z6, z7 float32
			ws := wt
			for _, c := range cols[p*stride : p*stride+k] {
				w := (*[lanes]float32)(ws)
				ws = ws[lanes:]
				z0 += w[0] * c
				z1 += w[1] * c
				z2 += w[2] * c
				z3 += w[3] * c
				z4 += w[4] * c
				z5 += w[5] * c
				z6 += w[6] * c
				z7 += w[7] * c
			}
			var total float32
			for l, zl := range [lanes]float32{z0, z1, z2, z3, z4, z5, z6, z7} {
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
		row := sigmaT[j*stride:]
		row = row[:len(out)]
		for i := range out {
			out[i] += row[i] * r
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
