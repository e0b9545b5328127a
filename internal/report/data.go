package report

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/auwatchd/auwatchd/pipeline/csvout"
)

// maxBins is how many points the plots' time axes have at most: enough for
// a wide screen, and the page stays small however long the video.
const maxBins = 600

var auColumn = regexp.MustCompile(`^AU\d\d_[rc]$`)

// columns names the per-frame values the report reads, besides the AUs.
var columns = []string{"timestamp", "confidence", "success", "pose_Rx", "pose_Ry", "pose_Rz", "gaze_angle_x", "gaze_angle_y"}

// Track is what the report shows of a CSV: its per-frame values and what
// they add up to.
type Track struct {
	Time       []float64 // seconds
	Success    []bool
	Confidence []float64 // nil when the CSV has no confidence column
	AUs        []AU      // the intensity AUs, in the CSV's order
	Pose       [][]float64
	Gaze       [][]float64 // nil when the CSV has no gaze angles
	Failed     []Span      // runs of frames without a face
}

// AU is one intensity AU's values and summary, over the frames with a face.
type AU struct {
	Name      string    // e.g. "AU12"
	Intensity []float64 // per frame, OpenFace's 0–5 scale
	Mean, Max float64
	Present   float64 // share of frames with the AU present (its _c column); NaN without one
}

// Span is a run of frames, numbered from 1, both ends included.
type Span struct{ First, Last int }

// Frames returns how many frames the track has.
func (t *Track) Frames() int { return len(t.Time) }

// Successful returns how many frames have a face.
func (t *Track) Successful() int {
	n := 0
	for _, ok := range t.Success {
		if ok {
			n++
		}
	}
	return n
}

// Duration is the time from the first frame's start to the last frame's end.
func (t *Track) Duration() float64 {
	if len(t.Time) < 2 {
		return 0
	}
	return t.Time[len(t.Time)-1] * float64(len(t.Time)) / float64(len(t.Time)-1)
}

// FrameRate is the mean frames per second.
func (t *Track) FrameRate() float64 {
	if d := t.Duration(); d > 0 {
		return float64(len(t.Time)) / d
	}
	return 0
}

// ReadTrack reads the columns the report shows from an OpenFace-format CSV.
func ReadTrack(path string) (*Track, error) {
	cols, err := csvout.ReadColumns(path, func(c string) bool {
		return slices.Contains(columns, c) || auColumn.MatchString(c)
	}, nil)
	if err != nil {
		return nil, err
	}
	if !cols.Has("timestamp", "success") || cols.Rows == 0 {
		return nil, fmt.Errorf("read %s: not an OpenFace CSV with frames: it needs rows and the columns timestamp and success", path)
	}
	t := &Track{Time: cols.Values["timestamp"], Confidence: cols.Values["confidence"]}
	for _, s := range cols.Values["success"] {
		t.Success = append(t.Success, s == 1)
	}
	for _, h := range cols.Header {
		if name, ok := strings.CutSuffix(h, "_r"); ok && auColumn.MatchString(h) {
			t.AUs = append(t.AUs, t.summarize(name, cols.Values[h], cols.Values[name+"_c"]))
		}
	}
	if cols.Has("pose_Rx", "pose_Ry", "pose_Rz") {
		t.Pose = degrees(cols.Values["pose_Rx"], cols.Values["pose_Ry"], cols.Values["pose_Rz"])
	}
	if cols.Has("gaze_angle_x", "gaze_angle_y") {
		t.Gaze = degrees(cols.Values["gaze_angle_x"], cols.Values["gaze_angle_y"])
	}
	t.Failed = failedSpans(t.Success)
	return t, nil
}

// summarize gives an AU its mean, maximum and share present over the frames
// with a face; a failed frame's zeros mean nothing.
func (t *Track) summarize(name string, intensity, occurrence []float64) AU {
	au := AU{Name: name, Intensity: intensity, Present: math.NaN()}
	n, present := 0, 0.0
	for i, v := range intensity {
		if !t.Success[i] {
			continue
		}
		n++
		au.Mean += v
		au.Max = max(au.Max, v)
		if occurrence != nil {
			present += occurrence[i]
		}
	}
	if n > 0 {
		au.Mean /= float64(n)
		if occurrence != nil {
			au.Present = present / float64(n)
		}
	}
	return au
}

// ByMovement returns the AUs sorted so that those that moved come first:
// by mean intensity, then by maximum.
func (t *Track) ByMovement() []AU {
	aus := slices.Clone(t.AUs)
	slices.SortStableFunc(aus, func(a, b AU) int {
		return cmp.Or(cmp.Compare(b.Mean, a.Mean), cmp.Compare(b.Max, a.Max))
	})
	return aus
}

func degrees(series ...[]float64) [][]float64 {
	out := make([][]float64, len(series))
	for i, s := range series {
		out[i] = make([]float64, len(s))
		for j, v := range s {
			out[i][j] = v * 180 / math.Pi
		}
	}
	return out
}

func failedSpans(success []bool) []Span {
	var spans []Span
	for i, ok := range success {
		switch {
		case ok:
		case len(spans) > 0 && spans[len(spans)-1].Last == i:
			spans[len(spans)-1].Last = i + 1
		default:
			spans = append(spans, Span{i + 1, i + 1})
		}
	}
	return spans
}

// bins divides n frames into at most maxBins runs of consecutive frames,
// returning each run's first frame (from 0) and, last, n.
func bins(n int) []int {
	b := min(n, maxBins)
	edges := make([]int, b+1)
	for i := range edges {
		edges[i] = i * n / b
	}
	return edges
}

// binMeans averages values over each bin's frames with a face; a bin with
// none is NaN.
func (t *Track) binMeans(values []float64, edges []int) []float64 {
	out := make([]float64, len(edges)-1)
	for b := range out {
		sum, n := 0.0, 0
		for i := edges[b]; i < edges[b+1]; i++ {
			if t.Success[i] {
				sum += values[i]
				n++
			}
		}
		out[b] = math.NaN()
		if n > 0 {
			out[b] = sum / float64(n)
		}
	}
	return out
}

// binTimes returns each bin's middle time.
func (t *Track) binTimes(edges []int) []float64 {
	out := make([]float64, len(edges)-1)
	for b := range out {
		out[b] = (t.Time[edges[b]] + t.Time[edges[b+1]-1]) / 2
	}
	return out
}

// describe names a run of frames with its times: "frames 31–50 (1.00–1.63 s)".
func (t *Track) describe(s Span) string {
	if s.First == s.Last {
		return fmt.Sprintf("frame %d (%.2f s)", s.First, t.Time[s.First-1])
	}
	return fmt.Sprintf("frames %d–%d (%.2f–%.2f s)", s.First, s.Last, t.Time[s.First-1], t.Time[s.Last-1])
}
