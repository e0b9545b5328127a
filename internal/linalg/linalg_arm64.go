package linalg

// NEON (Advanced SIMD) is part of every arm64 processor.
const hasVector = true

// dotVector returns Σ x[k]·y[k] for k < n, n a positive multiple of 4.
//
//go:noescape
func dotVector(x, y *float64, n int) float64

// dot4Vector sets out[j] = Σ x[k]·rows[j·stride+k] for k < n and j < 4, n a
// positive multiple of 4.
//
//go:noescape
func dot4Vector(x, rows *float64, stride, n int, out *[4]float64)
