package detect

import (
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/weights"
)

func newTestDetector(t testing.TB, threads int) *Detector {
	t.Helper()
	d, err := NewDetector(testvideo.Runtime(t), testenv.ModelPath(t, weights.DetectorFile),
		onnx.SessionOptions{IntraOpThreads: threads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}
