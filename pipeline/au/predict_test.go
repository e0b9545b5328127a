package au

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/weights"
)

// randomDescriptor returns a plausible [HOG, geom] vector.
func randomDescriptor(rng *rand.Rand) []float64 {
	x := make([]float64, FeatureLen)
	for k := range x {
		if k < HOGLen {
			x[k] = rng.Float64() * 0.3
		} else {
			x[k] = rng.NormFloat64() * 5
		}
	}
	return x
}

// Every shipped model, read again from its own file, predicts by the plain
// formulas of spec §8.3 what the family-wise predictor writes in its column.
func TestPredictMatchesNaiveFormula(t *testing.T) {
	listPath := testenv.ModelPath(t, weights.AUListFile)
	m := loadShippedModels(t)
	list, err := os.ReadFile(listPath)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	row := make([]float64, m.outputs())
	for trial := range 5 {
		x, med := randomDescriptor(rng), randomDescriptor(rng)
		m.predictAll(row, x, med, make([]float64, FeatureLen))
		checked := 0
		for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
			fields := strings.Fields(line)
			dat, err := readDat(filepath.Join(filepath.Dir(listPath), fields[0]))
			if err != nil {
				t.Fatal(err)
			}
			score := dat.bias
			for k := range FeatureLen {
				centred := x[k] - dat.means[k]
				if dat.kind.dynamic() {
					centred -= med[k]
				}
				score += centred * dat.sv[k]
			}
			col := slices.Index(m.intensityNames, fields[1])
			if dat.kind.classifier() {
				col = len(m.intensityNames) + slices.Index(m.occurrenceNames, fields[1])
				score = map[bool]float64{true: dat.posClass, false: dat.negClass}[score > 0]
			}
			if math.Abs(row[col]-score) > 1e-9 {
				t.Errorf("trial %d %s %v: predicted %v, formula gives %v", trial, fields[1], dat.kind, row[col], score)
			}
			checked++
		}
		if checked != 35 {
			t.Fatalf("checked %d models, want 35", checked)
		}
	}
}

func TestDot(t *testing.T) {
	for n := range 11 {
		a, b := make([]float64, n), make([]float64, n)
		want := 0.0
		for i := range n {
			a[i], b[i] = float64(i+1), float64(2*i-3)
			want += a[i] * b[i]
		}
		if got := dot(a, b); got != want {
			t.Errorf("n=%d: dot = %v, want %v", n, got, want)
		}
	}
}

func BenchmarkPredictAll(b *testing.B) {
	m := loadShippedModels(b)
	rng := rand.New(rand.NewPCG(5, 6))
	x, med := randomDescriptor(rng), randomDescriptor(rng)
	row, centred := make([]float64, m.outputs()), make([]float64, FeatureLen)
	b.ReportAllocs()
	for b.Loop() {
		m.predictAll(row, x, med, centred)
	}
}
