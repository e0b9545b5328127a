package aucompare

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

func TestReferenceAgreesWithItself(t *testing.T) {
	ref := testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv")
	rep, err := Files(ref, ref)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Frames != 288 || math.Abs(rep.MeanR-1) > 1e-9 || rep.MeanMAE != 0 || rep.MeanAgree != 1 || rep.LandmarkNME != 0 {
		t.Fatalf("self-comparison:\n%s", rep)
	}
	if len(rep.R) != 17 || len(rep.Agreement) != 18 {
		t.Fatalf("%d intensity and %d occurrence AUs, want 17 and 18", len(rep.R), len(rep.Agreement))
	}
}

// csvFile writes a CSV whose header is frame, success, the head rotation,
// the 68 landmarks (a fixed face, so that only AUs differ) and aus, with one
// row per entry of rows: the frame's success, then its AU values.
func csvFile(t *testing.T, aus string, rows ...string) string {
	t.Helper()
	var face []string
	for i := range 68 {
		face = append(face, fmt.Sprint(i))
	}
	for i := range 68 {
		face = append(face, fmt.Sprint(2*i))
	}
	header := "frame, success, pose_Rx, pose_Ry, pose_Rz, " + strings.Join(landmarkNames, ", ") + ", " + aus
	var b strings.Builder
	b.WriteString(header + "\n")
	for i, row := range rows {
		success, values, _ := strings.Cut(row, ",")
		fmt.Fprintf(&b, "%d, %s, 0.1, 0.2, 0.3, %s, %s\n", i+1, success, strings.Join(face, ", "), strings.TrimSpace(values))
	}
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestShiftedIntensityKeepsRButNotMAE(t *testing.T) {
	const aus = "AU01_r, AU02_r, AU01_c"
	ours := csvFile(t, aus, "1, 0.5, 1, 1", "1, 1.5, 1, 0", "1, 2.5, 1, 1", "0, 9, 9, 9")
	ref := csvFile(t, aus, "1, 0.0, 1, 1", "1, 1.0, 1, 1", "1, 2.0, 1, 1", "1, 0, 0, 0")
	rep, err := Files(ours, ref)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Frames != 3 || math.Abs(rep.R["AU01_r"]-1) > 1e-12 || math.Abs(rep.MAE["AU01_r"]-0.5) > 1e-12 {
		t.Fatalf("report:\n%s", rep)
	}
	if !math.IsNaN(rep.R["AU02_r"]) || len(rep.Flat) != 1 || math.Abs(rep.Agreement["AU01_c"]-2.0/3) > 1e-12 {
		t.Fatalf("flat AU or agreement wrong:\n%s", rep)
	}
	if rep.LandmarkNME != 0 || rep.PoseDegrees != 0 {
		t.Fatalf("landmarks or pose differ for the same face:\n%s", rep)
	}
	if !strings.Contains(rep.String(), "AU02_r  r   flat") {
		t.Fatalf("flat AU not shown:\n%s", rep)
	}
}

// TestNothingToCompareIsAnError holds Files to refusing input that would
// leave a mean undefined: NaN passes every "below the bar" check.
func TestNothingToCompareIsAnError(t *testing.T) {
	const aus = "AU01_r, AU01_c"
	good := csvFile(t, aus, "1, 0, 0", "1, 1, 1", "1, 2, 1")
	write := func(text string) string {
		path := filepath.Join(t.TempDir(), "bad.csv")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	goodText, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(goodText), "\n")
	cases := []struct {
		name, ours, want string
	}{
		{"empty file", write(""), "the file is empty"},
		{"header only", write(header + "\n"), "the file has no rows"},
		{"no frame column", write("a, b\n1, 2\n"), "no frame or no success column"},
		{"a word for a number", write(strings.Replace(string(goodText), "1, 1, 0.1", "1, yes, 0.1", 1)), `column success: "yes" is not a finite number`},
		{"NaN", write(strings.Replace(string(goodText), ", 2, 1\n", ", nan, 1\n", 1)), `column AU01_r: "nan" is not a finite number`},
		{"a short row", write(header + "\n1, 1\n"), "2 values under a header of"},
		{"no face in common", csvFile(t, aus, "0, 0, 0", "0, 1, 1", "0, 2, 1"), "no frame where both files found a face"},
		{"no AU in common", csvFile(t, "AU99_r, AU99_c", "1, 0, 0", "1, 1, 1", "1, 2, 1"), "no intensity AU column"},
		{"only occurrence AUs", csvFile(t, "AU01_c", "1, 0", "1, 1", "1, 1"), "no intensity AU column"},
		{"no occurrence AU", csvFile(t, "AU01_r", "1, 0", "1, 1", "1, 2"), "no occurrence AU column"},
		{"no landmarks", write("frame, success, pose_Rx, pose_Ry, pose_Rz, AU01_r, AU01_c\n1, 1, 0, 0, 0, 0, 0\n2, 1, 0, 0, 0, 1, 1\n"), "ours has no x_0 column"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Files(c.ours, good)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.ours) {
				t.Fatalf("got %v and report\n%v\nwant an error naming %s and saying %q", err, rep, c.ours, c.want)
			}
		})
	}
	t.Run("flat reference", func(t *testing.T) {
		flat := csvFile(t, aus, "1, 1, 1", "1, 1, 1", "1, 1, 1")
		if rep, err := Files(good, flat); err == nil || !strings.Contains(err.Error(), "r is undefined") {
			t.Fatalf("got %v and report\n%v\nwant r undefined", err, rep)
		}
	})
}

// TestGazeComparison moves a reference's eye landmarks by (3, 4) px and its
// gaze_angle_x by 0.01 rad, and swaps its two eyes' gaze vectors.
func TestGazeComparison(t *testing.T) {
	ref := testenv.TestdataPath(t, "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv")
	if rep, err := Files(ref, ref); err != nil || rep.Gaze == nil || *rep.Gaze != (GazeReport{}) {
		t.Fatalf("self-comparison: %v, %+v", err, rep.Gaze)
	}
	if rep, err := Files(testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv"), ref); err == nil && rep.Gaze != nil {
		t.Fatal("a file without gaze columns was compared on gaze")
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	header := strings.Split(lines[0], ", ")
	for n, line := range lines[1:] {
		cells := strings.Split(line, ", ")
		orig := append([]string(nil), cells...)
		for i, h := range header {
			var v float64
			fmt.Sscan(strings.TrimSpace(cells[i]), &v)
			switch {
			case strings.HasPrefix(h, "eye_lmk_x_"):
				cells[i] = fmt.Sprint(v + 3)
			case strings.HasPrefix(h, "eye_lmk_y_"):
				cells[i] = fmt.Sprint(v + 4)
			case h == "gaze_angle_x":
				cells[i] = fmt.Sprint(v + 0.01)
			case strings.HasPrefix(h, "gaze_0_"), strings.HasPrefix(h, "gaze_1_"):
				other := strings.NewReplacer("gaze_0_", "gaze_1_", "gaze_1_", "gaze_0_").Replace(h)
				cells[i] = orig[slices.Index(header, other)]
			}
		}
		lines[n+1] = strings.Join(cells, ", ")
	}
	moved := filepath.Join(t.TempDir(), "moved.csv")
	if err := os.WriteFile(moved, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Files(moved, ref)
	if err != nil {
		t.Fatal(err)
	}
	g := rep.Gaze
	if g == nil || math.Abs(g.EyeLandmarkPx-5) > 1e-6 || math.Abs(g.AngleDegrees-0.01/2*180/math.Pi) > 1e-6 ||
		g.VectorDegrees[0] < 1 || math.Abs(g.VectorDegrees[0]-g.VectorDegrees[1]) > 1e-9 {
		t.Fatalf("got %+v, want eye landmarks 5 px, angles 0.286°, the same angle between the vectors for both eyes", g)
	}
}
