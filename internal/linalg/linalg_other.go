//go:build !amd64 && !arm64

package linalg

const hasVector = false

func dotVector(x, y *float64, n int) float64 { panic("linalg: no vector kernels on this processor") }

func dot4Vector(x, rows *float64, stride, n int, out *[4]float64) {
	panic("linalg: no vector kernels on this processor")
}
