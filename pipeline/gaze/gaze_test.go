package gaze

import (
	"math"
	"strconv"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// Bars of the formula test: OpenFace's own eye landmarks, face landmarks and
// pose, as its CSV rounds them, must give back its gaze.
const (
	maxVectorDegrees = 0.4    // each eye's gaze vector
	maxAngleRadians  = 0.0005 // gaze_angle_x/y from the CSV's own vectors
	maxEyeMM         = 0.08   // eye_lmk_X/Y from eye_lmk_x/y and the depth
)

// ceclmReferences are OpenFace 2.2 CSVs with gaze columns, from 1080×720 videos.
var ceclmReferences = []string{
	"reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv",
	"reference/openface-2.2-ceclm/subj02_timepoint01_openface.csv",
}

// refRows reads a CSV's successful rows as named numbers.
func refRows(t *testing.T, rel string) []map[string]float64 {
	t.Helper()
	cols, err := csvout.ReadColumns(testenv.TestdataPath(t, rel), func(string) bool { return true }, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]float64
	for i := range cols.Rows {
		if cols.Values["success"][i] != 1 {
			continue
		}
		row := make(map[string]float64, len(cols.Values))
		for name, values := range cols.Values {
			row[name] = values[i]
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatalf("%s has no successful frame", rel)
	}
	return rows
}

// eyesOf returns a row's two eyes with their depth in Camera's Z block only,
// and the row's eye X/Y to compare with.
func eyesOf(row map[string]float64) (eyes [2]Eye, wantXY [2][2 * EyePoints]float64) {
	for k := range eyes {
		for i := range EyePoints {
			n := strconv.Itoa(k*EyePoints + i)
			eyes[k].Image[i], eyes[k].Image[i+EyePoints] = row["eye_lmk_x_"+n], row["eye_lmk_y_"+n]
			eyes[k].Camera[i+2*EyePoints] = row["eye_lmk_Z_"+n]
			wantXY[k][i], wantXY[k][i+EyePoints] = row["eye_lmk_X_"+n], row["eye_lmk_Y_"+n]
		}
	}
	return eyes, wantXY
}

func faceOf(row map[string]float64) []float64 {
	face := make([]float64, pdm.ShapeLen)
	for i := range pdm.NumPoints {
		n := strconv.Itoa(i)
		face[i], face[i+pdm.NumPoints], face[i+2*pdm.NumPoints] = row["X_"+n], row["Y_"+n], row["Z_"+n]
	}
	return face
}

func vectorOf(row map[string]float64, k int) [3]float64 {
	p := "gaze_" + strconv.Itoa(k) + "_"
	return [3]float64{row[p+"x"], row[p+"y"], row[p+"z"]}
}

func degreesBetween(a, b [3]float64) float64 {
	c := dot(unit(a), unit(b))
	return math.Acos(math.Max(-1, math.Min(1, c))) * 180 / math.Pi
}

// TestFormulaOnOpenFaceOutput runs the CSVs' own eye landmarks, 3-D face
// landmarks and head pose through Estimate, and their own gaze vectors
// through Angles.
func TestFormulaOnOpenFaceOutput(t *testing.T) {
	intr := pdm.DefaultIntrinsics(1080, 720)
	for _, rel := range ceclmReferences {
		t.Run(rel, func(t *testing.T) {
			var worstVec, sumVec, worstAngle, worstMM float64
			rows := refRows(t, rel)
			for _, row := range rows {
				eyes, wantXY := eyesOf(row)
				for k := range eyes {
					for i := range EyePoints {
						eyes[k].backProject(i, eyes[k].Camera[i+2*EyePoints], intr)
					}
					for i, want := range wantXY[k] {
						worstMM = math.Max(worstMM, math.Abs(eyes[k].Camera[i]-want))
					}
				}
				got := Estimate(&eyes, faceOf(row), [3]float64{row["pose_Rx"], row["pose_Ry"], row["pose_Rz"]})
				for k := range got.Vectors {
					d := degreesBetween(got.Vectors[k], vectorOf(row, k))
					worstVec, sumVec = math.Max(worstVec, d), sumVec+d
				}
				angles := Angles([2][3]float64{vectorOf(row, 0), vectorOf(row, 1)})
				worstAngle = math.Max(worstAngle, math.Abs(angles[0]-row["gaze_angle_x"]))
				worstAngle = math.Max(worstAngle, math.Abs(angles[1]-row["gaze_angle_y"]))
			}
			t.Logf("%d frames: gaze vectors %.3f° on average, %.3f° at most; angles %.5f rad at most; eye X/Y %.3f mm at most",
				len(rows), sumVec/float64(2*len(rows)), worstVec, worstAngle, worstMM)
			if worstVec > maxVectorDegrees {
				t.Errorf("a gaze vector differs by %.3f°, want ≤ %g°", worstVec, maxVectorDegrees)
			}
			if worstAngle > maxAngleRadians {
				t.Errorf("a gaze angle differs by %.5f rad, want ≤ %g", worstAngle, maxAngleRadians)
			}
			if worstMM > maxEyeMM {
				t.Errorf("an eye landmark's X or Y differs by %.3f mm, want ≤ %g", worstMM, maxEyeMM)
			}
		})
	}
}

// TestRaySphere: a ray that passes the eyeball gives OpenFace's
// fallback point, and one through its centre the near side.
func TestRaySphere(t *testing.T) {
	if got := raySphere([3]float64{1, 0, 0}, [3]float64{0, 0, 500}, eyeballRadius); got != [3]float64{0, 0, -1} {
		t.Errorf("a miss gave %v, want (0, 0, −1)", got)
	}
	if got := raySphere([3]float64{0, 0, 1}, [3]float64{0, 0, 500}, eyeballRadius); math.Abs(got[2]-488) > 1e-9 || got[0] != 0 || got[1] != 0 {
		t.Errorf("a ray through the centre met the sphere at %v, want (0, 0, 488)", got)
	}
}

// TestAnglesSigns pins the sign conventions the README describes.
func TestAnglesSigns(t *testing.T) {
	for _, c := range []struct {
		v    [3]float64
		want [2]float64
	}{
		{[3]float64{0, 0, -1}, [2]float64{0, 0}},
		{[3]float64{math.Sin(0.2), 0, -math.Cos(0.2)}, [2]float64{0.2, 0}},
		{[3]float64{0, math.Sin(-0.3), -math.Cos(0.3)}, [2]float64{0, -0.3}},
	} {
		got := Angles([2][3]float64{c.v, c.v})
		if math.Abs(got[0]-c.want[0]) > 1e-12 || math.Abs(got[1]-c.want[1]) > 1e-12 {
			t.Errorf("Angles of %v = %v, want %v", c.v, got, c.want)
		}
	}
}
