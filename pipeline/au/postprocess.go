package au

import "slices"

// Post-processing windows of FeatureExtraction (spec §9.1 steps 4 and 5).
const (
	intensityWindow  = 3
	occurrenceWindow = 7
	maxIntensity     = 5.0
)

// intensityOffset is spec §9.1 step 2 (ExtractAllPredictionsOfflineReg): for a
// dynamic SVR with a cutoff, the value at the cutoff fraction of the sorted
// raw predictions of the successful frames; 0 otherwise. good is scratch
// space with capacity for len(values).
func intensityOffset(values []float64, success []bool, cutoff float64, good []float64) float64 {
	if cutoff == -1 {
		return 0
	}
	good = good[:0]
	for i, v := range values {
		if success[i] {
			good = append(good, v)
		}
	}
	if len(good) == 0 {
		return 0
	}
	slices.Sort(good)
	return good[int(float64(len(good))*cutoff)]
}

// clampToScale is spec §9.1 step 3: a successful frame's value minus the
// offset, clamped to [0, 5]; a failed frame's value is 0.
func clampToScale(values []float64, success []bool, offset float64) {
	for i, v := range values {
		if !success[i] {
			values[i] = 0
			continue
		}
		values[i] = min(max(v-offset, 0), maxIntensity)
	}
}

// smoothIntensity is spec §9.1 step 4: a centred 3-frame mean over all frames
// (failed ones count as their 0), written to dst; the first and last frames
// keep their values.
func smoothIntensity(dst, src []float64) {
	copy(dst, src)
	half := intensityWindow / 2
	for i := half; i < len(src)-half; i++ {
		dst[i] = windowSum(src[i-half:i+half+1]) / intensityWindow
	}
}

// smoothOccurrence is spec §9.1 step 5 (ExtractAllPredictionsOfflineClass): a
// centred 7-frame majority, 0 when the window's mean is below 0.5 and 1
// otherwise, written to dst; the first and last three frames keep their
// values. Failed frames take part with their 0, and no success gating
// follows, as in OpenFace.
func smoothOccurrence(dst, src []float64) {
	copy(dst, src)
	half := occurrenceWindow / 2
	for i := half; i < len(src)-half; i++ {
		if windowSum(src[i-half:i+half+1])/occurrenceWindow < 0.5 {
			dst[i] = 0
		} else {
			dst[i] = 1
		}
	}
}

// windowSum adds the window's values left to right, as OpenFace does.
func windowSum(window []float64) float64 {
	sum := 0.0
	for _, v := range window {
		sum += v
	}
	return sum
}
