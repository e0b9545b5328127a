package pdm

import "math"

// Mat3 is a 3×3 matrix indexed [row][column].
type Mat3 [3][3]float64

// Mul returns a·b.
func (a Mat3) Mul(b Mat3) Mat3 {
	var c Mat3
	for i := range 3 {
		for j := range 3 {
			c[i][j] = a[i][0]*b[0][j] + a[i][1]*b[1][j] + a[i][2]*b[2][j]
		}
	}
	return c
}

// Transpose returns aᵀ.
func (a Mat3) Transpose() Mat3 {
	var t Mat3
	for i := range 3 {
		for j := range 3 {
			t[i][j] = a[j][i]
		}
	}
	return t
}

// Det returns the determinant of a.
func (a Mat3) Det() float64 {
	return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
		a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
		a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
}

// EulerToRotation builds R = Rx·Ry·Rz from the angles (rx, ry, rz) in radians,
// OpenFace's "XYZ, left-handed positive" convention (spec §3.2).
func EulerToRotation(rx, ry, rz float64) Mat3 {
	s1, c1 := math.Sincos(rx)
	s2, c2 := math.Sincos(ry)
	s3, c3 := math.Sincos(rz)
	return Mat3{
		{c2 * c3, -c2 * s3, s2},
		{c1*s3 + c3*s1*s2, c1*c3 - s1*s2*s3, -c2 * s1},
		{s1*s3 - c1*c3*s2, c3*s1 + c1*s2*s3, c1 * c2},
	}
}

// RotationToEuler recovers (rx, ry, rz) from a rotation matrix through a
// quaternion, as OpenFace's RotationMatrix2Euler does (spec §3.2). It assumes
// trace(R) > −1; otherwise the result is NaN, which callers check for.
func RotationToEuler(r Mat3) (rx, ry, rz float64) {
	q0 := math.Sqrt(1+r[0][0]+r[1][1]+r[2][2]) / 2
	q1 := (r[2][1] - r[1][2]) / (4 * q0)
	q2 := (r[0][2] - r[2][0]) / (4 * q0)
	q3 := (r[1][0] - r[0][1]) / (4 * q0)
	t := math.Max(-1, math.Min(1, 2*(q0*q2+q1*q3)))
	ry = math.Asin(t)
	rx = math.Atan2(2*(q0*q1-q2*q3), q0*q0-q1*q1-q2*q2+q3*q3)
	rz = math.Atan2(2*(q0*q3-q1*q2), q0*q0+q1*q1-q2*q2-q3*q3)
	return rx, ry, rz
}

// AxisAngleToRotation converts a rotation vector to a matrix with the
// Rodrigues formula, as OpenCV's Rodrigues does (spec §3.2).
func AxisAngleToRotation(v [3]float64) Mat3 {
	theta := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
	if theta < 0x1p-52 {
		return Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	}
	x, y, z := v[0]/theta, v[1]/theta, v[2]/theta
	s, c := math.Sincos(theta)
	c1 := 1 - c
	return Mat3{
		{c + c1*x*x, c1*x*y - s*z, c1*x*z + s*y},
		{c1*x*y + s*z, c + c1*y*y, c1*y*z - s*x},
		{c1*x*z - s*y, c1*y*z + s*x, c + c1*z*z},
	}
}

// RotationToAxisAngle converts a matrix to a rotation vector as OpenCV's
// Rodrigues does (spec §3.2): the matrix is first replaced by the nearest
// orthogonal one (U·Vᵀ of its SVD), rotations whose sine is below 1e-5 are
// snapped to 0 or handled as half turns.
func RotationToAxisAngle(m Mat3) [3]float64 {
	u, _, v := svd3(m)
	r := u.Mul(v.Transpose())
	w := [3]float64{r[2][1] - r[1][2], r[0][2] - r[2][0], r[1][0] - r[0][1]}
	s := math.Sqrt((w[0]*w[0] + w[1]*w[1] + w[2]*w[2]) * 0.25)
	c := math.Max(-1, math.Min(1, (r[0][0]+r[1][1]+r[2][2]-1)*0.5))
	theta := math.Acos(c)
	if s >= 1e-5 {
		k := theta / (2 * s)
		return [3]float64{w[0] * k, w[1] * k, w[2] * k}
	}
	if c > 0 {
		return [3]float64{}
	}
	return halfTurnAxis(r, theta)
}

// halfTurnAxis is OpenCV's Rodrigues branch for rotations close to π, where
// the skew-symmetric part vanishes and the axis comes from the diagonal.
func halfTurnAxis(r Mat3, theta float64) [3]float64 {
	x := math.Sqrt(math.Max((r[0][0]+1)*0.5, 0))
	y := math.Sqrt(math.Max((r[1][1]+1)*0.5, 0))
	z := math.Sqrt(math.Max((r[2][2]+1)*0.5, 0))
	if r[0][1] < 0 {
		y = -y
	}
	if r[0][2] < 0 {
		z = -z
	}
	if math.Abs(x) < math.Abs(y) && math.Abs(x) < math.Abs(z) && (r[1][2] > 0) != (y*z > 0) {
		z = -z
	}
	k := theta / math.Sqrt(x*x+y*y+z*z)
	return [3]float64{x * k, y * k, z * k}
}

// orthonormalise returns the rotation nearest to m, U·diag(1, 1, det(U·Vᵀ))·Vᵀ,
// as OpenFace's PDM::Orthonormalise does (spec §3.3 step 7).
func orthonormalise(m Mat3) Mat3 {
	u, _, v := svd3(m)
	if u.Mul(v.Transpose()).Det() < 0 {
		for i := range 3 {
			u[i][2] = -u[i][2]
		}
	}
	return u.Mul(v.Transpose())
}

// svd3 factorises m = U·diag(s)·Vᵀ with s sorted in decreasing order, using
// one-sided Jacobi rotations (exact to rounding for 3×3 matrices).
func svd3(m Mat3) (u Mat3, s [3]float64, v Mat3) {
	w := m
	v = Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	for sweep := 0; sweep < 60; sweep++ {
		rotated := false
		for p := range 2 {
			for q := p + 1; q < 3; q++ {
				if jacobiRotate(&w, &v, p, q) {
					rotated = true
				}
			}
		}
		if !rotated {
			break
		}
	}
	var order = [3]int{0, 1, 2}
	var norm [3]float64
	for j := range 3 {
		norm[j] = math.Sqrt(w[0][j]*w[0][j] + w[1][j]*w[1][j] + w[2][j]*w[2][j])
	}
	for i := range 3 {
		for j := i + 1; j < 3; j++ {
			if norm[order[j]] > norm[order[i]] {
				order[i], order[j] = order[j], order[i]
			}
		}
	}
	var vs Mat3
	for k, j := range order {
		s[k] = norm[j]
		for i := range 3 {
			vs[i][k] = v[i][j]
		}
	}
	// Columns of tiny singular values are rounding noise: rebuild them.
	rank := 0
	for k, j := range order {
		if norm[j] > 1e-12*norm[order[0]] {
			rank++
			for i := range 3 {
				u[i][k] = w[i][j] / norm[j]
			}
		}
	}
	completeBasis(&u, rank)
	return u, s, vs
}

// jacobiRotate orthogonalises columns p and q of w, applying the same plane
// rotation to v; it reports whether a rotation was needed.
func jacobiRotate(w, v *Mat3, p, q int) bool {
	var alpha, beta, gamma float64
	for i := range 3 {
		alpha += w[i][p] * w[i][p]
		beta += w[i][q] * w[i][q]
		gamma += w[i][p] * w[i][q]
	}
	if gamma == 0 || math.Abs(gamma) <= 1e-15*math.Sqrt(alpha*beta) {
		return false
	}
	zeta := (beta - alpha) / (2 * gamma)
	t := math.Copysign(1, zeta) / (math.Abs(zeta) + math.Sqrt(1+zeta*zeta))
	c := 1 / math.Sqrt(1+t*t)
	sn := c * t
	for i := range 3 {
		wp, wq := w[i][p], w[i][q]
		w[i][p], w[i][q] = c*wp-sn*wq, sn*wp+c*wq
		vp, vq := v[i][p], v[i][q]
		v[i][p], v[i][q] = c*vp-sn*vq, sn*vp+c*vq
	}
	return true
}

// completeBasis fills the columns of u beyond its rank with unit vectors
// orthogonal to the others, so that u stays orthonormal.
func completeBasis(u *Mat3, rank int) {
	switch rank {
	case 0:
		*u = Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	case 1:
		a := [3]float64{u[0][0], u[1][0], u[2][0]}
		e := [3]float64{1, 0, 0}
		if math.Abs(a[0]) > 0.9 {
			e = [3]float64{0, 1, 0}
		}
		b := normalise(cross(a, e))
		c := cross(a, b)
		for i := range 3 {
			u[i][1], u[i][2] = b[i], c[i]
		}
	case 2:
		c := cross([3]float64{u[0][0], u[1][0], u[2][0]}, [3]float64{u[0][1], u[1][1], u[2][1]})
		for i := range 3 {
			u[i][2] = c[i]
		}
	}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func normalise(a [3]float64) [3]float64 {
	n := math.Sqrt(a[0]*a[0] + a[1]*a[1] + a[2]*a[2])
	return [3]float64{a[0] / n, a[1] / n, a[2] / n}
}
