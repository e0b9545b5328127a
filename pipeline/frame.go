package pipeline

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/align"
	"github.com/auwatchd/auwatchd/pipeline/au"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/clnf"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/gaze"
	"github.com/auwatchd/auwatchd/pipeline/hog"
	"github.com/auwatchd/auwatchd/pipeline/landmarks"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// maxFitError is the largest mean distance, as a share of the face's size,
// between the landmarks and the face model fitted to them that still counts
// as a face. Landmarks on a non-face or a badly lost track fit far worse.
const maxFitError = 0.04

// finder finds each frame's face in two steps, each in its own goroutine so
// that consecutive frames overlap: locate (the tracker's PFLD points, checked
// to fit a face, or a given track) and refine (CLNF, then the PDM fit the AU
// stages use). Each step has its own fitter and timings.
type finder struct {
	locateFit, refineFit         *pdm.Fitter
	refiner                      *clnf.Fitter
	locateTimings, refineTimings Timings
	intr                         pdm.Intrinsics // the video's camera, for the eyes' 3-D points
	eyeFits                      [2]clnf.EyeFit
	// previous is the last frame's refined fit and landmarks while it had a
	// face, where CLNF starts on a frame the tracker left to it.
	previous    pdm.Params
	previousLm  [pdm.LandmarksLen]float64
	hasPrevious bool
}

func newFinder(m *pdm.Model) *finder {
	return &finder{locateFit: pdm.NewFitter(m), refineFit: pdm.NewFitter(m)}
}

// reset prepares for a new video seen by a camera intr.
func (s *finder) reset(intr pdm.Intrinsics) {
	s.intr = intr
	s.locateTimings, s.refineTimings = Timings{}, Timings{}
	s.hasPrevious = false
}

// foundFace is what the finder hands to the AU stages for one frame.
type foundFace struct {
	success bool
	// located: the tracker's landmarks fit a face, with the detector's
	// score and the fit below; refine takes it from there. followed: the
	// tracker left the frame to CLNF, to start from the previous frame's fit.
	located, followed bool
	score, fitErr     float64
	lm                []float64
	// auParams feed the AU features (OpenFace fits them to the landmarks
	// with CalcParams in FaceAnalyser::AddNextFrame); outParams the pose,
	// parameter and 3-D columns (OpenFace takes them from its tracker).
	auParams, outParams pdm.Params
	confidence          float64
	// eyes are the two eyes' landmarks, when hasEyes: fitted by CLNF's eye
	// models or taken from a track. fitEyes asks refine to fit the eye
	// models to a track's landmarks.
	eyes             [2]gaze.Eye
	hasEyes, fitEyes bool
}

// frameStages runs the per-frame stages after the landmarks, with buffers
// reused across frames.
type frameStages struct {
	pdm      *pdm.Model
	aligner  *align.Aligner
	hog      *hog.Extractor
	analyser *au.Analyser
	intr     pdm.Intrinsics

	aligned  *bgr.Image
	features []float64 // HOG (4464) then geometry (238)
	row      csvout.Frame
	timings  Timings
}

const hogLen = 4464

func newFrameStages(m *pdm.Model, tris [][3]int, aus *au.Models) (*frameStages, error) {
	aligner, err := align.NewAligner(m.Mean[:], tris)
	if err != nil {
		return nil, err
	}
	return &frameStages{
		pdm:      m,
		aligner:  aligner,
		hog:      hog.NewExtractor(),
		analyser: au.NewAnalyser(aus),
		aligned:  bgr.New(112, 112),
		features: make([]float64, hogLen+pdm.GeometryLen),
		row: csvout.Frame{
			EyeLandmarks: make([]float64, 2*csvout.EyeLandmarkCount),
			EyeCamera:    make([]float64, 3*csvout.EyeLandmarkCount),
			Landmarks:    make([]float64, pdm.LandmarksLen),
			Camera3D:     make([]float64, pdm.ShapeLen),
			Local:        make([]float64, pdm.NumModes),
		},
	}, nil
}

// reset prepares for a new video.
func (s *frameStages) reset(intr pdm.Intrinsics) {
	s.intr = intr
	s.timings = Timings{}
	s.analyser.Reset()
}

// fit fits the PDM to landmarks with CalcParams and returns the parameters
// and the fit error as a share of the face's size.
func fit(f *pdm.Fitter, timings *Timings, lm []float64) (pdm.Params, float64, error) {
	w := timings.start(StageFit)
	p, residual, err := f.CalcParams(lm)
	w.stop()
	if err != nil {
		return p, math.Inf(1), err
	}
	return p, residual / faceSize(lm), nil
}

// faceSize is the diagonal of the landmarks' bounding box.
func faceSize(lm []float64) float64 {
	b := landmarks.Bounds(lm)
	return math.Max(math.Hypot(b.X2-b.X1, b.Y2-b.Y1), 1)
}

// noFace records a frame without a face and returns its row.
func (s *frameStages) noFace() *csvout.Frame {
	clear(s.features)
	w := s.timings.start(StagePredict)
	s.analyser.AddFrame(false, s.features[:hogLen], s.features[hogLen:])
	w.stop()
	s.row.Success, s.row.Confidence = false, 0
	return &s.row
}

// measure runs the AU stages on a frame and returns its row.
func (s *frameStages) measure(img *bgr.Image, f *foundFace) *csvout.Frame {
	if !f.success {
		return s.noFace()
	}
	return s.face(img, f)
}

// face runs the AU stages on a frame with a face.
func (s *frameStages) face(img *bgr.Image, f *foundFace) *csvout.Frame {
	lm, auParams := f.lm, f.auParams
	hogPart, geom := s.features[:hogLen], s.features[hogLen:]
	w := s.timings.start(StageAlign)
	s.aligner.Align(img, lm, auParams.Tx, auParams.Ty, s.aligned)
	w.stop()
	w = s.timings.start(StageHOG)
	s.hog.Extract(s.aligned, hogPart)
	w.stop()
	w = s.timings.start(StagePredict)
	s.pdm.Geometry(auParams, geom)
	s.analyser.AddFrame(true, hogPart, geom)
	w.stop()

	p, row := f.outParams, &s.row
	row.Success, row.Confidence = true, f.confidence
	copy(row.Landmarks, lm)
	w = s.timings.start(StagePose)
	row.PoseT, row.PoseR = s.pdm.Pose(p, lm, s.intr)
	s.pdm.CameraLandmarks(p, lm, s.intr, row.Camera3D)
	s.gaze(f)
	w.stop()
	row.Global = [6]float64{p.Scale, p.Rx, p.Ry, p.Rz, p.Tx, p.Ty}
	copy(row.Local, p.Local[:])
	return row
}

// gaze fills the row's gaze and eye landmark columns from the frame's eyes,
// the 3-D landmarks and the head pose already in the row; zeros when the
// frame has no eyes.
func (s *frameStages) gaze(f *foundFace) {
	row := &s.row
	if !f.hasEyes {
		row.Gaze, row.GazeAngle = [2][3]float64{}, [2]float64{}
		clear(row.EyeLandmarks)
		clear(row.EyeCamera)
		return
	}
	g := gaze.Estimate(&f.eyes, row.Camera3D, row.PoseR)
	row.Gaze, row.GazeAngle = g.Vectors, g.Angles
	const n, m = gaze.EyePoints, csvout.EyeLandmarkCount
	for k, e := range f.eyes {
		for axis := range 2 {
			copy(row.EyeLandmarks[axis*m+k*n:][:n], e.Image[axis*n:])
		}
		for axis := range 3 {
			copy(row.EyeCamera[axis*m+k*n:][:n], e.Camera[axis*n:])
		}
	}
}

// fromTrack takes frame i's landmarks from an existing track; its eyes too
// when the track has them, or else it leaves them to refine to fit.
func (s *finder) fromTrack(tr *csvout.Track, i int, auFromTrack bool, out *foundFace) error {
	tf := &tr.Frames[i]
	hasParams := tr.HasParams
	out.success, out.hasEyes, out.fitEyes = tf.Success, false, false
	if !tf.Success {
		return nil
	}
	lm := out.lm
	copy(lm, tf.Landmarks[:])
	track := trackParams(tf)
	p := track
	if !hasParams || !auFromTrack {
		var err error
		if p, _, err = fit(s.locateFit, &s.locateTimings, lm); err != nil {
			return err
		}
	}
	out.auParams, out.outParams, out.confidence = p, p, tf.Confidence
	if hasParams {
		out.outParams = track
	}
	if !tr.HasEyes3D {
		out.fitEyes = true
		return nil
	}
	const n, m = gaze.EyePoints, csvout.EyeLandmarkCount
	for k := range out.eyes {
		e := &out.eyes[k]
		for axis := range 2 {
			copy(e.Image[axis*n:][:n], tf.EyeLandmarks[axis*m+k*n:])
		}
		for axis := range 3 {
			copy(e.Camera[axis*n:][:n], tf.EyeCamera[axis*m+k*n:])
		}
	}
	out.hasEyes = true
	return nil
}

func trackParams(tf *csvout.TrackFrame) pdm.Params {
	g := tf.Global
	return pdm.Params{Scale: g[0], Rx: g[1], Ry: g[2], Rz: g[3], Tx: g[4], Ty: g[5], Local: tf.Local}
}

// locate finds the face itself: the tracker gives PFLD's landmarks, which
// must show contrast and fit a face, or the tracker looks again with the
// detector.
func (s *finder) locate(img *bgr.Image, t *tracker, out *foundFace) error {
	lm := out.lm
	out.success, out.located, out.followed = false, false, false
	if t.mayFollow() {
		out.located, out.followed, out.score = true, true, t.score
		return nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		ok, fresh, err := t.locate(img, lm, attempt > 0, &s.locateTimings)
		if err != nil {
			return err
		}
		if ok && hasContrast(img, lm) {
			p, fitErr, err := fit(s.locateFit, &s.locateTimings, lm)
			if err == nil && fitErr <= maxFitError {
				t.found()
				out.located, out.score, out.fitErr = true, t.score, fitErr
				out.auParams, out.outParams = p, p
				return nil
			}
		}
		t.drop()
		if fresh {
			break // the detector has just looked at this frame
		}
	}
	t.missed()
	return nil
}

// refine moves located landmarks to where OpenFace's CLNF fitting puts
// them, whose landmarks OpenFace's AU models were trained and run on,
// starting from the fit locate made, or on a followed frame from the
// previous frame's, and fits the PDM to the result; a refined shape that no
// longer fits a face, or a followed one on a blank region, leaves the frame
// without one.
func (s *finder) refine(img *bgr.Image, out *foundFace) error {
	if out.fitEyes {
		return s.fitTrackEyes(img, out)
	}
	found, err := s.refineFace(img, out)
	s.hasPrevious = found
	if found {
		s.previous = out.auParams
		copy(s.previousLm[:], out.lm)
		out.success, out.confidence = true, confidence(out.score, out.fitErr)
	}
	return err
}

// refineFace fits CLNF and the PDM for refine and reports whether the frame
// has a face.
func (s *finder) refineFace(img *bgr.Image, out *foundFace) (bool, error) {
	if !out.located || (out.followed && !s.hasPrevious) {
		return false, nil
	}
	start := out.auParams
	if out.followed {
		// CLNF leaves a face too small to fit where it was.
		start = s.previous
		copy(out.lm, s.previousLm[:])
	}
	w := s.refineTimings.start(StageRefine)
	_, err := s.refiner.RefineFrom(img, out.lm, start)
	w.stop()
	if err != nil {
		return false, err
	}
	if out.followed && !hasContrast(img, out.lm) {
		return false, nil
	}
	s.takeEyes(out)
	p, fitErr, err := fit(s.refineFit, &s.refineTimings, out.lm)
	if err != nil || fitErr > maxFitError {
		return false, nil
	}
	out.auParams, out.outParams, out.fitErr = p, p, fitErr
	return true, nil
}

// fitTrackEyes fits the eye models to a track's landmarks on the frame, as
// OpenFace's hierarchical step would from its own, at the track's scale.
func (s *finder) fitTrackEyes(img *bgr.Image, out *foundFace) error {
	w := s.refineTimings.start(StageRefine)
	err := s.refiner.FitEyes(img, out.lm, out.outParams.Scale)
	w.stop()
	if err != nil {
		return err
	}
	s.takeEyes(out)
	return nil
}

// takeEyes copies the refiner's eye fits of the frame into out with their
// camera-frame points.
func (s *finder) takeEyes(out *foundFace) {
	out.hasEyes = s.refiner.Eyes(&s.eyeFits)
	if !out.hasEyes {
		return
	}
	for k := range s.eyeFits {
		fit, e := &s.eyeFits[k], &out.eyes[k]
		e.Image = fit.Points
		e.CameraPoints(fit.Global[0], fit.Rotated[:], s.intr)
	}
}

// minContrast is the smallest standard deviation of brightness, in grey
// levels, that a face region shows. The landmark network places a face on
// anything, even a black frame, and the face model fits such points well,
// so a blank region is caught here.
const minContrast = 6

// hasContrast samples the green channel inside the landmarks' bounding box.
func hasContrast(img *bgr.Image, lm []float64) bool {
	b := landmarks.Bounds(lm)
	ix0, ix1 := max(0, int(b.X1)), min(img.W-1, int(b.X2))
	iy0, iy1 := max(0, int(b.Y1)), min(img.H-1, int(b.Y2))
	step := max(1, (ix1-ix0)/32)
	var sum, sumSq, count float64
	for y := iy0; y <= iy1; y += step {
		row := img.Pix[y*img.W*3:]
		for x := ix0; x <= ix1; x += step {
			v := float64(row[x*3+1])
			sum, sumSq, count = sum+v, sumSq+v*v, count+1
		}
	}
	if count < 16 {
		return false
	}
	mean := sum / count
	return sumSq/count-mean*mean >= minContrast*minContrast
}

// confidence combines how sure the detector was that the tracked face is a
// face with how well the landmarks fit the face model: the detector's score
// for a perfect fit, half of it at the largest fit error still accepted.
func confidence(score, fitErr float64) float64 {
	return score * (1 - 0.5*math.Min(1, fitErr/maxFitError))
}
