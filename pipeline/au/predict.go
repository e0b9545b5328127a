package au

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
		score := dot(centred, f.sv[a*FeatureLen:(a+1)*FeatureLen]) + f.bias[a]
		if f.kind.classifier() {
			if score > 0 {
				score = f.pos[a]
			} else {
				score = f.neg[a]
			}
		}
		row[col] = score
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
