package au

import "fmt"

// maxInitFrames is how many successful frames OpenFace keeps to re-predict
// once the final medians are known (FaceAnalyser's max_init_frames).
const maxInitFrames = 3000

// historyChunkRows is the chunk size of the per-video stores: about 1 MB
// of prediction rows at a time.
const historyChunkRows = 4096

// Analyser follows one video through OpenFace's offline AU path: running
// medians and a prediction for every frame (AddFrame), then the offline
// post-processing (Finish). Call Reset before reusing it for another video.
// An Analyser is not safe for concurrent use; the Models it reads are.
type Analyser struct {
	models *Models

	features []float64 // FeatureLen: the current frame's [HOG, geom]
	medians  []float64 // FeatureLen: [HOG median, geom median], written by the two runningMedians
	centred  []float64 // FeatureLen scratch for predict

	hogMedian  runningMedian
	geomMedian runningMedian

	framesTracking int       // frames seen, successful or not
	current        []float64 // the latest frame's prediction row

	// history holds one prediction row per frame: the raw prediction for a
	// successful frame, zeros for a failed one.
	history rowStore[float64]
	success []bool

	// initial holds, for the first maxInitFrames successful frames, what
	// re-prediction needs: the descriptor's dot product with each dynamic
	// model's support vector (Models.dynamicScores). OpenFace keeps the
	// descriptors themselves, 113 MB for 3000 frames; the models are linear,
	// so these 3000 short rows give the same scores and memory stays flat
	// however long the video.
	initial rowStore[float64]
}

// NewAnalyser returns an Analyser for one video. Its large buffers (27 MB of
// median histograms) are allocated as frames arrive.
func NewAnalyser(m *Models) *Analyser {
	a := &Analyser{
		models:   m,
		features: make([]float64, FeatureLen),
		medians:  make([]float64, FeatureLen),
		centred:  make([]float64, FeatureLen),
		current:  make([]float64, m.outputs()),
		history:  newRowStore[float64](m.outputs(), historyChunkRows),
		initial:  newRowStore[float64](m.dynamicOutputs(), historyChunkRows),
	}
	a.hogMedian = newRunningMedian(a.medians[:HOGLen], hogBins, hogMin, hogMax)
	a.geomMedian = newRunningMedian(a.medians[HOGLen:], geomBins, geomMin, geomMax)
	return a
}

// Reset prepares the Analyser for a new video, keeping its buffers.
func (a *Analyser) Reset() {
	a.hogMedian.reset()
	a.geomMedian.reset()
	a.framesTracking = 0
	clear(a.current)
	a.history.reset()
	a.success = a.success[:0]
	a.initial.reset()
}

// AddFrame is FaceAnalyser::AddNextFrame for one frame (spec §7.3, §8.3).
// hog (HOGLen values) and geom (GeomLen values) describe a successful frame;
// for a failed frame they are ignored and taken as zeros, as OpenFace's black
// aligned face and zeroed parameters give. On odd frames (1-based) the running
// medians are updated — with the descriptor only if the frame succeeded — and
// the HOG median is clamped at 0; then every AU is predicted with the medians
// as they now stand. It panics if a successful frame's slices have the wrong
// length, which is a programming error.
func (a *Analyser) AddFrame(success bool, hog, geom []float64) {
	a.framesTracking++
	a.loadFeatures(success, hog, geom)
	if a.framesTracking%2 == 1 {
		a.hogMedian.update(a.features[:HOGLen], success)
		clampNegatives(a.medians[:HOGLen])
		a.geomMedian.update(a.features[HOGLen:], success)
	}
	a.models.predictAll(a.current, a.features, a.medians, a.centred)
	if !success {
		clear(a.current)
	}
	copy(a.history.add(), a.current)
	a.success = append(a.success, success)
	if success && a.initial.len() < maxInitFrames {
		a.models.dynamicScores(a.initial.add(), a.features)
	}
}

func (a *Analyser) loadFeatures(success bool, hog, geom []float64) {
	if !success {
		clear(a.features)
		return
	}
	if len(hog) != HOGLen || len(geom) != GeomLen {
		panic(fmt.Sprintf("au: AddFrame needs %d HOG and %d geometry values, got %d and %d",
			HOGLen, GeomLen, len(hog), len(geom)))
	}
	copy(a.features[:HOGLen], hog)
	copy(a.features[HOGLen:], geom)
}

func clampNegatives(v []float64) {
	for i, x := range v {
		if x < 0 {
			v[i] = 0
		}
	}
}

// Current returns the latest frame's predictions as OpenFace writes them
// before its offline rewrite: raw SVR scores (not clamped) and SVM classes,
// all zero for a failed frame. The slices are views valid until the next
// AddFrame or Reset.
func (a *Analyser) Current() (intensity, occurrence []float64) {
	n := len(a.models.intensityNames)
	return a.current[:n], a.current[n:]
}

// Result holds the final AU values of every frame added, in frame order, with
// columns ordered as Models.IntensityNames and Models.OccurrenceNames.
type Result struct {
	Intensity  [][]float64 // frames × intensity AUs, in [0, 5]
	Occurrence [][]float64 // frames × occurrence AUs, the models' classes (0 or 1)
}

// Finish computes the final values of every frame with OpenFace's offline
// post-processing (spec §9.1): it re-predicts the first 3000 successful frames
// with the final medians, then offsets, clamps and smooths the intensities
// and smooths the occurrences. It may be called again after more frames.
func (a *Analyser) Finish() Result {
	a.repredictInitialFrames()
	frames := len(a.success)
	ni, no := len(a.models.intensityNames), len(a.models.occurrenceNames)
	res := Result{Intensity: makeRows(frames, ni), Occurrence: makeRows(frames, no)}
	column := make([]float64, frames)
	smoothed := make([]float64, frames)
	scratch := make([]float64, 0, frames)
	for c := range ni + no {
		for i := range frames {
			column[i] = a.history.row(i)[c]
		}
		if c < ni {
			offset := intensityOffset(column, a.success, a.models.intensityCutoffs[c], scratch)
			clampToScale(column, a.success, offset)
			smoothIntensity(smoothed, column)
			setColumn(res.Intensity, c, smoothed)
		} else {
			smoothOccurrence(smoothed, column)
			setColumn(res.Occurrence, c-ni, smoothed)
		}
	}
	return res
}

// repredictInitialFrames is PostprocessPredictions (spec §9.1 step 1): the
// stored successful frames are predicted again with the final medians and
// their history rows overwritten. Static models do not read the medians, so
// only the dynamic models' columns change.
func (a *Analyser) repredictInitialFrames() {
	offsets := a.models.dynamicOffsets(a.medians, a.centred)
	stored := 0
	for i, ok := range a.success {
		if stored == a.initial.len() {
			return
		}
		if !ok {
			continue
		}
		a.models.finishDynamic(a.history.row(i), a.initial.row(stored), offsets)
		stored++
	}
}

// makeRows allocates a rows×cols table backed by one slice.
func makeRows(rows, cols int) [][]float64 {
	backing := make([]float64, rows*cols)
	table := make([][]float64, rows)
	for i := range table {
		table[i] = backing[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return table
}

func setColumn(table [][]float64, c int, values []float64) {
	for i, v := range values {
		table[i][c] = v
	}
}
