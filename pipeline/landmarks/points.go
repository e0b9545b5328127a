package landmarks

import "github.com/auwatchd/auwatchd/pipeline/detect"

// mirrorPoint maps each iBUG-68 landmark to its counterpart in the mirror
// image: left and right swap, points on the midline stay (erratum 7).
var mirrorPoint = [NumPoints]int{
	16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, // jaw
	26, 25, 24, 23, 22, 21, 20, 19, 18, 17, // brows
	27, 28, 29, 30, // nose bridge
	35, 34, 33, 32, 31, // nostrils
	45, 44, 43, 42, 47, 46, // one eye becomes the other
	39, 38, 37, 36, 41, 40,
	54, 53, 52, 51, 50, 49, 48, // outer lips
	59, 58, 57, 56, 55,
	64, 63, 62, 61, 60, // inner lips
	67, 66, 65,
}

// toFrame averages the network's results for the crop (direct) and its
// mirror image (mirrored) and maps them to frame pixels
// (spec §2.3, erratum 7). The outputs are interleaved (u, v) pairs in units
// of the crop's side; the mirror's are flipped back (u = 1 − u′) and
// renumbered. u·size is a distance from the crop's left edge, which lies at
// X1 − 0.5 where pixel centres are whole numbers (spec §0.1), hence
// x = u·size + X1 − 0.5. Padding needs no special case: the network saw the
// whole size×size crop.
func toFrame(direct, mirrored []float32, c crop, out []float64) {
	size := float64(c.size)
	for i := range NumPoints {
		j := mirrorPoint[i]
		u := (float64(direct[2*i]) + 1 - float64(mirrored[2*j])) / 2
		v := (float64(direct[2*i+1]) + float64(mirrored[2*j+1])) / 2
		out[i] = u*size + float64(c.x1) - 0.5
		out[NumPoints+i] = v*size + float64(c.y1) - 0.5
	}
}

// Tracking correction (erratum 7): the box around the 68 landmarks has no
// forehead, so it sits lower than and is shorter than the detector's box.
const (
	trackCentreShift = 0.170 // of the landmarks' height, upwards
	trackWidth       = 1.00  // times the landmarks' width
	trackHeight      = 1.29  // times the landmarks' height
)

// BoxFromLandmarks returns a box like the detector's for the face whose
// landmarks (planar, [x0..x67, y0..y67]) are lm, so that the next frame can
// be cropped from the previous frame's landmarks instead of running the
// detector (erratum 7).
func BoxFromLandmarks(lm []float64) detect.Box {
	b := Bounds(lm)
	w, h := b.X2-b.X1, b.Y2-b.Y1
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2-trackCentreShift*h
	halfW, halfH := trackWidth*w/2, trackHeight*h/2
	return detect.Box{X1: cx - halfW, Y1: cy - halfH, X2: cx + halfW, Y2: cy + halfH}
}

// Bounds returns the bounding box of landmarks lm ([x0..x67, y0..y67]).
func Bounds(lm []float64) detect.Box {
	xs, ys := lm[:NumPoints], lm[NumPoints:Len]
	b := detect.Box{X1: xs[0], Y1: ys[0], X2: xs[0], Y2: ys[0]}
	for i := range NumPoints {
		b.X1, b.X2 = min(b.X1, xs[i]), max(b.X2, xs[i])
		b.Y1, b.Y2 = min(b.Y1, ys[i]), max(b.Y2, ys[i])
	}
	return b
}
