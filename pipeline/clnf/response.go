package clnf

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// grayFrame is the current frame in grey levels, converted on demand: only
// the rectangle done holds the current frame's values, the rest of pix may
// be stale, so every read must lie in an area passed to ensure first.
type grayFrame struct {
	pix  []float32
	w, h int
	src  *bgr.Image
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
type patchScratch struct {
	area []float32
	cols []float32 // im2col: window² columns of 1+maxPatchSide² values
	raw  []float32
	z    []float32 // two positions' neuron activations
	// spare takes the columns of the positions a short group of four lacks.
	spare []float32
}

func newPatchScratch() *patchScratch {
	areaSide := maxWindow + maxPatchSide - 1
	return &patchScratch{
		area: make([]float32, areaSide*areaSide),
		cols: make([]float32, maxWindow*maxWindow*(maxPatchSide*maxPatchSide+1)),
		raw:  make([]float32, maxWindow*maxWindow),
		z:    make([]float32, 2*maxNeurons),

		spare: make([]float32, 4*(maxPatchSide*maxPatchSide+1)),
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
	for y := range h {
		x0 := int(math.RoundToEven((m[1]*float64(y) + m[2]) * abScale))
		y0 := int(math.RoundToEven((m[4]*float64(y) + m[5]) * abScale))
		for x := range w {
			sx := (int(math.RoundToEven(m[0]*float64(x)*abScale)) + x0 + 16) >> 5
			sy := (int(math.RoundToEven(m[3]*float64(x)*abScale)) + y0 + 16) >> 5
			area[y*w+x] = g.bilinear(sx>>5, sy>>5, float32(sx&31)/32, float32(sy&31)/32)
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

func (f *grayFrame) pixel(x, y int) float32 {
	if x < 0 || y < 0 || x >= f.w || y >= f.h {
		return 0
	}
	return f.pix[y*f.w+x]
}

// expertResponse computes a CCNF patch expert's window×window response map
// (CCNF_patch_expert::ResponseOpenBlas): contrast-normalised patches, the
// neurons' α-weighted sigmoids, smoothing by Σ, then a shift that makes the
// map non-negative. out is filled row-major (y, x). Every sum runs in
// OpenFace's float32 order, so the maps match the straightforward loops bit
// for bit.
func (f *patchScratch) expertResponse(e *patchExpert, sigma []float32, area []float32, areaW, window int, out []float32) {
	n := window * window
	if len(e.alphas) == 0 {
		clear(out[:n]) // an expert without neurons answers nothing, as in OpenFace
		return
	}
	f.patchColumns(area, areaW, window, e.width, e.height)
	f.neuronSums(e, n)
	smoothResponse(sigma, f.raw[:n], out[:n])
}

// patchColumns writes the patch at each window position p = y·window + x as
// column p of im2colContrastNormBias: a leading 1 for the bias, then the
// patch in column-major order, mean subtracted and scaled to unit L2 norm.
// Positions go four at a time: their sums are independent, so the four
// chains of additions overlap.
func (f *patchScratch) patchColumns(area []float32, areaW, window, w, h int) {
	stride := w*h + 1
	positions := window * window
	var cols [4][]float32
	var starts [4]int
	p := 0
	for ; p < positions; p += 4 {
		group := min(4, positions-p)
		for j := range 4 {
			q := p + min(j, group-1)
			starts[j] = (q/window)*areaW + q%window
			if j >= group { // a short group repeats its last position into spare columns
				cols[j] = f.spare[j*stride : (j+1)*stride]
			} else {
				cols[j] = f.cols[q*stride : (q+1)*stride]
			}
			cols[j][0] = 1
			cols[j] = cols[j][1:]
		}
		normalisedPatches(area, areaW, starts, w, h, cols)
	}
}

// normalisedPatches writes the four patches whose top-left corners are at
// area offsets starts into dst in column-major order, each mean subtracted
// and scaled to unit L2 norm with its sums in that order.
func normalisedPatches(area []float32, areaW int, starts [4]int, w, h int, dst [4][]float32) {
	n := w * h
	d0, d1, d2, d3 := dst[0][:n], dst[1][:n], dst[2][:n], dst[3][:n]
	var s0, s1, s2, s3 float32
	for xx := range w {
		for yy := range h {
			k, off := xx*h+yy, yy*areaW+xx
			v0, v1, v2, v3 := area[starts[0]+off], area[starts[1]+off], area[starts[2]+off], area[starts[3]+off]
			d0[k], d1[k], d2[k], d3[k] = v0, v1, v2, v3
			s0 += v0
			s1 += v1
			s2 += v2
			s3 += v3
		}
	}
	count := float32(n)
	m0, m1, m2, m3 := s0/count, s1/count, s2/count, s3/count
	var q0, q1, q2, q3 float32
	for k := range d0 {
		a, b, c, d := d0[k]-m0, d1[k]-m1, d2[k]-m2, d3[k]-m3
		d0[k], d1[k], d2[k], d3[k] = a, b, c, d
		q0 += a * a
		q1 += b * b
		q2 += c * c
		q3 += d * d
	}
	i0, i1, i2, i3 := inverseNorm(q0), inverseNorm(q1), inverseNorm(q2), inverseNorm(q3)
	for k := range d0 {
		d0[k] *= i0
		d1[k] *= i1
		d2[k] *= i2
		d3[k] *= i3
	}
}

// inverseNorm is 1/√sumSq in float32, taking a zero norm as 1.
func inverseNorm(sumSq float32) float32 {
	norm := float32(math.Sqrt(float64(sumSq)))
	if norm == 0 {
		norm = 1
	}
	return 1 / norm
}

// neuronSums sets f.raw[p] to the sum of 2α/(1+e^(−w·col_p)) over the neurons
// whose α is not negligible. Two positions and four neurons go at a time so
// each loaded value serves several products; each dot product still sums in
// column order.
func (f *patchScratch) neuronSums(e *patchExpert, positions int) {
	stride := e.width*e.height + 1
	numNeurons := len(e.alphas)
	za, zb := f.z[:numNeurons], f.z[maxNeurons:][:numNeurons]
	p := 0
	for ; p+2 <= positions; p += 2 {
		colA, colB := f.cols[p*stride:][:stride], f.cols[(p+1)*stride:][:stride]
		first := 0
		for ; first+4 <= numNeurons; first += 4 {
			za[first], za[first+1], za[first+2], za[first+3],
				zb[first], zb[first+1], zb[first+2], zb[first+3] = dot4x2(e.weights[first*stride:], colA, colB)
		}
		for ; first < numNeurons; first++ {
			za[first], zb[first] = dot1x2(e.weights[first*stride:], colA, colB)
		}
		f.raw[p] = sigmoidSum(e.alphas, za)
		f.raw[p+1] = sigmoidSum(e.alphas, zb)
	}
	for ; p < positions; p++ {
		col := f.cols[p*stride:][:stride]
		for n := range numNeurons {
			za[n] = dot1(e.weights[n*stride:], col)
		}
		f.raw[p] = sigmoidSum(e.alphas, za)
	}
}

// sigmoidSum adds 2α/(1+e^(−z)) in neuron order, skipping negligible α.
func sigmoidSum(alphas []float64, z []float32) float32 {
	z = z[:len(alphas)]
	var total float32
	for n, alpha := range alphas {
		if alpha <= 1e-4 {
			continue
		}
		total += float32(2 * alpha / (1 + math.Exp(-float64(z[n]))))
	}
	return total
}

// dot4x2 returns the dot products of colA and then colB with the four
// consecutive weight rows of len(colA) values starting at w.
func dot4x2(w, colA, colB []float32) (a0, a1, a2, a3, b0, b1, b2, b3 float32) {
	n := len(colA)
	colB = colB[:n]
	w0, w1, w2, w3 := w[:n], w[n:][:n], w[2*n:][:n], w[3*n:][:n]
	for k, ca := range colA {
		cb := colB[k]
		v0, v1, v2, v3 := w0[k], w1[k], w2[k], w3[k]
		a0 += v0 * ca
		a1 += v1 * ca
		a2 += v2 * ca
		a3 += v3 * ca
		b0 += v0 * cb
		b1 += v1 * cb
		b2 += v2 * cb
		b3 += v3 * cb
	}
	return a0, a1, a2, a3, b0, b1, b2, b3
}

// dot1x2 is dot4x2 for one row.
func dot1x2(w, colA, colB []float32) (a, b float32) {
	n := len(colA)
	colB = colB[:n]
	w0 := w[:n]
	for k, ca := range colA {
		a += w0[k] * ca
		b += w0[k] * colB[k]
	}
	return a, b
}

// dot4 returns the dot products of col with the four consecutive weight rows
// of len(col) values starting at w.
func dot4(w, col []float32) (s0, s1, s2, s3 float32) {
	n := len(col)
	w0, w1, w2, w3 := w[:n], w[n:][:n], w[2*n:][:n], w[3*n:][:n]
	for k, c := range col {
		s0 += w0[k] * c
		s1 += w1[k] * c
		s2 += w2[k] * c
		s3 += w3[k] * c
	}
	return s0, s1, s2, s3
}

// dot1 is dot4 for one row.
func dot1(w, col []float32) float32 {
	w0 := w[:len(col)]
	var s float32
	for k, c := range col {
		s += w0[k] * c
	}
	return s
}

// smoothResponse sets out = Σ·raw, shifted up by its minimum when that is
// negative. Four rows go at a time so raw is loaded once per group.
func smoothResponse(sigma, raw, out []float32) {
	n := len(raw)
	i := 0
	for ; i+4 <= n; i += 4 {
		out[i], out[i+1], out[i+2], out[i+3] = dot4(sigma[i*n:], raw)
	}
	for ; i < n; i++ {
		out[i] = dot1(sigma[i*n:], raw)
	}
	minV := float32(math.Inf(1))
	for _, v := range out {
		minV = min(minV, v)
	}
	if minV < 0 {
		for i := range out {
			out[i] -= minV
		}
	}
}
