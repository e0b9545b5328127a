package pdm

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// TestCalcParamsOnReferences fits OpenFace's own landmarks and compares the
// result with the parameters OpenFace wrote beside them.
func TestCalcParamsOnReferences(t *testing.T) {
	m := loadModel(t)
	for _, ref := range references {
		t.Run(ref.name, func(t *testing.T) {
			ref = loadReference(t, ref)
			f := NewFitter(m)
			n := len(ref.frames)
			fitErr := make([]float64, n)
			rotDiff := make([]float64, n)
			iters := make([]float64, n)
			poseT, poseR := make([]float64, n), make([]float64, n)
			intr := DefaultIntrinsics(ref.w, ref.h)
			got := make([][]float64, numParams)
			want := make([][]float64, numParams)
			for k, fr := range ref.frames {
				p, meanErr, err := f.CalcParams(fr.landmarks)
				if err != nil {
					t.Fatalf("frame %d: %v", fr.number, err)
				}
				fitErr[k] = meanErr
				iters[k] = float64(f.Iterations())
				rotDiff[k] = math.Max(math.Abs(p.Rx-fr.params.Rx), math.Max(math.Abs(p.Ry-fr.params.Ry), math.Abs(p.Rz-fr.params.Rz))) * 180 / math.Pi
				tr, rot := m.Pose(p, fr.landmarks, intr)
				for a := range 3 {
					poseT[k] = math.Max(poseT[k], math.Abs(tr[a]-fr.poseT[a]))
					poseR[k] = math.Max(poseR[k], math.Abs(rot[a]-fr.poseR[a]))
				}
				for i, v := range paramVector(p) {
					got[i] = append(got[i], v)
				}
				for i, v := range paramVector(fr.params) {
					want[i] = append(want[i], v)
				}
			}
			within1px := fraction(fitErr, func(e float64) bool { return e <= 1 })
			within1deg := fraction(rotDiff, func(d float64) bool { return d <= 1 })
			t.Logf("%d frames: mean reprojection error ≤ 1 px on %.1f%% (median %.3f px, max %.3f px); rotation within 1° of p_r* on %.1f%% (median %.3f°, max %.3f°); iterations median %.0f max %.0f",
				n, 100*within1px, median(fitErr), maxOf(fitErr), 100*within1deg, median(rotDiff), maxOf(rotDiff), median(iters), maxOf(iters))
			t.Logf("pose from the fitted params vs pose_*: |ΔT| median %.2f max %.2f mm, |ΔR| median %.4f max %.4f rad", median(poseT), maxOf(poseT), median(poseR), maxOf(poseR))
			t.Log(agreementReport(got, want))
			if within1px < 0.99 {
				t.Errorf("reprojection error ≤ 1 px on only %.1f%% of frames, want ≥ 99%%", 100*within1px)
			}
			if within1deg < 0.95 {
				t.Errorf("rotation within 1° on only %.1f%% of frames, want ≥ 95%%", 100*within1deg)
			}
		})
	}
}

// paramVector flattens p as (s, rx, ry, rz, tx, ty, p0..p33).
func paramVector(p Params) []float64 {
	return append([]float64{p.Scale, p.Rx, p.Ry, p.Rz, p.Tx, p.Ty}, p.Local[:]...)
}

func paramName(i int) string {
	if i < 6 {
		return []string{"p_scale", "p_rx", "p_ry", "p_rz", "p_tx", "p_ty"}[i]
	}
	return fmt.Sprintf("p_%d", i-6)
}

// agreementReport lists Pearson r and mean absolute difference per parameter.
func agreementReport(got, want [][]float64) string {
	var b strings.Builder
	b.WriteString("parameter agreement (Pearson r, mean |diff|):")
	for i := range got {
		var mad float64
		for k := range got[i] {
			mad += math.Abs(got[i][k] - want[i][k])
		}
		fmt.Fprintf(&b, " %s %.4f %.4g;", paramName(i), pearson(got[i], want[i]), mad/float64(len(got[i])))
	}
	return b.String()
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
