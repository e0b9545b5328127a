package linalg

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

var kernelsFlag = flag.String("kernels", "", "kernel set the benchmarks use: go or vector (default: vector where the processor has it)")

func TestMain(m *testing.M) {
	flag.Parse()
	switch *kernelsFlag {
	case "", "vector":
		if *kernelsFlag != "" && !HasVector() {
			fmt.Fprintln(os.Stderr, "this processor has no vector kernels")
			os.Exit(2)
		}
	case "go":
		UseVector(false)
	default:
		fmt.Fprintf(os.Stderr, "unknown kernel set %q\n", *kernelsFlag)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func plainDot(x, y []float64) float64 {
	var s float64
	for k := range x {
		s += x[k] * y[k]
	}
	return s
}

func randomVector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64() * 100
	}
	return v
}

// worst is the largest |got−want|/scale that near has seen in a test, which
// the tests log.
var worst float64

func near(got, want, scale float64) bool {
	d := math.Abs(got-want) / scale
	worst = max(worst, d)
	return d <= 1e-12
}

// eachKernelSet runs test once with the Go loops and once with the vector
// kernels where the processor has them.
func eachKernelSet(t *testing.T, test func(t *testing.T)) {
	defer UseVector(UseVector(false))
	sets := []string{"go"}
	if HasVector() {
		sets = append(sets, "vector")
	}
	for _, name := range sets {
		UseVector(name == "vector")
		worst = 0
		t.Run(name, test)
		t.Logf("%s: largest deviation from a plain loop %.2g of the scale", name, worst)
	}
}

// TestDotMatchesPlainLoop covers every length up to 40, so the vector head,
// the odd group of four and the scalar tail are each exercised.
func TestDotMatchesPlainLoop(t *testing.T) { eachKernelSet(t, testDotMatchesPlainLoop) }

func testDotMatchesPlainLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 41 {
		x, y := randomVector(rng, n), randomVector(rng, n)
		scale := 1e4 * float64(n+1)
		if got, want := Dot(x, y), plainDot(x, y); !near(got, want, scale) {
			t.Fatalf("n=%d: Dot %g, want %g", n, got, want)
		}
		const stride = 45
		rows := randomVector(rng, 3*stride+n)
		got := Dot4(x, rows, stride)
		for j := range 4 {
			if want := plainDot(x, rows[j*stride:j*stride+n]); !near(got[j], want, scale) {
				t.Fatalf("n=%d row %d: Dot4 %g, want %g", n, j, got[j], want)
			}
		}
	}
}

func TestUpperGram(t *testing.T) { eachKernelSet(t, testUpperGram) }

func testUpperGram(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m, n, stride = 11, 37, 40
	a, b := randomVector(rng, m*stride), randomVector(rng, m*stride)
	out := make([]float64, m*m)
	for i := range out {
		out[i] = math.NaN()
	}
	UpperGram(a, b, m, n, stride, out, m)
	for i := range m {
		for j := range m {
			got := out[i*m+j]
			if j < i {
				if !math.IsNaN(got) {
					t.Fatalf("(%d,%d) below the diagonal was written", i, j)
				}
				continue
			}
			if want := plainDot(a[i*stride:i*stride+n], b[j*stride:j*stride+n]); !near(got, want, 1e6) {
				t.Fatalf("(%d,%d): %g, want %g", i, j, got, want)
			}
		}
	}
}

func BenchmarkUpperGram40x136(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	const m, n = 40, 136
	a := randomVector(rng, m*n)
	out := make([]float64, m*m)
	b.ReportAllocs()
	for b.Loop() {
		UpperGram(a, a, m, n, n, out, m)
	}
}
