package csvout

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

// ReadColumns reads the chosen columns of OpenFace's own CSV (cells after
// ", "), from every row or the chosen ones.
func TestReadColumnsOfOpenFaceCSV(t *testing.T) {
	path := testenv.TestdataPath(t, "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv")
	keep := func(c string) bool { return c == "timestamp" || c == "AU12_r" || c == "gaze_angle_x" }
	all, err := ReadColumns(path, keep, nil)
	if err != nil {
		t.Fatal(err)
	}
	if all.Rows != 158 || len(all.Values) != 3 || !all.Has("timestamp", "AU12_r", "gaze_angle_x") || all.Has("AU01_r") {
		t.Fatalf("%d rows, columns %v", all.Rows, len(all.Values))
	}
	if len(all.Header) < 700 || all.Header[0] != "frame" || all.Values["timestamp"][1] <= 0 {
		t.Errorf("header of %d columns starting %q, second timestamp %v", len(all.Header), all.Header[0], all.Values["timestamp"][1])
	}
	some, err := ReadColumns(path, keep, func(row int) bool { return row == 1 || row == 157 })
	if err != nil {
		t.Fatal(err)
	}
	if some.Rows != 2 || some.Values["AU12_r"][1] != all.Values["AU12_r"][157] || some.Values["timestamp"][0] != all.Values["timestamp"][1] {
		t.Errorf("rows 1 and 157: %v", some.Values)
	}
}

func TestReadColumnsRejects(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ text, want string }{
		"empty":        {"", "empty"},
		"short row":    {"frame, timestamp\n1, 0.0\n2\n", "1 values under a header of 2"},
		"not a number": {"frame, timestamp\n1, soon\n", "column timestamp"},
		"not finite":   {"frame, timestamp\n1, NaN\n", "column timestamp"},
		"missing file": {"", "no such file"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".csv")
		if name != "missing file" {
			if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := ReadColumns(path, func(string) bool { return true }, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming the file and saying %q", name, err, c.want)
		}
	}
}
