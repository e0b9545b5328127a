// Package pipeline turns a video into OpenFace 2.2-compatible per-frame rows
// of head pose, landmarks, PDM parameters and Action Units. Its Engine loads
// every model once and is kept warm across videos; the stage packages below
// it (video, pdm, align, hog, au, csvout) each do one step of the spec.
package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/pipeline/align"
	"github.com/auwatchd/auwatchd/pipeline/au"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/clnf"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/detect"
	"github.com/auwatchd/auwatchd/pipeline/landmarks"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
	"github.com/auwatchd/auwatchd/weights"
)

// Config says where the engine finds its model files and how it runs them.
type Config struct {
	ModelDir string
	// Runtime runs the face detector and landmark networks. Without it the
	// engine can only measure videos whose landmarks are given (Options.Track).
	Runtime *onnx.Runtime
	// Workers is how many videos Process measures at once; 0 means one.
	// AutoWorkers suggests a number for this machine.
	Workers int
	// Threads is the number of threads each network may use; 0 shares the
	// cores out among the workers and, within each worker's share, gives
	// PFLD half the share, one on two cores, and the detector the whole
	// share. PFLD runs the crop and its mirror image as two networks side
	// by side, and the pipeline's goroutines keep the cores busy besides,
	// so more threads per network only add waking and waiting; ONNX
	// Runtime's own default would give each network a thread per core,
	// pinned to it. Measured on two cores over a 10-minute 640×480 video:
	// one thread 98–105 frames/s for 16.0–17.4 ms of processor time per
	// frame, ONNX Runtime's default 93–103 frames/s for 18.5–19.4 ms
	// (before PFLD's two images ran side by side). The detector runs on one
	// frame in thirty while the frames behind it wait, so it takes every
	// core of the share: the same detections, 1–5 % more frames per second.
	Threads int
}

// AutoWorkers is the number of videos to measure at once on this machine,
// for a Config.Workers of "auto": one per four cores, at least one. One
// video keeps about two cores busy, and the rest of the machine wants some.
func AutoWorkers() int {
	return max(1, runtime.GOMAXPROCS(0)/4)
}

// coresPerWorker is each worker's share of the cores.
func (c Config) coresPerWorker() int {
	return max(1, runtime.GOMAXPROCS(0)/max(1, c.Workers))
}

// Engine holds the loaded models, kept warm from one video to the next, and
// measures up to Config.Workers videos at once. Process may be called from
// several goroutines: each call takes a worker of its own, and calls beyond
// the number of workers wait for one to be free. The workers share the
// models, which are read-only; each has its own per-video state, so a
// video's results do not depend on how many run beside it.
type Engine struct {
	aus     *au.Models
	workers *pool
}

// engine is one of an Engine's workers: the per-video state of the stages
// and the networks that measure one video at a time.
type engine struct {
	aus     *au.Models
	finder  *finder
	stages  *frameStages
	tracker *tracker // nil without a Runtime
	frames  spareFrames
}

// sharedModels are the models every worker reads and none writes.
type sharedModels struct {
	pdm  *pdm.Model
	tris [][3]int
	aus  *au.Models
	clnf *clnf.Model
}

// ErrClosed is returned by Process once Close has been called.
var ErrClosed = errors.New("the engine is closed")

// NewEngine loads every model file once and starts the workers.
func NewEngine(cfg Config) (*Engine, error) {
	shared, err := loadSharedModels(cfg)
	if err != nil {
		return nil, err
	}
	e := &Engine{aus: shared.aus}
	e.workers = newPool(cfg.Workers, func(workers int) (*engine, error) {
		sized := cfg
		sized.Workers = workers
		return newWorker(sized, shared)
	})
	if err := e.workers.fill(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// SetWorkers changes how many videos the engine measures at once, from the
// next video on: workers are made as videos need them and let go once idle.
// Workers made earlier keep their share of the cores.
func (e *Engine) SetWorkers(n int) { e.workers.setLimit(n) }

func loadSharedModels(cfg Config) (*sharedModels, error) {
	m, err := pdm.Load(filepath.Join(cfg.ModelDir, weights.PDMFile))
	if err != nil {
		return nil, err
	}
	tris, err := align.LoadTriangulation(filepath.Join(cfg.ModelDir, weights.TriangulationFile))
	if err != nil {
		return nil, err
	}
	aus, err := au.LoadModels(filepath.Join(cfg.ModelDir, weights.AUListFile))
	if err != nil {
		return nil, err
	}
	// OpenFace's CLNF model moves PFLD's points to where OpenFace's own
	// landmark fitting puts them; its eye models give the eyes' landmarks,
	// given landmarks or not.
	c, err := clnf.Load(filepath.Join(cfg.ModelDir, weights.CLNFFile))
	if err != nil {
		return nil, err
	}
	return &sharedModels{pdm: m, tris: tris, aus: aus, clnf: c}, nil
}

// newWorker makes a worker's per-video state and networks over the shared
// models.
func newWorker(cfg Config, shared *sharedModels) (*engine, error) {
	stages, err := newFrameStages(shared.pdm, shared.tris, shared.aus)
	if err != nil {
		return nil, err
	}
	e := &engine{aus: shared.aus, finder: newFinder(shared.pdm), stages: stages}
	if e.finder.refiner, err = newRefiner(cfg, shared.clnf); err != nil {
		return nil, err
	}
	if cfg.Runtime != nil {
		if e.tracker, err = newTracker(cfg); err != nil {
			e.close()
			return nil, err
		}
	}
	return e, nil
}

// newRefiner makes a CLNF fitter over the shared model. PFLD's points start
// as close as a tracked face's previous fit, so OpenFace's tracking windows
// serve.
func newRefiner(cfg Config, m *clnf.Model) (*clnf.Fitter, error) {
	s := clnf.TrackingSettings()
	s.Workers = cfg.coresPerWorker()
	return clnf.NewFitter(m, s)
}

// newTracker opens the worker's own sessions of the networks. Workers
// sharing one session each (ONNX Runtime's Run is safe to call at once)
// would save some 19 MB per worker, most of it PFLD's, at the same
// processor time per video (six sample videos, four workers, two cores);
// but CoreML, the provider on macOS, runs one call at a time per session,
// which would queue every worker's PFLD, and the crop's and its mirror's,
// behind one another.
func newTracker(cfg Config) (*tracker, error) {
	cores := cfg.coresPerWorker()
	detOpt := onnx.SessionOptions{IntraOpThreads: cmp.Or(cfg.Threads, cores), NoSpinning: true}
	det, err := detect.NewDetector(cfg.Runtime, filepath.Join(cfg.ModelDir, weights.DetectorFile), detOpt)
	if err != nil {
		return nil, err
	}
	locOpt := onnx.SessionOptions{IntraOpThreads: cmp.Or(cfg.Threads, max(1, cores/2)), NoSpinning: true}
	loc, err := landmarks.NewLocator(cfg.Runtime, filepath.Join(cfg.ModelDir, weights.LocatorFile), locOpt)
	if err != nil {
		det.Close()
		return nil, err
	}
	return &tracker{det: det, loc: loc}, nil
}

// Close waits for the videos being measured, then releases the networks.
// Process calls after Close fail with ErrClosed.
func (e *Engine) Close() error {
	e.workers.close()
	return nil
}

// close releases the worker's networks.
func (e *engine) close() {
	if e.finder.refiner != nil {
		e.finder.refiner.Close()
		e.finder.refiner = nil
	}
	if e.tracker != nil {
		e.tracker.det.Close()
		e.tracker.loc.Close()
		e.tracker = nil
	}
}

// Options change how one video is processed.
type Options struct {
	// Track, when set, supplies each frame's landmarks (and success) instead
	// of detection; it must have one row per video frame.
	Track *csvout.Track
	// AUFromTrackParams computes the AU features from the track's PDM
	// parameters, when it has them, instead of fitting them to the landmarks
	// with CalcParams as OpenFace's AU stage does.
	AUFromTrackParams bool
	// EveryFrame runs PFLD on every frame, so each frame's landmarks depend
	// on that frame alone. By default PFLD runs on every other frame and, in
	// the frames between, OpenFace's CLNF fitting follows the face from its
	// fit in the frame before, as OpenFace's own tracker does: about a
	// quarter less processor time per frame, with AUs that agree with
	// OpenFace as well on the sample videos (README). A Track leaves
	// nothing to locate, so EveryFrame does not apply.
	EveryFrame bool
	// Replace decides whether the CSV may replace a file already at the
	// output path; it is asked before the video is read and again right
	// before the CSV is put in place. The zero value never replaces a file:
	// the process fails with an error matching fs.ErrExist.
	// atomicfile.ReplaceAny always replaces; atomicfile.ReplaceIfSHA256
	// replaces only the CSV written there before.
	Replace atomicfile.Replace
}

// Progress reports how far a video has got.
type Progress struct {
	Frame int // frames done
	Total int // frames in the video as its container says; 0 when unknown
}

// Summary describes a processed video.
type Summary struct {
	Video          string
	Output         string
	Frames         int
	Successful     int
	DetectorFrames int // frames on which the face detector ran
	Wall           time.Duration
	// Timings is the time spent in each stage.
	Timings Timings
	// FirstFrame is the time from the call to the first frame measured.
	FirstFrame time.Duration
	// Results holds every frame's AU values and gaze angles as written to
	// the CSV.
	Results Results
	// Eyes says where the eye landmarks behind the gaze columns came from.
	Eyes EyeSource
}

// EyeSource is where a video's eye landmarks came from.
type EyeSource int

const (
	// EyesFitted: OpenFace's eye models fitted to the face the engine found.
	EyesFitted EyeSource = iota
	// EyesFromTrack: the eye landmarks of the given track (OpenFace's own).
	EyesFromTrack
	// EyesFittedToTrack: OpenFace's eye models fitted on the video's frames
	// from the given track's 68 landmarks, which had no eye landmarks.
	EyesFittedToTrack
)

func (s EyeSource) String() string {
	switch s {
	case EyesFromTrack:
		return "eye landmarks from the given CSV"
	case EyesFittedToTrack:
		return "eye landmarks fitted to the given CSV's 68 landmarks"
	default:
		return "eye landmarks fitted to the face found"
	}
}

// Results are a video's per-frame AU values.
type Results struct {
	IntensityNames  []string    // e.g. "AU01", for the _r columns
	OccurrenceNames []string    // for the _c columns
	Timestamps      []float64   // seconds, per frame
	Success         []bool      // per frame
	Intensity       [][]float64 // per frame, in IntensityNames order
	Occurrence      [][]float64 // per frame, in OccurrenceNames order
	// GazeAngles are gaze_angle_x and gaze_angle_y per frame (radians),
	// zeros without a face.
	GazeAngles [][2]float64
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
// outPath (through a temporary file, so a failure leaves nothing behind),
// replacing a file there only as opt.Replace allows. It waits for a free
// worker first, as long as ctx allows.
func (e *Engine) Process(ctx context.Context, videoPath, outPath string, opt Options, progress func(Progress)) (Summary, error) {
	w, err := e.workers.acquire(ctx)
	if err != nil {
		return Summary{Video: videoPath, Output: outPath}, fmt.Errorf("process %s: %w", videoPath, err)
	}
	defer e.workers.release(w)
	return w.process(ctx, videoPath, outPath, opt, progress)
}

// process measures one video with the worker's state.
func (e *engine) process(ctx context.Context, videoPath, outPath string, opt Options, progress func(Progress)) (Summary, error) {
	// A video leaves garbage sized by its frames; returning it to the system
	// after each video keeps a long-running daemon at its workers' peak.
	defer debug.FreeOSMemory()
	start := time.Now()
	sum := Summary{Video: videoPath, Output: outPath}
	if opt.Track == nil && e.tracker == nil {
		return sum, fmt.Errorf("process %s: the engine was started without ONNX Runtime, so it can only use given landmarks", videoPath)
	}
	info, err := os.Stat(videoPath)
	if err != nil {
		return sum, fmt.Errorf("process %s: %w", videoPath, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	frames, vinfo, recycle, err := startDecoder(ctx, videoPath, &e.frames)
	if err != nil {
		return sum, err
	}
	defer recycle()
	w, err := csvout.Create(outPath, e.aus.IntensityNames(), e.aus.OccurrenceNames(), opt.Replace)
	if err != nil {
		return sum, err
	}
	defer w.Abort()

	intr := pdm.DefaultIntrinsics(vinfo.Width, vinfo.Height)
	e.stages.reset(intr)
	e.finder.reset(intr)
	res := Results{IntensityNames: e.aus.IntensityNames(), OccurrenceNames: e.aus.OccurrenceNames()}
	if e.tracker != nil {
		e.tracker.reset(opt.EveryFrame)
	}
	found, finderDone := e.startFinder(ctx, frames, opt)
	defer func() {
		cancel()
		<-finderDone
	}()
	for f := range found {
		if f.err != nil {
			return sum, f.err
		}
		if f.findErr != nil {
			return sum, fmt.Errorf("process %s: frame %d: %w", videoPath, sum.Frames+1, f.findErr)
		}
		e.stages.timings[StageDecode] += f.decoding
		row := e.stages.measure(f.img, &f.face)
		f.release()
		sum.Frames++
		row.Number, row.Timestamp = sum.Frames, f.timestamp
		if row.Success {
			sum.Successful++
		}
		res.Timestamps = append(res.Timestamps, f.timestamp)
		res.Success = append(res.Success, row.Success)
		res.GazeAngles = append(res.GazeAngles, gazeAngles(row))
		if sum.Frames == 1 {
			sum.FirstFrame = time.Since(start)
		}
		sw := e.stages.timings.start(StageWrite)
		err := w.Add(row)
		sw.stop()
		if err != nil {
			return sum, err
		}
		if progress != nil {
			progress(Progress{Frame: sum.Frames, Total: vinfo.Frames})
		}
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("process %s: %w", videoPath, err)
	}
	<-finderDone
	if sum.Frames == 0 {
		return sum, fmt.Errorf("process %s: %w", videoPath, ErrNoFrames)
	}
	if progress != nil {
		// Every frame is measured; the container's frame count may have been off.
		progress(Progress{Frame: sum.Frames, Total: sum.Frames})
	}
	if opt.Track != nil && sum.Frames != len(opt.Track.Frames) {
		return sum, fmt.Errorf("process %s: the video has %d frames but the landmarks track %d", videoPath, sum.Frames, len(opt.Track.Frames))
	}
	sw := e.stages.timings.start(StagePredict)
	final := e.stages.analyser.Finish()
	sw.stop()
	sw = e.stages.timings.start(StageWrite)
	err = w.Finish(final.Intensity, final.Occurrence, info.Mode().Perm()&0o666)
	sw.stop()
	if err != nil {
		return sum, err
	}
	for st := range sum.Timings {
		sum.Timings[st] = e.stages.timings[st] + e.finder.locateTimings[st] + e.finder.refineTimings[st]
	}
	res.Intensity, res.Occurrence = final.Intensity, final.Occurrence
	sum.Results = res
	if e.tracker != nil && opt.Track == nil {
		sum.DetectorFrames = e.tracker.detected
	}
	sum.Eyes = eyeSource(opt.Track)
	sum.Wall = time.Since(start)
	return sum, nil
}

// gazeAngles are a row's gaze angles, zeros on a frame without a face.
func gazeAngles(row *csvout.Frame) [2]float64 {
	if !row.Success {
		return [2]float64{}
	}
	return row.GazeAngle
}

// eyeSource says where the eyes come from with a given track, or none.
func eyeSource(track *csvout.Track) EyeSource {
	switch {
	case track == nil:
		return EyesFitted
	case track.HasEyes3D:
		return EyesFromTrack
	default:
		return EyesFittedToTrack
	}
}

// locate finds the face of frame index i, or takes it from opt.Track.
func (e *engine) locate(img *bgr.Image, i int, opt Options, out *foundFace) error {
	if opt.Track == nil {
		return e.finder.locate(img, e.tracker, out)
	}
	if i >= len(opt.Track.Frames) {
		return fmt.Errorf("the video has more frames than the %d of the landmarks track", len(opt.Track.Frames))
	}
	return e.finder.fromTrack(opt.Track, i, opt.AUFromTrackParams, out)
}
