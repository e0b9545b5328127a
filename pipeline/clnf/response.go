package clnf

import (
	"math"
	"sync"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// grayFrame is the current frame in grey levels, converted on demand: only
// the rectangle done holds the current frame's values, the rest of pix may
// be stale, so every read must lie in an area passed to ensure first.
// Parts fitted side by side may call ensure at the same time: it converts
// only pixels outside done, which no earlier ensure handed out for reading.
type grayFrame struct {
	pix  []float32
	w, h int
	src  *bgr.Image
	mu   sync.Mutex // guards done and the conversion in ensure
	done rect
}

// rect is the pixel rectangle [x0, x1) × [y0, y1).
type rect struct{ x0, y0, x1, y1 int }

func (r rect) empty() bool { return r.x0 >= r.x1 || r.y0 >= r.y1 }

func (r rect) contains(o rect) bool {
	return o.x0 >= r.x0 && o.y0 >= r.y0 && o.x1 <= r.x1 && o.y1 <= r.y1
}

// union is the bounding box of r and o; an empty rectangle adds nothing.
func (r rect) union(o rect) rect {
	if r.empty() {
		return o
	}
	if o.empty() {
		return r
	}
	return rect{min(r.x0, o.x0), min(r.y0, o.y0), max(r.x1, o.x1), max(r.y1, o.y1)}
}

// patchScratch is one goroutine's buffers for computing response maps.
// Positions are rounded up to a multiple of eight for the vector kernels.
type patchScratch struct {
	area []float32
	cols []float32 // one patch column per window position
	inv  []float32 // the columns' inverse norms
	raw  []float32 // the neuron sums before smoothing
}

// maxAreaSide bounds the side of a sampled area.
const maxAreaSide = maxWindow + maxPatchSide - 1

func newPatchScratch() *patchScratch {
	areaSide := maxAreaSide
	positions := roundUp8(maxWindow * maxWindow)
	return &patchScratch{
		area: make([]float32, areaSide*areaSide),
		cols: make([]float32, positions*columnStride(maxPatchSide, maxPatchSide)),
		inv:  make([]float32, positions),
		raw:  make([]float32, positions),
	}
}

// setFrame makes img the current frame, with no pixel converted yet.
func (f *grayFrame) setFrame(img *bgr.Image) {
	n := img.W * img.H
	if cap(f.pix) < n {
		f.pix = make([]float32, n)
	}
	f.pix = f.pix[:n]
	f.w, f.h, f.src, f.done = img.W, img.H, img, rect{}
}

// release drops the frame so that the caller's pixels are not kept alive.
func (f *grayFrame) release() { f.src, f.done = nil, rect{} }

// ensure converts the part of r inside the frame that is not grey yet. The
// converted area grows to the bounding box of the requests; pixels already
// converted are not converted again.
func (f *grayFrame) ensure(r rect) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r = rect{max(r.x0, 0), max(r.y0, 0), min(r.x1, f.w), min(r.y1, f.h)}
	if r.empty() || f.done.contains(r) {
		return
	}
	d := f.done
	u := d.union(r)
	for y := u.y0; y < u.y1; y++ {
		if d.empty() || y < d.y0 || y >= d.y1 {
			f.toGray(y, u.x0, u.x1)
			continue
		}
		f.toGray(y, u.x0, d.x0)
		f.toGray(y, d.x1, u.x1)
	}
	f.done = u
}

// toGray converts pixels [x0, x1) of row y to OpenCV's 8-bit grey
// (fixed-point 0.299 R + 0.587 G + 0.114 B, rounded), stored as float32 as
// OpenFace does before fitting.
func (f *grayFrame) toGray(y, x0, x1 int) {
	row := y * f.w
	for i := row + x0; i < row+x1; i++ {
		b, g, r := int(f.src.Pix[3*i]), int(f.src.Pix[3*i+1]), int(f.src.Pix[3*i+2])
		f.pix[i] = float32((b*1868 + g*9617 + r*4899 + 1<<13) >> 14)
	}
}

// extractArea samples the w×h area around (cx, cy) in the reference frame's
// orientation and scale: cv::warpAffine with WARP_INVERSE_MAP, bilinear
// interpolation at 1/32-pixel resolution and a zero border, as
// Patch_experts::Response does.
func (f *patchScratch) extractArea(g *grayFrame, cx, cy, a1, b1 float32, w, h int) []float32 {
	m := areaTransform(cx, cy, a1, b1, w)
	area := f.area[:w*h]
	const abScale = 1 << 10
	// OpenCV's per-column offsets, rounded once per column.
	var dx, dy [maxAreaSide]int
	for x := range w {
		dx[x] = int(math.RoundToEven(m[0] * float64(x) * abScale))
		dy[x] = int(math.RoundToEven(m[3] * float64(x) * abScale))
	}
	r := sampledRect(cx, cy, a1, b1, w, h)
	inside := r.x0 >= 0 && r.y0 >= 0 && r.x1 <= g.w && r.y1 <= g.h
	for y := range h {
		x0 := int(math.RoundToEven((m[1]*float64(y) + m[2]) * abScale))
		y0 := int(math.RoundToEven((m[4]*float64(y) + m[5]) * abScale))
		row := area[y*w : (y+1)*w]
		for x := range row {
			sx := (dx[x] + x0 + 16) >> 5
			sy := (dy[x] + y0 + 16) >> 5
			ax, ay := float32(sx&31)/32, float32(sy&31)/32
			if inside {
				row[x] = g.bilinearInside(sx>>5, sy>>5, ax, ay)
			} else {
				row[x] = g.bilinear(sx>>5, sy>>5, ax, ay)
			}
		}
	}
	return area
}

// areaTransform is the affine map from area pixel (x, y) to the image,
// [x', y'] = [m0 m1 m2; m3 m4 m5]·[x y 1], that extractArea samples with.
func areaTransform(cx, cy, a1, b1 float32, w int) [6]float64 {
	half := (float32(w) - 1) / 2 // OpenFace centres both axes on the width
	return [6]float64{
		float64(a1), float64(-b1), float64(cx - a1*half + b1*half),
		float64(b1), float64(a1), float64(cy - a1*half - b1*half),
	}
}

// sampledRect bounds the pixels extractArea reads for the same arguments:
// the area's corners mapped into the image, widened by two pixels for the
// fixed-point rounding and the bilinear neighbours. A map that is not finite
// gives a rectangle beyond any frame.
func sampledRect(cx, cy, a1, b1 float32, w, h int) rect {
	m := areaTransform(cx, cy, a1, b1, w)
	loX, hiX, loY, hiY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, c := range [4][2]float64{{0, 0}, {float64(w - 1), 0}, {0, float64(h - 1)}, {float64(w - 1), float64(h - 1)}} {
		x := m[0]*c[0] + m[1]*c[1] + m[2]
		y := m[3]*c[0] + m[4]*c[1] + m[5]
		loX, hiX = min(loX, x), max(hiX, x)
		loY, hiY = min(loY, y), max(hiY, y)
	}
	const far = 1 << 30
	if !(loX > -far && hiX < far && loY > -far && hiY < far) {
		return rect{-far, -far, far, far}
	}
	return rect{int(math.Floor(loX)) - 2, int(math.Floor(loY)) - 2, int(math.Floor(hiX)) + 3, int(math.Floor(hiY)) + 3}
}

// bilinear interpolates the grey image at (ix+ax, iy+ay), reading 0 outside it.
func (f *grayFrame) bilinear(ix, iy int, ax, ay float32) float32 {
	p00, p01 := f.pixel(ix, iy), f.pixel(ix+1, iy)
	p10, p11 := f.pixel(ix, iy+1), f.pixel(ix+1, iy+1)
	return (1-ay)*((1-ax)*p00+ax*p01) + ay*((1-ax)*p10+ax*p11)
}

// bilinearInside is bilinear for a point whose four neighbours lie in the image.
func (f *grayFrame) bilinearInside(ix, iy int, ax, ay float32) float32 {
	i := iy*f.w + ix
	top, bottom := f.pix[i:i+2], f.pix[i+f.w:i+f.w+2]
	return (1-ay)*((1-ax)*top[0]+ax*top[1]) + ay*((1-ax)*bottom[0]+ax*bottom[1])
}

func (f *grayFrame) pixel(x, y int) float32 {
	if x < 0 || y < 0 || x >= f.w || y >= f.h {
		return 0
	}
	return f.pix[y*f.w+x]
}

// expertResponse computes a CCNF patch expert's window×window response map
// (CCNF_patch_expert::ResponseOpenBlas): contrast-normalised patches, the
// neurons' α-weighted sigmoids, smoothing by Σ (sigmaT, as partModel.sigma
// stores it), then a shift that makes the map non-negative. out is filled
// row-major (y, x) and needs room for roundUp8(window²) values.
func (f *patchScratch) expertResponse(e *patchExpert, sigmaT []float32, area []float32, areaW, window int, out []float32) {
	n := window * window
	if len(e.alphas) == 0 {
		clear(out[:n]) // an expert without neurons answers nothing, as in OpenFace
		return
	}
	stride := columnStride(e.width, e.height)
	kernels.centredColumns(area, areaW, window, e.width, e.height, f.cols, f.inv)
	raw := f.raw[:roundUp8(n)]
	clear(raw)
	kernels.neuronSums(f.cols, stride, n, e, f.inv, raw)
	kernels.smooth(sigmaT, roundUp8(n), raw[:n], out)
	minV := float32(math.Inf(1))
	for _, v := range out[:n] {
		minV = min(minV, v)
	}
	if minV < 0 {
		for i := range out[:n] {
			out[i] -= minV
		}
	}
}
