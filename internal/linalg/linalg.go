// Package linalg holds the float64 dot-product kernels that the landmark
// fits (PDM CalcParams, CLNF's NU-RLMS) spend their time in, with vector
// kernels where the processor has them: AVX2 and FMA on amd64, NEON on
// arm64. The vector kernels sum in several lanes, so their results may
// differ from a plain loop in the last bits.
package linalg

// vector is whether Dot and Dot4 use the vector kernels; hasVector (in the
// processor's file) is whether this processor has them.
var vector = hasVector

// UseVector makes Dot and Dot4 use the vector kernels if on and the
// processor has them, the Go loops otherwise, and reports whether the
// vector kernels were in use before. It is meant for tests and benchmarks,
// before any concurrent use.
func UseVector(on bool) bool {
	was := vector
	vector = on && hasVector
	return was
}

// HasVector reports whether this processor has vector kernels.
func HasVector() bool { return hasVector }

// Dot returns Σ x[k]·y[k] over len(x) values.
func Dot(x, y []float64) float64 {
	y = y[:len(x)]
	head := len(x) &^ 3
	var s float64
	if head > 0 && vector {
		s = dotVector(&x[0], &y[0], head)
	} else {
		head = 0
	}
	for k := head; k < len(x); k++ {
		s += x[k] * y[k]
	}
	return s
}

// Dot4 returns the dot products of x with the four rows of len(x) values
// that start at rows[0], rows[stride], rows[2·stride] and rows[3·stride].
func Dot4(x, rows []float64, stride int) (s [4]float64) {
	n := len(x)
	_ = rows[3*stride+n-1]
	head := n &^ 3
	if head > 0 && vector {
		dot4Vector(&x[0], &rows[0], stride, head, &s)
	} else {
		head = 0
	}
	for j := range s {
		row := rows[j*stride : j*stride+n]
		for k := head; k < n; k++ {
			s[j] += x[k] * row[k]
		}
	}
	return s
}

// UpperGram sets out[i·outStride+j] = Σ_k a[i·stride+k]·b[j·stride+k] over
// k < n, for 0 ≤ i ≤ j < m: the upper triangle of A·Bᵀ for A and B of m
// rows of n values, stride apart.
func UpperGram(a, b []float64, m, n, stride int, out []float64, outStride int) {
	for i := range m {
		x := a[i*stride : i*stride+n]
		h := out[i*outStride : i*outStride+m]
		j := i
		for ; j+4 <= m; j += 4 {
			s := Dot4(x, b[j*stride:], stride)
			copy(h[j:j+4], s[:])
		}
		for ; j < m; j++ {
			h[j] = Dot(x, b[j*stride:j*stride+n])
		}
	}
}
