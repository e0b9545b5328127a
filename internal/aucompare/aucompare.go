// Package aucompare measures how closely one AU CSV agrees with a reference
// OpenFace CSV, frame by frame: per-AU Pearson r and mean absolute error,
// occurrence agreement, landmark NME and head-rotation difference. Tests use
// it to hold the pipeline to OpenFace's numbers.
package aucompare

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// FlatSD is the reference standard deviation below which an AU is "flat":
// its r says more about rounding than agreement, so it is left out of means.
const FlatSD = 0.05

// Report is the outcome of a comparison, over frames where both files succeed.
type Report struct {
	Frames      int
	R           map[string]float64 // per intensity AU, e.g. "AU01_r"; NaN when flat
	MAE         map[string]float64
	Flat        []string
	Agreement   map[string]float64 // per occurrence AU, e.g. "AU01_c"
	MeanR, MinR float64
	MeanMAE     float64
	MeanAgree   float64
	LandmarkNME float64
	PoseDegrees float64
	OurSuccess  int
	RefSuccess  int
	RefFrames   int
}

// table is a CSV read into columns, keyed by frame number.
type table struct {
	header []string
	rows   map[int]map[string]float64
}

func load(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	t := &table{rows: map[int]map[string]float64{}}
	for _, h := range strings.Split(sc.Text(), ",") {
		t.header = append(t.header, strings.TrimSpace(h))
	}
	for sc.Scan() {
		rec := map[string]float64{}
		for i, c := range strings.Split(sc.Text(), ",") {
			if i < len(t.header) {
				if v, err := strconv.ParseFloat(strings.TrimSpace(c), 64); err == nil {
					rec[t.header[i]] = v
				}
			}
		}
		if fr, ok := rec["frame"]; ok {
			t.rows[int(fr)] = rec
		}
	}
	return t, sc.Err()
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
	return compare(o, r), nil
}

func compare(o, r *table) *Report {
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
	sort.Ints(frames)
	rep.Frames = len(frames)
	has := map[string]bool{}
	for _, h := range o.header {
		has[h] = true
	}
	var rs, maes, agrees []float64
	for _, h := range r.header {
		if !has[h] || !strings.HasPrefix(h, "AU") {
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
			same := 0
			for i := range a {
				if a[i] == b[i] {
					same++
				}
			}
			rep.Agreement[h] = float64(same) / float64(max(1, len(a)))
			agrees = append(agrees, rep.Agreement[h])
		}
	}
	rep.MeanR, rep.MinR = mean(rs), minimum(rs)
	rep.MeanMAE, rep.MeanAgree = mean(maes), mean(agrees)
	rep.LandmarkNME = landmarkNME(o, r, frames)
	rep.PoseDegrees = poseDegrees(o, r, frames)
	return rep
}

func column(t *table, frames []int, h string) []float64 {
	out := make([]float64, len(frames))
	for i, f := range frames {
		out[i] = t.rows[f][h]
	}
	return out
}

func landmarkNME(o, r *table, frames []int) float64 {
	var errs []float64
	for _, f := range frames {
		or, rr := o.rows[f], r.rows[f]
		if _, ok := or["x_0"]; !ok {
			return math.NaN()
		}
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
	return mean(errs)
}

func poseDegrees(o, r *table, frames []int) float64 {
	var d []float64
	for _, f := range frames {
		for _, c := range []string{"pose_Rx", "pose_Ry", "pose_Rz"} {
			a, okA := o.rows[f][c]
			b, okB := r.rows[f][c]
			if okA && okB {
				d = append(d, math.Abs(a-b))
			}
		}
	}
	return mean(d) * 180 / math.Pi
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
	return b.String()
}

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

func mae(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / float64(max(1, len(a)))
}

func stddev(a []float64) float64 {
	m := mean(a)
	var s float64
	for _, v := range a {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(max(1, len(a))))
}

func mean(a []float64) float64 {
	if len(a) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range a {
		s += v
	}
	return s / float64(len(a))
}

func minimum(a []float64) float64 {
	m := math.NaN()
	for _, v := range a {
		if math.IsNaN(m) || v < m {
			m = v
		}
	}
	return m
}
