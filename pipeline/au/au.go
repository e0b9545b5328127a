// Package au turns per-frame HOG and geometry descriptors into OpenFace 2.2's
// Action Unit intensities and occurrences. It reads the linear SVR/SVM models,
// keeps the person-specific running medians, predicts every frame and applies
// FeatureExtraction's offline post-processing (spec sections 7, 8 and 9.1).
package au

// Descriptor lengths (spec §6): the FHOG of the 112×112 aligned face, the
// geometry block [PC·p, p], and their concatenation that every model consumes.
const (
	HOGLen     = 4464
	GeomLen    = 238
	FeatureLen = HOGLen + GeomLen
)
