package au

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// tinyModels loads one model per family whose outputs are easy to follow by
// hand: with h = HOG[0] and g = geom[0] (all other values 0) and m = the geom
// median of dimension 0,
//
//	AU04 (SVR static)  = 2h + 0.5
//	AU01 (SVR dynamic) = g − m, cutoff 0.5
//	AU05 (SVM static)  = 1 if h − 0.5 > 0 else 0
//	AU28 (SVM dynamic) = 0 if g − m > 0 else 1 (classes swapped, as in several shipped files)
func tinyModels(t testing.TB) *Models {
	t.Helper()
	unit := func(k int, w float64) []float64 {
		v := make([]float64, FeatureLen)
		v[k] = w
		return v
	}
	zeros := make([]float64, FeatureLen)
	models := map[string]datModel{
		"au04.dat": {kind: SVRStatic, cutoff: -1, means: zeros, sv: unit(0, 2), bias: 0.5},
		"au01.dat": {kind: SVRDynamic, cutoff: 0.5, means: zeros, sv: unit(HOGLen, 1)},
		"au05.dat": {kind: SVMStatic, cutoff: -1, means: zeros, sv: unit(0, 1), bias: -0.5, posClass: 1, negClass: 0},
		"au28.dat": {kind: SVMDynamic, cutoff: -1, means: zeros, sv: unit(HOGLen, 1), posClass: 0, negClass: 1},
	}
	dir := t.TempDir()
	list := ""
	for _, name := range []string{"au04.dat", "au01.dat", "au05.dat", "au28.dat"} {
		if err := os.WriteFile(filepath.Join(dir, name), encodeDat(models[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		list += name + " AU" + name[2:4] + "\n"
	}
	listPath := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(listPath, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModels(listPath)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// addFrame feeds a frame whose HOG[0] is h and geom[0] is g (other values 0).
func addFrame(a *Analyser, ok bool, h, g float64) {
	hog, geom := make([]float64, HOGLen), make([]float64, GeomLen)
	hog[0], geom[0] = h, g
	a.AddFrame(ok, hog, geom)
}

// A six-frame video worked through by hand (spec §7.3, §8.3, §9.1).
//
// Geom median of dim 0: frame 1 sets it to 0 (count 1), failed frame 3
// overwrites it with 0, frame 5 adds 0.6 ⇒ cut 1 ⇒ bin 5000 ⇒ 0.006.
// Online AU01 = g − median at the time: 0, 3, (failed) 0, 1.2, 0.594, 2.394.
// Final AU01, re-predicted with m = 0.006: −0.006, 2.994, –, 1.194, 0.594,
// 2.394; offset = sorted[trunc(5·0.5)] = 1.194; clamped 0, 1.8, 0, 0, 0, 1.2;
// smoothed 0, 0.6, 0.6, 0, 0.4, 1.2 (edges kept).
// AU04 = 0.7, 5.7→5, 0, 1.7, 0.9, 2.1; smoothed 0.7, 1.9, 6.7/3, 2.6/3, 4.7/3, 2.1.
// AU05 = 0, 1, 0, 1, 0, 1 and AU28 = 1, 0, 0, 0, 0, 0 (six frames: no 7-frame window).
func TestAnalyserHandWorkedVideo(t *testing.T) {
	m := tinyModels(t)
	if got := m.IntensityNames(); !slices.Equal(got, []string{"AU01", "AU04"}) {
		t.Fatalf("intensity names %v", got)
	}
	frames := []struct {
		ok           bool
		h, g         float64
		onlineAU01   float64
		onlineAU04   float64
		onlineAU05   float64
		onlineAU28   float64
		finalAU01    float64
		finalAU04    float64
		finalAU05    float64
		finalAU28    float64
		finalComment string
	}{
		{true, 0.1, 0, 0, 0.7, 0, 1, 0, 0.7, 0, 1, "first frame kept"},
		{true, 2.6, 3, 3, 5.7, 1, 0, 0.6, 1.9, 1, 0, "online not clamped"},
		{false, 0, 0, 0, 0, 0, 0, 0.6, 6.7 / 3, 0, 0, "failed frame"},
		{true, 0.6, 1.2, 1.2, 1.7, 1, 0, 0, 2.6 / 3, 1, 0, "median was the failed frame's zeros"},
		{true, 0.2, 0.6, 0.594, 0.9, 0, 0, 0.4, 4.7 / 3, 0, 0, ""},
		{true, 0.8, 2.4, 2.394, 2.1, 1, 0, 1.2, 2.1, 1, 0, "last frame kept"},
	}
	a := NewAnalyser(m)
	for i, f := range frames {
		addFrame(a, f.ok, f.h, f.g)
		intensity, occurrence := a.Current()
		got := append(slices.Clone(intensity), occurrence...)
		want := []float64{f.onlineAU01, f.onlineAU04, f.onlineAU05, f.onlineAU28}
		if !closeTo(got, want, 1e-9) {
			t.Errorf("frame %d online [AU01 AU04 AU05 AU28] = %v, want %v", i+1, got, want)
		}
	}
	res := a.Finish()
	if len(res.Intensity) != len(frames) || len(res.Occurrence) != len(frames) {
		t.Fatalf("result has %d/%d rows, want %d", len(res.Intensity), len(res.Occurrence), len(frames))
	}
	for i, f := range frames {
		got := append(slices.Clone(res.Intensity[i]), res.Occurrence[i]...)
		want := []float64{f.finalAU01, f.finalAU04, f.finalAU05, f.finalAU28}
		if !closeTo(got, want, 1e-9) {
			t.Errorf("frame %d (%s) final [AU01 AU04 AU05 AU28] = %v, want %v", i+1, f.finalComment, got, want)
		}
	}
	if again := a.Finish(); !slices.EqualFunc(again.Intensity, res.Intensity, slices.Equal) {
		t.Errorf("a second Finish gave different intensities")
	}
}

// Only the first 3000 successful frames are re-predicted with the final
// medians (from their stored scores); later frames keep their online values.
func TestAnalyserRepredictsFirst3000SuccessfulFrames(t *testing.T) {
	m := tinyModels(t)
	a := NewAnalyser(m)
	const frames = maxInitFrames + 4
	online := make([]float64, frames)
	geom := func(i int) float64 { return 0.1*float64(i%10) + 0.01 } // never exact in float32
	for i := range frames {
		addFrame(a, i != 1, 0.1, geom(i))
		intensity, _ := a.Current()
		online[i] = intensity[0]
	}
	a.Finish()
	median := a.medians[HOGLen]
	successes, changed := 0, 0
	for i := range frames {
		got := a.history.row(i)[0]
		switch {
		case i == 1:
			if got != 0 {
				t.Fatalf("failed frame 2 holds %v, want 0", got)
			}
			continue
		case successes < maxInitFrames:
			if want := geom(i) - median; math.Abs(got-want) > 1e-12 {
				t.Fatalf("frame %d (success %d): %v, want the re-prediction %v", i+1, successes+1, got, want)
			}
			if got != online[i] {
				changed++
			}
		default:
			if got != online[i] {
				t.Fatalf("frame %d (success %d): %v, want the online value %v", i+1, successes+1, got, online[i])
			}
		}
		successes++
	}
	if changed == 0 {
		t.Errorf("no frame changed on re-prediction; the test cannot tell re-predicted from online values")
	}
	if a.initial.len() != maxInitFrames {
		t.Errorf("stored %d frames' scores, want %d", a.initial.len(), maxInitFrames)
	}
}

// randomVideo feeds frames of plausible descriptors, one in seven failed.
func randomVideo(a *Analyser, seed uint64, frames int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range frames {
		x := randomDescriptor(rng)
		a.AddFrame(i%7 != 3, x[:HOGLen], x[HOGLen:])
	}
}

func TestAnalyserResetMatchesNewAnalyser(t *testing.T) {
	m := loadShippedModels(t)
	reused := NewAnalyser(m)
	randomVideo(reused, 1, 40)
	reused.Finish()
	reused.Reset()
	randomVideo(reused, 2, 25)
	fresh := NewAnalyser(m)
	randomVideo(fresh, 2, 25)
	got, want := reused.Finish(), fresh.Finish()
	if !slices.EqualFunc(got.Intensity, want.Intensity, slices.Equal) ||
		!slices.EqualFunc(got.Occurrence, want.Occurrence, slices.Equal) {
		t.Errorf("a reset Analyser gives different results from a new one")
	}
	if len(got.Intensity) != 25 || len(got.Intensity[0]) != 17 || len(got.Occurrence[0]) != 18 {
		t.Errorf("result shape %d×%d / %d", len(got.Intensity), len(got.Intensity[0]), len(got.Occurrence[0]))
	}
	for i, row := range got.Intensity {
		for c, v := range row {
			if v < 0 || v > 5 {
				t.Fatalf("frame %d column %d intensity %v outside [0, 5]", i, c, v)
			}
		}
	}
}

func TestAnalyserFinishWithoutFrames(t *testing.T) {
	res := NewAnalyser(tinyModels(t)).Finish()
	if len(res.Intensity) != 0 || len(res.Occurrence) != 0 {
		t.Errorf("empty video gave %d rows", len(res.Intensity))
	}
}

func TestAnalyserFailedFrameNeedsNoDescriptors(t *testing.T) {
	a := NewAnalyser(tinyModels(t))
	a.AddFrame(false, nil, nil)
	defer func() {
		if recover() == nil {
			t.Errorf("a successful frame with a short HOG did not panic")
		}
	}()
	a.AddFrame(true, make([]float64, 10), make([]float64, GeomLen))
}

func BenchmarkAddFrame(b *testing.B) {
	m := loadShippedModels(b)
	a := NewAnalyser(m)
	rng := rand.New(rand.NewPCG(8, 9))
	inputs := make([][]float64, 16)
	for i := range inputs {
		inputs[i] = randomDescriptor(rng)
	}
	// Past the descriptor store's 3000 frames: the steady state of a long video.
	for i := range maxInitFrames + 1 {
		x := inputs[i%len(inputs)]
		a.AddFrame(true, x[:HOGLen], x[HOGLen:])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x := inputs[i%len(inputs)]
		a.AddFrame(true, x[:HOGLen], x[HOGLen:])
		i++
	}
}

func BenchmarkRunningMedianHOG(b *testing.B) {
	rng := rand.New(rand.NewPCG(10, 11))
	inputs := make([][]float64, 16)
	for i := range inputs {
		inputs[i] = randomDescriptor(rng)[:HOGLen]
	}
	r := newRunningMedian(make([]float64, HOGLen), hogBins, hogMin, hogMax)
	for i := range 1000 {
		r.update(inputs[i%len(inputs)], true)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.update(inputs[i%len(inputs)], true)
		i++
	}
}
