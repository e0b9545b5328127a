package pdm

import (
	"math"
	"testing"
)

func TestEulerToRotationIsRxRyRz(t *testing.T) {
	rx := func(a float64) Mat3 {
		s, c := math.Sincos(a)
		return Mat3{{1, 0, 0}, {0, c, -s}, {0, s, c}}
	}
	ry := func(a float64) Mat3 {
		s, c := math.Sincos(a)
		return Mat3{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}
	}
	rz := func(a float64) Mat3 {
		s, c := math.Sincos(a)
		return Mat3{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}
	}
	for _, e := range [][3]float64{{0, 0, 0}, {0.3, 0, 0}, {0, -0.4, 0}, {0, 0, 1.2}, {0.1, -0.7, 0.25}, {-1.1, 0.9, -2.5}} {
		want := rx(e[0]).Mul(ry(e[1])).Mul(rz(e[2]))
		if d := maxAbsDiff(EulerToRotation(e[0], e[1], e[2]), want); d > 1e-15 {
			t.Errorf("EulerToRotation%v differs from Rx·Ry·Rz by %g", e, d)
		}
	}
}

func TestEulerRoundTrip(t *testing.T) {
	for _, e := range [][3]float64{{0, 0, 0}, {0.3, 0, 0}, {0, -0.4, 0}, {0, 0, 1.2}, {0.1, -0.7, 0.25}, {-1.1, 1.2, -2.5}, {2.9, 0.2, 0.1}} {
		rx, ry, rz := RotationToEuler(EulerToRotation(e[0], e[1], e[2]))
		if math.Abs(rx-e[0]) > 1e-12 || math.Abs(ry-e[1]) > 1e-12 || math.Abs(rz-e[2]) > 1e-12 {
			t.Errorf("round trip of %v gave (%g, %g, %g)", e, rx, ry, rz)
		}
	}
}

func TestRotationToEulerNaNBeyondItsDomain(t *testing.T) {
	// trace = −1 (a half turn about x): OpenFace's formula divides by q0 = 0.
	rx, ry, rz := RotationToEuler(Mat3{{1, 0, 0}, {0, -1, 0}, {0, 0, -1}})
	if !math.IsNaN(rx) && !math.IsNaN(ry) && !math.IsNaN(rz) {
		t.Errorf("half turn gave finite angles (%g, %g, %g); the caller relies on NaN to reset", rx, ry, rz)
	}
}

func TestAxisAngle(t *testing.T) {
	cases := []struct {
		name string
		m    Mat3
		want [3]float64
	}{
		{"identity", Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, [3]float64{}},
		{"z by 0.5", EulerToRotation(0, 0, 0.5), [3]float64{0, 0, 0.5}},
		{"x by -1", EulerToRotation(-1, 0, 0), [3]float64{-1, 0, 0}},
		{"half turn about x", Mat3{{1, 0, 0}, {0, -1, 0}, {0, 0, -1}}, [3]float64{math.Pi, 0, 0}},
		{"half turn about y", Mat3{{-1, 0, 0}, {0, 1, 0}, {0, 0, -1}}, [3]float64{0, math.Pi, 0}},
		// OpenCV snaps rotations whose sine is below 1e-5 to zero.
		{"tiny rotation snaps to 0", EulerToRotation(5e-6, 0, 0), [3]float64{}},
		// A scaled, slightly sheared matrix is orthonormalised first.
		{"scaled", scaleMat(EulerToRotation(0, 0.3, 0), 2), [3]float64{0, 0.3, 0}},
	}
	for _, c := range cases {
		got := RotationToAxisAngle(c.m)
		for k := range 3 {
			if math.Abs(got[k]-c.want[k]) > 1e-12 {
				t.Errorf("%s: RotationToAxisAngle = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	for _, v := range [][3]float64{{0.1, -0.2, 0.3}, {1, 2, -0.5}, {0, 0, 3}, {1e-3, 0, 0}} {
		back := RotationToAxisAngle(AxisAngleToRotation(v))
		for k := range 3 {
			if math.Abs(back[k]-v[k]) > 1e-12 {
				t.Errorf("axis-angle round trip of %v gave %v", v, back)
				break
			}
		}
	}
}

func TestOrthonormalise(t *testing.T) {
	for _, m := range []Mat3{
		{{1, -0.1, 0.05}, {0.1, 1, -0.2}, {-0.05, 0.2, 1}},
		{{1, 0, 0}, {0, 1, 0}, {0, 0, -1}}, // a reflection becomes a rotation
		scaleMat(EulerToRotation(0.2, 0.1, -0.3), 3),
	} {
		r := orthonormalise(m)
		if d := maxAbsDiff(r.Mul(r.Transpose()), Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}); d > 1e-14 {
			t.Errorf("orthonormalise(%v) is not orthonormal (%g)", m, d)
		}
		if det := r.Det(); math.Abs(det-1) > 1e-14 {
			t.Errorf("orthonormalise(%v) has determinant %g", m, det)
		}
	}
	// For I + [w]× the nearest rotation is its polar factor, known in closed form:
	// rotation about w by atan(|w|).
	w := [3]float64{0.2, -0.1, 0.3}
	got := orthonormalise(Mat3{{1, -w[2], w[1]}, {w[2], 1, -w[0]}, {-w[1], w[0], 1}})
	n := math.Sqrt(w[0]*w[0] + w[1]*w[1] + w[2]*w[2])
	k := math.Atan(n) / n
	want := AxisAngleToRotation([3]float64{w[0] * k, w[1] * k, w[2] * k})
	if d := maxAbsDiff(got, want); d > 1e-14 {
		t.Errorf("orthonormalise(I+[w]×) differs from the rotation by atan|w| by %g", d)
	}
}

func TestSVD3(t *testing.T) {
	for _, m := range []Mat3{
		{{4, 1, 0}, {2, 3, 1}, {0, 1, 5}},
		{{1, 2, 3}, {2, 4, 6}, {1, 0, 1}}, // rank 2
		{{1, 2, 3}, {2, 4, 6}, {3, 6, 9}}, // rank 1
		{},
	} {
		u, s, v := svd3(m)
		var us Mat3
		for i := range 3 {
			for j := range 3 {
				us[i][j] = u[i][j] * s[j]
			}
		}
		if d := maxAbsDiff(us.Mul(v.Transpose()), m); d > 1e-12 {
			t.Errorf("svd3(%v) does not reconstruct (%g)", m, d)
		}
		id := Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
		if d := maxAbsDiff(u.Transpose().Mul(u), id); d > 1e-12 {
			t.Errorf("svd3(%v): U not orthonormal (%g)", m, d)
		}
		if s[0] < s[1] || s[1] < s[2] {
			t.Errorf("svd3(%v): singular values %v not sorted", m, s)
		}
	}
}

func TestRotationDerivatives(t *testing.T) {
	for _, v := range [][3]float64{{0.1, -0.2, 0.3}, {1, 2, -0.5}, {0, 0, 0}} {
		d := rotationDerivatives(v, AxisAngleToRotation(v))
		for k := range 3 {
			const h = 1e-6
			vp, vm := v, v
			vp[k] += h
			vm[k] -= h
			p, m := AxisAngleToRotation(vp), AxisAngleToRotation(vm)
			var num Mat3
			for i := range 3 {
				for j := range 3 {
					num[i][j] = (p[i][j] - m[i][j]) / (2 * h)
				}
			}
			if e := maxAbsDiff(num, d[k]); e > 1e-8 {
				t.Errorf("∂R/∂v%d at %v differs from finite differences by %g", k, v, e)
			}
		}
	}
}

func maxAbsDiff(a, b Mat3) float64 {
	var d float64
	for i := range 3 {
		for j := range 3 {
			d = math.Max(d, math.Abs(a[i][j]-b[i][j]))
		}
	}
	return d
}

func scaleMat(m Mat3, k float64) Mat3 {
	for i := range 3 {
		for j := range 3 {
			m[i][j] *= k
		}
	}
	return m
}
