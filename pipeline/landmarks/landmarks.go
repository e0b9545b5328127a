// Package landmarks places OpenFace's 68 iBUG landmarks on a face with PFLD
// (spec §2, errata 2 and 7). It crops a square around the face box, runs the
// crop and its mirror image side by side, and averages the two results.
package landmarks

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/detect"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/pipeline/resample"
)

const (
	// NumPoints is the number of landmarks.
	NumPoints = 68
	// Len is the length of a landmark vector [x0..x67, y0..y67].
	Len = 2 * NumPoints
	// InputSize is the side of the square crop the network sees.
	InputSize = 112
)

// The network's tensors (erratum 2) for one image. The crop and its mirror
// image run as two such batches of one at the same time, each on its own
// thread, rather than as one batch of two on one thread: the same work,
// finished in about half the time when the other core is free.
var (
	inputSpec  = onnx.TensorSpec{Name: "input", Shape: []int64{1, 3, InputSize, InputSize}}
	outputSpec = onnx.TensorSpec{Name: "output", Shape: []int64{1, Len}}
)

// Locator is a warm PFLD network, twice: one for the crop and one for its
// mirror image, which a goroutine of its own runs. It keeps the buffers it
// reuses from face to face and is not safe for concurrent use.
type Locator struct {
	direct, mirror *onnx.Session
	mirrorRun      chan struct{} // a send runs the mirror session
	mirrorDone     chan error    // and its result comes back here
	stopped        chan struct{} // closed when the mirror's goroutine returns
	xTaps, yTaps   [InputSize]resample.Tap
	columns        [InputSize][2]int // byte offsets of each output column's two frame columns
}

// NewLocator loads the PFLD model at modelPath.
func NewLocator(rt *onnx.Runtime, modelPath string, opt onnx.SessionOptions) (*Locator, error) {
	if err := checkModel(modelPath); err != nil {
		return nil, err
	}
	direct, err := rt.NewSession(modelPath, []onnx.TensorSpec{inputSpec}, []onnx.TensorSpec{outputSpec}, opt)
	if err != nil {
		return nil, err
	}
	mirror, err := rt.NewSession(modelPath, []onnx.TensorSpec{inputSpec}, []onnx.TensorSpec{outputSpec}, opt)
	if err != nil {
		direct.Close()
		return nil, err
	}
	l := &Locator{direct: direct, mirror: mirror,
		mirrorRun: make(chan struct{}), mirrorDone: make(chan error), stopped: make(chan struct{})}
	go l.runMirror()
	return l, nil
}

// runMirror runs the mirror session whenever Locate asks, until Close.
func (l *Locator) runMirror() {
	defer close(l.stopped)
	for range l.mirrorRun {
		l.mirrorDone <- l.mirror.Run()
	}
}

// checkModel fails early, with a plain reason, when the file is not a
// 112×112 68-point PFLD that takes one image at a time.
func checkModel(path string) error {
	in, out, err := onnx.ModelInfo(path)
	if err != nil {
		return err
	}
	if len(in) != 1 || len(out) != 1 || in[0].Name != inputSpec.Name || out[0].Name != outputSpec.Name ||
		!batchOfOne(in[0].Shape, inputSpec.Shape) || !batchOfOne(out[0].Shape, outputSpec.Shape) {
		return fmt.Errorf("load %s: not the PFLD model expected (input %s [N 3 %d %d], output %s [N %d])",
			path, inputSpec.Name, InputSize, InputSize, outputSpec.Name, Len)
	}
	return nil
}

// batchOfOne reports whether a tensor of the model's shape can take want,
// whose first dimension is the batch of one.
func batchOfOne(model, want []int64) bool {
	return len(model) == len(want) && (model[0] == -1 || model[0] == want[0]) && slices.Equal(model[1:], want[1:])
}

// Close stops the mirror's goroutine and releases the sessions.
func (l *Locator) Close() {
	close(l.mirrorRun)
	<-l.stopped
	l.direct.Close()
	l.mirror.Close()
}

// Locate writes the 68 landmarks of the face in box into out, in frame
// pixels and planar order [x0..x67, y0..y67]. It crops a square around the
// box (spec §2.1), runs the crop and its mirror image side by side (§2.2)
// and maps the average of the two results back to the frame (§2.3,
// erratum 7). The box may come from the detector or from BoxFromLandmarks.
func (l *Locator) Locate(img *bgr.Image, box detect.Box, out []float64) error {
	if len(out) != Len {
		return fmt.Errorf("locate landmarks: the output holds %d values, want %d", len(out), Len)
	}
	if img.W <= 0 || img.H <= 0 || len(img.Pix) != img.W*img.H*3 {
		return fmt.Errorf("locate landmarks: the image is %d×%d with %d bytes, not a BGR image", img.W, img.H, len(img.Pix))
	}
	c, err := squareCrop(box)
	if err != nil {
		return err
	}
	if c.x1 >= img.W || c.y1 >= img.H || c.x1+c.size <= 0 || c.y1+c.size <= 0 {
		return fmt.Errorf("locate landmarks: the face box %+v lies outside the %d×%d frame", box, img.W, img.H)
	}
	l.fillInput(img, c)
	l.mirrorRun <- struct{}{}
	directErr := l.direct.Run()
	if err := cmp.Or(directErr, <-l.mirrorDone); err != nil {
		return fmt.Errorf("locate landmarks: %w", err)
	}
	toFrame(l.direct.Output(0), l.mirror.Output(0), c, out)
	return nil
}
