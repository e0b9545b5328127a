package pdm

import (
	"math"
	"testing"
)

// TestProjectReproducesReferenceLandmarks checks the Euler convention and the
// weak-perspective projection: OpenFace's landmarks are the projection of the
// parameters it wrote, up to the CSV's rounding.
func TestProjectReproducesReferenceLandmarks(t *testing.T) {
	m := loadModel(t)
	proj := make([]float64, LandmarksLen)
	for _, ref := range references {
		t.Run(ref.name, func(t *testing.T) {
			ref = loadReference(t, ref)
			dist := make([]float64, len(ref.frames))
			for k, fr := range ref.frames {
				m.Project(fr.params, proj)
				dist[k] = meanPointDistance(proj, fr.landmarks)
			}
			t.Logf("projection of the CSV's p_* vs its landmarks: median %.3f px, max %.3f px", median(dist), maxOf(dist))
			if median(dist) > 0.15 || maxOf(dist) > 0.5 {
				t.Errorf("projection of the CSV params is %.3f px (median) / %.3f px (max) from its landmarks, want ≤ 0.15 / 0.5", median(dist), maxOf(dist))
			}
		})
	}
}

// TestPoseOnReferences recomputes pose_T*, pose_R* from the CSV's own params
// and landmarks with the video's camera.
func TestPoseOnReferences(t *testing.T) {
	m := loadModel(t)
	for _, ref := range references {
		t.Run(ref.name, func(t *testing.T) {
			ref = loadReference(t, ref)
			intr := DefaultIntrinsics(ref.w, ref.h)
			n := len(ref.frames)
			dT, dR := make([]float64, n), make([]float64, n)
			for k, fr := range ref.frames {
				tr, rot := m.Pose(fr.params, fr.landmarks, intr)
				for a := range 3 {
					dT[k] = math.Max(dT[k], math.Abs(tr[a]-fr.poseT[a]))
					dR[k] = math.Max(dR[k], math.Abs(rot[a]-fr.poseR[a]))
				}
			}
			// The CSV rounds T to 0.1 mm and R to 0.001 rad, and its inputs
			// (landmarks to 0.1 px, params to 0.001) as well.
			okT := fraction(dT, func(d float64) bool { return d <= 0.15 })
			okR := fraction(dR, func(d float64) bool { return d <= 0.0015 })
			t.Logf("%d frames: |ΔT| ≤ 0.15 mm on %.1f%% (median %.3f, max %.3f mm); |ΔR| ≤ 0.0015 rad on %.1f%% (median %.5f, max %.5f rad)",
				n, 100*okT, median(dT), maxOf(dT), 100*okR, median(dR), maxOf(dR))
			if okT < 0.95 || okR < 0.95 {
				t.Errorf("pose matches the CSV on only %.1f%% (T) / %.1f%% (R) of frames, want ≥ 95%%", 100*okT, 100*okR)
			}
		})
	}
}

// TestCameraLandmarksOnReferences recomputes X_, Y_, Z_ from the CSV's params
// and landmarks (CE-CLM references only; the CLNF ones lack these columns).
func TestCameraLandmarksOnReferences(t *testing.T) {
	m := loadModel(t)
	out := make([]float64, ShapeLen)
	for _, ref := range references {
		if !ref.has3D {
			continue
		}
		t.Run(ref.name, func(t *testing.T) {
			ref = loadReference(t, ref)
			intr := DefaultIntrinsics(ref.w, ref.h)
			diff := make([]float64, len(ref.frames))
			for k, fr := range ref.frames {
				m.CameraLandmarks(fr.params, fr.landmarks, intr, out)
				for i := range out {
					diff[k] = math.Max(diff[k], math.Abs(out[i]-fr.camera[i]))
				}
			}
			// Z depends on f/s with s rounded to 0.001: ±0.15 mm at these scales.
			ok := fraction(diff, func(d float64) bool { return d <= 0.3 })
			t.Logf("%d frames: max |Δ| over the 204 values ≤ 0.3 mm on %.1f%% (median %.3f, max %.3f mm)", len(diff), 100*ok, median(diff), maxOf(diff))
			if ok < 0.95 {
				t.Errorf("3-D landmarks match the CSV on only %.1f%% of frames, want ≥ 95%%", 100*ok)
			}
		})
	}
}

func meanPointDistance(a, b []float64) float64 {
	var sum float64
	for i := range NumPoints {
		sum += math.Hypot(a[i]-b[i], a[i+NumPoints]-b[i+NumPoints])
	}
	return sum / NumPoints
}
