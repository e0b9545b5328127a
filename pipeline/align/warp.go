package align

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// Fixed-point constants of OpenCV's warpAffine with INTER_LINEAR.
const (
	abBits        = 10 // source coordinates carry 10 fractional bits
	abScale       = 1 << abBits
	interBits     = 5 // reduced to 1/32 pixel for the weight table
	interTabSize  = 1 << interBits
	roundDelta    = abScale / interTabSize / 2
	coefBits      = 15 // bilinear weights sum to 1 << 15
	coefRoundHalf = 1 << (coefBits - 1)
)

// bilinearWeights is OpenCV's BilinearTab_i: for each 1/32-pixel offset
// (fy·32 + fx), the integer weights of the top-left, top-right, bottom-left
// and bottom-right neighbours.
var bilinearWeights = func() (tab [interTabSize * interTabSize][4]int32) {
	for fy := range int32(interTabSize) {
		for fx := range int32(interTabSize) {
			// (1−a)·32768 with a = f/32 is (32−f)·1024 per axis; the 2-D
			// products are exact, so OpenCV's float table holds these values.
			tab[fy*interTabSize+fx] = [4]int32{
				(interTabSize - fy) * (interTabSize - fx) * 32,
				(interTabSize - fy) * fx * 32,
				fy * (interTabSize - fx) * 32,
				fy * fx * 32,
			}
		}
	}
	// The zero offset needs 32768, which OpenCV saturates to a short (32767)
	// and then repairs the sum by adding 1 to the bottom-right weight.
	tab[0] = [4]int32{32767, 0, 0, 1}
	return tab
}()

// warpAffine fills out (112×112) with frame warped by the source→face matrix
// m, bit for bit as OpenCV 4.x (≤ 4.10) warpAffine with INTER_LINEAR and
// BORDER_CONSTANT 0 does for 8-bit images (spec §4.3 step 7): m is inverted
// in double, each face pixel's source position is rounded to 1/1024 pixel,
// truncated to 1/32, and blended from its 2×2 neighbours with 15-bit integer
// weights; neighbours outside the frame read as 0. Pixels where keep (if
// not nil) is 0 are set to 0 instead, which applies the face mask to all
// three channels (spec §4.4 step 5) without sampling them.
func (a *Aligner) warpAffine(frame *bgr.Image, m [6]float32, out *bgr.Image, keep []uint8) {
	inv := invertAffine(m)
	for x := range FaceSize {
		a.colDeltaX[x] = roundToInt32(inv[0] * float64(x) * abScale)
		a.colDeltaY[x] = roundToInt32(inv[3] * float64(x) * abScale)
	}
	for y := range FaceSize {
		rowX := roundToInt32((float64(inv[1]*float64(y))+inv[2])*abScale) + roundDelta
		rowY := roundToInt32((float64(inv[4]*float64(y))+inv[5])*abScale) + roundDelta
		dst := out.Pix[y*FaceSize*3:][:FaceSize*3]
		for x := range FaceSize {
			px := dst[x*3 : x*3+3 : x*3+3]
			if keep != nil && keep[y*FaceSize+x] == 0 {
				px[0], px[1], px[2] = 0, 0, 0
				continue
			}
			sx := (rowX + a.colDeltaX[x]) >> (abBits - interBits)
			sy := (rowY + a.colDeltaY[x]) >> (abBits - interBits)
			w := &bilinearWeights[(sy&(interTabSize-1))*interTabSize+(sx&(interTabSize-1))]
			sampleBilinear(frame, saturateInt16(sx>>interBits), saturateInt16(sy>>interBits), w, px)
		}
	}
}

// invertAffine inverts a 2×3 affine matrix in double exactly as warpAffine
// does when WARP_INVERSE_MAP is not set.
func invertAffine(m [6]float32) [6]float64 {
	var M [6]float64
	for i, v := range m {
		M[i] = float64(v)
	}
	d := float64(M[0]*M[4]) - float64(M[1]*M[3])
	if d != 0 {
		d = 1 / d
	}
	a11, a22 := M[4]*d, M[0]*d
	M[0], M[1], M[3], M[4] = a11, M[1]*-d, M[3]*-d, a22
	b1 := float64(-M[0]*M[2]) - float64(M[1]*M[5])
	b2 := float64(-M[3]*M[2]) - float64(M[4]*M[5])
	M[2], M[5] = b1, b2
	return M
}

// roundToInt32 is OpenCV's saturate_cast<int>(double), cvRound: round half to
// even; NaN and out-of-range values give the x86 "integer indefinite"
// INT_MIN.
func roundToInt32(v float64) int32 {
	r := math.RoundToEven(v)
	if !(r >= math.MinInt32 && r <= math.MaxInt32) {
		return math.MinInt32
	}
	return int32(r)
}

func saturateInt16(v int32) int {
	return int(min(max(v, math.MinInt16), math.MaxInt16))
}

// sampleBilinear blends the 2×2 source pixels whose top-left is (sx, sy)
// into dst (3 bytes), reading pixels outside the frame as 0.
func sampleBilinear(frame *bgr.Image, sx, sy int, w *[4]int32, dst []uint8) {
	if uint(sx) < uint(frame.W-1) && uint(sy) < uint(frame.H-1) {
		i := (sy*frame.W + sx) * 3
		top := frame.Pix[i : i+6 : i+6]
		j := i + frame.W*3
		bottom := frame.Pix[j : j+6 : j+6]
		w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
		dst[0] = blend(int32(top[0])*w0 + int32(top[3])*w1 + int32(bottom[0])*w2 + int32(bottom[3])*w3)
		dst[1] = blend(int32(top[1])*w0 + int32(top[4])*w1 + int32(bottom[1])*w2 + int32(bottom[4])*w3)
		dst[2] = blend(int32(top[2])*w0 + int32(top[5])*w1 + int32(bottom[2])*w2 + int32(bottom[5])*w3)
		return
	}
	if sx >= frame.W || sx+1 < 0 || sy >= frame.H || sy+1 < 0 {
		dst[0], dst[1], dst[2] = 0, 0, 0
		return
	}
	for c := range 3 {
		dst[c] = blend(pixelOrZero(frame, sx, sy, c)*w[0] + pixelOrZero(frame, sx+1, sy, c)*w[1] +
			pixelOrZero(frame, sx, sy+1, c)*w[2] + pixelOrZero(frame, sx+1, sy+1, c)*w[3])
	}
}

// blend rounds a weighted sum of 15-bit weights back to 8 bits.
func blend(sum int32) uint8 {
	return uint8((sum + coefRoundHalf) >> coefBits)
}

func pixelOrZero(frame *bgr.Image, x, y, c int) int32 {
	if x < 0 || y < 0 || x >= frame.W || y >= frame.H {
		return 0
	}
	return int32(frame.Pix[(y*frame.W+x)*3+c])
}
