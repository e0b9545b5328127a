package align

// foreheadLandmarks are raised to take in the forehead: the two upper jaw
// points and the ten brow points (spec §4.4 step 2).
var foreheadLandmarks = [...]int{0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26}

// foreheadRaise is OpenFace's (30/0.7)·sim_scale pixels, in double.
var foreheadRaise = float64(30/float64Of(simScale)) * float64Of(simScale)

func float64Of(v float64) float64 { return v }

// triangle holds a mask triangle's float32 vertices and bounding box, as
// OpenFace's PAW precomputes them.
type triangle struct {
	x, y                   [3]float32
	minX, minY, maxX, maxY float32
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
// landmark mesh, edges included (spec §4.4 steps 3–4). It follows PAW's
// search exactly — the previous pixel's triangle first, then every triangle
// in file order behind a bounding-box test — because a degenerate triangle
// can claim points outside its box only through that first test.
func (a *Aligner) buildMask() {
	for t, tri := range a.tris {
		var v triangle
		for k, idx := range tri {
			v.x[k], v.y[k] = a.points[idx].x, a.points[idx].y
		}
		v.minX, v.maxX = min(v.x[0], v.x[1], v.x[2]), max(v.x[0], v.x[1], v.x[2])
		v.minY, v.maxY = min(v.y[0], v.y[1], v.y[2]), max(v.y[0], v.y[1], v.y[2])
		a.triangles[t] = v
	}
	guess := -1
	for y := range FaceSize {
		py := float32(y)
		for x := range FaceSize {
			guess = a.findTriangle(float32(x), py, guess)
			if guess >= 0 {
				a.mask[y*FaceSize+x] = 1
			} else {
				a.mask[y*FaceSize+x] = 0
			}
		}
	}
}

func (a *Aligner) findTriangle(px, py float32, guess int) int {
	if guess >= 0 && a.triangles[guess].contains(px, py) {
		return guess
	}
	for t := range a.triangles {
		v := &a.triangles[t]
		if v.maxX < px || v.minX > px || v.maxY < py || v.minY > py {
			continue
		}
		if v.contains(px, py) {
			return t
		}
	}
	return -1
}

// contains is PAW's pointInTriangle: the point is on the same side of each
// edge as the opposite vertex, zero counting as both, in float32.
func (v *triangle) contains(px, py float32) bool {
	return sameSide(px, py, v.x[0], v.y[0], v.x[1], v.y[1], v.x[2], v.y[2]) &&
		sameSide(px, py, v.x[1], v.y[1], v.x[0], v.y[0], v.x[2], v.y[2]) &&
		sameSide(px, py, v.x[2], v.y[2], v.x[0], v.y[0], v.x[1], v.y[1])
}

// sameSide reports whether (x0, y0) and (x1, y1) lie on the same side of
// the line through (x2, y2) and (x3, y3).
func sameSide(x0, y0, x1, y1, x2, y2, x3, y3 float32) bool {
	p := float32((x3-x2)*(y0-y2)) - float32((x0-x2)*(y3-y2))
	q := float32((x3-x2)*(y1-y2)) - float32((x1-x2)*(y3-y2))
	return float32(p*q) >= 0
}

// applyMask zeroes every face pixel outside the mask, in all three channels
// (spec §4.4 step 5).
func (a *Aligner) applyMask(face []uint8) {
	for i, inside := range a.mask {
		if inside == 0 {
			face[i*3], face[i*3+1], face[i*3+2] = 0, 0, 0
		}
	}
}
