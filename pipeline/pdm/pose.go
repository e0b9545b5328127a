package pdm

import "math"

// Intrinsics are pinhole camera parameters in pixels.
type Intrinsics struct {
	Fx, Fy, Cx, Cy float64
}

// DefaultIntrinsics returns OpenFace's guess for a w×h video when no camera
// parameters are given (spec §11.1): the optical centre at the image centre
// and f = mean of 500·w/640 and 500·h/480 for both axes.
func DefaultIntrinsics(w, h int) Intrinsics {
	fx := 500 * float64(w) / 640
	fy := 500 * float64(h) / 480
	f := (fx + fy) / 2
	return Intrinsics{Fx: f, Fy: f, Cx: float64(w) / 2, Cy: float64(h) / 2}
}

// OpenCV's solvePnP refinement (cvFindExtrinsicCameraParams2 with CvLevMarq).
const (
	pnpMaxIterations = 20
	pnpEpsilon       = 0x1p-23 // FLT_EPSILON, on the relative parameter change
	pnpLambdaLg10    = -3      // initial log10 of the damping factor
)

// Pose returns the head translation t (mm, camera frame) and rotation r (Euler
// angles, radians) the way OpenFace's GetPose does (spec §11.2): the object
// points S3 = mean + PC·p are fitted to the landmarks with a pinhole camera by
// OpenCV's Levenberg–Marquardt solvePnP, starting from the weak-perspective
// guess (with the Euler angles used as a rotation vector, as OpenFace does).
// Empty landmarks or a zero scale give a zero pose.
func (m *Model) Pose(p Params, landmarks []float64, intr Intrinsics) (t, r [3]float64) {
	if len(landmarks) == 0 || p.Scale == 0 {
		return t, r
	}
	mustLen("Pose landmarks", landmarks, LandmarksLen)
	pnp := pnpProblem{landmarks: landmarks, intr: intr}
	m.Shape3D(p.Local[:], pnp.object[:])
	z := intr.Fx / p.Scale
	guess := [6]float64{p.Rx, p.Ry, p.Rz, (p.Tx - intr.Cx) / intr.Fx * z, (p.Ty - intr.Cy) / intr.Fy * z, z}
	x := pnp.solve(guess)
	r[0], r[1], r[2] = RotationToEuler(AxisAngleToRotation([3]float64{x[0], x[1], x[2]}))
	return [3]float64{x[3], x[4], x[5]}, r
}

// CameraLandmarks writes the 68 landmarks in the camera frame (mm) into out,
// [X0..X67, Y0..Y67, Z0..Z67], as OpenFace's CLNF::GetShape does (spec §11.3):
// the depth of each point is f_x/s plus its depth in the rotated model, and X,
// Y back-project the 2-D landmark at that depth. A zero scale gives zeros.
func (m *Model) CameraLandmarks(p Params, landmarks []float64, intr Intrinsics, out []float64) {
	mustLen("CameraLandmarks landmarks", landmarks, LandmarksLen)
	mustLen("CameraLandmarks output", out, ShapeLen)
	if p.Scale == 0 {
		clear(out)
		return
	}
	rot := p.Rotation()
	meanDepth := intr.Fx / p.Scale
	for i := range NumPoints {
		x, y, z := m.point(i, &p.Local)
		depth := meanDepth + rot[2][0]*x + rot[2][1]*y + rot[2][2]*z
		out[i] = depth * (landmarks[i] - intr.Cx) / intr.Fx
		out[i+NumPoints] = depth * (landmarks[i+NumPoints] - intr.Cy) / intr.Fy
		out[i+2*NumPoints] = depth
	}
}

// pnpProblem is the reprojection problem of solvePnP: parameters are
// (rotation vector, translation), residuals are projection − landmark.
type pnpProblem struct {
	object    [ShapeLen]float64
	landmarks []float64
	intr      Intrinsics
}

// solve refines x with OpenCV's CvLevMarq schedule: λ starts at 1e-3, is
// multiplied by 10 and the step retried while the error grows, divided by 10
// after an accepted step; it stops after 20 accepted steps or when the
// relative parameter change falls below FLT_EPSILON.
func (q *pnpProblem) solve(x [6]float64) [6]float64 {
	var jtj [6][6]float64
	var jte [6]float64
	lambdaLg10 := pnpLambdaLg10
	prevErr := q.linearise(&x, &jtj, &jte)
	prev := x
	x = lmStep(prev, &jtj, &jte, lambdaLg10)
	for iter := 0; ; {
		errNorm := q.errorNorm(&x)
		if errNorm > prevErr {
			lambdaLg10++
			if lambdaLg10 <= 16 {
				x = lmStep(prev, &jtj, &jte, lambdaLg10)
				continue
			}
		}
		lambdaLg10 = max(lambdaLg10-1, -16)
		iter++
		if iter >= pnpMaxIterations || relativeChange(&x, &prev) < pnpEpsilon {
			return x
		}
		prevErr = errNorm
		q.linearise(&x, &jtj, &jte)
		prev = x
		x = lmStep(prev, &jtj, &jte, lambdaLg10)
	}
}

// lmStep returns x − (JᵀJ with its diagonal scaled by 1+λ)⁻¹·Jᵀe.
func lmStep(x [6]float64, jtj *[6][6]float64, jte *[6]float64, lambdaLg10 int) [6]float64 {
	a := *jtj
	scale := 1 + math.Pow(10, float64(lambdaLg10))
	for i := range 6 {
		a[i][i] *= scale
	}
	d := solve6(a, *jte)
	for i := range 6 {
		x[i] -= d[i]
	}
	return x
}

func relativeChange(x, prev *[6]float64) float64 {
	var num, den float64
	for i := range 6 {
		num += (x[i] - prev[i]) * (x[i] - prev[i])
		den += prev[i] * prev[i]
	}
	return math.Sqrt(num) / math.Max(math.Sqrt(den), 0x1p-52)
}

// project returns the pinhole projection of object point i under x.
func (q *pnpProblem) project(i int, rot *Mat3, x *[6]float64) (u, v float64, cam [3]float64) {
	X := [3]float64{q.object[i], q.object[i+NumPoints], q.object[i+2*NumPoints]}
	for k := range 3 {
		cam[k] = rot[k][0]*X[0] + rot[k][1]*X[1] + rot[k][2]*X[2] + x[3+k]
	}
	invZ := 1.0
	if cam[2] != 0 {
		invZ = 1 / cam[2]
	}
	return q.intr.Fx*cam[0]*invZ + q.intr.Cx, q.intr.Fy*cam[1]*invZ + q.intr.Cy, cam
}

// errorNorm is the L2 norm of the reprojection residuals at x.
func (q *pnpProblem) errorNorm(x *[6]float64) float64 {
	rot := AxisAngleToRotation([3]float64{x[0], x[1], x[2]})
	var sum float64
	for i := range NumPoints {
		u, v, _ := q.project(i, &rot, x)
		du, dv := u-q.landmarks[i], v-q.landmarks[i+NumPoints]
		sum += du*du + dv*dv
	}
	return math.Sqrt(sum)
}

// linearise fills JᵀJ and Jᵀe at x (e = projection − landmark, J its
// derivative with respect to the rotation vector and translation) and returns
// the residual norm.
func (q *pnpProblem) linearise(x *[6]float64, jtj *[6][6]float64, jte *[6]float64) float64 {
	rvec := [3]float64{x[0], x[1], x[2]}
	rot := AxisAngleToRotation(rvec)
	dRot := rotationDerivatives(rvec, rot)
	*jtj = [6][6]float64{}
	*jte = [6]float64{}
	var sum float64
	for i := range NumPoints {
		u, v, cam := q.project(i, &rot, x)
		eu, ev := u-q.landmarks[i], v-q.landmarks[i+NumPoints]
		sum += eu*eu + ev*ev
		ju, jv := q.pointJacobian(i, cam, &dRot)
		for a := range 6 {
			jte[a] += ju[a]*eu + jv[a]*ev
			for b := range 6 {
				jtj[a][b] += ju[a]*ju[b] + jv[a]*jv[b]
			}
		}
	}
	return math.Sqrt(sum)
}

// pointJacobian returns the derivatives of (u, v) of object point i with
// respect to (rvec, t), given its camera-frame position cam.
func (q *pnpProblem) pointJacobian(i int, cam [3]float64, dRot *[3]Mat3) (ju, jv [6]float64) {
	X := [3]float64{q.object[i], q.object[i+NumPoints], q.object[i+2*NumPoints]}
	invZ := 1.0
	if cam[2] != 0 {
		invZ = 1 / cam[2]
	}
	// d(u, v)/d(camera point)
	du := [3]float64{q.intr.Fx * invZ, 0, -q.intr.Fx * cam[0] * invZ * invZ}
	dv := [3]float64{0, q.intr.Fy * invZ, -q.intr.Fy * cam[1] * invZ * invZ}
	for k := range 3 {
		d := &dRot[k]
		var dc [3]float64
		for row := range 3 {
			dc[row] = d[row][0]*X[0] + d[row][1]*X[1] + d[row][2]*X[2]
		}
		ju[k] = du[0]*dc[0] + du[1]*dc[1] + du[2]*dc[2]
		jv[k] = dv[0]*dc[0] + dv[1]*dc[1] + dv[2]*dc[2]
	}
	copy(ju[3:], du[:])
	copy(jv[3:], dv[:])
	return ju, jv
}

// rotationDerivatives returns ∂R/∂v_k of the Rodrigues map at v (R = R(v)),
// using ∂R/∂v_k = (v_k·[v]× + [v × (I − R)e_k]×)·R / |v|²; near zero it is [e_k]×.
func rotationDerivatives(v [3]float64, rot Mat3) [3]Mat3 {
	var out [3]Mat3
	theta2 := v[0]*v[0] + v[1]*v[1] + v[2]*v[2]
	if math.Sqrt(theta2) < 0x1p-52 {
		for k := range 3 {
			var e [3]float64
			e[k] = 1
			out[k] = skew(e)
		}
		return out
	}
	vx := skew(v)
	for k := range 3 {
		var col [3]float64 // (I − R)·e_k
		for row := range 3 {
			col[row] = -rot[row][k]
		}
		col[k]++
		w := skew(cross(v, col))
		var a Mat3
		for i := range 3 {
			for j := range 3 {
				a[i][j] = (v[k]*vx[i][j] + w[i][j]) / theta2
			}
		}
		out[k] = a.Mul(rot)
	}
	return out
}

func skew(a [3]float64) Mat3 {
	return Mat3{{0, -a[2], a[1]}, {a[2], 0, -a[0]}, {-a[1], a[0], 0}}
}

// solve6 solves a·x = b by Gaussian elimination with partial pivoting; a
// singular system gives a zero step, so the refinement stays where it is.
func solve6(a [6][6]float64, b [6]float64) [6]float64 {
	for col := range 6 {
		pivot := col
		for r := col + 1; r < 6; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		if a[pivot][col] == 0 {
			return [6]float64{}
		}
		a[col], a[pivot] = a[pivot], a[col]
		b[col], b[pivot] = b[pivot], b[col]
		for r := col + 1; r < 6; r++ {
			k := a[r][col] / a[col][col]
			for c := col; c < 6; c++ {
				a[r][c] -= k * a[col][c]
			}
			b[r] -= k * b[col]
		}
	}
	var x [6]float64
	for r := 5; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < 6; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x
}
