package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline"
)

// TestBenchJSON runs the real binary's bench on a sample video and checks
// that each figure the JSON promises is there and plausible.
func TestBenchJSON(t *testing.T) {
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	args := append([]string{"bench", "--json"}, setupArgs(t)...)
	code, out, errOut := runBinary(t, nil, append(args, video)...)
	if code != 0 {
		t.Fatalf("bench failed (%d): %s%s", code, out, errOut)
	}
	var r benchResult
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&r); err != nil {
		t.Fatalf("bench printed %q: %v", out, err)
	}
	if r.Video != "changeLighting.wmv" || r.Frames != 88 || r.Successful != 88 {
		t.Errorf("video %q, %d frames, %d with a face; want changeLighting.wmv, 88, 88", r.Video, r.Frames, r.Successful)
	}
	if r.DetectorFrames < 1 || r.DetectorFrames > r.Frames {
		t.Errorf("detector on %d of %d frames", r.DetectorFrames, r.Frames)
	}
	positive := map[string]float64{
		"fps": r.FPS, "decode_fps": r.DecodeFPS, "peak_rss_mb": r.PeakRSSMB, "first_frame_ms": r.FirstFrameMS,
		"cpu_ms_per_frame": r.CPUMSPerFrame, "cores_busy": r.CoresBusy, "steady_cpu_ms_per_frame": r.SteadyCPUMSPerFrame,
	}
	for _, s := range pipeline.Stages() {
		v, ok := r.StagesMS[s.String()]
		if !ok {
			t.Errorf("stages_ms lacks %s", s)
		}
		positive["stages_ms."+s.String()] = v
	}
	for name, v := range positive {
		if !(v > 0) {
			t.Errorf("%s is %v, want a positive figure", name, v)
		}
	}
	if r.OpenFaceCPUMSPerFrame != 0 {
		t.Errorf("an OpenFace figure %v for a video it was not measured on", r.OpenFaceCPUMSPerFrame)
	}
	if got := r.FPS / r.DecodeFPS; r.Ratio != got {
		t.Errorf("pipeline_over_decode %v, want fps/decode_fps = %v", r.Ratio, got)
	}
}
