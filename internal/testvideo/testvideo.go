// Package testvideo gives the tests of the pipeline stages what they share:
// one ONNX Runtime per test binary and the decoded frames of the test videos.
// Like testenv, it fails the test, never skips it, when a file is missing.
package testvideo

import (
	"math"
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
	runtimeOnce   sync.Once
	sharedRuntime *onnx.Runtime
	runtimeErr    error
)

// Runtime returns the test binary's ONNX Runtime, starting it on first use.
func Runtime(t testing.TB) *onnx.Runtime {
	t.Helper()
	path := testenv.ONNXRuntimePath(t)
	runtimeOnce.Do(func() { sharedRuntime, runtimeErr = onnx.Start(path) })
	if runtimeErr != nil {
		t.Fatal(runtimeErr)
	}
	return sharedRuntime
}

// EachFrame calls fn with every decoded frame of the test video at rel,
// relative to the test data folder, numbered from 1. The image is reused
// from frame to frame.
func EachFrame(t testing.TB, rel string, fn func(n int, img *bgr.Image)) {
	t.Helper()
	LeadingFrames(t, rel, math.MaxInt, fn)
}

// LeadingFrames is EachFrame over the first count frames, the only ones it
// decodes.
func LeadingFrames(t testing.TB, rel string, count int, fn func(n int, img *bgr.Image)) {
	t.Helper()
	r, err := video.Open(testenv.TestdataPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var img bgr.Image
	for n := 1; n <= count; n++ {
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

// FirstFrame returns a copy of the first frame of the test video at rel.
func FirstFrame(t testing.TB, rel string) *bgr.Image {
	t.Helper()
	var first *bgr.Image
	LeadingFrames(t, rel, 1, func(n int, img *bgr.Image) {
		first = &bgr.Image{W: img.W, H: img.H, Pix: append([]uint8(nil), img.Pix...)}
	})
	return first
}
