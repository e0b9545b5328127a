// Package results turns a measured video's engine summary into the result
// the store keeps, so that the daemon's own videos and those measured on a
// cluster are recorded alike.
package results

import (
	"iter"
	"math"

	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
)

// FromSummary converts an engine summary into what the store keeps; the caller
// adds the CSV's sha256.
func FromSummary(out string, sum pipeline.Summary, everyFrame bool) store.Result {
	r := sum.Results
	names := make([]string, 0, len(r.IntensityNames)+len(r.OccurrenceNames))
	for _, n := range r.IntensityNames {
		names = append(names, n+"_r")
	}
	for _, n := range r.OccurrenceNames {
		names = append(names, n+"_c")
	}
	return store.Result{
		OutputPath: out, AUNames: names,
		Summary: store.Summary{Frames: sum.Frames, Successful: sum.Successful, FPS: sum.FPS(),
			WallSeconds: sum.Wall.Seconds(), EveryFrame: everyFrame, AUs: intensityStats(r), MeanGaze: meanGaze(r)},
		Frames: frameRows(r),
	}
}

// intensityStats are each intensity AU's mean and maximum over the frames
// with a face.
func intensityStats(r pipeline.Results) []store.AUStat {
	stats := make([]store.AUStat, len(r.IntensityNames))
	for a, n := range r.IntensityNames {
		stats[a].Name = n + "_r"
		count := 0
		for i, ok := range r.Success {
			if ok {
				v := r.Intensity[i][a]
				stats[a].Mean += v
				stats[a].Max = math.Max(stats[a].Max, v)
				count++
			}
		}
		if count > 0 {
			stats[a].Mean /= float64(count)
		}
	}
	return stats
}

// meanGaze is the mean of the gaze angles over the frames with a face, nil
// when there is none or the results carry no gaze.
func meanGaze(r pipeline.Results) *[2]float64 {
	if len(r.GazeAngles) != len(r.Success) {
		return nil
	}
	var sum [2]float64
	count := 0
	for i, ok := range r.Success {
		if ok {
			sum[0], sum[1] = sum[0]+r.GazeAngles[i][0], sum[1]+r.GazeAngles[i][1]
			count++
		}
	}
	if count == 0 {
		return nil
	}
	return &[2]float64{sum[0] / float64(count), sum[1] / float64(count)}
}

// frameRows yields each frame's AU values and, when the results have them,
// its gaze angles.
func frameRows(r pipeline.Results) iter.Seq[store.FrameAUs] {
	return func(yield func(store.FrameAUs) bool) {
		values := make([]float64, 0, len(r.IntensityNames)+len(r.OccurrenceNames))
		for i := range r.Timestamps {
			values = append(append(values[:0], r.Intensity[i]...), r.Occurrence[i]...)
			row := store.FrameAUs{Frame: i + 1, Timestamp: r.Timestamps[i], Success: r.Success[i], Values: values}
			if i < len(r.GazeAngles) {
				row.Gaze, row.HasGaze = r.GazeAngles[i], true
			}
			if !yield(row) {
				return
			}
		}
	}
}
