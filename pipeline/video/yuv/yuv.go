// Package yuv converts 4:2:0 planar YUV to BGR bit for bit as FFmpeg does
// on x86-64, whatever the processor.
package yuv

import "github.com/auwatchd/auwatchd/pipeline/bgr"

// Converter converts 4:2:0 planar YUV to BGR with the arithmetic of
// FFmpeg's SSSE3 yuv420→bgr24 converter, the one OpenCV's FFmpeg backend
// (and so OpenFace) gets on x86-64: 16-bit fixed point, ITU-R BT.601
// coefficients (swscale's default, whatever the stream says), limited or
// full range. On other processors swscale rounds differently (on arm64 it
// uses 8-bit lookup tables), and the landmark fits carry those 1–2 level
// differences far; doing the arithmetic here gives every processor the
// frames x86-64 gets.
//
// Each term depends on one sample only, so it is a table: a pixel is
// three table sums, clamped.
type Converter struct {
	y, ub, ug, vr, vg [256]int32
	// lanes holds the same arithmetic's constants, each in eight 16-bit
	// lanes, for the vector code (yuv_amd64.s, yuv_arm64.s).
	lanes [laneConsts][8]int16
}

// The constants of lanes, in order.
const (
	laneYOffset = iota
	laneYCoeff
	laneCOffset // chroma's centre, 128·8
	laneUB
	laneUG
	laneVR
	laneVG
	laneConsts
)

// bt601 is swscale's default YCbCr→RGB matrix {crv, cbu, cgu, cgv}, in
// 1/65536 units, for limited-range chroma.
var bt601 = [4]int64{104597, 132201, 25675, 53279}

// newConverter makes the converter for limited-range (yuv420p) or
// full-range (yuvj420p) input.
func newConverter(fullRange bool) *Converter {
	crv, cbu, cgu, cgv := bt601[0], bt601[1], -bt601[2], -bt601[3]
	cy, oy := int64(1<<16), int64(0)
	if fullRange {
		crv = crv * 224 / 255
		cbu = cbu * 224 / 255
		cgu = cgu * 224 / 255
		cgv = cgv * 224 / 255
	} else {
		cy = cy * 255 / 219
		oy = 16 << 16
	}
	k := [laneConsts]int32{fixed16(oy << 3), fixed16(cy << 13), 1024,
		fixed16(cbu << 13), fixed16(cgu << 13), fixed16(crv << 13), fixed16(cgv << 13)}
	var t Converter
	for i, c := range k {
		for l := range 8 {
			t.lanes[i][l] = int16(c)
		}
	}
	for i := range 256 {
		// Samples are scaled by 8 and centred; no sum here or in
		// convertRow leaves 16 bits, so the SIMD code's saturation never acts.
		c := int32(i<<3) - k[laneCOffset]
		t.y[i] = mulHigh(int32(i<<3)-k[laneYOffset], k[laneYCoeff])
		t.ub[i] = mulHigh(c, k[laneUB])
		t.ug[i] = mulHigh(c, k[laneUG])
		t.vr[i] = mulHigh(c, k[laneVR])
		t.vg[i] = mulHigh(c, k[laneVG])
	}
	return &t
}

// The converters for limited-range (yuv420p) and full-range (yuvj420p)
// input; a Converter is never changed once made, so one serves every video.
var (
	Limited = newConverter(false)
	Full    = newConverter(true)
)

// fixed16 rounds a 16.16 value to a saturated 16-bit integer.
func fixed16(f int64) int32 {
	return int32(min(max((f+1<<15)>>16, -0x8000), 0x7fff))
}

// mulHigh is the high half of a signed 16×16-bit product (pmulhw).
func mulHigh(a, b int32) int32 { return a * b >> 16 }

// clampByte clamps v, which lies within ±clampRange, to 0–255 by table.
func clampByte(v int32) uint8 { return clampTable[uint32(v+clampRange)&(2*clampRange-1)] }

const clampRange = 1024

var clampTable = func() (t [2 * clampRange]uint8) {
	for i := range t {
		t[i] = uint8(min(max(i-clampRange, 0), 255))
	}
	return t
}()

// Convert writes the w×h picture with planes y, u, v (rows yStride and
// cStride bytes apart) into img, which must be w×h.
func (t *Converter) Convert(img *bgr.Image, y, u, v []uint8, yStride, cStride int) {
	w, h := img.W, img.H
	for row := range h {
		t.convertRow(img.Pix[row*w*3:(row+1)*w*3], y[row*yStride:row*yStride+w],
			u[row/2*cStride:row/2*cStride+(w+1)/2], v[row/2*cStride:row/2*cStride+(w+1)/2])
	}
}

// convertRow converts one row: pixels in pairs, which share their chroma.
func (t *Converter) convertRow(dst, y, u, v []uint8) {
	pairs := len(y) / 2
	u, v = u[:(len(y)+1)/2], v[:(len(y)+1)/2]
	for i := t.convertRowVector(dst, y, u, v) / 2; i < pairs; i++ {
		cu, cv := u[i], v[i]
		b, g, r := t.ub[cu], t.ug[cu]+t.vg[cv], t.vr[cv]
		l0, l1 := t.y[y[2*i]], t.y[y[2*i+1]]
		p := dst[6*i : 6*i+6 : 6*i+6]
		p[0], p[1], p[2] = clampByte(l0+b), clampByte(l0+g), clampByte(l0+r)
		p[3], p[4], p[5] = clampByte(l1+b), clampByte(l1+g), clampByte(l1+r)
	}
	if len(y)%2 == 1 {
		cu, cv := u[pairs], v[pairs]
		l := t.y[y[2*pairs]]
		p := dst[6*pairs : 6*pairs+3 : 6*pairs+3]
		p[0], p[1], p[2] = clampByte(l+t.ub[cu]), clampByte(l+t.ug[cu]+t.vg[cv]), clampByte(l+t.vr[cv])
	}
}
