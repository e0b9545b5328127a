// Package hog computes the Felzenszwalb HOG (FHOG) descriptor of a 112×112
// aligned face exactly as OpenFace 2.2 gets it from dlib (spec §5). It
// reproduces dlib's float32 arithmetic, its SIMD/scalar tie-breaks and
// OpenFace's flattening, so the 4464 values match OpenFace's HOG features.
package hog

import (
	"fmt"
	"math"
	"sync"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

const (
	// ImageSize is the side of the aligned face the extractor accepts.
	ImageSize = 112
	// CellSize is dlib's cell size used by OpenFace.
	CellSize = 8
	// GridSize is the number of output cells per side: 14 cells minus the border.
	GridSize = cells - 2
	// Features is the number of FHOG channels per cell.
	Features = 31
	// Length is the descriptor length, 12·12·31.
	Length = GridSize * GridSize * Features

	cells  = (ImageSize + CellSize/2) / CellSize // (int)(112/8 + 0.5) = 14
	bins   = 18
	padded = cells + 2 // dlib pads the histogram grid with one cell all round

	// visible is one past the last voting pixel: min(14·8, 112) − 1 (spec §5.1).
	visible = ImageSize - 1
	// simdEnd is the first column dlib handles in its scalar tail: its 8-wide
	// loop starts at x = 1 and runs while x < visible−7 (spec §5.2), so it
	// covers whole blocks of 8 up to column (visible−1)/8·8.
	simdEnd = 1 + (visible-1)/8*8
)

// Extractor holds the histograms and energies of one FHOG computation so that
// repeated calls do not allocate. It is not safe for concurrent use.
type Extractor struct {
	orientations *orientationTable
	hist         [padded * padded * bins]float32 // 14×14 cells plus a border
	energy       [cells * cells]float32
	cols         [visible]voteWeights
}

// maxGradient bounds a central difference of 8-bit values.
const maxGradient = 255

// orientationTable holds orientationBin for every integer gradient, indexed
// by tableIndex; a lookup is much cheaper than nine dot products.
type orientationTable [(2*maxGradient + 1) * (2*maxGradient + 1)]uint8

// sharedOrientations is built once and only read afterwards.
var sharedOrientations = sync.OnceValue(func() *orientationTable {
	var table orientationTable
	for gy := -maxGradient; gy <= maxGradient; gy++ {
		for gx := -maxGradient; gx <= maxGradient; gx++ {
			table[tableIndex(int32(gx), int32(gy))] = uint8(orientationBin(float32(gx), float32(gy)))
		}
	}
	return &table
})

func tableIndex(gx, gy int32) int32 {
	return (gy+maxGradient)*(2*maxGradient+1) + gx + maxGradient
}

// voteWeights is where a pixel column (or row) votes: its first padded cell
// and the float32 weights dlib gives the near and far cell.
type voteWeights struct {
	cell      int
	near, far float32
}

// Constants of dlib's SIMD feature code, which stores them as floats (going
// through double first, as the C++ does, gives the same values). The ½ of
// the features is folded into halfClip, so the texture scale is 2·0.2357.
const (
	clipFactor   float32 = 0.2
	halfClip     float32 = 0.1
	epsilon      float32 = 0.0001
	textureScale float32 = 2 * 0.2357
)

var unitX, unitY = orientationUnits()

func orientationUnits() (xs, ys [9]float32) {
	dirs := [9][2]float64{
		{1.0000, 0.0000}, {0.9397, 0.3420}, {0.7660, 0.6428}, {0.500, 0.8660}, {0.1736, 0.9848},
		{-0.1736, 0.9848}, {-0.5000, 0.8660}, {-0.7660, 0.6428}, {-0.9397, 0.3420},
	}
	for o, d := range dirs {
		xs[o], ys[o] = float32(d[0]), float32(d[1])
	}
	return xs, ys
}

// NewExtractor returns an extractor ready for 112×112 faces.
func NewExtractor() *Extractor {
	e := &Extractor{orientations: sharedOrientations()}
	for x := 1; x < visible; x++ {
		e.cols[x] = cellWeights(x)
	}
	return e
}

// cellWeights is the bilinear split of pixel coordinate p between two cells
// (spec §5.4): xp = (p+0.5)/8 − 0.5, exact in float32 for every p here.
func cellWeights(p int) voteWeights {
	pos := (float32(p)+0.5)/CellSize - 0.5
	first := int(math.Floor(float64(pos)))
	far := pos - float32(first)
	return voteWeights{cell: first + 1, near: 1 - far, far: far}
}

// Extract writes the 4464-value FHOG descriptor of img, which must be
// 112×112, into out, in OpenFace's order (spec §5.6).
func (e *Extractor) Extract(img *bgr.Image, out []float64) {
	if img.W != ImageSize || img.H != ImageSize || len(img.Pix) != ImageSize*ImageSize*3 {
		panic(fmt.Sprintf("hog: image is %dx%d with %d bytes, want %dx%d", img.W, img.H, len(img.Pix), ImageSize, ImageSize))
	}
	if len(out) != Length {
		panic(fmt.Sprintf("hog: output holds %d values, want %d", len(out), Length))
	}
	e.accumulateHistograms(img.Pix)
	e.computeEnergies()
	e.writeFeatures(out)
}

// accumulateHistograms adds every voting pixel's gradient magnitude to the
// four nearest cells' orientation bins (spec §5.2–5.4), in float32 and in
// pixel order as dlib does. dlib's 8-wide SIMD loop and its scalar tail
// round the bilinear weights in a different order; both are reproduced.
// Products are wrapped in float32 conversions so that no platform fuses
// them into the following add.
func (e *Extractor) accumulateHistograms(pix []uint8) {
	clear(e.hist[:])
	const stride = ImageSize * 3
	for y := 1; y < visible; y++ {
		row := cellWeights(y)
		top := row.cell * padded
		bottom := top + padded
		for x := 1; x < visible; x++ {
			i := y*stride + x*3
			gx, gy, lenSq := strongestGradient(pix, i, stride, x < simdEnd)
			if lenSq == 0 {
				continue // zero gradient votes 0 into bin 0
			}
			// The double root rounded to float is float32's own sqrt.
			v := float32(math.Sqrt(float64(lenSq)))
			bin := int(e.orientations[tableIndex(gx, gy)])
			col := e.cols[x]
			var tl, bl, tr, br float32
			if x < simdEnd {
				nearV, farV := float32(col.near*v), float32(col.far*v)
				tl, bl = float32(row.near*nearV), float32(row.far*nearV)
				tr, br = float32(row.near*farV), float32(row.far*farV)
			} else {
				tl = float32(float32(row.near*col.near) * v)
				bl = float32(float32(row.far*col.near) * v)
				tr = float32(float32(row.near*col.far) * v)
				br = float32(float32(row.far*col.far) * v)
			}
			left := col.cell*bins + bin
			e.hist[(top*bins)+left] += tl
			e.hist[(bottom*bins)+left] += bl
			e.hist[(top*bins)+left+bins] += tr
			e.hist[(bottom*bins)+left+bins] += br
		}
	}
}

// strongestGradient returns the central-difference gradient of the colour
// channel with the largest squared magnitude at byte offset i (spec §5.2).
// Ties go to blue, then green, in dlib's SIMD columns and to red, then green,
// in its scalar tail.
func strongestGradient(pix []uint8, i, stride int, simd bool) (gx, gy, lenSq int32) {
	blueX, blueY := channelGradient(pix, i, stride)
	greenX, greenY := channelGradient(pix, i+1, stride)
	redX, redY := channelGradient(pix, i+2, stride)
	blue := blueX*blueX + blueY*blueY
	green := greenX*greenX + greenY*greenY
	red := redX*redX + redY*redY
	if simd {
		gx, gy, lenSq = greenX, greenY, green
		if red > green {
			gx, gy, lenSq = redX, redY, red
		}
		if !(lenSq > blue) {
			gx, gy, lenSq = blueX, blueY, blue
		}
		return gx, gy, lenSq
	}
	gx, gy, lenSq = redX, redY, red
	if green > lenSq {
		gx, gy, lenSq = greenX, greenY, green
	}
	if blue > lenSq {
		gx, gy, lenSq = blueX, blueY, blue
	}
	return gx, gy, lenSq
}

func channelGradient(pix []uint8, i, stride int) (gx, gy int32) {
	return int32(pix[i+3]) - int32(pix[i-3]), int32(pix[i+stride]) - int32(pix[i-stride])
}

// orientationBin snaps a gradient to one of 18 signed orientations with
// dlib's float32 dot products and strict comparisons (spec §5.3).
func orientationBin(gx, gy float32) int {
	best, bin := float32(0), 0
	for o := range 9 {
		dot := float32(gx*unitX[o]) + float32(gy*unitY[o])
		if dot > best {
			best, bin = dot, o
		} else if -dot > best {
			best, bin = -dot, o+9
		}
	}
	return bin
}

// computeEnergies sums, per cell, the squared contrast-insensitive histogram
// in float32 (spec §5.5).
func (e *Extractor) computeEnergies() {
	for r := range cells {
		for c := range cells {
			h := e.hist[((r+1)*padded+c+1)*bins:][:bins]
			var sum float32
			for o := range 9 {
				s := h[o] + h[o+9]
				sum += float32(s * s)
			}
			e.energy[r*cells+c] = sum
		}
	}
}

// writeFeatures normalises each inner cell by its four 2×2 block energies,
// clips, and writes the 31 features row-major (spec §5.5, §5.6). It follows
// dlib's SIMD form: min(h, 0.2·√E)·(0.1/(0.2·√E)) per block, summed
// (n1+n2)+(n3+n4), which is ½·Σ min(h/√E, 0.2) up to float32 rounding.
func (e *Extractor) writeFeatures(out []float64) {
	for y := range GridSize {
		for x := range GridSize {
			clipAt, scale := e.blockNorms(y, x)
			h := e.hist[((y+2)*padded+x+2)*bins:][:bins]
			f := out[(y*GridSize+x)*Features:][:Features]
			var texture [4]float32
			for o := 0; o < bins; o += 3 {
				var triple [4]float32
				for k := range 3 {
					lanes := normalised(h[o+k], clipAt, scale)
					f[o+k] = float64((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
					for b := range 4 {
						triple[b] += lanes[b]
					}
				}
				for b := range 4 {
					texture[b] += triple[b]
				}
			}
			for o := range 9 {
				lanes := normalised(h[o]+h[o+9], clipAt, scale)
				f[18+o] = float64((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
			}
			for b := range 4 {
				f[27+b] = float64(texture[b] * textureScale)
			}
		}
	}
}

// blockNorms returns, for the four blocks n1..n4 around output cell (y, x),
// the clipping level 0.2·√(E+ε) and the factor 0.1/that (spec §5.5).
func (e *Extractor) blockNorms(y, x int) (clipAt, scale [4]float32) {
	en := func(r, c int) float32 { return e.energy[r*cells+c] }
	sums := [4]float32{
		en(y+1, x+1) + en(y+1, x+2) + en(y+2, x+1) + en(y+2, x+2),
		en(y, x+1) + en(y, x+2) + en(y+1, x+1) + en(y+1, x+2),
		en(y+1, x) + en(y+1, x+1) + en(y+2, x) + en(y+2, x+1),
		en(y, x) + en(y, x+1) + en(y+1, x) + en(y+1, x+1),
	}
	for b, s := range sums {
		clipAt[b] = clipFactor * float32(math.Sqrt(float64(s+epsilon)))
		scale[b] = halfClip / clipAt[b]
	}
	return clipAt, scale
}

func normalised(h float32, clipAt, scale [4]float32) (lanes [4]float32) {
	for b := range 4 {
		lanes[b] = float32(min(h, clipAt[b]) * scale[b])
	}
	return lanes
}
