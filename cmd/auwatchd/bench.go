package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/weights"
)

// benchResult is one video's line of `auwatchd bench --json`.
type benchResult struct {
	Video          string             `json:"video"`
	Frames         int                `json:"frames"`
	Successful     int                `json:"successful_frames"`
	WallSeconds    float64            `json:"wall_s"`
	FPS            float64            `json:"fps"`
	DecodeFPS      float64            `json:"decode_fps"`
	Ratio          float64            `json:"pipeline_over_decode"`
	FirstFrameMS   float64            `json:"first_frame_ms"`
	PeakRSSMB      float64            `json:"peak_rss_mb"`
	DetectorFrames int                `json:"detector_frames"`
	StagesMS       map[string]float64 `json:"stages_ms"` // mean per frame
	// CPUMSPerFrame is the processor time of all threads per frame, and
	// CoresBusy that time over the wall time: together they say whether
	// the pipeline waits or computes.
	CPUMSPerFrame float64 `json:"cpu_ms_per_frame"`
	CoresBusy     float64 `json:"cores_busy"`
	// SteadyCPUMSPerFrame leaves out the first frame's processor time (the
	// decoder's and the networks' start): the figure compared with
	// OpenFace's, whose own figure on this video, where one was measured,
	// is OpenFaceCPUMSPerFrame.
	SteadyCPUMSPerFrame   float64 `json:"steady_cpu_ms_per_frame"`
	OpenFaceCPUMSPerFrame float64 `json:"openface_cpu_ms_per_frame,omitzero"`
}

// openFaceCPUMSPerFrame is OpenFace 2.2's (C++, CLNF) steady-state processor
// time per frame on sample videos, measured on the 2-core x86-64 machine the
// project's figures come from: (user+sys of a run − that of a one-frame run)
// / (frames − 1), median of three.
var openFaceCPUMSPerFrame = map[string]float64{
	"2015-10-15-15-14.avi":   21.6,
	"subj01_timepoint01.mp4": 34.8,
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "VIDEO...", stderr)
	var setup setupFlags
	setup.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per video")
	threads := fs.Int("threads", 0, "threads per network (0: half the cores for PFLD, one on two, and every core for the detector)")
	everyFrame := fs.Bool("every-frame", false, everyFrameUsage)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the pipeline runs to `FILE` (for go tool pprof)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no video given")
	}
	modelDir, err := weights.LocateModels(setup.models)
	if err != nil {
		return err
	}
	rt, err := startRuntime(setup, io.Discard)
	if err != nil {
		return err
	}
	defer rt.Close()
	engine, err := pipeline.NewEngine(pipeline.Config{ModelDir: modelDir, Runtime: rt, Threads: *threads})
	if err != nil {
		return err
	}
	defer engine.Close()
	out, err := os.MkdirTemp("", "auwatchd-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)

	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	ctx := context.Background()
	if !*asJSON {
		fmt.Fprintf(stdout, "ONNX Runtime %s on %s\n", rt.Version, rt.Provider)
	}
	for _, v := range fs.Args() {
		r, err := benchVideo(ctx, engine, v, out, pipeline.Options{EveryFrame: *everyFrame, Replace: atomicfile.ReplaceAny})
		if err != nil {
			return err
		}
		if *asJSON {
			json.NewEncoder(stdout).Encode(r)
		} else {
			printBench(stdout, r)
		}
	}
	return nil
}

func benchVideo(ctx context.Context, engine *pipeline.Engine, video, outDir string, opt pipeline.Options) (benchResult, error) {
	cpuBefore := processorTime()
	var cpuAtFirst time.Duration
	firstFrame := func(p pipeline.Progress) {
		if p.Frame == 1 {
			cpuAtFirst = processorTime()
		}
	}
	sum, err := engine.Process(ctx, video, pipeline.OutputPath(video, outDir), opt, firstFrame)
	if err != nil {
		return benchResult{}, err
	}
	cpuEnd := processorTime()
	cpu := cpuEnd - cpuBefore
	frames, decodeWall, err := pipeline.DecodeOnly(ctx, video)
	if err != nil {
		return benchResult{}, err
	}
	r := benchResult{
		Video: filepath.Base(video), Frames: sum.Frames, Successful: sum.Successful,
		WallSeconds: sum.Wall.Seconds(), FPS: sum.FPS(), DecodeFPS: float64(frames) / decodeWall.Seconds(),
		FirstFrameMS: ms(sum.FirstFrame), PeakRSSMB: peakRSSMB(), DetectorFrames: sum.DetectorFrames,
		StagesMS: map[string]float64{},
	}
	r.Ratio = r.FPS / r.DecodeFPS
	r.CPUMSPerFrame = ms(cpu) / float64(max(1, sum.Frames))
	r.SteadyCPUMSPerFrame = ms(cpuEnd-cpuAtFirst) / float64(max(1, sum.Frames-1))
	r.OpenFaceCPUMSPerFrame = openFaceCPUMSPerFrame[r.Video]
	if sum.Wall > 0 {
		r.CoresBusy = cpu.Seconds() / sum.Wall.Seconds()
	}
	for _, s := range pipeline.Stages() {
		r.StagesMS[s.String()] = ms(sum.Timings[s]) / float64(max(1, sum.Frames))
	}
	return r, nil
}

// startCPUProfile starts writing a CPU profile to path; the returned
// function stops it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func printBench(w io.Writer, r benchResult) {
	fmt.Fprintf(w, "%s: %d frames (%d with a face) in %.2f s = %.1f frames/s; decode alone %.1f frames/s (pipeline/decode %.2f)\n",
		r.Video, r.Frames, r.Successful, r.WallSeconds, r.FPS, r.DecodeFPS, r.Ratio)
	var parts []string
	for _, s := range pipeline.Stages() {
		parts = append(parts, fmt.Sprintf("%s %.2f", s, r.StagesMS[s.String()]))
	}
	fmt.Fprintf(w, "  ms per frame: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "  processor time %.2f ms per frame on %.2f cores busy; steady state %.2f ms per frame",
		r.CPUMSPerFrame, r.CoresBusy, r.SteadyCPUMSPerFrame)
	if of := r.OpenFaceCPUMSPerFrame; of > 0 {
		fmt.Fprintf(w, " = %.2f of OpenFace 2.2's %.1f ms", r.SteadyCPUMSPerFrame/of, of)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  detector on %d frames; first frame after %.0f ms; peak RSS %.0f MB\n", r.DetectorFrames, r.FirstFrameMS, r.PeakRSSMB)
}
