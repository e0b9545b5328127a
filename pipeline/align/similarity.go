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
	scale := float32(float64(simScale))
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
// dst (spec §4.3 step 4). OpenFace gets it from an SVD of H = srcᵀ·dst with
// a reflection guard, V·diag(1, ±1)·Uᵀ; in 2-D that is the rotation by
// atan2(H01 − H10, H00 + H11), computed here in closed form.
func kabsch2D(src, dst *normalisedShape) mat2 {
	var h [2][2]float32
	for i := range 2 {
		for j := range 2 {
			var s float64 // OpenCV's float gemm accumulates in double
			for k := range src.points {
				s += float64(coord(src.points[k], i)) * float64(coord(dst.points[k], j))
			}
			h[i][j] = float32(s)
		}
	}
	cosPart := float64(h[0][0]) + float64(h[1][1])
	sinPart := float64(h[0][1]) - float64(h[1][0])
	r := math.Hypot(cosPart, sinPart)
	if r == 0 || math.IsNaN(r) {
		return mat2{{1, 0}, {0, 1}}
	}
	c, s := float32(cosPart/r), float32(sinPart/r)
	return mat2{{c, -s}, {s, c}}
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
