package landmarks

import "math"

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
// semantics (spec §2.2): half-pixel centres, a float32 source coordinate,
// edge samples repeated beyond the borders, no widening of the kernel when
// shrinking, and weights rounded to 11 bits. Beyond the borders OpenCV moves
// a column onto the edge sample with weight one, but keeps a row's
// fractional weights and only clamps its indices; columns says which axis
// this is. The detector's letterbox resamples the same way.
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

// blendRows finishes the interpolation along y of two horizontal sums
// (scaled by 2048) the way OpenCV's vectorised vertical pass does for 8-bit
// images: it drops four bits of each sum, keeps the high half of the 16-bit
// products and rounds the total.
func blendRows(upper, lower int, ty tap) int {
	return ((ty.w0*(upper>>4))>>16 + (ty.w1*(lower>>4))>>16 + 2) >> 2
}
