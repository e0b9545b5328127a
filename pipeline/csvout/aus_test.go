package csvout

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWriterOutputReadsBackAsAUs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.mp4.au.csv")
	writeSample(t, path)
	a, err := ReadAUs(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &AUs{
		IntensityNames: testIntensity, OccurrenceNames: testOccurrence,
		Timestamps: []float64{0, 0.033, 0.067}, Success: []bool{true, false, true},
		// The CSV holds two decimals.
		Intensity:  [][]float64{{0.05, 1.23}, {0, 0}, {5, 0.01}},
		Occurrence: [][]float64{{1, 0, 0}, {0, 0, 0}, {1, 1, 0}},
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ReadAUs = %+v, want %+v", a, want)
	}
}

func TestReadAUsRejects(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	writeSample(t, good)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	tests := []struct{ name, content, want string }{
		{"empty", "", "empty"},
		{"no AU columns", "frame, timestamp, success\n1, 0, 1\n", "lacks"},
		{"header only", lines[0], "no frames"},
		{"short row", lines[0] + "1, 0.0, 1\n", "columns"},
		{"bad success", lines[0] + strings.Replace(lines[1], ",  1,", ",  7,", 1), "neither 0 nor 1"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadAUs(path); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming %s that says %q", tt.name, err, path, tt.want)
		}
	}
}
