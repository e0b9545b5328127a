//go:build !amd64

package linalg

const vector = false

func dotAVX2(x, y *float64, n int) float64 { panic("linalg: no vector kernels on this processor") }

func dot4AVX2(x, rows *float64, stride, n int, out *[4]float64) {
	panic("linalg: no vector kernels on this processor")
}
