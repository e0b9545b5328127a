package pipeline

import "time"

// Stage names the steps whose time Process measures.
type Stage int

// The stages of one frame, in pipeline order.
const (
	StageDecode Stage = iota
	StageDetect
	StageLandmarks
	StageRefine
	StageFit
	StageAlign
	StageHOG
	StagePredict
	StagePose
	StageWrite
	stageCount
)

var stageNames = [stageCount]string{"decode", "detect", "landmarks", "refine", "fit", "align", "hog", "predict", "pose", "write"}

func (s Stage) String() string { return stageNames[s] }

// Stages lists every stage in pipeline order.
func Stages() []Stage {
	all := make([]Stage, stageCount)
	for i := range all {
		all[i] = Stage(i)
	}
	return all
}

// Timings holds the total time a video spent in each stage. Decoding runs
// in its own goroutine, so the stages add up to more than the wall time
// when the two overlap.
type Timings [stageCount]time.Duration

// stopwatch adds the time since its start to one stage.
type stopwatch struct {
	t     *Timings
	stage Stage
	start time.Time
}

func (t *Timings) start(s Stage) stopwatch { return stopwatch{t, s, time.Now()} }

func (w stopwatch) stop() { w.t[w.stage] += time.Since(w.start) }
