// Package pdm holds OpenFace's 68-point 3-D point distribution model (PDM) and
// fits its rigid and non-rigid parameters to 2-D landmarks (CalcParams). From
// those parameters it derives the AU geometry features, the head pose and the
// camera-frame 3-D landmarks that OpenFace writes to its CSV.
package pdm

import "github.com/auwatchd/auwatchd/internal/linalg"

const (
	// NumPoints is the number of landmarks of the model.
	NumPoints = 68
	// NumModes is the number of non-rigid (local) shape modes.
	NumModes = 34
	// ShapeLen is the length of a 3-D shape vector [X0..X67, Y0..Y67, Z0..Z67].
	ShapeLen = 3 * NumPoints
	// LandmarksLen is the length of a 2-D landmark vector [x0..x67, y0..y67].
	LandmarksLen = 2 * NumPoints
	// GeometryLen is the length of the geometry feature vector [PC·p, p].
	GeometryLen = ShapeLen + NumModes
)

// Model is the point distribution model: S3 = Mean + Components·p.
type Model struct {
	// Mean is the mean 3-D shape in planar order (X block, Y block, Z block).
	Mean [ShapeLen]float64
	// Components holds the principal components: row r is shape coordinate r,
	// column j is mode j.
	Components [ShapeLen][NumModes]float64
	// Eigenvalues are the variances of the modes, all positive.
	Eigenvalues [NumModes]float64
}

// Params are the global (rigid) and local (non-rigid) model parameters, the
// CSV's p_scale, p_rx, p_ry, p_rz, p_tx, p_ty and p_0..p_33.
type Params struct {
	Scale, Rx, Ry, Rz, Tx, Ty float64
	Local                     [NumModes]float64
}

// Rotation returns the rotation matrix of the Euler angles in p.
func (p Params) Rotation() Mat3 {
	return EulerToRotation(p.Rx, p.Ry, p.Rz)
}

// point returns the 3-D position of landmark i of mean + Components·local.
func (m *Model) point(i int, local *[NumModes]float64) (x, y, z float64) {
	return m.Mean[i] + dot(&m.Components[i], local),
		m.Mean[i+NumPoints] + dot(&m.Components[i+NumPoints], local),
		m.Mean[i+2*NumPoints] + dot(&m.Components[i+2*NumPoints], local)
}

func dot(a, b *[NumModes]float64) float64 { return linalg.Dot(a[:], b[:]) }
