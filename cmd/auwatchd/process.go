package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/weights"
)

func runProcess(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("process", "VIDEO...", stderr)
	var setup setupFlags
	setup.register(fs)
	outDir := fs.String("o", "", "write the CSVs into this folder instead of beside each video")
	fast := fs.Bool("fast", false, "run PFLD on every other frame only, OpenFace's CLNF following the face in between: faster, AUs agree a little less with OpenFace")
	landmarksFrom := fs.String("landmarks-from", "", "take each frame's landmarks (and PDM parameters) from this OpenFace CSV instead of detecting them")
	trackParams := fs.Bool("au-from-track-params", false, "with --landmarks-from: compute AU features from the CSV's p_* parameters instead of fitting them to the landmarks as OpenFace's AU stage does")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	videos := fs.Args()
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
	cfg := pipeline.Config{ModelDir: modelDir}
	if *landmarksFrom == "" {
		rt, err := startRuntime(setup.onnxruntime, stderr)
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
	opt := pipeline.Options{AUFromTrackParams: *trackParams, Fast: *fast, Replace: atomicfile.ReplaceAny}
	if *landmarksFrom != "" {
		if opt.Track, err = csvout.ReadTrack(*landmarksFrom); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := 0
	for _, v := range videos {
		out := pipeline.OutputPath(v, *outDir)
		bar := newProgressBar(stderr, v)
		sum, err := engine.Process(ctx, v, out, opt, bar.update)
		bar.done()
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "✗ %v\n", err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		fmt.Fprintf(stdout, "✓ %s → %s: %d frames, %d with a face, %.1f frames/s, %.1f s\n",
			v, out, sum.Frames, sum.Successful, sum.FPS(), sum.Wall.Seconds())
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "%d of %d videos failed\n", failed, len(videos))
		return errSilent
	}
	return nil
}

// startRuntime finds and starts ONNX Runtime and says, once, which execution
// provider the networks use.
func startRuntime(explicit string, log io.Writer) (*onnx.Runtime, error) {
	path, err := onnx.Locate(explicit)
	if err != nil {
		return nil, err
	}
	rt, err := onnx.Start(path)
	if err != nil {
		return nil, err
	}
	if rt.Fallback != "" {
		fmt.Fprintf(log, "ONNX Runtime %s on %s (%s)\n", rt.Version, rt.Provider, rt.Fallback)
	} else {
		fmt.Fprintf(log, "ONNX Runtime %s on %s\n", rt.Version, rt.Provider)
	}
	return rt, nil
}
