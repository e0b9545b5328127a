package pipeline

import (
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/detect"
	"github.com/auwatchd/auwatchd/pipeline/landmarks"
)

// Tracking constants, chosen by measurement on the sample videos.
const (
	// redetectEvery bounds how long the tracker goes without checking its
	// face against the detector.
	redetectEvery = 30
	// minOverlap is the IoU a detection needs with the tracked box to be
	// taken as the same face.
	minOverlap = 0.3
	// maxJump is the largest frame-to-frame change of face size (as a ratio)
	// that tracking accepts before asking the detector again.
	maxJump = 1.4
	// followFrames is how many frames the default mode leaves to CLNF alone
	// after each frame PFLD runs on. One keeps every sample video within the
	// agreement that OpenFace's own alternative landmark models reach (mean
	// AU r against OpenFace's CE-CLM, over runs with 0.02 px of seeded noise
	// on PFLD's points: subj01 0.734–0.746, subj02 0.606–0.619, against
	// 0.72 and 0.60); two is faster but takes subj02 to 0.586–0.590.
	followFrames = 1
)

// tracker follows one face through a video: a detection starts it, then each
// frame's box comes from PFLD's landmarks in the last frame PFLD ran on, so
// the detector runs only to start, to recover a lost face, and every
// redetectEvery frames. The box never depends on CLNF's refinement.
// It follows the most prominent face at the start and, after losing it,
// takes back only a face where it was, never jumping to another person
// while one is in view near the old place.
type tracker struct {
	det *detect.Detector
	loc *landmarks.Locator

	box       detect.Box // where to look in the next frame
	last      detect.Box // the last box that gave a good fit
	tracking  bool
	everFound bool
	since     int     // frames since the last detection
	lostFor   int     // frames since the face was lost
	score     float64 // detector score of the tracked face
	detected  int     // frames on which the detector ran
	// follow is how many frames after each PFLD run are left to CLNF to
	// follow from its previous fit (0: PFLD runs on every frame); followed
	// counts them.
	follow, followed int
}

// reset prepares for a new video, with PFLD on every frame or not.
func (t *tracker) reset(everyFrame bool) {
	*t = tracker{det: t.det, loc: t.loc}
	if !everyFrame {
		t.follow = followFrames
	}
}

// mayFollow reports whether this frame's landmarks may come from following
// the previous frame's fit instead of PFLD, and counts it if so. The
// detector's regular check still comes first.
func (t *tracker) mayFollow() bool {
	if !t.tracking || t.since >= redetectEvery || t.followed >= t.follow {
		return false
	}
	t.since++
	t.followed++
	return true
}

// locate finds the tracked face's landmarks in img. It returns false when
// there is no face to follow, and fresh when the detector ran on img.
func (t *tracker) locate(img *bgr.Image, lm []float64, forceDetect bool, timings *Timings) (ok, fresh bool, err error) {
	if forceDetect || !t.tracking || t.since >= redetectEvery {
		fresh = true
		w := timings.start(StageDetect)
		found, err := t.detect(img)
		w.stop()
		if err != nil || !found {
			return false, fresh, err
		}
	}
	t.since++
	t.followed = 0
	w := timings.start(StageLandmarks)
	err = t.loc.Locate(img, t.box, lm)
	w.stop()
	if err != nil {
		return false, fresh, err
	}
	next := landmarks.BoxFromLandmarks(lm)
	if jumped(t.box, next) {
		t.drop()
		return false, fresh, nil
	}
	t.box = next
	return true, fresh, nil
}

// detect runs the detector and picks the face to follow.
func (t *tracker) detect(img *bgr.Image) (bool, error) {
	faces, err := t.det.Detect(img)
	if err != nil {
		return false, err
	}
	t.detected++
	t.since = 0
	f, ok := t.choose(faces)
	if !ok {
		// The detector finds every face of the sample videos; when it finds
		// none where the tracked face is, the face has gone.
		t.tracking = false
		return false, nil
	}
	t.box, t.score, t.tracking, t.everFound = f.Box, f.Score, true, true
	return true, nil
}

// choose picks the detection to follow: the one overlapping the current
// face; at the start the largest; after a loss, the only face in view, or
// among several the one where the face was, or the largest once the face
// has been gone for a couple of seconds.
func (t *tracker) choose(faces []detect.Face) (detect.Face, bool) {
	ref, needOverlap := t.box, t.tracking
	if !t.tracking && t.everFound {
		ref, needOverlap = t.last, t.lostFor < 2*redetectEvery && len(faces) > 1
	}
	if needOverlap {
		best, bestIoU := -1, minOverlap
		for i, f := range faces {
			if v := iou(ref, f.Box); v >= bestIoU {
				best, bestIoU = i, v
			}
		}
		if best < 0 {
			return detect.Face{}, false
		}
		return faces[best], true
	}
	best := -1
	for i, f := range faces {
		if best < 0 || area(f.Box) > area(faces[best].Box) {
			best = i
		}
	}
	if best < 0 {
		return detect.Face{}, false
	}
	return faces[best], true
}

// found records that the landmarks located in t.box fitted the face model.
func (t *tracker) found() {
	t.last = t.box
	t.lostFor = 0
}

// drop stops following the current box; the next look uses the detector.
func (t *tracker) drop() {
	t.tracking = false
}

// missed counts a frame without the face.
func (t *tracker) missed() {
	t.tracking = false
	t.lostFor++
}

func jumped(a, b detect.Box) bool {
	ra := math.Sqrt(area(b) / math.Max(area(a), 1))
	return ra > maxJump || ra < 1/maxJump || iou(a, b) < minOverlap
}

func area(b detect.Box) float64 {
	return math.Max(0, b.X2-b.X1) * math.Max(0, b.Y2-b.Y1)
}

func iou(a, b detect.Box) float64 {
	w := math.Min(a.X2, b.X2) - math.Max(a.X1, b.X1)
	h := math.Min(a.Y2, b.Y2) - math.Max(a.Y1, b.Y1)
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	return inter / (area(a) + area(b) - inter)
}
