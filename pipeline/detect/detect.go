// Package detect finds faces in a frame with RetinaFace MobileNet-0.25 (spec §1
// and erratum 1). It letterboxes the frame into the network's fixed 640×640
// input, decodes the anchor regressions and keeps the non-overlapping faces.
package detect

import (
	"fmt"
	"slices"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
)

// Box is an axis-aligned box in frame pixels: X1, Y1 are its left and top
// edges and X2, Y2 its right and bottom edges.
type Box struct {
	X1, Y1, X2, Y2 float64
}

// Face is one detected face.
type Face struct {
	Box   Box
	Score float64 // the network's face probability, in (0.5, 1]
	// Points are the five landmarks RetinaFace also regresses, as (x, y) in
	// frame pixels: the two eyes, the nose tip and the two mouth corners.
	Points [5][2]float64
}

// The network's tensors (erratum 1).
var (
	inputSpec   = onnx.TensorSpec{Name: "input0", Shape: []int64{1, 3, InputSize, InputSize}}
	outputSpecs = []onnx.TensorSpec{
		{Name: "output0", Shape: []int64{1, numPriors, 4}},  // box regressions
		{Name: "output1", Shape: []int64{1, numPriors, 2}},  // softmaxed background/face
		{Name: "output2", Shape: []int64{1, numPriors, 10}}, // five-point regressions
	}
)

// Detector is a warm RetinaFace session with the buffers it reuses from frame
// to frame. It is not safe for concurrent use.
type Detector struct {
	session *onnx.Session
	priors  []prior
	fit     letterbox
	faces   []Face
}

// NewDetector loads the RetinaFace model at modelPath.
func NewDetector(rt *onnx.Runtime, modelPath string, opt onnx.SessionOptions) (*Detector, error) {
	if err := checkModel(modelPath); err != nil {
		return nil, err
	}
	s, err := rt.NewSession(modelPath, []onnx.TensorSpec{inputSpec}, outputSpecs, opt)
	if err != nil {
		return nil, err
	}
	return &Detector{session: s, priors: inputPriors()}, nil
}

// checkModel fails early, with a plain reason, when the file is not the
// fixed-size RetinaFace export the decoding below is written for.
func checkModel(path string) error {
	in, out, err := onnx.ModelInfo(path)
	if err != nil {
		return err
	}
	if len(in) != 1 || in[0].Name != inputSpec.Name || !slices.Equal(in[0].Shape, inputSpec.Shape) ||
		len(out) != len(outputSpecs) {
		return fmt.Errorf("load %s: not the RetinaFace model expected (input %s %v and three outputs)",
			path, inputSpec.Name, inputSpec.Shape)
	}
	for i, o := range out {
		if o.Name != outputSpecs[i].Name || !slices.Equal(o.Shape, outputSpecs[i].Shape) {
			return fmt.Errorf("load %s: output %s %v, want %s %v", path, o.Name, o.Shape,
				outputSpecs[i].Name, outputSpecs[i].Shape)
		}
	}
	return nil
}

// Close releases the session.
func (d *Detector) Close() {
	d.session.Close()
}

// Detect returns the faces in img, most confident first: it letterboxes the
// frame into the input (spec §1.1, erratum 1), runs the network, decodes the
// anchors (§1.3, §1.4) and keeps the confident, non-overlapping faces
// (§1.5). The slice is owned by the Detector and is valid only until the
// next call to Detect.
func (d *Detector) Detect(img *bgr.Image) ([]Face, error) {
	if img.W <= 0 || img.H <= 0 || len(img.Pix) != img.W*img.H*3 {
		return nil, fmt.Errorf("detect faces: the image is %d×%d with %d bytes, not a BGR image", img.W, img.H, len(img.Pix))
	}
	input := d.session.Input(0)
	if d.fit.adapt(img.W, img.H) {
		clear(input) // the padding stays zero as long as the frame size does not change
	}
	d.fit.resize(img, input)
	if err := d.session.Run(); err != nil {
		return nil, fmt.Errorf("detect faces: %w", err)
	}
	d.faces = decodeFaces(d.faces[:0], d.priors, d.session.Output(0), d.session.Output(1), d.session.Output(2))
	toFramePixels(d.faces, d.fit.scale)
	d.faces = suppressOverlaps(d.faces)
	return d.faces, nil
}
