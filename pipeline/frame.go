package pipeline

import (
	"github.com/auwatchd/auwatchd/pipeline/align"
	"github.com/auwatchd/auwatchd/pipeline/au"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/hog"
	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// frameStages runs the per-frame AU stages with buffers reused across frames.
type frameStages struct {
	pdm      *pdm.Model
	fitter   *pdm.Fitter
	aligner  *align.Aligner
	hog      *hog.Extractor
	analyser *au.Analyser
	intr     pdm.Intrinsics

	face     *bgr.Image
	features []float64 // HOG (4464) then geometry (238)
	row      csvout.Frame
}

const hogLen = 4464

func newFrameStages(m *pdm.Model, tris [][3]int, aus *au.Models) (*frameStages, error) {
	aligner, err := align.NewAligner(m.Mean[:], tris)
	if err != nil {
		return nil, err
	}
	return &frameStages{
		pdm:      m,
		fitter:   pdm.NewFitter(m),
		aligner:  aligner,
		hog:      hog.NewExtractor(),
		analyser: au.NewAnalyser(aus),
		face:     bgr.New(112, 112),
		features: make([]float64, hogLen+pdm.GeometryLen),
		row: csvout.Frame{
			Landmarks: make([]float64, pdm.LandmarksLen),
			Camera3D:  make([]float64, pdm.ShapeLen),
			Local:     make([]float64, pdm.NumModes),
		},
	}, nil
}

// reset prepares for a new video.
func (s *frameStages) reset(intr pdm.Intrinsics) {
	s.intr = intr
	s.analyser.Reset()
}

// measure runs the AU stages on one frame whose landmarks are known and
// returns its CSV row (number and timestamp left for the caller). The AU
// features come from CalcParams on the landmarks, as in OpenFace's
// FaceAnalyser::AddNextFrame, unless auFromTrack asks for the track's own
// parameters; the pose and parameter columns come from the track when it has
// parameters, as OpenFace's CSV takes them from its tracker.
func (s *frameStages) measure(img *bgr.Image, tf *csvout.TrackFrame, hasParams, auFromTrack bool) (*csvout.Frame, error) {
	row := &s.row
	row.Success = tf.Success
	hogPart, geom := s.features[:hogLen], s.features[hogLen:]
	if !tf.Success {
		clear(s.features)
		s.analyser.AddFrame(false, hogPart, geom)
		return row, nil
	}
	lm := tf.Landmarks[:]
	track := trackParams(tf)
	p := track
	if !hasParams || !auFromTrack {
		var err error
		if p, _, err = s.fitter.CalcParams(lm); err != nil {
			return nil, err
		}
	}
	s.aligner.Align(img, lm, p.Tx, p.Ty, s.face)
	s.hog.Extract(s.face, hogPart)
	s.pdm.Geometry(p, geom)
	s.analyser.AddFrame(true, hogPart, geom)

	if hasParams {
		p = track
	}
	row.Confidence = tf.Confidence
	copy(row.Landmarks, lm)
	row.PoseT, row.PoseR = s.pdm.Pose(p, lm, s.intr)
	s.pdm.CameraLandmarks(p, lm, s.intr, row.Camera3D)
	row.Global = [6]float64{p.Scale, p.Rx, p.Ry, p.Rz, p.Tx, p.Ty}
	copy(row.Local, p.Local[:])
	return row, nil
}

func trackParams(tf *csvout.TrackFrame) pdm.Params {
	g := tf.Global
	return pdm.Params{Scale: g[0], Rx: g[1], Ry: g[2], Rz: g[3], Tx: g[4], Ty: g[5], Local: tf.Local}
}
