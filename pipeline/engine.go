// Package pipeline turns a video into OpenFace 2.2-compatible per-frame rows
// of head pose, landmarks, PDM parameters and Action Units. Its Engine loads
// every model once and is kept warm across videos; the stage packages below
// it (video, pdm, align, hog, au, csvout) each do one step of the spec.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/auwatchd/auwatchd/pipeline/align"
	"github.com/auwatchd/auwatchd/pipeline/au"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
	"github.com/auwatchd/auwatchd/pipeline/video"
)

// Files under the models folder that the AU stages read.
const (
	pdmFile           = "openface/AU_predictors/In-the-wild_aligned_PDM_68.txt"
	triangulationFile = "openface/AU_predictors/tris_68_full.txt"
	auListFile        = "openface/AU_predictors/AU_all_best.txt"
)

// Config says where the engine finds its model files.
type Config struct {
	ModelDir string
}

// Engine holds the loaded models. Process may be called for video after
// video; calls are serialised, since the per-video state is reused.
type Engine struct {
	mu     sync.Mutex
	pdm    *pdm.Model
	aus    *au.Models
	frame  *frameStages
	config Config
}

// NewEngine loads every model file once.
func NewEngine(cfg Config) (*Engine, error) {
	m, err := pdm.Load(filepath.Join(cfg.ModelDir, pdmFile))
	if err != nil {
		return nil, err
	}
	tris, err := align.LoadTriangulation(filepath.Join(cfg.ModelDir, triangulationFile))
	if err != nil {
		return nil, err
	}
	aus, err := au.LoadModels(filepath.Join(cfg.ModelDir, auListFile))
	if err != nil {
		return nil, err
	}
	stages, err := newFrameStages(m, tris, aus)
	if err != nil {
		return nil, err
	}
	return &Engine{pdm: m, aus: aus, frame: stages, config: cfg}, nil
}

// Close releases the engine's resources.
func (e *Engine) Close() error { return nil }

// AUModels describes the loaded AU models, for logging at start-up.
func (e *Engine) AUModels() *au.Models { return e.aus }

// Options change how one video is processed.
type Options struct {
	// Track, when set, supplies each frame's landmarks (and success) instead
	// of detection; it must have one row per video frame.
	Track *csvout.Track
	// AUFromTrackParams computes the AU features from the track's PDM
	// parameters, when it has them, instead of fitting them to the landmarks
	// with CalcParams as OpenFace's AU stage does.
	AUFromTrackParams bool
}

// Progress reports how far a video has got.
type Progress struct {
	Frame int // frames done
	Total int // frames in the video as its container says; 0 when unknown
}

// Summary describes a processed video.
type Summary struct {
	Video      string
	Output     string
	Frames     int
	Successful int
	Wall       time.Duration
}

// FPS returns the frames processed per second of wall time.
func (s Summary) FPS() float64 {
	if s.Wall <= 0 {
		return 0
	}
	return float64(s.Frames) / s.Wall.Seconds()
}

// ErrNoFrames is returned for a video in which no frame could be decoded.
var ErrNoFrames = errors.New("the video has no frames")

// Process reads videoPath, measures every frame and writes the CSV to
// outPath (through a temporary file, so a failure leaves nothing behind).
func (e *Engine) Process(ctx context.Context, videoPath, outPath string, opt Options, progress func(Progress)) (Summary, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := time.Now()
	sum := Summary{Video: videoPath, Output: outPath}
	if opt.Track == nil {
		return sum, fmt.Errorf("process %s: face detection is not available yet; give a landmarks track", videoPath)
	}
	info, err := os.Stat(videoPath)
	if err != nil {
		return sum, fmt.Errorf("process %s: %w", videoPath, err)
	}
	rd, err := video.Open(videoPath)
	if err != nil {
		return sum, err
	}
	defer rd.Close()
	w, err := csvout.Create(outPath, e.aus.IntensityNames(), e.aus.OccurrenceNames())
	if err != nil {
		return sum, err
	}
	defer w.Abort()

	st := e.frame
	st.reset(pdm.DefaultIntrinsics(rd.Info.Width, rd.Info.Height))
	var img bgr.Image
	for {
		if err := ctx.Err(); err != nil {
			return sum, fmt.Errorf("process %s: %w", videoPath, err)
		}
		ts, ok, err := rd.Next(&img)
		if err != nil {
			return sum, err
		}
		if !ok {
			break
		}
		if sum.Frames >= len(opt.Track.Frames) {
			return sum, fmt.Errorf("process %s: the video has more frames than the %d of the landmarks track", videoPath, len(opt.Track.Frames))
		}
		tf := &opt.Track.Frames[sum.Frames]
		row, err := st.measure(&img, tf, opt.Track.HasParams, opt.AUFromTrackParams)
		if err != nil {
			return sum, fmt.Errorf("process %s: frame %d: %w", videoPath, sum.Frames+1, err)
		}
		sum.Frames++
		row.Number, row.Timestamp = sum.Frames, ts
		if row.Success {
			sum.Successful++
		}
		if err := w.Add(row); err != nil {
			return sum, err
		}
		if progress != nil {
			progress(Progress{Frame: sum.Frames, Total: rd.Info.Frames})
		}
	}
	if sum.Frames == 0 {
		return sum, fmt.Errorf("process %s: %w", videoPath, ErrNoFrames)
	}
	if sum.Frames != len(opt.Track.Frames) {
		return sum, fmt.Errorf("process %s: the video has %d frames but the landmarks track %d", videoPath, sum.Frames, len(opt.Track.Frames))
	}
	res := st.analyser.Finish()
	if err := w.Finish(res.Intensity, res.Occurrence, info.Mode().Perm()&0o666); err != nil {
		return sum, err
	}
	sum.Wall = time.Since(start)
	return sum, nil
}
