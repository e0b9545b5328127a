package au

import "iter"

// predict applies every model of the family to the descriptor x (spec §8.3)
// and writes each AU's output to its column of row. The input is centred once
// for the whole family — x − means, minus the concatenated running medians med
// for dynamic models — into the scratch buffer centred; then each AU costs one
// dot product. SVR outputs are the raw (unclamped) scores; SVM outputs are the
// positive class when the score is > 0 and the negative class otherwise.
func (f *family) predict(row, x, med, centred []float64) {
	x, means, centred := x[:FeatureLen], f.means[:FeatureLen], centred[:FeatureLen]
	if f.kind.dynamic() {
		med = med[:FeatureLen]
		for k := range centred {
			centred[k] = x[k] - means[k] - med[k]
		}
	} else {
		for k := range centred {
			centred[k] = x[k] - means[k]
		}
	}
	for a, col := range f.columns {
		row[col] = f.output(a, dot(centred, f.supportVector(a))+f.bias[a])
	}
}

func (f *family) supportVector(a int) []float64 { return f.sv[a*FeatureLen : (a+1)*FeatureLen] }

// output is AU a's value for a score: the score itself for an SVR, the
// positive class when it is > 0 and the negative class otherwise for an SVM.
func (f *family) output(a int, score float64) float64 {
	if !f.kind.classifier() {
		return score
	}
	if score > 0 {
		return f.pos[a]
	}
	return f.neg[a]
}

// dynamicFamilies yields the dynamic families, each with the index of its
// first model in the order dynamicScores, dynamicOffsets and finishDynamic use.
func (m *Models) dynamicFamilies() iter.Seq2[int, *family] {
	return func(yield func(int, *family) bool) {
		first := 0
		for _, f := range m.families {
			if !f.kind.dynamic() {
				continue
			}
			if !yield(first, f) {
				return
			}
			first += len(f.aus)
		}
	}
}

// dynamicOutputs counts the AUs of the dynamic families.
func (m *Models) dynamicOutputs() int {
	n := 0
	for first, f := range m.dynamicFamilies() {
		n = first + len(f.aus)
	}
	return n
}

// dynamicScores writes x·sv for each dynamic model into out: with the linear
// models' offsets (dynamicOffsets) they give the scores for any medians,
// since (x − means − med)·sv = x·sv − (means + med)·sv.
func (m *Models) dynamicScores(out, x []float64) {
	for first, f := range m.dynamicFamilies() {
		for a := range f.aus {
			out[first+a] = dot(x[:FeatureLen], f.supportVector(a))
		}
	}
}

// dynamicOffsets returns, for each dynamic model, bias − (means + med)·sv;
// scratch is FeatureLen values of workspace.
func (m *Models) dynamicOffsets(med, scratch []float64) []float64 {
	offsets := make([]float64, m.dynamicOutputs())
	for first, f := range m.dynamicFamilies() {
		for k := range scratch[:FeatureLen] {
			scratch[k] = f.means[k] + med[k]
		}
		for a := range f.aus {
			offsets[first+a] = f.bias[a] - dot(scratch[:FeatureLen], f.supportVector(a))
		}
	}
	return offsets
}

// finishDynamic writes the dynamic models' outputs into row from a frame's
// dynamicScores and the offsets of the medians they are to use.
func (m *Models) finishDynamic(row, scores, offsets []float64) {
	for first, f := range m.dynamicFamilies() {
		for a, col := range f.columns {
			row[col] = f.output(a, scores[first+a]+offsets[first+a])
		}
	}
}

// predictAll fills a whole prediction row (intensities, then occurrences).
func (m *Models) predictAll(row, x, med, centred []float64) {
	for _, f := range m.families {
		f.predict(row, x, med, centred)
	}
}

// dot is the inner product of two equal-length vectors, with four partial sums
// so the additions do not wait on each other.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
