package au

import "math"

// Histogram settings of the running medians (spec §7.1).
const (
	hogBins  = 1000
	hogMin   = -0.005
	hogMax   = 1.0
	geomBins = 10000
	geomMin  = -60.0
	geomMax  = 60.0
)

// runningMedian is OpenFace's histogram-based running median of one
// descriptor (spec §7.2, §7.4). Besides the histogram it tracks, per
// dimension, the bin holding the median and how many samples lie below it, so
// an update moves each median by a few bins instead of rescanning the
// histogram; the result is the same as OpenFace's full scan.
type runningMedian struct {
	bins             int
	min              float64
	scale, shift     float64 // a value's bin position is v·scale + shift
	width, halfWidth float64 // bin width and half of it, rounded as OpenFace does

	median []float64 // the caller's buffer; one value per dimension

	hist  []int32 // dims × bins; nil until the first update
	count int     // descriptors added
	pos   []int32 // per dimension: index of the median bin
	below []int32 // per dimension: samples in bins before pos
	ready bool    // false until the first update of a video
}

// newRunningMedian tracks len(median) dimensions over [lo, hi] in bins bins,
// writing the median into median. The histogram is allocated on the first
// update.
func newRunningMedian(median []float64, bins int, lo, hi float64) runningMedian {
	length := hi - lo
	return runningMedian{
		bins: bins,
		min:  lo,
		// OpenFace writes (v − min)·bins/length as an OpenCV matrix
		// expression, which OpenCV folds into v·α + β with these α and β
		// (matrix_expressions.cpp); the two differ only on bin boundaries.
		scale:     float64(bins) * (1 / length),
		shift:     (-lo * float64(bins)) * (1 / length),
		width:     length / float64(bins),
		halfWidth: 0.5 * length / float64(bins),
		median:    median,
	}
}

// reset forgets every descriptor but keeps the buffers for the next video.
func (r *runningMedian) reset() {
	clear(r.hist)
	clear(r.pos)
	clear(r.below)
	clear(r.median)
	r.count = 0
	r.ready = false
}

// update is UpdateRunningMedian (spec §7.4): on the first call the median
// becomes desc; if add, desc joins the histogram; then the median is desc
// itself when exactly one descriptor has been added, otherwise the centre of
// the first bin whose cumulative count reaches (count+1)/2 (bin 0 when no
// descriptor has been added yet). Each dimension is added and re-sought in one
// pass, while its histogram row is in cache.
func (r *runningMedian) update(desc []float64, add bool) {
	dims := len(r.median)
	desc = desc[:dims]
	if !r.ready {
		if r.hist == nil {
			r.hist = make([]int32, dims*r.bins)
			r.pos = make([]int32, dims)
			r.below = make([]int32, dims)
		}
		copy(r.median, desc)
		r.ready = true
	}
	if add {
		r.count++
	}
	cut := int32((r.count + 1) / 2)
	for i := range dims {
		if add {
			r.insert(i, desc[i])
		}
		if r.count != 1 {
			r.seek(i, cut)
			r.median[i] = r.min + float64(r.pos[i])*r.width + r.halfWidth
		}
	}
	if r.count == 1 {
		copy(r.median, desc)
	}
}

// insert counts value v in dimension i's histogram.
func (r *runningMedian) insert(i int, v float64) {
	b := r.bin(v)
	r.hist[i*r.bins+b]++
	if int32(b) < r.pos[i] {
		r.below[i]++
	}
}

// bin maps a value to its histogram bin, clamping out-of-range values (and
// NaN) to the end bins before truncation, as OpenFace does. v·α + β is one
// fused multiply-add, as in OpenCV's convertTo on AVX2 and NEON builds.
func (r *runningMedian) bin(v float64) int {
	b := math.FMA(v, r.scale, r.shift)
	if b > float64(r.bins-1) {
		b = float64(r.bins - 1)
	}
	if !(b >= 0) {
		b = 0
	}
	return int(b)
}

// seek moves dimension i's median bin to the first bin whose cumulative count
// is at least cut.
func (r *runningMedian) seek(i int, cut int32) {
	h := r.hist[i*r.bins : (i+1)*r.bins]
	p, below := r.pos[i], r.below[i]
	for below+h[p] < cut {
		below += h[p]
		p++
	}
	for p > 0 && below >= cut {
		p--
		below -= h[p]
	}
	r.pos[i], r.below[i] = p, below
}
