package detect

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// meanBGR is subtracted from the blue, green and red values before the
// network; there is no other scaling (erratum 1).
var meanBGR = [3]float32{104, 117, 123}

// OpenCV's INTER_LINEAR for 8-bit images weighs the two taps of each axis in
// 11-bit fixed point.
const (
	weightBits = 11
	weightOne  = 1 << weightBits
)

// tap is one output sample's pair of source indices and fixed-point weights.
type tap struct {
	i0, i1 int
	w0, w1 int
}

// linearTaps fills taps for resampling srcLen samples to len(taps) samples,
// invScale source samples per output sample, with OpenCV's INTER_LINEAR
// semantics: half-pixel centres, a float32 source coordinate, edge samples
// repeated beyond the borders, no widening of the kernel when shrinking, and
// weights rounded to 11 bits. Beyond the borders OpenCV moves a column onto
// the edge sample with weight one, but keeps a row's fractional weights and
// only clamps its indices; columns says which axis this is.
func linearTaps(taps []tap, srcLen int, invScale float64, columns bool) {
	for d := range taps {
		f := float32((float64(d)+0.5)*invScale - 0.5)
		s := int(math.Floor(float64(f)))
		frac := f - float32(s)
		if columns && s < 0 {
			s, frac = 0, 0
		}
		if columns && s >= srcLen-1 {
			s, frac = srcLen-1, 0
		}
		taps[d] = tap{
			i0: min(max(s, 0), srcLen-1), i1: min(max(s+1, 0), srcLen-1),
			w0: int(math.RoundToEven(float64((1 - frac) * weightOne))),
			w1: int(math.RoundToEven(float64(frac * weightOne))),
		}
	}
}

// letterbox is the geometry that fits a frame into the square input: the
// frame is scaled so its longer side fills the input and the remainder on
// the right or bottom is left black.
type letterbox struct {
	srcW, srcH   int
	scale        float64 // input pixels per frame pixel
	outW, outH   int     // the size of the scaled frame inside the input
	xTaps, yTaps []tap
	// upper and lower hold the horizontal pass of the two source rows that
	// the current output row blends, rows upperRow and lowerRow.
	upper, lower       []int
	upperRow, lowerRow int
}

// adapt sets the geometry for a w×h frame and reports whether it changed.
func (lb *letterbox) adapt(w, h int) bool {
	if lb.srcW == w && lb.srcH == h {
		return false
	}
	lb.srcW, lb.srcH = w, h
	lb.scale = float64(InputSize) / float64(max(w, h))
	// OpenCV rounds the scaled size to nearest, ties to even.
	lb.outW = min(InputSize, int(math.RoundToEven(float64(w)*lb.scale)))
	lb.outH = min(InputSize, int(math.RoundToEven(float64(h)*lb.scale)))
	lb.xTaps = resized(lb.xTaps, lb.outW)
	lb.yTaps = resized(lb.yTaps, lb.outH)
	linearTaps(lb.xTaps, w, 1/lb.scale, true)
	linearTaps(lb.yTaps, h, 1/lb.scale, false)
	lb.upper = resized(lb.upper, 3*lb.outW)
	lb.lower = resized(lb.lower, 3*lb.outW)
	return true
}

func resized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// resize writes the scaled frame into the top-left corner of the NCHW input,
// in BGR order minus the channel means (spec §1.1, erratum 1). Pixels outside
// the scaled frame are not touched.
func (lb *letterbox) resize(img *bgr.Image, input []float32) {
	const plane = InputSize * InputSize
	blue, green, red := input[:plane:plane], input[plane:2*plane:2*plane], input[2*plane:3*plane]
	if lb.scale == 1 {
		copyFrame(img, blue, green, red)
		return
	}
	lb.upperRow, lb.lowerRow = -1, -1
	for y, ty := range lb.yTaps {
		lb.loadRows(img, ty.i0, ty.i1)
		row := y * InputSize
		b, g, r := blue[row:row+lb.outW], green[row:row+lb.outW], red[row:row+lb.outW]
		upper, lower := lb.upper[:3*len(b)], lb.lower[:3*len(b)]
		for x := range b {
			u, l := upper[3*x:3*x+3], lower[3*x:3*x+3]
			b[x] = float32(blendRows(u[0], l[0], ty)) - meanBGR[0]
			g[x] = float32(blendRows(u[1], l[1], ty)) - meanBGR[1]
			r[x] = float32(blendRows(u[2], l[2], ty)) - meanBGR[2]
		}
	}
}

// copyFrame converts an unscaled frame into the input planes; INTER_LINEAR
// at scale one is a copy.
func copyFrame(img *bgr.Image, blue, green, red []float32) {
	for y := range img.H {
		src := img.Pix[y*img.W*3 : (y+1)*img.W*3]
		row := y * InputSize
		b, g, r := blue[row:row+img.W], green[row:row+img.W], red[row:row+img.W]
		for x := range b {
			b[x] = float32(src[3*x]) - meanBGR[0]
			g[x] = float32(src[3*x+1]) - meanBGR[1]
			r[x] = float32(src[3*x+2]) - meanBGR[2]
		}
	}
}

// loadRows makes upper and lower hold the horizontal pass of source rows
// top and bottom, reusing what the previous output row computed.
func (lb *letterbox) loadRows(img *bgr.Image, top, bottom int) {
	switch {
	case top == lb.upperRow && bottom == lb.lowerRow:
		return
	case top == lb.lowerRow:
		lb.upper, lb.lower = lb.lower, lb.upper
		lb.upperRow, lb.lowerRow = lb.lowerRow, lb.upperRow
	default:
		lb.horizontal(img, top, lb.upper)
		lb.upperRow = top
	}
	if bottom != lb.lowerRow {
		lb.horizontal(img, bottom, lb.lower)
		lb.lowerRow = bottom
	}
}

// horizontal interpolates source row y along x into sums, scaled by 2048.
func (lb *letterbox) horizontal(img *bgr.Image, y int, sums []int) {
	src := img.Pix[y*img.W*3 : (y+1)*img.W*3]
	sums = sums[:3*len(lb.xTaps)]
	for x, tx := range lb.xTaps {
		left, right, out := src[3*tx.i0:3*tx.i0+3], src[3*tx.i1:3*tx.i1+3], sums[3*x:3*x+3]
		out[0] = int(left[0])*tx.w0 + int(right[0])*tx.w1
		out[1] = int(left[1])*tx.w0 + int(right[1])*tx.w1
		out[2] = int(left[2])*tx.w0 + int(right[2])*tx.w1
	}
}

// blendRows finishes the interpolation along y the way OpenCV's vectorised
// vertical pass does for 8-bit images: it drops four bits of each
// horizontal sum, keeps the high half of the 16-bit products and rounds the
// sum. This reproduces cv::resize exactly except in the few samples at the
// end of a row that OpenCV finishes with its scalar loop, which rounds once
// and may be one level higher.
func blendRows(upper, lower int, ty tap) int {
	return ((ty.w0*(upper>>4))>>16 + (ty.w1*(lower>>4))>>16 + 2) >> 2
}
