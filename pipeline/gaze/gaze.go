// Package gaze estimates where each eye looks, as OpenFace 2.2's
// GazeAnalyser does: from the 28 landmarks of each eye fitted by OpenFace's
// eye models, the 68 face landmarks in the camera frame and the head pose.
// It also places the eye landmarks in the camera frame (CLNF::GetShape).
package gaze

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

const (
	// EyePoints is the number of landmarks of one eye model; the first
	// eight ring the pupil.
	EyePoints = 28
	// pupilPoints are the landmarks whose mean is the pupil.
	pupilPoints = 8
	// eyeballRadius is the eyeball's radius in mm.
	eyeballRadius = 12
)

// eyeballOffset is where the eyeball's centre lies from the mid-point of
// the eye corners, in head coordinates (mm): 3.5 mm up, 7 mm behind.
var eyeballOffset = [3]float64{0, -3.5, 7}

// eyeCorners are the indices in the 68 landmarks of each eye's corners:
// eye 0 (OpenFace's left_eye_28, points 36–41) and eye 1 (42–47).
var eyeCorners = [2][2]int{{36, 39}, {42, 45}}

// Eye is one eye's 28 landmarks: in the image (px, x0..x27 then y0..y27)
// and in the camera frame (mm, X0..X27, Y0..Y27, Z0..Z27).
type Eye struct {
	Image  [2 * EyePoints]float64
	Camera [3 * EyePoints]float64
}

// Result is one frame's gaze: a unit vector per eye in the camera frame
// (x right, y down, z away from the camera), and the horizontal and
// vertical angles of their mean, in radians.
type Result struct {
	Vectors [2][3]float64
	Angles  [2]float64
}

// CameraPoints sets e.Camera from e.Image and the eye model's fit, as
// OpenFace's CLNF::GetShape does: each point's depth is fx/scale plus its
// depth in the rotated model shape, and X, Y back-project the image point
// at that depth. rotated is the model shape R·(mean + V·p) of the fit,
// X block, Y block, Z block.
func (e *Eye) CameraPoints(scale float64, rotated []float64, intr pdm.Intrinsics) {
	meanDepth := intr.Fx / scale
	for i := range EyePoints {
		e.backProject(i, meanDepth+rotated[i+2*EyePoints], intr)
	}
}

// backProject places image point i at depth z in the camera frame.
func (e *Eye) backProject(i int, z float64, intr pdm.Intrinsics) {
	e.Camera[i] = z * (e.Image[i] - intr.Cx) / intr.Fx
	e.Camera[i+EyePoints] = z * (e.Image[i+EyePoints] - intr.Cy) / intr.Fy
	e.Camera[i+2*EyePoints] = z
}

// pupil is the mean of the points ringing the pupil, in the camera frame.
func (e *Eye) pupil() [3]float64 {
	var p [3]float64
	for axis := range 3 {
		for i := range pupilPoints {
			p[axis] += e.Camera[i+axis*EyePoints]
		}
		p[axis] /= pupilPoints
	}
	return p
}

// Estimate computes both eyes' gaze (GazeAnalysis::EstimateGaze and
// GetGazeAngle). face is the 68 landmarks in the camera frame (X0..X67,
// Y0..Y67, Z0..Z67) and headRotation the head pose's Euler angles.
func Estimate(eyes *[2]Eye, face []float64, headRotation [3]float64) Result {
	rot := pdm.EulerToRotation(headRotation[0], headRotation[1], headRotation[2])
	offset := mulVec(rot, eyeballOffset)
	var r Result
	for k := range eyes {
		centre := midpoint(face, eyeCorners[k][0], eyeCorners[k][1])
		for axis := range 3 {
			centre[axis] += offset[axis]
		}
		hit := raySphere(unit(eyes[k].pupil()), centre, eyeballRadius)
		r.Vectors[k] = unit(sub(hit, centre))
	}
	r.Angles = Angles(r.Vectors)
	return r
}

// Angles are the horizontal and vertical angles of the mean of the two gaze
// vectors, not normalised: atan2(x, −z) and atan2(y, −z). Looking straight
// at the camera gives (0, 0); looking to the image's right or down gives
// positive angles.
func Angles(v [2][3]float64) [2]float64 {
	x := (v[0][0] + v[1][0]) / 2
	y := (v[0][1] + v[1][1]) / 2
	z := (v[0][2] + v[1][2]) / 2
	return [2]float64{math.Atan2(x, -z), math.Atan2(y, -z)}
}

// raySphere is the nearer point where the ray from the camera's centre along
// the unit vector dir meets the sphere, or (0, 0, −1), as OpenFace has it,
// when the ray misses.
func raySphere(dir, centre [3]float64, radius float64) [3]float64 {
	b := -2 * dot(dir, centre)
	c := dot(centre, centre) - radius*radius
	disc := b*b - 4*c
	if disc < 0 {
		return [3]float64{0, 0, -1}
	}
	t := (-b - math.Sqrt(disc)) / 2
	return [3]float64{t * dir[0], t * dir[1], t * dir[2]}
}

// midpoint is the mean of points i and j of a planar 68-point 3-D shape.
func midpoint(shape []float64, i, j int) [3]float64 {
	var m [3]float64
	for axis := range 3 {
		m[axis] = (shape[i+axis*pdm.NumPoints] + shape[j+axis*pdm.NumPoints]) / 2
	}
	return m
}

func mulVec(m pdm.Mat3, v [3]float64) [3]float64 {
	return [3]float64{dot(m[0], v), dot(m[1], v), dot(m[2], v)}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

// unit is a scaled to length 1; a zero vector stays zero.
func unit(a [3]float64) [3]float64 {
	n := math.Sqrt(dot(a, a))
	if n == 0 {
		return a
	}
	return [3]float64{a[0] / n, a[1] / n, a[2] / n}
}
