package results

import (
	"testing"

	"github.com/auwatchd/auwatchd/pipeline"
)

// TestResultKeepsGaze: the stored summary's mean gaze leaves out frames
// without a face, and each frame row carries its gaze angles.
func TestResultKeepsGaze(t *testing.T) {
	sum := pipeline.Summary{Frames: 3, Successful: 2, Results: pipeline.Results{
		IntensityNames: []string{"AU12"}, OccurrenceNames: []string{"AU12"},
		Timestamps: []float64{0, 0.04, 0.08}, Success: []bool{true, false, true},
		Intensity: [][]float64{{0.5}, {0}, {1.5}}, Occurrence: [][]float64{{0}, {0}, {1}},
		GazeAngles: [][2]float64{{0.1, -0.2}, {0, 0}, {0.3, 0}},
	}}
	r := FromSummary("/o.csv", sum, false)
	if g := r.Summary.MeanGaze; g == nil || *g != [2]float64{0.2, -0.1} {
		t.Errorf("mean gaze %v, want (0.2, −0.1)", g)
	}
	var rows [][2]float64
	for f := range r.Frames {
		if !f.HasGaze {
			t.Errorf("frame %d has no gaze", f.Frame)
		}
		rows = append(rows, f.Gaze)
	}
	if len(rows) != 3 || rows[2] != [2]float64{0.3, 0} {
		t.Errorf("frame gaze %v", rows)
	}
	sum.Results.Success = []bool{false, false, false}
	if r := FromSummary("/o.csv", sum, false); r.Summary.MeanGaze != nil {
		t.Errorf("mean gaze %v without a face, want none", *r.Summary.MeanGaze)
	}
	sum.Results.GazeAngles = nil
	for f := range FromSummary("/o.csv", sum, false).Frames {
		if f.HasGaze {
			t.Errorf("frame %d has gaze from results without any", f.Frame)
		}
	}
}
