package clnf

import (
	"math"

	"github.com/auwatchd/auwatchd/internal/linalg"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// nuRLMS runs one regularised landmark mean-shift stage (CLNF::NU_RLMS):
// rigid updates only the six global parameters, non-rigid all of them with
// the shape prior reg/eigenvalue. Responses are those computed around f.base.
func (f *partFitter) nuRLMS(rigid bool, vis []bool, window int, reg, sigma float64) {
	n, numP := f.model.shape.n, len(f.rhs)
	if rigid {
		numP = 6
	}
	a := float32(-0.5 / (sigma * sigma))
	f.lastStopped = false
	for iter := range f.settings.iterations {
		f.project(f.shape)
		if iter > 0 && shapeDistance(f.shape, f.prev) < stopMotion {
			f.lastStopped = true
			break
		}
		copy(f.prev, f.shape)
		f.jacobian(rigid)
		f.meanShifts(vis, window, a)
		stride := len(f.rhs)
		for i := range n {
			if !vis[i] {
				clear(f.jac[i*stride : (i+1)*stride])
				clear(f.jac[(i+n)*stride : (i+n+1)*stride])
			}
		}
		f.normalEquations(numP, rigid, reg)
		if !f.solve(numP, calcMinPivot) {
			clear(f.step)
		}
		f.updateParams(numP)
		f.clampLocal()
	}
}

func shapeDistance(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := float64(float32(a[i]) - float32(b[i]))
		s += d * d
	}
	return math.Sqrt(s)
}

// jacobian fills the 2-D Jacobian of the shape with respect to the global
// (small-angle rotation) and, unless rigid, local parameters
// (PDM::ComputeJacobian / ComputeRigidJacobian).
func (f *partFitter) jacobian(rigid bool) {
	f.shape3DFromLocal()
	sm := f.model.shape
	n, m, stride := sm.n, sm.m, len(f.rhs)
	r := pdm.EulerToRotation(f.global[1], f.global[2], f.global[3])
	s := f.global[0]
	for i := range n {
		x, y, z := f.shape3D[i], f.shape3D[i+n], f.shape3D[i+2*n]
		jx, jy := f.jac[i*stride:(i+1)*stride], f.jac[(i+n)*stride:(i+n+1)*stride]
		jx[0] = x*r[0][0] + y*r[0][1] + z*r[0][2]
		jy[0] = x*r[1][0] + y*r[1][1] + z*r[1][2]
		jx[1] = s * (y*r[0][2] - z*r[0][1])
		jy[1] = s * (y*r[1][2] - z*r[1][1])
		jx[2] = -s * (x*r[0][2] - z*r[0][0])
		jy[2] = -s * (x*r[1][2] - z*r[1][0])
		jx[3] = s * (x*r[0][1] - y*r[0][0])
		jy[3] = s * (x*r[1][1] - y*r[1][0])
		jx[4], jy[4] = 1, 0
		jx[5], jy[5] = 0, 1
		if rigid {
			continue
		}
		vx, vy, vz := sm.comps[i*m:(i+1)*m], sm.comps[(i+n)*m:(i+n+1)*m], sm.comps[(i+2*n)*m:(i+2*n+1)*m]
		for j := range m {
			jx[6+j] = s * (r[0][0]*vx[j] + r[0][1]*vy[j] + r[0][2]*vz[j])
			jy[6+j] = s * (r[1][0]*vx[j] + r[1][1]*vy[j] + r[1][2]*vz[j])
		}
	}
}

// meanShifts computes each visible landmark's kernel-density mean shift over
// its response map (NonVectorisedMeanShift_precalc_kde), in the image frame.
func (f *partFitter) meanShifts(vis []bool, window int, a float32) {
	n := f.model.shape.n
	kde := f.kdeTable(window, a)
	half := float64((window - 1) / 2)
	steps := window * 10
	maxOff := float32(window) - kdeStep
	cells := window * window
	for i := range n {
		f.meanShift[i], f.meanShift[i+n] = 0, 0
		ox, oy := f.shape[i]-f.base[i], f.shape[i+n]-f.base[i+n]
		dx := float32(f.imgToRef[0][0]*ox+f.imgToRef[0][1]*oy) + float32(half)
		dy := float32(f.imgToRef[1][0]*ox+f.imgToRef[1][1]*oy) + float32(half)
		if !vis[i] {
			continue
		}
		dx = min(max(dx, 0), maxOff)
		dy = min(max(dy, 0), maxOff)
		row := int(dx/kdeStep + 0.5)
		col := int(dy/kdeStep + 0.5)
		k := kde[(row*steps+col)*cells : (row*steps+col+1)*cells]
		var mx, my, sum float32
		resp := f.resp[i]
		for ii := range window {
			for jj := range window {
				v := resp[ii*window+jj] * k[ii*window+jj]
				sum += v
				mx += v * float32(jj)
				my += v * float32(ii)
			}
		}
		if sum == 0 {
			continue
		}
		msx, msy := float64(mx/sum-dx), float64(my/sum-dy)
		f.meanShift[i] = f.refToImg[0][0]*msx + f.refToImg[0][1]*msy
		f.meanShift[i+n] = f.refToImg[1][0]*msx + f.refToImg[1][1]*msy
	}
}

// kdeTable returns the mean-shift kernels of a window size, taken from the
// model on first use and then kept (as OpenFace keeps kde_resp_precalc per
// window size, whatever a is later).
func (f *partFitter) kdeTable(window int, a float32) []float32 {
	if t, ok := f.kde[window]; ok {
		return t
	}
	t := f.model.kdeTable(window, a)
	f.kde[window] = t
	return t
}

// kdeKey names a table of mean-shift kernels.
type kdeKey struct {
	window int
	a      float32
}

// kdeTable returns the Gaussian kernels exp(a·((dx−x)²+(dy−y)²)) for every
// offset on a 0.1 px grid, computing them on first use. The tables take
// some 7 MB per Fitter, so the Fitters of a model share them.
func (m *partModel) kdeTable(window int, a float32) []float32 {
	key := kdeKey{window, a}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.kdes[key]; ok {
		return t
	}
	t := computeKDE(window, a)
	m.kdes[key] = t
	return t
}

func computeKDE(window int, a float32) []float32 {
	steps := window * 10
	t := make([]float32, steps*steps*window*window)
	k := 0
	for x := range steps {
		dx := float32(x) * kdeStep
		for y := range steps {
			dy := float32(y) * kdeStep
			for ii := range window {
				vx := (dy - float32(ii)) * (dy - float32(ii))
				for jj := range window {
					vy := (dx - float32(jj)) * (dx - float32(jj))
					t[k] = float32(math.Exp(float64(a * (vx + vy))))
					k++
				}
			}
		}
	}
	return t
}

// normalEquations forms H = JᵀWJ + R and g = JᵀW·meanShift − R·local over
// the first numP parameters, R the shape prior reg/eigenvalue on the local
// parameters (none when rigid), from the transposed Jacobian so the sums run
// over contiguous memory.
func (f *partFitter) normalEquations(numP int, rigid bool, reg float64) {
	n, stride := f.model.shape.n, len(f.rhs)
	rows := 2 * n
	for r := range rows {
		w := f.weights[r%n]
		for a, ja := range f.jac[r*stride : r*stride+numP] {
			f.jacT[a*rows+r] = ja
			f.weightedJacT[a*rows+r] = w * ja
		}
		f.weightedShift[r] = w * f.meanShift[r]
	}
	for a := range numP {
		f.rhs[a] = linalg.Dot(f.jacT[a*rows:(a+1)*rows], f.weightedShift[:rows])
	}
	linalg.UpperGram(f.weightedJacT, f.jacT, numP, rows, rows, f.hess, stride)
	for a := range numP {
		for b := a + 1; b < numP; b++ {
			f.hess[b*stride+a] = f.hess[a*stride+b]
		}
	}
	if rigid {
		return
	}
	for j, e := range f.model.shape.eig {
		prior := reg / e
		f.hess[(6+j)*stride+6+j] += prior
		f.rhs[6+j] -= prior * f.local[j]
	}
}

// solve solves H·step = g over the first numP parameters by Cholesky; it
// reports false on a pivot below minPivot, as OpenCV's solver does.
func (f *partFitter) solve(numP int, minPivot float64) bool {
	stride := len(f.rhs)
	row := func(i, n int) []float64 { return f.chol[i*stride : i*stride+n] }
	for i := range numP {
		for j := range i {
			row(i, j+1)[j] = (f.hess[i*stride+j] - linalg.Dot(row(i, j), row(j, j))) / row(j, j+1)[j]
		}
		s := f.hess[i*stride+i] - linalg.Dot(row(i, i), row(i, i))
		if !(s >= minPivot) {
			return false
		}
		row(i, i+1)[i] = math.Sqrt(s)
	}
	for i := range numP {
		f.step[i] = (f.rhs[i] - linalg.Dot(row(i, i), f.step[:i])) / row(i, i+1)[i]
	}
	for i := numP - 1; i >= 0; i-- {
		s := f.step[i]
		for k := i + 1; k < numP; k++ {
			s -= f.chol[k*stride+i] * f.step[k]
		}
		f.step[i] = s / f.chol[i*stride+i]
	}
	return true
}

// updateParams applies a step (PDM::UpdateModelParameters): scale and
// translation add, the rotation composes with the small rotation of the step
// (orthonormalised), locals add.
func (f *partFitter) updateParams(numP int) {
	d := f.step
	f.global[0] += d[0]
	f.global[4] += d[4]
	f.global[5] += d[5]
	r1 := pdm.EulerToRotation(f.global[1], f.global[2], f.global[3])
	r3 := r1.Mul(smallRotation(d[1], d[2], d[3]))
	rx, ry, rz := pdm.RotationToEuler(pdm.AxisAngleToRotation(pdm.RotationToAxisAngle(r3)))
	if math.IsNaN(rx) || math.IsNaN(ry) || math.IsNaN(rz) {
		rx, ry, rz = 0, 0, 0
	}
	f.global[1], f.global[2], f.global[3] = rx, ry, rz
	for j := 6; j < numP; j++ {
		f.local[j-6] += d[j]
	}
}

// smallRotation returns the orthonormalised I + [w]×: the nearest rotation to
// it is the turn by atan(|w|) about w.
func smallRotation(wx, wy, wz float64) pdm.Mat3 {
	theta := math.Sqrt(wx*wx + wy*wy + wz*wz)
	if theta == 0 {
		return pdm.Mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	}
	k := math.Atan(theta) / theta
	return pdm.AxisAngleToRotation([3]float64{wx * k, wy * k, wz * k})
}

// clampLocal keeps each local parameter within ±3 standard deviations (PDM::Clamp).
func (f *partFitter) clampLocal() {
	for j, e := range f.model.shape.eig {
		limit := 3 * math.Sqrt(e)
		f.local[j] = min(max(f.local[j], -limit), limit)
	}
}
