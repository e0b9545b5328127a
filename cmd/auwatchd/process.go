package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	htmlreport "github.com/auwatchd/auwatchd/internal/report"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/slurm"
	"github.com/auwatchd/auwatchd/weights"
)

// everyFrameUsage describes the --every-frame flag of process and bench.
const everyFrameUsage = "run PFLD on every frame, so that each frame's landmarks depend on that frame alone: about a quarter more processor time, AUs that agree with OpenFace as well (by default CLNF follows the face on every other frame)"

func runProcess(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("process", "VIDEO...", stderr)
	var setup setupFlags
	setup.register(fs)
	outDir := fs.String("o", "", "write the CSVs into this folder instead of beside each video")
	everyFrame := fs.Bool("every-frame", false, everyFrameUsage)
	landmarksFrom := fs.String("landmarks-from", "", "take each frame's landmarks (and PDM parameters and eye landmarks, when it has them) from this OpenFace CSV instead of detecting them")
	trackParams := fs.Bool("au-from-track-params", false, "with --landmarks-from: compute AU features from the CSV's p_* parameters instead of fitting them to the landmarks as OpenFace's AU stage does")
	noReport := fs.Bool("no-report", false, "write no HTML report beside each CSV")
	noThumbs := fs.Bool("no-thumbnails", false, "leave the face thumbnails out of the reports")
	jobs := fs.Int("j", 1, "measure up to `N` videos at once, each on its share of the cores")
	manifest := fs.String("manifest", "", "measure the video of one task of a Slurm job's manifest (see --index) and leave the task's record in its job folder")
	index := fs.Int("index", -1, "with --manifest: the task's index, $SLURM_ARRAY_TASK_ID")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *jobs < 1 {
		return fmt.Errorf("-j %d: measure at least one video at a time", *jobs)
	}
	videos := fs.Args()
	var task *slurm.Task
	if *manifest != "" {
		if len(videos) > 0 || *landmarksFrom != "" || *outDir != "" {
			return errors.New("--manifest takes no video, -o or --landmarks-from: the manifest names the video, and its CSV goes beside it")
		}
		t, err := slurm.OpenTask(*manifest, *index)
		if err != nil {
			return err
		}
		task, videos = &t, []string{t.Video}
	}
	if len(videos) == 0 {
		fs.Usage()
		return errors.New("no video given")
	}
	if *landmarksFrom != "" && len(videos) != 1 {
		return errors.New("--landmarks-from takes exactly one video")
	}
	if *outDir != "" {
		if info, err := os.Stat(*outDir); err != nil || !info.IsDir() {
			return fmt.Errorf("output folder %s does not exist", *outDir)
		}
	}
	modelDir, err := weights.LocateModels(setup.models)
	if err != nil {
		return err
	}
	workers := min(*jobs, len(videos))
	cfg := pipeline.Config{ModelDir: modelDir, Workers: workers}
	if *landmarksFrom == "" {
		rt, err := startRuntime(setup, stderr)
		if err != nil {
			return err
		}
		defer rt.Close()
		cfg.Runtime = rt
	}
	engine, err := pipeline.NewEngine(cfg)
	if err != nil {
		return err
	}
	defer engine.Close()

	// The user named the videos: their CSVs replace earlier ones.
	opt := pipeline.Options{AUFromTrackParams: *trackParams, EveryFrame: *everyFrame, Replace: atomicfile.ReplaceAny}
	if *landmarksFrom != "" {
		if opt.Track, err = csvout.ReadTrack(*landmarksFrom); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var reports *reportOptions
	if !*noReport {
		reports = &reportOptions{thumbnails: !*noThumbs, mode: pipeline.ModeName(opt.EveryFrame)}
	}
	if task != nil {
		return runTask(ctx, engine, *task, opt, reports, stdout, stderr)
	}
	failed := processVideos(ctx, engine, videos, *outDir, opt, reports, workers, stdout, stderr)
	if failed > 0 {
		fmt.Fprintf(stderr, "%d of %d videos failed\n", failed, len(videos))
		return errSilent
	}
	return nil
}

// processVideos measures the videos, up to workers at once, and returns how
// many failed. Once ctx is cancelled it starts no further video. One video
// at a time draws a progress bar on a terminal; several print plain lines.
func processVideos(ctx context.Context, engine *pipeline.Engine, videos []string, outDir string, opt pipeline.Options, reports *reportOptions, workers int, stdout, stderr io.Writer) int {
	newProgress := newProgressBar
	if workers > 1 {
		var mu sync.Mutex
		stdout, stderr = lineWriter{&mu, stdout}, lineWriter{&mu, stderr}
		newProgress = newProgressLines
	}
	slots := make(chan struct{}, workers)
	var failed atomic.Int64
	var wg sync.WaitGroup
	for _, v := range videos {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if _, err := processVideo(ctx, engine, v, pipeline.OutputPath(v, outDir), opt, reports, newProgress(stderr, v), stdout, stderr); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	return int(failed.Load())
}

// reportOptions say how process writes the report beside each CSV.
type reportOptions struct {
	thumbnails bool
	mode       string
}

// processVideo measures one video, writes its report unless reports is nil,
// and prints its summary line or its error.
func processVideo(ctx context.Context, engine *pipeline.Engine, v, out string, opt pipeline.Options, reports *reportOptions, bar *progressBar, stdout, stderr io.Writer) (pipeline.Summary, error) {
	sum, err := engine.Process(ctx, v, out, opt, bar.update)
	bar.done()
	if err != nil {
		fmt.Fprintf(stderr, "✗ %v\n", err)
		return sum, err
	}
	eyes := ""
	if opt.Track != nil {
		eyes = "; " + sum.Eyes.String()
	}
	fmt.Fprintf(stdout, "✓ %s → %s: %d frames, %d with a face, %.1f frames/s, %.1f s%s\n",
		v, out, sum.Frames, sum.Successful, sum.FPS(), sum.Wall.Seconds(), eyes)
	if reports == nil {
		return sum, nil
	}
	html := pipeline.ReportPath(out)
	ro := htmlreport.Options{Video: v, Thumbnails: reports.thumbnails, Mode: reports.mode, Took: sum.Wall, Version: versionString(), Date: time.Now()}
	if err := htmlreport.Write(out, html, ro, opt.Replace); err != nil {
		fmt.Fprintf(stderr, "✗ %v\n", err)
		return sum, err
	}
	fmt.Fprintf(stdout, "  report: %s\n", html)
	return sum, nil
}

// runTask measures the video of one Slurm array task, writing its CSV
// beside it, and leaves the task's record, with the process's processor
// time and peak memory, in the job folder.
func runTask(ctx context.Context, engine *pipeline.Engine, task slurm.Task, opt pipeline.Options, reports *reportOptions, stdout, stderr io.Writer) error {
	out := pipeline.OutputPath(task.Video, "")
	sum, err := processVideo(ctx, engine, task.Video, out, opt, reports, newProgressLines(stderr, task.Video), stdout, stderr)
	rec := slurm.Record{EveryFrame: opt.EveryFrame, ProcessorSeconds: processorTime().Seconds(), PeakRSSMB: peakRSSMB()}
	if err != nil {
		rec.Error = err.Error()
	} else {
		rec.CSV, rec.Frames, rec.Successful, rec.WallSeconds = out, sum.Frames, sum.Successful, sum.Wall.Seconds()
	}
	if serr := task.Save(rec); serr != nil {
		fmt.Fprintf(stderr, "✗ %v\n", serr)
		return errSilent
	}
	if err != nil {
		return errSilent
	}
	return nil
}

// lineWriter serialises the writes of several videos' goroutines, each a
// whole line, so that lines never interleave.
type lineWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// startRuntime finds and starts ONNX Runtime and says, once, which execution
// provider the networks use.
func startRuntime(setup setupFlags, log io.Writer) (*onnx.Runtime, error) {
	coreML, err := setup.coreML()
	if err != nil {
		return nil, err
	}
	path, err := onnx.Locate(setup.onnxruntime)
	if err != nil {
		return nil, err
	}
	rt, err := onnx.Start(path)
	if err != nil {
		return nil, err
	}
	rt.CoreML = coreML
	if rt.Fallback != "" {
		fmt.Fprintf(log, "ONNX Runtime %s on %s (%s)\n", rt.Version, rt.Provider, rt.Fallback)
	} else {
		fmt.Fprintf(log, "ONNX Runtime %s on %s\n", rt.Version, rt.Provider)
	}
	return rt, nil
}
