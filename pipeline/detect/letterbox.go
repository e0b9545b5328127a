package detect

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/resample"
)

// meanBGR is subtracted from the blue, green and red values before the
// network; there is no other scaling (erratum 1).
var meanBGR = [3]float32{104, 117, 123}

// letterbox is the geometry that fits a frame into the square input: the
// frame is scaled so its longer side fills the input and the remainder on
// the right or bottom is left black.
type letterbox struct {
	srcW, srcH   int
	scale        float64 // input pixels per frame pixel
	outW, outH   int     // the size of the scaled frame inside the input
	xTaps, yTaps []resample.Tap
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
	resample.LinearTaps(lb.xTaps, w, 1/lb.scale, resample.Columns)
	resample.LinearTaps(lb.yTaps, h, 1/lb.scale, resample.Rows)
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
		lb.loadRows(img, ty.Index0, ty.Index1)
		row := y * InputSize
		b, g, r := blue[row:row+lb.outW], green[row:row+lb.outW], red[row:row+lb.outW]
		upper, lower := lb.upper[:3*len(b)], lb.lower[:3*len(b)]
		for x := range b {
			u, l := upper[3*x:3*x+3], lower[3*x:3*x+3]
			b[x] = float32(resample.BlendRows(u[0], l[0], ty)) - meanBGR[0]
			g[x] = float32(resample.BlendRows(u[1], l[1], ty)) - meanBGR[1]
			r[x] = float32(resample.BlendRows(u[2], l[2], ty)) - meanBGR[2]
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

// horizontal interpolates source row y along x into sums, scaled by
// resample.WeightOne.
func (lb *letterbox) horizontal(img *bgr.Image, y int, sums []int) {
	src := img.Pix[y*img.W*3 : (y+1)*img.W*3]
	sums = sums[:3*len(lb.xTaps)]
	for x, tx := range lb.xTaps {
		left, right, out := src[3*tx.Index0:3*tx.Index0+3], src[3*tx.Index1:3*tx.Index1+3], sums[3*x:3*x+3]
		out[0] = resample.BlendColumns(left[0], right[0], tx)
		out[1] = resample.BlendColumns(left[1], right[1], tx)
		out[2] = resample.BlendColumns(left[2], right[2], tx)
	}
}
