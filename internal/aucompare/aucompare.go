// Package aucompare measures how closely one AU CSV agrees with a reference
// OpenFace CSV, frame by frame: per-AU Pearson r and mean absolute error,
// occurrence agreement, landmark NME and head-rotation difference, and,
// where both files have OpenFace's gaze columns, the angle between the gaze
// vectors, the gaze angles' difference and the eye landmarks' distance.
// Tests use it to hold the pipeline to OpenFace's numbers.
//
// A comparison that has nothing to compare is an error, never NaN: every
// check of the form "r below the bar" would pass on NaN. Files refuses a file
// without rows, a value that is not a finite number, and a pair of files with
// no successful frame in common, no intensity AU in common that moves in the
// reference, no occurrence AU in common, or without the 68 landmarks and the
// head rotation in both.
package aucompare

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// FlatSD is the reference standard deviation below which an AU is "flat":
// its r says more about rounding than agreement, so it is left out of means.
const FlatSD = 0.05

// Report is the outcome of a comparison, over frames where both files succeed.
// Every number in it is finite except R of a flat AU.
type Report struct {
	Frames      int
	R           map[string]float64 // per intensity AU, e.g. "AU01_r"; NaN when flat (listed in Flat)
	MAE         map[string]float64
	Flat        []string
	Agreement   map[string]float64 // per occurrence AU, e.g. "AU01_c"
	MeanR, MinR float64
	MeanMAE     float64
	MeanAgree   float64
	LandmarkNME float64
	PoseDegrees float64
	// Gaze is set when both files have the gaze and eye landmark columns.
	Gaze       *GazeReport
	OurSuccess int
	RefSuccess int
	RefFrames  int
}

// GazeReport compares the gaze columns, as means over the frames compared.
type GazeReport struct {
	VectorDegrees [2]float64 // angle between the files' gaze vectors, eye 0 and eye 1
	AngleDegrees  float64    // absolute difference of gaze_angle_x and gaze_angle_y
	EyeLandmarkPx float64    // distance between the 56 eye landmarks
}

// table is a CSV read into columns, keyed by frame number.
type table struct {
	header []string
	rows   map[int]map[string]float64
}

// load reads a CSV; every cell must be a finite number.
func load(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: the file is empty", path)
	}
	t := &table{rows: map[int]map[string]float64{}}
	for _, h := range strings.Split(sc.Text(), ",") {
		t.header = append(t.header, strings.TrimSpace(h))
	}
	if !slices.Contains(t.header, "frame") || !slices.Contains(t.header, "success") {
		return nil, fmt.Errorf("%s: the header has no frame or no success column", path)
	}
	for line := 2; sc.Scan(); line++ {
		rec, err := parseRow(t.header, sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		t.rows[int(rec["frame"])] = rec
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(t.rows) == 0 {
		return nil, fmt.Errorf("%s: the file has no rows", path)
	}
	return t, nil
}

// parseRow reads one line of numbers under header.
func parseRow(header []string, line string) (map[string]float64, error) {
	cells := strings.Split(line, ",")
	if len(cells) != len(header) {
		return nil, fmt.Errorf("%d values under a header of %d columns", len(cells), len(header))
	}
	rec := make(map[string]float64, len(cells))
	for i, c := range cells {
		v, err := strconv.ParseFloat(strings.TrimSpace(c), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("column %s: %q is not a finite number", header[i], strings.TrimSpace(c))
		}
		rec[header[i]] = v
	}
	return rec, nil
}

// Files compares ours against ref.
func Files(ours, ref string) (*Report, error) {
	o, err := load(ours)
	if err != nil {
		return nil, err
	}
	r, err := load(ref)
	if err != nil {
		return nil, err
	}
	rep, err := compare(o, r)
	if err != nil {
		return nil, fmt.Errorf("compare %s with %s: %w", ours, ref, err)
	}
	return rep, nil
}

// compare measures o against r, or says why there is nothing to measure.
func compare(o, r *table) (*Report, error) {
	rep := &Report{R: map[string]float64{}, MAE: map[string]float64{}, Agreement: map[string]float64{}, RefFrames: len(r.rows)}
	var frames []int
	for f, rec := range r.rows {
		if rec["success"] == 1 {
			rep.RefSuccess++
		}
		if orec, ok := o.rows[f]; ok && rec["success"] == 1 && orec["success"] == 1 {
			frames = append(frames, f)
		}
	}
	for _, rec := range o.rows {
		if rec["success"] == 1 {
			rep.OurSuccess++
		}
	}
	if len(frames) == 0 {
		return nil, errors.New("no frame where both files found a face")
	}
	sort.Ints(frames)
	rep.Frames = len(frames)
	var rs, maes, agrees []float64
	for _, h := range r.header {
		if !slices.Contains(o.header, h) || !strings.HasPrefix(h, "AU") {
			continue
		}
		a, b := column(o, frames, h), column(r, frames, h)
		switch {
		case strings.HasSuffix(h, "_r"):
			rep.MAE[h] = mae(a, b)
			maes = append(maes, rep.MAE[h])
			if stddev(b) < FlatSD {
				rep.Flat = append(rep.Flat, h)
				rep.R[h] = math.NaN()
				continue
			}
			rep.R[h] = pearson(a, b)
			rs = append(rs, rep.R[h])
		case strings.HasSuffix(h, "_c"):
			rep.Agreement[h] = agreement(a, b)
			agrees = append(agrees, rep.Agreement[h])
		}
	}
	switch {
	case len(maes) == 0:
		return nil, errors.New("no intensity AU column (AU*_r) in common")
	case len(rs) == 0:
		return nil, fmt.Errorf("every intensity AU in common is flat in the reference (standard deviation under %g), so r is undefined", FlatSD)
	case len(agrees) == 0:
		return nil, errors.New("no occurrence AU column (AU*_c) in common")
	}
	rep.MeanR, rep.MinR = mean(rs), slices.Min(rs)
	rep.MeanMAE, rep.MeanAgree = mean(maes), mean(agrees)
	var err error
	if rep.LandmarkNME, err = landmarkNME(o, r, frames); err != nil {
		return nil, err
	}
	if rep.PoseDegrees, err = poseDegrees(o, r, frames); err != nil {
		return nil, err
	}
	if requireColumns("ours", o, gazeNames) == nil && requireColumns("the reference", r, gazeNames) == nil {
		rep.Gaze = compareGaze(o, r, frames)
	}
	return rep, nil
}

// gazeNames are the columns compareGaze reads.
var gazeNames = func() []string {
	names := []string{"gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z", "gaze_angle_x", "gaze_angle_y"}
	for i := range 56 {
		names = append(names, "eye_lmk_x_"+strconv.Itoa(i), "eye_lmk_y_"+strconv.Itoa(i))
	}
	return names
}()

// compareGaze measures the gaze columns of o against r over frames.
func compareGaze(o, r *table, frames []int) *GazeReport {
	g := &GazeReport{}
	for _, f := range frames {
		or, rr := o.rows[f], r.rows[f]
		for e, p := range []string{"gaze_0_", "gaze_1_"} {
			g.VectorDegrees[e] += vectorDegrees(or, rr, p)
		}
		g.AngleDegrees += math.Abs(or["gaze_angle_x"]-rr["gaze_angle_x"]) + math.Abs(or["gaze_angle_y"]-rr["gaze_angle_y"])
		var d float64
		for i := range 56 {
			x, y := "eye_lmk_x_"+strconv.Itoa(i), "eye_lmk_y_"+strconv.Itoa(i)
			d += math.Hypot(or[x]-rr[x], or[y]-rr[y])
		}
		g.EyeLandmarkPx += d / 56
	}
	n := float64(len(frames))
	g.VectorDegrees[0] /= n
	g.VectorDegrees[1] /= n
	g.AngleDegrees *= 180 / math.Pi / (2 * n)
	g.EyeLandmarkPx /= n
	return g
}

// vectorDegrees is the angle between two rows' gaze vectors named by
// prefix; 0 when either is zero.
func vectorDegrees(a, b map[string]float64, prefix string) float64 {
	var dot, na, nb float64
	for _, c := range []string{"x", "y", "z"} {
		u, v := a[prefix+c], b[prefix+c]
		dot, na, nb = dot+u*v, na+u*u, nb+v*v
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return math.Acos(math.Max(-1, math.Min(1, dot/math.Sqrt(na*nb)))) * 180 / math.Pi
}

func column(t *table, frames []int, h string) []float64 {
	out := make([]float64, len(frames))
	for i, f := range frames {
		out[i] = t.rows[f][h]
	}
	return out
}

// landmarkNames are the 68 landmarks' x and y columns.
var landmarkNames = func() []string {
	var names []string
	for i := range 68 {
		names = append(names, "x_"+strconv.Itoa(i), "y_"+strconv.Itoa(i))
	}
	return names
}()

// requireColumns says which of names a table lacks.
func requireColumns(which string, t *table, names []string) error {
	for _, n := range names {
		if !slices.Contains(t.header, n) {
			return fmt.Errorf("%s has no %s column", which, n)
		}
	}
	return nil
}

// landmarkNME is the mean landmark distance, normalised by the reference's
// distance between the outer eye corners.
func landmarkNME(o, r *table, frames []int) (float64, error) {
	for which, t := range map[string]*table{"ours": o, "the reference": r} {
		if err := requireColumns(which, t, landmarkNames); err != nil {
			return 0, err
		}
	}
	var errs []float64
	for _, f := range frames {
		or, rr := o.rows[f], r.rows[f]
		iod := math.Hypot(rr["x_36"]-rr["x_45"], rr["y_36"]-rr["y_45"])
		var d float64
		for i := 0; i < 68; i++ {
			x, y := "x_"+strconv.Itoa(i), "y_"+strconv.Itoa(i)
			d += math.Hypot(or[x]-rr[x], or[y]-rr[y])
		}
		if iod > 0 {
			errs = append(errs, d/68/iod)
		}
	}
	if len(errs) == 0 {
		return 0, errors.New("the reference's eye corners coincide on every frame compared, so landmark NME is undefined")
	}
	return mean(errs), nil
}

// poseDegrees is the mean absolute difference of the head rotation angles.
func poseDegrees(o, r *table, frames []int) (float64, error) {
	angles := []string{"pose_Rx", "pose_Ry", "pose_Rz"}
	for which, t := range map[string]*table{"ours": o, "the reference": r} {
		if err := requireColumns(which, t, angles); err != nil {
			return 0, err
		}
	}
	var d []float64
	for _, f := range frames {
		for _, c := range angles {
			d = append(d, math.Abs(o.rows[f][c]-r.rows[f][c]))
		}
	}
	return mean(d) * 180 / math.Pi, nil
}

// String prints the report in the layout of the project's comparison tool.
func (rep *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "frames compared %d (reference %d successful, ours %d)\n", rep.Frames, rep.RefSuccess, rep.OurSuccess)
	names := make([]string, 0, len(rep.MAE))
	for n := range rep.MAE {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := "flat"
		if !math.IsNaN(rep.R[n]) {
			r = fmt.Sprintf("%.3f", rep.R[n])
		}
		fmt.Fprintf(&b, "%-7s r %6s  MAE %.3f\n", n, r, rep.MAE[n])
	}
	fmt.Fprintf(&b, "mean r %.3f (lowest %.3f), mean MAE %.3f, occurrence agreement %.3f, landmark NME %.4f, rotation %.2f°\n",
		rep.MeanR, rep.MinR, rep.MeanMAE, rep.MeanAgree, rep.LandmarkNME, rep.PoseDegrees)
	if g := rep.Gaze; g != nil {
		fmt.Fprintf(&b, "gaze vectors %.2f° (eye 0) and %.2f° (eye 1), gaze angles %.2f°, eye landmarks %.2f px\n",
			g.VectorDegrees[0], g.VectorDegrees[1], g.AngleDegrees, g.EyeLandmarkPx)
	}
	return b.String()
}

// pearson is the correlation of a and b; 0 when a does not vary (the caller
// leaves out AUs that do not vary in the reference b), since a constant
// output agrees with none of the reference's movement.
func pearson(a, b []float64) float64 {
	ma, mb := mean(a), mean(b)
	var cov, va, vb float64
	for i := range a {
		cov += (a[i] - ma) * (b[i] - mb)
		va += (a[i] - ma) * (a[i] - ma)
		vb += (b[i] - mb) * (b[i] - mb)
	}
	if va <= 1e-12 || vb <= 1e-12 {
		return 0
	}
	return cov / math.Sqrt(va*vb)
}

// agreement is the share of frames where a and b are equal; a is not empty.
func agreement(a, b []float64) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// mae is the mean absolute error; a is not empty.
func mae(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / float64(len(a))
}

// stddev is the population standard deviation; a is not empty.
func stddev(a []float64) float64 {
	m := mean(a)
	var s float64
	for _, v := range a {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(a)))
}

// mean is the arithmetic mean; a is not empty.
func mean(a []float64) float64 {
	var s float64
	for _, v := range a {
		s += v
	}
	return s / float64(len(a))
}
