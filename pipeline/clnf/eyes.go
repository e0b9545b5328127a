package clnf

import (
	"errors"
	"fmt"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

const (
	// EyePoints is the number of landmarks of an eye part model.
	EyePoints = 28
	// EyeModes is the number of non-rigid modes of an eye part model.
	EyeModes = 10
)

// eyePartNames are OpenFace's 28-point eye models in the order of its gaze
// columns: eye 0 is left_eye_28 (face points 36–41), eye 1 right_eye_28.
var eyePartNames = [2]string{"left_eye_28", "right_eye_28"}

// EyeFit is one eye part's state after a frame's fit, what OpenFace's
// gaze and eye-landmark output read from it.
type EyeFit struct {
	Points [2 * EyePoints]float64 // x0..x27, y0..y27, px
	Global [6]float64             // scale, rx, ry, rz, tx, ty
	Local  [EyeModes]float64
	// Rotated is the part's 3-D shape, mean + V·Local, turned by the
	// global rotation (X block, Y block, Z block; mm): with the scale it
	// gives each point's depth (CLNF::GetShape).
	Rotated [3 * EyePoints]float64
}

// checkEyeParts makes sure that the eye parts a model names have the shape
// of OpenFace's, which the gaze output assumes.
func checkEyeParts(m *Model) error {
	for _, p := range m.parts {
		for _, name := range eyePartNames {
			if p.name == name && (p.model.shape.n != EyePoints || p.model.shape.m != EyeModes) {
				return fmt.Errorf("part %s has %d points and %d modes, want %d and %d",
					name, p.model.shape.n, p.model.shape.m, EyePoints, EyeModes)
			}
		}
	}
	return nil
}

// eyeFitters picks the eye parts out of parts, in gaze order; nil unless
// both are there.
func eyeFitters(parts []*partFitter) []*partFitter {
	var eyes []*partFitter
	for _, name := range eyePartNames {
		for _, pf := range parts {
			if pf.part.name == name {
				eyes = append(eyes, pf)
			}
		}
	}
	if len(eyes) != len(eyePartNames) {
		return nil
	}
	return eyes
}

// Eyes writes the two eye parts' fits of the last Refine or FitEyes into
// out and reports whether there are any: false without eye models or when
// that call failed.
func (f *Fitter) Eyes(out *[2]EyeFit) bool {
	if !f.eyesPlaced {
		return false
	}
	for k, pf := range f.eyes {
		e := &out[k]
		copy(e.Points[:], pf.shape)
		e.Global = pf.global
		copy(e.Local[:], pf.local)
		pf.shape3DFromLocal()
		r := pdm.EulerToRotation(pf.global[1], pf.global[2], pf.global[3])
		for i := range EyePoints {
			x, y, z := pf.shape3D[i], pf.shape3D[i+EyePoints], pf.shape3D[i+2*EyePoints]
			for axis := range 3 {
				e.Rotated[i+axis*EyePoints] = r[axis][0]*x + r[axis][1]*y + r[axis][2]*z
			}
		}
	}
	return true
}

// FitEyes fits the eye parts alone to a BGR frame from 68 landmarks found
// elsewhere, as the hierarchical step of CLNF::DetectLandmarks would from
// its own; scale is the landmarks' PDM scale, which decides whether the
// eyes are large enough to fit or are only placed by CalcParams. Eyes then
// returns the result.
func (f *Fitter) FitEyes(img *bgr.Image, landmarks []float64, scale float64) error {
	f.eyesPlaced = false
	if f.eyes == nil {
		return errors.New("fit eyes: the model has no eye parts or the fit is not hierarchical")
	}
	if len(landmarks) != pdm.LandmarksLen {
		return fmt.Errorf("fit eyes: need %d landmark values, got %d", pdm.LandmarksLen, len(landmarks))
	}
	if img == nil || img.W <= 0 || img.H <= 0 || len(img.Pix) != 3*img.W*img.H {
		return errors.New("fit eyes: need a non-empty BGR image")
	}
	f.gray.setFrame(img)
	defer f.gray.release()
	if err := f.fitParts(landmarks, scale, f.eyes); err != nil {
		return fmt.Errorf("fit eyes: %w", err)
	}
	f.eyesPlaced = true
	return nil
}
