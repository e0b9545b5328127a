// Package resample reproduces in pure Go OpenCV's INTER_LINEAR resize of
// 8-bit images, with its 11-bit fixed-point weights and its rounding. The
// detector's letterbox and the landmark locator's crop scale frames with it
// so that their network inputs are the ones cv::resize would give.
package resample

import "math"

// OpenCV's INTER_LINEAR for 8-bit images weighs the two taps of each axis in
// 11-bit fixed point.
const (
	weightBits = 11
	// WeightOne is the fixed-point weight of a whole source sample.
	WeightOne = 1 << weightBits
)

// Axis says whether taps resample columns (along x) or rows (along y), which
// OpenCV treats differently beyond the borders.
type Axis int

const (
	// Columns resamples along x.
	Columns Axis = iota
	// Rows resamples along y.
	Rows
)

// Tap is one output sample's pair of source indices and their fixed-point
// weights, in units of 1/WeightOne.
type Tap struct {
	Index0, Index1   int
	Weight0, Weight1 int
}

// LinearTaps fills taps for resampling srcLen samples to len(taps) samples,
// invScale source samples per output sample, with OpenCV's INTER_LINEAR
// semantics (spec §2.2): half-pixel centres, a float32 source coordinate,
// edge samples repeated beyond the borders, no widening of the kernel when
// shrinking, and weights rounded to 11 bits. Beyond the borders OpenCV moves
// a column onto the edge sample with weight one, but keeps a row's
// fractional weights and only clamps its indices.
func LinearTaps(taps []Tap, srcLen int, invScale float64, axis Axis) {
	for d := range taps {
		f := float32((float64(d)+0.5)*invScale - 0.5)
		s := int(math.Floor(float64(f)))
		frac := f - float32(s)
		if axis == Columns && s < 0 {
			s, frac = 0, 0
		}
		if axis == Columns && s >= srcLen-1 {
			s, frac = srcLen-1, 0
		}
		taps[d] = Tap{
			Index0: min(max(s, 0), srcLen-1), Index1: min(max(s+1, 0), srcLen-1),
			Weight0: int(math.RoundToEven(float64((1 - frac) * WeightOne))),
			Weight1: int(math.RoundToEven(float64(frac * WeightOne))),
		}
	}
}

// BlendColumns is the horizontal pass: it interpolates between the left and
// right source samples of tap tx and returns the sum scaled by WeightOne,
// unrounded, as OpenCV keeps it for the vertical pass.
func BlendColumns(left, right uint8, tx Tap) int {
	return int(left)*tx.Weight0 + int(right)*tx.Weight1
}

// BlendRows is the vertical pass: it interpolates between two horizontal
// sums with tap ty the way OpenCV's vectorised vertical pass does for 8-bit
// images. It drops four bits of each sum, keeps the high half of the 16-bit
// products and rounds the total. This reproduces cv::resize exactly except
// in the few samples at the end of a row that OpenCV finishes with its
// scalar loop, which rounds once and may be one level higher.
func BlendRows(upper, lower int, ty Tap) int {
	return ((ty.Weight0*(upper>>4))>>16 + (ty.Weight1*(lower>>4))>>16 + 2) >> 2
}
