package clnf

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// toGray converts a BGR frame to OpenCV's 8-bit grey (fixed-point
// 0.299 R + 0.587 G + 0.114 B, rounded), stored as float32 as OpenFace does
// before fitting.
func (f *imageBuffers) toGray(img *bgr.Image) {
	n := img.W * img.H
	if cap(f.gray) < n {
		f.gray = make([]float32, n)
	}
	f.gray = f.gray[:n]
	f.grayW, f.grayH = img.W, img.H
	for i := range n {
		b, g, r := int(img.Pix[3*i]), int(img.Pix[3*i+1]), int(img.Pix[3*i+2])
		f.gray[i] = float32((b*1868 + g*9617 + r*4899 + 1<<13) >> 14)
	}
}

// extractArea samples the w×h area around (cx, cy) in the reference frame's
// orientation and scale: cv::warpAffine with WARP_INVERSE_MAP, bilinear
// interpolation at 1/32-pixel resolution and a zero border, as
// Patch_experts::Response does.
func (f *imageBuffers) extractArea(cx, cy, a1, b1 float32, w, h int) []float32 {
	half := (float32(w) - 1) / 2 // OpenFace centres both axes on the width
	m := [6]float64{
		float64(a1), float64(-b1), float64(cx - a1*half + b1*half),
		float64(b1), float64(a1), float64(cy - a1*half - b1*half),
	}
	area := f.area[:w*h]
	const abScale = 1 << 10
	for y := range h {
		x0 := int(math.RoundToEven((m[1]*float64(y) + m[2]) * abScale))
		y0 := int(math.RoundToEven((m[4]*float64(y) + m[5]) * abScale))
		for x := range w {
			sx := (int(math.RoundToEven(m[0]*float64(x)*abScale)) + x0 + 16) >> 5
			sy := (int(math.RoundToEven(m[3]*float64(x)*abScale)) + y0 + 16) >> 5
			area[y*w+x] = f.bilinear(sx>>5, sy>>5, float32(sx&31)/32, float32(sy&31)/32)
		}
	}
	return area
}

// bilinear interpolates the grey image at (ix+ax, iy+ay), reading 0 outside it.
func (f *imageBuffers) bilinear(ix, iy int, ax, ay float32) float32 {
	p00, p01 := f.pixel(ix, iy), f.pixel(ix+1, iy)
	p10, p11 := f.pixel(ix, iy+1), f.pixel(ix+1, iy+1)
	return (1-ay)*((1-ax)*p00+ax*p01) + ay*((1-ax)*p10+ax*p11)
}

func (f *imageBuffers) pixel(x, y int) float32 {
	if x < 0 || y < 0 || x >= f.grayW || y >= f.grayH {
		return 0
	}
	return f.gray[y*f.grayW+x]
}

// expertResponse computes a CCNF patch expert's window×window response map
// (CCNF_patch_expert::ResponseOpenBlas): contrast-normalised patches, the
// neurons' α-weighted sigmoids, smoothing by Σ, then a shift that makes the
// map non-negative. out is filled row-major (y, x).
func (f *imageBuffers) expertResponse(e *patchExpert, sigma []float32, area []float32, areaW, window int, out []float32) {
	patchLen := e.width * e.height
	stride := patchLen + 1
	raw := f.raw[:window*window]
	clear(raw)
	if len(e.alphas) == 0 {
		clear(out[:window*window]) // an expert without neurons answers nothing, as in OpenFace
		return
	}
	col := f.col[:stride]
	col[0] = 1
	for x := range window {
		for y := range window {
			normalisedPatch(area, areaW, x, y, e.width, e.height, col[1:])
			raw[y*window+x] = neuronSum(e, col)
		}
	}
	n := window * window
	minV := float32(math.Inf(1))
	for i := range n {
		var s float32
		row := sigma[i*n : (i+1)*n]
		for k, r := range raw {
			s += row[k] * r
		}
		out[i] = s
		minV = min(minV, s)
	}
	if minV < 0 {
		for i := range n {
			out[i] -= minV
		}
	}
}

// normalisedPatch writes the patch at (x, y) in column-major order, mean
// subtracted and scaled to unit L2 norm (im2colContrastNormBias).
func normalisedPatch(area []float32, areaW, x, y, w, h int, dst []float32) {
	var sum float32
	for xx := range w {
		for yy := range h {
			v := area[(y+yy)*areaW+x+xx]
			dst[xx*h+yy] = v
			sum += v
		}
	}
	mean := sum / float32(w*h)
	var sumSq float32
	for k := range dst[:w*h] {
		d := dst[k] - mean
		dst[k] = d
		sumSq += d * d
	}
	norm := float32(math.Sqrt(float64(sumSq)))
	if norm == 0 {
		norm = 1
	}
	inv := 1 / norm
	for k := range dst[:w*h] {
		dst[k] *= inv
	}
}

// neuronSum adds up 2α/(1+e^(−w·x)) over the neurons whose α is not negligible.
func neuronSum(e *patchExpert, col []float32) float32 {
	stride := len(col)
	var total float32
	for n, alpha := range e.alphas {
		if alpha <= 1e-4 {
			continue
		}
		w := e.weights[n*stride : (n+1)*stride]
		var z float32
		for k, c := range col {
			z += w[k] * c
		}
		total += float32(2 * alpha / (1 + math.Exp(-float64(z))))
	}
	return total
}
