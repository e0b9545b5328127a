package pdm

import (
	"errors"
	"fmt"
	"math"

	"github.com/auwatchd/auwatchd/internal/linalg"
)

// numParams is the number of fitted parameters: 6 global, then the local modes.
const numParams = 6 + NumModes

const (
	maxIterations = 1000
	damping       = 0.75
	// OpenFace solves in float32: OpenCV's Cholesky gives up on a pivot
	// below float32's machine epsilon.
	choleskyMinPivot = 0x1p-23
)

var (
	errNoVisible = errors.New("no visible landmarks (every x is 0)")
	errFlatBox   = errors.New("the visible landmarks of the model span no width or height")
	errNotFinite = errors.New("landmarks contain NaN or infinite values")
)

// Fitter runs OpenFace's landmark-to-parameter fit (CalcParams, spec §3.3).
// It owns every scratch buffer, so it does not allocate after creation; one
// Fitter must not be used by two goroutines at once.
type Fitter struct {
	model *Model
	reg   [NumModes]float64 // 1/eigenvalue, the regularisation Λ of the local modes

	n      int                               // visible landmarks in the current fit
	mean   [ShapeLen]float64                 // visible rows of the mean shape (3n used)
	comps  [ShapeLen][NumModes]float64       // visible rows of the components (3n used)
	target [LandmarksLen]float64             // visible landmarks (2n used)
	shape  [ShapeLen]float64                 // S3 of the current local params (3n used)
	resid  [LandmarksLen]float64             // target − projection (2n used)
	jacT   [numParams * LandmarksLen]float64 // Jacobian columns, LandmarksLen apart (2n used)
	gram   [numParams * numParams]float64    // JᵀJ, upper triangle
	hess   [numParams][numParams]float64
	chol   [numParams][numParams]float64
	grad   [numParams]float64
	step   [numParams]float64

	iterations int // iterations run by the last fit
}

// Iterations returns how many iterations the last CalcParams ran (at most 1000).
func (f *Fitter) Iterations() int { return f.iterations }

// NewFitter returns a Fitter for model m.
func NewFitter(m *Model) *Fitter {
	f := &Fitter{model: m}
	for j, v := range m.Eigenvalues {
		f.reg[j] = 1 / v
	}
	return f
}

// CalcParams fits global and local params to 68 landmarks given as
// [x0..x67, y0..y67] exactly as OpenFace's PDM::CalcParams does (spec §3.3),
// including its quirks. A landmark whose x is exactly 0 is ignored. It also
// returns the mean distance in pixels between the visible landmarks and the
// projection of the fitted params, a fit-quality signal.
func (f *Fitter) CalcParams(landmarks []float64) (Params, float64, error) {
	f.iterations = 0
	if len(landmarks) != LandmarksLen {
		return Params{}, 0, fmt.Errorf("CalcParams needs %d landmark values, got %d", LandmarksLen, len(landmarks))
	}
	if err := f.selectVisible(landmarks); err != nil {
		return Params{}, 0, err
	}
	p, err := f.initialGlobal()
	if err != nil {
		return Params{}, 0, err
	}
	rot := p.Rotation()
	f.updateShape(&p.Local)
	errNorm := f.projectionError(&p, rot)
	bad := 0
	for range maxIterations {
		f.iterations++
		f.updateShape(&p.Local)
		f.updateResidual(&p, rot)
		f.updateJacobian(&p, rot)
		f.normalEquations(&p.Local)
		f.solveStep()
		updateParams(&p, &f.step)
		rot = p.Rotation()
		// OpenFace measures the new error with the S3 of the old local params.
		newErr := f.projectionError(&p, rot)
		if 0.999*errNorm < newErr {
			bad++ // never reset: three non-improving iterations in total
			if bad == 3 {
				break
			}
		}
		errNorm = newErr
	}
	f.updateShape(&p.Local)
	return p, f.meanPointError(&p, rot), nil
}

// selectVisible keeps the landmarks whose x is not exactly 0 and the matching
// rows of the mean and components (spec §3.3 step 1).
func (f *Fitter) selectVisible(landmarks []float64) error {
	for _, v := range landmarks {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errNotFinite
		}
	}
	n := 0
	for i := range NumPoints {
		if landmarks[i] != 0 {
			n++
		}
	}
	if n == 0 {
		return errNoVisible
	}
	f.n = n
	k := 0
	for i := range NumPoints {
		if landmarks[i] == 0 {
			continue
		}
		f.target[k] = landmarks[i]
		f.target[k+n] = landmarks[i+NumPoints]
		for axis := range 3 {
			f.mean[k+axis*n] = f.model.Mean[i+axis*NumPoints]
			f.comps[k+axis*n] = f.model.Components[i+axis*NumPoints]
		}
		k++
	}
	return nil
}

// initialGlobal estimates scale and translation from the landmark box and the
// mean shape's box, with zero rotation and local params (spec §3.3 step 2).
func (f *Fitter) initialGlobal() (Params, error) {
	n := f.n
	minX, maxX := span(f.target[:n])
	minY, maxY := span(f.target[n : 2*n])
	minMX, maxMX := span(f.mean[:n])
	minMY, maxMY := span(f.mean[n : 2*n])
	modelW, modelH := math.Abs(maxMX-minMX), math.Abs(maxMY-minMY)
	if modelW == 0 || modelH == 0 {
		return Params{}, errFlatBox
	}
	scale := (math.Abs(maxX-minX)/modelW + math.Abs(maxY-minY)/modelH) / 2
	return Params{Scale: scale, Tx: (minX + maxX) / 2, Ty: (minY + maxY) / 2}, nil
}

func span(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v[1:] {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// updateShape sets S3 = M + V·p over the visible rows (spec §3.3 step 6.1).
func (f *Fitter) updateShape(local *[NumModes]float64) {
	for r := range 3 * f.n {
		f.shape[r] = f.mean[r] + dot(&f.comps[r], local)
	}
}

// project returns the weak-perspective projection of visible point i of S3.
func (f *Fitter) project(i int, p *Params, rot *Mat3) (x, y float64) {
	n := f.n
	X, Y, Z := f.shape[i], f.shape[i+n], f.shape[i+2*n]
	x = p.Scale*(rot[0][0]*X+rot[0][1]*Y+rot[0][2]*Z) + p.Tx
	y = p.Scale*(rot[1][0]*X+rot[1][1]*Y+rot[1][2]*Z) + p.Ty
	return x, y
}

// updateResidual sets r = L − proj(S3) (spec §3.3 step 6.1).
func (f *Fitter) updateResidual(p *Params, rot Mat3) {
	n := f.n
	for i := range n {
		x, y := f.project(i, p, &rot)
		f.resid[i] = f.target[i] - x
		f.resid[i+n] = f.target[i+n] - y
	}
}

// projectionError is the Euclidean norm of proj(S3) − L over all 2n values
// (spec §3.3 steps 3 and 8).
func (f *Fitter) projectionError(p *Params, rot Mat3) float64 {
	n := f.n
	var sum float64
	for i := range n {
		x, y := f.project(i, p, &rot)
		dx, dy := x-f.target[i], y-f.target[i+n]
		sum += dx*dx + dy*dy
	}
	return math.Sqrt(sum)
}

// meanPointError is the mean per-landmark distance in pixels.
func (f *Fitter) meanPointError(p *Params, rot Mat3) float64 {
	n := f.n
	var sum float64
	for i := range n {
		x, y := f.project(i, p, &rot)
		sum += math.Hypot(x-f.target[i], y-f.target[i+n])
	}
	return sum / float64(n)
}

// updateJacobian fills the 2n×40 Jacobian of the projection with respect to
// (s, rx, ry, rz, tx, ty, p) at the current S3 (spec §3.3 step 6.2). The
// rotation columns are small-angle derivatives of R·R'.
func (f *Fitter) updateJacobian(p *Params, rot Mat3) {
	n, s := f.n, p.Scale
	col := func(c int) []float64 { return f.jacT[c*LandmarksLen : c*LandmarksLen+2*n] }
	for i := range n {
		X, Y, Z := f.shape[i], f.shape[i+n], f.shape[i+2*n]
		col(0)[i] = rot[0][0]*X + rot[0][1]*Y + rot[0][2]*Z
		col(0)[i+n] = rot[1][0]*X + rot[1][1]*Y + rot[1][2]*Z
		col(1)[i] = s * (rot[0][2]*Y - rot[0][1]*Z)
		col(1)[i+n] = s * (rot[1][2]*Y - rot[1][1]*Z)
		col(2)[i] = -s * (rot[0][2]*X - rot[0][0]*Z)
		col(2)[i+n] = -s * (rot[1][2]*X - rot[1][0]*Z)
		col(3)[i] = s * (rot[0][1]*X - rot[0][0]*Y)
		col(3)[i+n] = s * (rot[1][1]*X - rot[1][0]*Y)
		col(4)[i], col(4)[i+n] = 1, 0
		col(5)[i], col(5)[i+n] = 0, 1
		vx, vy, vz := &f.comps[i], &f.comps[i+n], &f.comps[i+2*n]
		for j := range NumModes {
			c := col(6 + j)
			c[i] = s * (rot[0][0]*vx[j] + rot[0][1]*vy[j] + rot[0][2]*vz[j])
			c[i+n] = s * (rot[1][0]*vx[j] + rot[1][1]*vy[j] + rot[1][2]*vz[j])
		}
	}
}

// normalEquations forms b = Jᵀr − Λp and H = JᵀJ + Λ (spec §3.3 steps 6.3–6.4).
func (f *Fitter) normalEquations(local *[NumModes]float64) {
	rows := 2 * f.n
	for a := range numParams {
		f.grad[a] = linalg.Dot(f.jacT[a*LandmarksLen:a*LandmarksLen+rows], f.resid[:rows])
	}
	linalg.UpperGram(f.jacT[:], f.jacT[:], numParams, rows, LandmarksLen, f.gram[:], numParams)
	for a := range numParams {
		for b := a; b < numParams; b++ {
			f.hess[a][b] = f.gram[a*numParams+b]
			f.hess[b][a] = f.hess[a][b]
		}
	}
	for j := range NumModes {
		f.grad[6+j] -= f.reg[j] * local[j]
		f.hess[6+j][6+j] += f.reg[j]
	}
}

// solveStep solves H·δ = b by Cholesky and damps δ by 0.75 (spec §3.3 steps
// 6.5–6.6). Like OpenCV's solve, a failed factorisation yields δ = 0.
func (f *Fitter) solveStep() {
	if !f.factorise() {
		f.step = [numParams]float64{}
		return
	}
	l := &f.chol
	for i := range numParams {
		s := f.grad[i]
		for k := range i {
			s -= l[i][k] * f.step[k]
		}
		f.step[i] = s / l[i][i]
	}
	for i := numParams - 1; i >= 0; i-- {
		s := f.step[i]
		for k := i + 1; k < numParams; k++ {
			s -= l[k][i] * f.step[k]
		}
		f.step[i] = s / l[i][i]
	}
	for i := range f.step {
		f.step[i] *= damping
	}
}

// factorise computes the lower Cholesky factor of H into f.chol; it fails on
// a pivot below OpenCV's threshold.
func (f *Fitter) factorise() bool {
	l := &f.chol
	for i := range numParams {
		for j := range i {
			l[i][j] = (f.hess[i][j] - linalg.Dot(l[i][:j], l[j][:j])) / l[j][j]
		}
		s := f.hess[i][i] - linalg.Dot(l[i][:i], l[i][:i])
		if !(s >= choleskyMinPivot) {
			return false
		}
		l[i][i] = math.Sqrt(s)
	}
	return true
}

// updateParams applies a step as OpenFace's UpdateModelParameters does (spec
// §3.3 step 6.7): scale and translation add, the rotation composes with the
// orthonormalised small-angle matrix and goes through an axis-angle round trip.
func updateParams(p *Params, d *[numParams]float64) {
	p.Scale += d[0]
	p.Tx += d[4]
	p.Ty += d[5]
	r1 := EulerToRotation(p.Rx, p.Ry, p.Rz)
	r2 := orthonormalise(Mat3{{1, -d[3], d[2]}, {d[3], 1, -d[1]}, {-d[2], d[1], 1}})
	rx, ry, rz := RotationToEuler(AxisAngleToRotation(RotationToAxisAngle(r1.Mul(r2))))
	if math.IsNaN(rx) || math.IsNaN(ry) || math.IsNaN(rz) {
		rx, ry, rz = 0, 0, 0
	}
	p.Rx, p.Ry, p.Rz = rx, ry, rz
	for j := range NumModes {
		p.Local[j] += d[6+j]
	}
}
