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
	if head := len(x) &^ 3; head > 0 && vector {
		s := dotVector(&x[0], &y[0], head)
		for k := head; k < len(x); k++ {
			s += x[k] * y[k]
		}
		return s
	}
	return dotGo(x, y)
}

// dotGo is Dot in Go: four interleaved sums hide the addition's latency.
func dotGo(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	for len(x) >= 4 && len(y) >= 4 {
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		x, y = x[4:], y[4:]
	}
	for k := range x {
		s0 += x[k] * y[k]
	}
	return (s0 + s1) + (s2 + s3)
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
	r0, r1, r2, r3 := rows[head:n], rows[stride+head:stride+n], rows[2*stride+head:2*stride+n], rows[3*stride+head:3*stride+n]
	x = x[head:]
	r0, r1, r2, r3 = r0[:len(x)], r1[:len(x)], r2[:len(x)], r3[:len(x)]
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	for k, v := range x {
		s0 += v * r0[k]
		s1 += v * r1[k]
		s2 += v * r2[k]
		s3 += v * r3[k]
	}
	return [4]float64{s0, s1, s2, s3}
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
