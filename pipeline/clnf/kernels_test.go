package clnf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelSetsMatchGo checks each kernel of every other set against the
// Go kernel on the same input: the columns and inverse norms (with the
// scratch full of NaN beforehand, so that the padding must be written), the
// neuron sums and the smoothing, for every window size the fits use and
// for a flat area. Each kernel's largest deviation, relative to the largest
// value of its output, is logged.
func TestKernelSetsMatchGo(t *testing.T) {
	m := loadModel(t)
	e := &m.main.scales[2].experts[0][30]
	goSet := kernelSets["go"]
	for name, set := range kernelSets {
		if name == "go" {
			continue
		}
		worst := map[string]float64{}
		for _, tc := range []struct {
			window int
			flat   bool
		}{{1, false}, {3, false}, {7, false}, {9, false}, {11, false}, {15, false}, {9, true}} {
			t.Run(fmt.Sprintf("%s window %d flat %v", name, tc.window, tc.flat), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(tc.window), 7))
				areaW := tc.window + e.width - 1
				area := make([]float32, areaW*(tc.window+e.height-1))
				for i := range area {
					area[i] = 77
					if !tc.flat {
						area[i] = float32(rng.IntN(256)) + float32(rng.IntN(32))/32
					}
				}
				n := tc.window * tc.window
				stride := columnStride(e.width, e.height)
				positions := roundUp8(n)
				scratch := func(size int) (a, b []float32) {
					a, b = make([]float32, size), make([]float32, size)
					for i := range a {
						a[i], b[i] = float32(math.NaN()), float32(math.NaN())
					}
					return a, b
				}

				wantCols, gotCols := scratch(positions * stride)
				wantInv, gotInv := scratch(positions)
				goSet.centredColumns(area, areaW, tc.window, e.width, e.height, wantCols, wantInv)
				set.centredColumns(area, areaW, tc.window, e.width, e.height, gotCols, gotInv)
				compare(t, "centredColumns", wantCols[:n*stride], gotCols[:n*stride], 1e-6, worst)
				compare(t, "inverse norms", wantInv[:n], gotInv[:n], 1e-6, worst)

				// Both sets' neuron sums start from the Go columns; positions
				// past n have garbage columns that the vector kernels may use.
				wantSums, gotSums := make([]float32, positions), make([]float32, positions)
				for i := range wantSums {
					wantSums[i] = float32(i % 3)
					gotSums[i] = wantSums[i]
				}
				goSet.neuronSums(wantCols, stride, n, e, wantInv, wantSums)
				set.neuronSums(wantCols, stride, n, e, wantInv, gotSums)
				compare(t, "neuronSums", wantSums[:n], gotSums[:n], 1e-5, worst)

				sigmaT := identityT(n)
				if _, ok := m.main.scales[2].sigmaComponents[tc.window]; ok {
					sigmaT = m.main.sigma(2, 0, 30, tc.window)
				}
				wantOut, gotOut := scratch(positions)
				goSet.smooth(sigmaT, positions, wantSums[:n], wantOut)
				set.smooth(sigmaT, positions, wantSums[:n], gotOut)
				compare(t, "smooth", wantOut[:n], gotOut[:n], 1e-5, worst)
			})
		}
		for _, k := range []string{"centredColumns", "inverse norms", "neuronSums", "smooth"} {
			t.Logf("%s: %s deviates from go by at most %.2g of its largest value", name, k, worst[k])
		}
	}
}

// compare fails t where got differs from want by more than tol times want's
// largest magnitude, and keeps the largest relative deviation in worst.
func compare(t *testing.T, what string, want, got []float32, tol float64, worst map[string]float64) {
	t.Helper()
	largest := 0.0
	for _, v := range want {
		largest = max(largest, math.Abs(float64(v)))
	}
	if largest == 0 {
		largest = 1
	}
	for i := range want {
		d := math.Abs(float64(got[i])-float64(want[i])) / largest
		if d > tol || math.IsNaN(d) {
			t.Fatalf("%s value %d: %g, want %g (largest %g)", what, i, got[i], want[i], largest)
		}
		worst[what] = max(worst[what], d)
	}
}
