package align

import "math"

// foreheadLandmarks are raised to take in the forehead: the two upper jaw
// points and the ten brow points (spec §4.4 step 2).
var foreheadLandmarks = [...]int{0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26}

// foreheadRaise is OpenFace's (30/0.7)·sim_scale pixels, which is exactly
// 30 in double arithmetic too.
const foreheadRaise = 30 / simScale * simScale

// triangle is a mask triangle ready for PAW's point-in-triangle test: for
// each of its three edge tests, the edge's origin and direction and the
// point-independent half of the test (the opposite vertex's cross product),
// all in float32 as PAW computes them; and its bounding box.
type triangle struct {
	originX, originY, dirX, dirY, opposite [3]float32
	minX, minY, maxX, maxY                 float32
}

// edgeTests lists, for PAW's three sameSide calls, the triangle's vertex
// indices as (opposite vertex, edge start, edge end).
var edgeTests = [3][3]int{{0, 1, 2}, {1, 0, 2}, {2, 0, 1}}

func newTriangle(x, y [3]float32) triangle {
	v := triangle{
		minX: min(x[0], x[1], x[2]), maxX: max(x[0], x[1], x[2]),
		minY: min(y[0], y[1], y[2]), maxY: max(y[0], y[1], y[2]),
	}
	for k, e := range edgeTests {
		v.originX[k], v.originY[k] = x[e[1]], y[e[1]]
		v.dirX[k], v.dirY[k] = x[e[2]]-x[e[1]], y[e[2]]-y[e[1]]
		v.opposite[k] = v.side(k, x[e[0]], y[e[0]])
	}
	return v
}

// side is the cross product of edge k's direction with the vector from its
// origin to (px, py), rounded as PAW's sameSide rounds it.
func (v *triangle) side(k int, px, py float32) float32 {
	return float32(v.dirX[k]*(py-v.originY[k])) - float32((px-v.originX[k])*v.dirY[k])
}

// warpLandmarks moves the 68 detected landmarks into the face image with
// the warp matrix m and raises the forehead points (spec §4.4 steps 1–2).
// OpenCV multiplies the float landmarks by A with double accumulation, then
// adds the translation in float32.
func (a *Aligner) warpLandmarks(landmarks []float64, m [6]float32) {
	for i := range a.points {
		x, y := float64(float32(landmarks[i])), float64(float32(landmarks[i+NumLandmarks]))
		px := float32(float64(x*float64(m[0])) + float64(y*float64(m[1])))
		py := float32(float64(x*float64(m[3])) + float64(y*float64(m[4])))
		a.points[i] = point{px + m[2], py + m[5]}
	}
	for _, i := range foreheadLandmarks {
		a.points[i].y = float32(float64(a.points[i].y) - foreheadRaise)
	}
}

// buildMask marks the face pixels: those inside any triangle of the warped
// landmark mesh, edges included (spec §4.4 steps 3–4). It gives exactly
// PAW's answers, including its search order — the previous pixel's
// triangle first, then every triangle in file order behind a bounding-box
// test — because a degenerate triangle can claim points outside its box
// only through that first test. Triangles are pre-filtered per row, which
// keeps the file order and drops only those the box test would reject.
func (a *Aligner) buildMask() {
	for t, tri := range a.tris {
		var x, y [3]float32
		for k, idx := range tri {
			x[k], y[k] = a.points[idx].x, a.points[idx].y
		}
		a.triangles[t] = newTriangle(x, y)
	}
	guess := -1
	for y := range FaceSize {
		py := float32(y)
		a.rowTriangles = a.rowTriangles[:0]
		a.rowMinX, a.rowMaxX = float32(math.Inf(1)), float32(math.Inf(-1))
		for t := range a.triangles {
			if v := &a.triangles[t]; !(v.maxY < py || v.minY > py) {
				a.rowTriangles = append(a.rowTriangles, t)
				// min and max propagate NaN, so a NaN box never lets the row be skipped.
				a.rowMinX, a.rowMaxX = min(a.rowMinX, v.minX), max(a.rowMaxX, v.maxX)
			}
		}
		for x := range FaceSize {
			guess = a.findTriangle(float32(x), py, guess)
			a.mask[y*FaceSize+x] = 0
			if guess >= 0 {
				a.mask[y*FaceSize+x] = 1
			}
		}
	}
}

// findTriangle is PAW's findTriangle over the current row's triangles.
func (a *Aligner) findTriangle(px, py float32, guess int) int {
	if guess >= 0 && a.triangles[guess].contains(px, py) {
		return guess
	}
	if a.rowMaxX < px || a.rowMinX > px {
		return -1 // every box test of the row fails
	}
	for _, t := range a.rowTriangles {
		v := &a.triangles[t]
		if v.maxX < px || v.minX > px {
			continue
		}
		if v.contains(px, py) {
			return t
		}
	}
	return -1
}

// contains is PAW's pointInTriangle: the point is on the same side of each
// edge as the opposite vertex, a zero product counting as both.
func (v *triangle) contains(px, py float32) bool {
	for k := range 3 {
		if !(float32(v.side(k, px, py)*v.opposite[k]) >= 0) {
			return false
		}
	}
	return true
}
