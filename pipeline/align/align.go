// Package align cuts the 112×112 similarity-normalised, masked face that
// OpenFace 2.2 feeds to its AU models out of a video frame (spec §4). It
// fits the similarity on 24 rigid landmarks, warps with OpenCV's fixed-point
// bilinear arithmetic and masks the face with OpenFace's triangle mesh.
package align

import (
	"fmt"
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// FaceSize is the side of the aligned face (sim_size_au).
const FaceSize = 112

// Aligner aligns faces to the scaled PDM mean shape. It keeps the buffers of
// the last call, so it is not safe for concurrent use; use one per worker.
type Aligner struct {
	reference normalisedShape
	tris      [][3]int

	warp         [6]float32
	rigid        [len(rigidPoints)]point
	points       [NumLandmarks]point
	triangles    []triangle
	rowTriangles []int
	rowMinX      float32
	rowMaxX      float32
	mask         [FaceSize * FaceSize]uint8
	colDeltaX    [FaceSize]int32
	colDeltaY    [FaceSize]int32
}

// NewAligner prepares an aligner from the PDM mean shape (204 values: the X,
// Y and Z blocks) and the mask triangulation from LoadTriangulation.
func NewAligner(meanShape []float64, tris [][3]int) (*Aligner, error) {
	if len(meanShape) != 3*NumLandmarks {
		return nil, fmt.Errorf("mean shape has %d values, want %d", len(meanShape), 3*NumLandmarks)
	}
	for i, v := range meanShape {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("mean shape value %d is %g", i, v)
		}
	}
	if len(tris) == 0 {
		return nil, fmt.Errorf("triangulation is empty")
	}
	for t, tri := range tris {
		for _, idx := range tri {
			if idx < 0 || idx >= NumLandmarks {
				return nil, fmt.Errorf("triangle %d names landmark %d, outside 0..%d", t, idx, NumLandmarks-1)
			}
		}
	}
	ref := referenceShape(meanShape)
	var rigidRef [len(rigidPoints)]point
	for k, i := range rigidPoints {
		rigidRef[k] = ref[i]
	}
	return &Aligner{
		reference:    normaliseShape(&rigidRef),
		tris:         append([][3]int(nil), tris...),
		triangles:    make([]triangle, len(tris)),
		rowTriangles: make([]int, 0, len(tris)),
	}, nil
}

// Align writes into out the 112×112 masked face of frame (spec §4.1–4.5).
// landmarks are the 68 detected points, planar [x0..x67, y0..y67]; tx, ty
// are the PDM translation from CalcParams (the CSV's p_tx, p_ty). out is
// resized to 112×112 if needed, reusing its buffer when it is large enough.
// If the landmarks admit no similarity (e.g. all equal or not finite) the
// face is black.
func (a *Aligner) Align(frame *bgr.Image, landmarks []float64, tx, ty float64, out *bgr.Image) {
	if len(landmarks) != 2*NumLandmarks {
		panic(fmt.Sprintf("align: %d landmark values, want %d", len(landmarks), 2*NumLandmarks))
	}
	prepareOutput(out)
	for k, i := range rigidPoints {
		a.rigid[k] = point{float32(landmarks[i]), float32(landmarks[i+NumLandmarks])}
	}
	scaleRot := alignShapesWithScale(&a.rigid, &a.reference)
	a.warp = warpMatrix(scaleRot, float32(tx), float32(ty))
	if !finite(a.warp) || frame.W <= 0 || frame.H <= 0 || len(frame.Pix) < frame.W*frame.H*3 {
		clear(out.Pix)
		clear(a.mask[:])
		return
	}
	a.warpLandmarks(landmarks, a.warp)
	a.buildMask()
	a.warpAffine(frame, a.warp, out, a.mask[:])
}

// Warp returns the 2×3 frame→face matrix of the last Align, row-major
// [a00 a01 b0 a10 a11 b1], with OpenFace's float32 values.
func (a *Aligner) Warp() [6]float64 {
	var m [6]float64
	for i, v := range a.warp {
		m[i] = float64(v)
	}
	return m
}

func prepareOutput(out *bgr.Image) {
	const n = FaceSize * FaceSize * 3
	out.W, out.H = FaceSize, FaceSize
	if cap(out.Pix) < n {
		out.Pix = make([]uint8, n)
	}
	out.Pix = out.Pix[:n]
}

func finite(m [6]float32) bool {
	for _, v := range m {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
