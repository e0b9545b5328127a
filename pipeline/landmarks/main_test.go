package landmarks

import (
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/detect"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/weights"
)

func newTestLocator(t testing.TB, threads int) *Locator {
	t.Helper()
	l, err := NewLocator(testvideo.Runtime(t), testenv.ModelPath(t, weights.LocatorFile),
		onnx.SessionOptions{IntraOpThreads: threads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func newTestDetector(t testing.TB) *detect.Detector {
	t.Helper()
	d, err := detect.NewDetector(testvideo.Runtime(t), testenv.ModelPath(t, weights.DetectorFile), onnx.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// firstFace returns the most confident face the detector finds in img.
func firstFace(t testing.TB, d *detect.Detector, img *bgr.Image) (detect.Box, bool) {
	t.Helper()
	faces, err := d.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) == 0 {
		return detect.Box{}, false
	}
	return faces[0].Box, true
}
