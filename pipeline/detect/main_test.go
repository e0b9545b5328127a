package detect

import (
	"sync"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/pipeline/video"
)

// ONNX Runtime allows one environment per process, so the test binary starts
// it once and every test shares it.
var (
	runtimeOnce sync.Once
	sharedRT    *onnx.Runtime
	runtimeErr  error
)

func startRuntime(t testing.TB) *onnx.Runtime {
	t.Helper()
	path := testenv.ONNXRuntimePath(t)
	runtimeOnce.Do(func() { sharedRT, runtimeErr = onnx.Start(path) })
	if runtimeErr != nil {
		t.Fatal(runtimeErr)
	}
	return sharedRT
}

func newTestDetector(t testing.TB, threads int) *Detector {
	t.Helper()
	d, err := NewDetector(startRuntime(t), testenv.ModelPath(t, "retinaface_mnet025.onnx"),
		onnx.SessionOptions{IntraOpThreads: threads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// eachFrame calls fn with every decoded frame of a test video, numbered from 1.
func eachFrame(t testing.TB, rel string, fn func(n int, img *bgr.Image)) {
	t.Helper()
	r, err := video.Open(testenv.TestdataPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var img bgr.Image
	for n := 1; ; n++ {
		_, ok, err := r.Next(&img)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
		fn(n, &img)
	}
}

// firstFrame returns the first frame of a test video.
func firstFrame(t testing.TB, rel string) *bgr.Image {
	t.Helper()
	var first *bgr.Image
	eachFrame(t, rel, func(n int, img *bgr.Image) {
		if n == 1 {
			first = &bgr.Image{W: img.W, H: img.H, Pix: append([]uint8(nil), img.Pix...)}
		}
	})
	return first
}
