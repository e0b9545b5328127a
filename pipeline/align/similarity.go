package align

import "math"

// simScale is OpenFace's sim_scale_au: the reference face is the PDM mean
// scaled by 0.7 (spec §4.1).
const simScale = 0.7

// rigidPoints are the 24 landmarks, stable under expression, that the
// similarity is fitted on (spec §4.2).
var rigidPoints = [24]int{1, 2, 3, 4, 12, 13, 14, 15, 27, 28, 29, 31, 32, 33, 34, 35, 36, 39, 40, 41, 42, 45, 46, 47}

// point is a 2-D point in OpenFace's float32 precision.
type point struct{ x, y float32 }

// mat2 is a row-major 2×2 matrix in float32, like OpenCV's Matx22f.
type mat2 [2][2]float32

// referenceShape returns 0.7·mean for the X and Y blocks of the 204-value
// PDM mean (spec §4.1). OpenFace keeps the mean in float32 and scales it
// with OpenCV's convertTo, i.e. a float32 multiply by (float)0.7.
func referenceShape(meanShape []float64) [NumLandmarks]point {
	const scale float32 = simScale
	var ref [NumLandmarks]point
	for i := range ref {
		ref[i] = point{
			x: float32(float32(meanShape[i]) * scale),
			y: float32(float32(meanShape[i+NumLandmarks]) * scale),
		}
	}
	return ref
}

// normalisedShape is a point set centred on its mean and divided by its RMS
// distance from it, with that distance (spec §4.3 steps 1–3).
type normalisedShape struct {
	points [len(rigidPoints)]point
	sigma  float32
}

// normaliseShape centres and scales points the way AlignShapesWithScale
// does: means and sums in double (cv::mean, cv::sum), element-wise work in
// float32, and the division done as a multiply by the float reciprocal that
// OpenCV's Mat / scalar expression uses.
func normaliseShape(points *[len(rigidPoints)]point) normalisedShape {
	n := float64(len(points))
	var sumX, sumY float64
	for _, p := range points {
		sumX += float64(p.x)
		sumY += float64(p.y)
	}
	meanX, meanY := float32(sumX/n), float32(sumY/n)

	var out normalisedShape
	var sumSq float64
	for i, p := range points {
		c := point{p.x - meanX, p.y - meanY}
		out.points[i] = c
		sumSq += float64(float32(c.x*c.x)) + float64(float32(c.y*c.y))
	}
	out.sigma = float32(math.Sqrt(sumSq / n))
	inv := float32(1 / float64(out.sigma))
	for i, c := range out.points {
		out.points[i] = point{float32(c.x * inv), float32(c.y * inv)}
	}
	return out
}

// kabsch2D returns the rotation that best maps the centred src points onto
// dst (spec §4.3 step 4) the way OpenFace computes it: cv::SVD of
// H = srcᵀ·dst = U·S·Vᵀ, d = det(V·Uᵀ), R = V·diag(1, sign d)·Uᵀ, with every
// OpenCV product accumulated in double and rounded to float.
func kabsch2D(src, dst *normalisedShape) mat2 {
	ut, vt := jacobiSVD2(crossCovariance(src, dst))
	if det := vtTimesU(vt, ut, 1); !(float64(det[0][0])*float64(det[1][1])-float64(det[0][1])*float64(det[1][0]) > 0) {
		return vtTimesU(vt, ut, -1)
	}
	return vtTimesU(vt, ut, 1)
}

// crossCovariance is H = srcᵀ·dst, summed in double like OpenCV's float gemm.
func crossCovariance(src, dst *normalisedShape) mat2 {
	var h mat2
	for i := range 2 {
		for j := range 2 {
			var s float64
			for k := range src.points {
				s += float64(coord(src.points[k], i)) * float64(coord(dst.points[k], j))
			}
			h[i][j] = float32(s)
		}
	}
	return h
}

// vtTimesU is V·diag(1, flip)·Uᵀ from Vᵀ and Uᵀ, as OpenCV's gemm computes it.
func vtTimesU(vt, ut mat2, flip float32) mat2 {
	var r mat2
	for i := range 2 {
		for j := range 2 {
			r[i][j] = float32(float64(vt[0][i])*float64(ut[0][j]) + float64(vt[1][i]*flip)*float64(ut[1][j]))
		}
	}
	return r
}

// jacobiSVD2 is OpenCV's one-sided Jacobi SVD (JacobiSVDImpl_ for float) of
// a 2×2 matrix, as cv::SVD runs it: it returns Uᵀ (left singular vectors as
// rows) and Vᵀ, by decreasing singular value. Where OpenCV would draw a
// random vector for a zero singular value, the perpendicular of the other
// vector is used instead.
func jacobiSVD2(h mat2) (ut, vt mat2) {
	const minValue = 0x1p-126 // FLT_MIN
	eps := float64(float32(2 * 0x1p-23))
	at := mat2{{h[0][0], h[1][0]}, {h[0][1], h[1][1]}}
	vt = mat2{{1, 0}, {0, 1}}
	w := [2]float64{sumSquares(at[0]), sumSquares(at[1])}
	for range 30 {
		a, b := w[0], w[1]
		p := float64(at[0][0])*float64(at[1][0]) + float64(at[0][1])*float64(at[1][1])
		if math.Abs(p) <= eps*math.Sqrt(a*b) {
			break
		}
		p *= 2
		beta := a - b
		gamma := openCVHypot(p, beta)
		var c, s float32
		if beta < 0 {
			s = float32(math.Sqrt((gamma - beta) * 0.5 / gamma))
			c = float32(p / (gamma * float64(s) * 2))
		} else {
			c = float32(math.Sqrt((gamma + beta) / (gamma * 2)))
			s = float32(p / (gamma * float64(c) * 2))
		}
		at[0], at[1] = givens(at[0], at[1], c, s)
		w = [2]float64{sumSquares(at[0]), sumSquares(at[1])}
		vt[0], vt[1] = givens(vt[0], vt[1], c, s)
	}
	w = [2]float64{math.Sqrt(w[0]), math.Sqrt(w[1])}
	if w[0] < w[1] {
		w[0], w[1] = w[1], w[0]
		at[0], at[1] = at[1], at[0]
		vt[0], vt[1] = vt[1], vt[0]
	}
	for i := range 2 {
		if w[i] <= minValue {
			at[i] = [2]float32{1, 0}
			if i == 1 {
				at[1] = [2]float32{-at[0][1], at[0][0]}
			}
			w[i] = 1
		}
		inv := float32(1 / w[i])
		at[i] = [2]float32{float32(at[i][0] * inv), float32(at[i][1] * inv)}
	}
	return at, vt
}

// givens rotates the row pair (a, b) by (c, s) in float32.
func givens(a, b [2]float32, c, s float32) (ra, rb [2]float32) {
	for k := range 2 {
		ra[k] = float32(c*a[k]) + float32(s*b[k])
		rb[k] = float32(-s*a[k]) + float32(c*b[k])
	}
	return ra, rb
}

func sumSquares(v [2]float32) float64 {
	return float64(v[0])*float64(v[0]) + float64(v[1])*float64(v[1])
}

// openCVHypot is the hypot of OpenCV's SVD code, |a|·√(1 + (b/a)²) with a
// the larger magnitude, which can differ from a correctly rounded hypot.
func openCVHypot(a, b float64) float64 {
	a, b = math.Abs(a), math.Abs(b)
	if a > b {
		b /= a
		return a * math.Sqrt(1+float64(b*b))
	}
	if b > 0 {
		a /= b
		return b * math.Sqrt(1+float64(a*a))
	}
	return 0
}

func coord(p point, axis int) float32 {
	if axis == 0 {
		return p.x
	}
	return p.y
}

// alignShapesWithScale is OpenFace's AlignShapesWithScale: the scaled
// rotation A = (σ_dst/σ_src)·R taking the detected rigid points onto the
// reference ones; the fitted translation is discarded (spec §4.3 steps 1–5).
func alignShapesWithScale(src *[len(rigidPoints)]point, dst *normalisedShape) mat2 {
	srcNorm := normaliseShape(src)
	scale := dst.sigma / srcNorm.sigma
	rot := kabsch2D(&srcNorm, dst)
	var a mat2
	for i := range 2 {
		for j := range 2 {
			a[i][j] = float32(scale * rot[i][j])
		}
	}
	return a
}

// warpMatrix completes A into the 2×3 source→face matrix: the PDM origin
// (tx, ty) lands on the centre of the 112×112 face (spec §4.3 step 6). As in
// OpenFace, T = A·(tx, ty) is a float32 Matx product.
func warpMatrix(a mat2, tx, ty float32) [6]float32 {
	t0 := float32(float32(a[0][0]*tx) + float32(a[0][1]*ty))
	t1 := float32(float32(a[1][0]*tx) + float32(a[1][1]*ty))
	half := float32(FaceSize / 2)
	return [6]float32{a[0][0], a[0][1], -t0 + half, a[1][0], a[1][1], -t1 + half}
}
