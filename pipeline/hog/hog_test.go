package hog

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// tiePolicy says which colour channel wins equal gradient magnitudes in the
// float64 reference below.
type tiePolicy int

const (
	dlibSplit tiePolicy = iota // blue first up to column 104, red first after
	redFirst
	blueFirst
)

// referenceFHOG is a plain float64 transcription of spec §5 (the classic
// voc-release formulation, ½·Σ min(h·n, 0.2)), independent of the float32,
// SIMD-shaped code under test.
func referenceFHOG(img *bgr.Image, ties tiePolicy) []float64 {
	const n = 14
	dirs := [9][2]float64{
		{1.0000, 0.0000}, {0.9397, 0.3420}, {0.7660, 0.6428}, {0.500, 0.8660}, {0.1736, 0.9848},
		{-0.1736, 0.9848}, {-0.5000, 0.8660}, {-0.7660, 0.6428}, {-0.9397, 0.3420},
	}
	var hist [n][n][18]float64
	at := func(x, y, c int) float64 { return float64(img.Pix[(y*img.W+x)*3+c]) }
	for y := 1; y <= 110; y++ {
		for x := 1; x <= 110; x++ {
			var gx, gy [3]float64 // indexed B, G, R
			for c := range 3 {
				gx[c] = at(x+1, y, c) - at(x-1, y, c)
				gy[c] = at(x, y+1, c) - at(x, y-1, c)
			}
			order := []int{2, 1, 0} // red first, replace on strictly greater
			if ties == blueFirst || (ties == dlibSplit && x <= 104) {
				order = []int{0, 1, 2}
			}
			pick := order[0]
			for _, c := range order[1:] {
				if gx[c]*gx[c]+gy[c]*gy[c] > gx[pick]*gx[pick]+gy[pick]*gy[pick] {
					pick = c
				}
			}
			v := math.Hypot(gx[pick], gy[pick])
			best, bin := 0.0, 0
			for o, d := range dirs {
				dot := d[0]*gx[pick] + d[1]*gy[pick]
				if dot > best {
					best, bin = dot, o
				} else if -dot > best {
					best, bin = -dot, o+9
				}
			}
			xp := (float64(x)+0.5)/8 - 0.5
			yp := (float64(y)+0.5)/8 - 0.5
			ix, iy := int(math.Floor(xp)), int(math.Floor(yp))
			ax, ay := xp-float64(ix), yp-float64(iy)
			for _, c := range []struct {
				r, c int
				w    float64
			}{{iy, ix, (1 - ay) * (1 - ax)}, {iy + 1, ix, ay * (1 - ax)}, {iy, ix + 1, (1 - ay) * ax}, {iy + 1, ix + 1, ay * ax}} {
				if c.r >= 0 && c.r < n && c.c >= 0 && c.c < n {
					hist[c.r][c.c][bin] += c.w * v
				}
			}
		}
	}
	var energy [n][n]float64
	for r := range n {
		for c := range n {
			for o := range 9 {
				s := hist[r][c][o] + hist[r][c][o+9]
				energy[r][c] += s * s
			}
		}
	}
	out := make([]float64, Length)
	for Y := range 12 {
		for X := range 12 {
			e := func(r, c int) float64 { return energy[r][c] }
			norms := [4]float64{
				1 / math.Sqrt(e(Y+1, X+1)+e(Y+1, X+2)+e(Y+2, X+1)+e(Y+2, X+2)+1e-4),
				1 / math.Sqrt(e(Y, X+1)+e(Y, X+2)+e(Y+1, X+1)+e(Y+1, X+2)+1e-4),
				1 / math.Sqrt(e(Y+1, X)+e(Y+1, X+1)+e(Y+2, X)+e(Y+2, X+1)+1e-4),
				1 / math.Sqrt(e(Y, X)+e(Y, X+1)+e(Y+1, X)+e(Y+1, X+1)+1e-4),
			}
			h := hist[Y+1][X+1]
			f := out[(Y*12+X)*31:]
			var t [4]float64
			for o := range 18 {
				for k, nk := range norms {
					c := math.Min(h[o]*nk, 0.2)
					f[o] += 0.5 * c
					t[k] += c
				}
			}
			for o := range 9 {
				for _, nk := range norms {
					f[18+o] += 0.5 * math.Min((h[o]+h[o+9])*nk, 0.2)
				}
			}
			for k := range 4 {
				f[27+k] = 0.2357 * t[k]
			}
		}
	}
	return out
}

func extract(t testing.TB, img *bgr.Image) []float64 {
	t.Helper()
	out := make([]float64, Length)
	NewExtractor().Extract(img, out)
	return out
}

func maxAbsDiff(a, b []float64) (worst float64, at int) {
	for i := range a {
		if d := math.Abs(a[i] - b[i]); d > worst {
			worst, at = d, i
		}
	}
	return worst, at
}

func randomImage(seed uint64, maxValue int) *bgr.Image {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := bgr.New(ImageSize, ImageSize)
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(maxValue + 1))
	}
	return img
}

func smoothImage() *bgr.Image {
	img := bgr.New(ImageSize, ImageSize)
	for y := range ImageSize {
		for x := range ImageSize {
			fx, fy := float64(x), float64(y)
			i := (y*ImageSize + x) * 3
			img.Pix[i] = uint8(128 + 100*math.Sin(0.13*fx+0.07*fy))
			img.Pix[i+1] = uint8(128 + 90*math.Cos(0.05*fx-0.11*fy))
			img.Pix[i+2] = uint8(128 + 120*math.Sin(0.02*fx*fy/8))
		}
	}
	return img
}

func TestZeroImageGivesZeros(t *testing.T) {
	out := extract(t, bgr.New(ImageSize, ImageSize))
	if len(out) != 4464 {
		t.Fatalf("length %d, want 4464", len(out))
	}
	for i, v := range out {
		if v != 0 {
			t.Fatalf("feature %d = %g, want 0", i, v)
		}
	}
}

func TestMatchesFloat64Reference(t *testing.T) {
	cases := []struct {
		name string
		img  *bgr.Image
	}{
		{"full-range colour noise", randomImage(1, 255)},
		{"low-contrast noise full of channel ties", randomImage(2, 3)},
		{"binary noise", randomImage(3, 1)},
		{"smooth colour waves", smoothImage()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := extract(t, c.img), referenceFHOG(c.img, dlibSplit)
			if worst, at := maxAbsDiff(got, want); worst > 2e-6 {
				t.Errorf("feature %d = %.9f, reference %.9f (|diff| %.2g)", at, got[at], want[at], worst)
			}
		})
	}
}

func TestValueRanges(t *testing.T) {
	for seed := range uint64(6) {
		out := extract(t, randomImage(seed+10, 255))
		for i, v := range out {
			o := i % Features
			limit := 0.4
			if o >= 27 {
				limit = 0.85
			}
			if v < 0 || v > limit+1e-6 {
				t.Fatalf("seed %d: feature %d (channel %d) = %g, outside [0, %g]", seed, i, o, v, limit)
			}
		}
	}
}

// TestVerticalEdgeByHand: columns 0..55 black, 56..111 at 200. Only pixels
// x = 55 and 56 have a gradient, (200, 0), bin 0, magnitude 200. Their
// bilinear weights into cell columns 6 and 7 add up to 1 per row, and each
// inner cell row collects a vertical weight of 8, so hist = 1600 in bin 0
// of cell columns 6 and 7 (1287.5 in the outer rows). Every block around
// output columns 5 and 6 holds at most 4 such cells, so each h·n ≥ 1/2 and
// clips to 0.2: bins 0 and 18 are ½·4·0.2 = 0.4 and each texture feature is
// 0.2357·0.2. Everything else is 0.
func TestVerticalEdgeByHand(t *testing.T) {
	img := bgr.New(ImageSize, ImageSize)
	for y := range ImageSize {
		for x := 56; x < ImageSize; x++ {
			i := (y*ImageSize + x) * 3
			img.Pix[i], img.Pix[i+1], img.Pix[i+2] = 200, 200, 200
		}
	}
	out := extract(t, img)
	for Y := range GridSize {
		for X := range GridSize {
			for o := range Features {
				want := 0.0
				if X == 5 || X == 6 {
					switch {
					case o == 0 || o == 18:
						want = 0.4
					case o >= 27:
						want = 0.2357 * 0.2
					}
				}
				got := out[(Y*GridSize+X)*Features+o]
				if math.Abs(got-want) > 1e-6 {
					t.Errorf("cell (%d,%d) feature %d = %.8f, want %.8f", Y, X, o, got, want)
				}
			}
		}
	}
}

// TestHistogramOfOnePixelByHand checks the raw histogram: a single white
// pixel at (20, 20) gives four gradients of magnitude 100 — at (19,20)
// pointing right (bin 0), at (21,20) left (bin 9), at (20,19) down (bin 4:
// the tie between 80° and 100° keeps the first) and at (20,21) up (bin 13).
// Pixel 19 sits at cell coordinate 1.9375 and 20 at 2.0625, 21 at 2.1875.
func TestHistogramOfOnePixelByHand(t *testing.T) {
	img := bgr.New(ImageSize, ImageSize)
	i := (20*ImageSize + 20) * 3
	img.Pix[i], img.Pix[i+1], img.Pix[i+2] = 100, 100, 100
	e := NewExtractor()
	e.Extract(img, make([]float64, Length))

	type vote struct{ px, py, bin int }
	want := map[[3]int]float64{}
	weights := func(p int) (cell int, near, far float64) {
		pos := (float64(p)+0.5)/8 - 0.5
		cell = int(math.Floor(pos))
		return cell, 1 - (pos - float64(cell)), pos - float64(cell)
	}
	for _, v := range []vote{{19, 20, 0}, {21, 20, 9}, {20, 19, 4}, {20, 21, 13}} {
		cx, nx, fx := weights(v.px)
		cy, ny, fy := weights(v.py)
		want[[3]int{cy, cx, v.bin}] += 100 * ny * nx
		want[[3]int{cy + 1, cx, v.bin}] += 100 * fy * nx
		want[[3]int{cy, cx + 1, v.bin}] += 100 * ny * fx
		want[[3]int{cy + 1, cx + 1, v.bin}] += 100 * fy * fx
	}
	for r := range cells {
		for c := range cells {
			for o := range bins {
				got := float64(e.hist[((r+1)*padded+c+1)*bins+o])
				if w := want[[3]int{r, c, o}]; math.Abs(got-w) > 1e-4 {
					t.Errorf("hist[%d][%d][%d] = %g, want %g", r, c, o, got, w)
				}
			}
		}
	}
	// (19,20) sends 0.9375 of its row weight and 0.9375 of its column weight
	// into cell (2,2).
	if got := e.hist[(3*padded+3)*bins+0]; math.Abs(float64(got)-100*0.9375*0.9375) > 1e-4 {
		t.Errorf("spot check hist[2][2][0] = %g, want %g", got, 100*0.9375*0.9375)
	}
}

// mirroredBin maps a signed orientation bin to its left-right mirror image:
// angle θ becomes 180° − θ.
func mirroredBin(o int) int { return ((9-o)%18 + 18) % 18 }

// TestMirrorSymmetry: flipping a grey image left-right maps output cell
// column X to 11−X, signed bin o to 9−o, unsigned bin o to (9−o) mod 9, and
// swaps the left and right normalisation blocks (texture 27↔29, 28↔30). The
// image keeps every horizontal gradient non-zero so no vertical gradient hits
// the 80°/100° tie, which is not mirror-symmetric.
func TestMirrorSymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	img, mirror := bgr.New(ImageSize, ImageSize), bgr.New(ImageSize, ImageSize)
	for y := range ImageSize {
		wave := 16 + 16*math.Sin(0.5*float64(y))
		for x := range ImageSize {
			v := uint8(2*x + int(wave) + rng.IntN(2))
			for c := range 3 {
				img.Pix[(y*ImageSize+x)*3+c] = v
				mirror.Pix[(y*ImageSize+ImageSize-1-x)*3+c] = v
			}
		}
	}
	a, b := extract(t, img), extract(t, mirror)
	textureSwap := [4]int{2, 3, 0, 1}
	nonZero := 0
	for Y := range GridSize {
		for X := range GridSize {
			fa := a[(Y*GridSize+X)*Features:][:Features]
			fb := b[(Y*GridSize+GridSize-1-X)*Features:][:Features]
			for o := range 18 {
				checkClose(t, Y, X, o, fa[o], fb[mirroredBin(o)])
			}
			for o := range 9 {
				checkClose(t, Y, X, 18+o, fa[18+o], fb[18+(9-o)%9])
			}
			for k := range 4 {
				checkClose(t, Y, X, 27+k, fa[27+k], fb[27+textureSwap[k]])
			}
			for _, v := range fa {
				if v != 0 {
					nonZero++
				}
			}
		}
	}
	if nonZero < 1000 {
		t.Fatalf("only %d non-zero features: the test image is too plain to test anything", nonZero)
	}
}

func checkClose(t *testing.T, y, x, o int, a, b float64) {
	t.Helper()
	if math.Abs(a-b) > 1e-5 {
		t.Errorf("cell (%d,%d) feature %d: %g vs mirrored %g", y, x, o, a, b)
	}
}

// tiePattern draws, around pixel (x, y), channel gradients of equal length
// 5 in three directions: red (3,4), green (5,0), blue (0,5).
func tiePattern(x, y int) *bgr.Image {
	img := bgr.New(ImageSize, ImageSize)
	set := func(px, py, channel int, v uint8) { img.Pix[(py*ImageSize+px)*3+channel] = v }
	set(x+1, y, 2, 3)
	set(x, y+1, 2, 4)
	set(x+1, y, 1, 5)
	set(x, y+1, 0, 5)
	return img
}

func TestStrongestGradientTieBreak(t *testing.T) {
	cases := []struct {
		name   string
		x      int
		wantGx int32
		wantGy int32
	}{
		{"first SIMD column prefers blue", 1, 0, 5},
		{"SIMD column prefers blue", 60, 0, 5},
		{"last SIMD column prefers blue", 104, 0, 5},
		{"first scalar column prefers red", 105, 3, 4},
		{"scalar column prefers red", 108, 3, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := min(c.x, ImageSize-3)
			img := tiePattern(x, 40)
			gx, gy, lenSq := strongestGradient(img.Pix, (40*ImageSize+x)*3, ImageSize*3, c.x < simdEnd)
			if gx != c.wantGx || gy != c.wantGy || lenSq != 25 {
				t.Errorf("gradient (%d,%d) len² %d, want (%d,%d) len² 25", gx, gy, lenSq, c.wantGx, c.wantGy)
			}
		})
	}
	green := []struct {
		simd bool
		want int32
	}{{true, 5}, {false, 3}}
	for _, g := range green {
		// Red and green tie at 25, blue is weaker: SIMD keeps green, scalar red.
		img := bgr.New(ImageSize, ImageSize)
		i := (40*ImageSize + 50) * 3
		img.Pix[i+3+2], img.Pix[i+ImageSize*3+2] = 3, 4
		img.Pix[i+3+1] = 5
		if gx, _, _ := strongestGradient(img.Pix, i, ImageSize*3, g.simd); gx != g.want {
			t.Errorf("simd=%v: red/green tie picked gx %d, want %d", g.simd, gx, g.want)
		}
	}
}

// TestTieBreakReachesDescriptor: the same tie pattern gives blue's bin in a
// SIMD column and red's bin in the scalar tail, and the descriptor agrees
// only with the reference that splits the tie-break at column 105.
func TestTieBreakReachesDescriptor(t *testing.T) {
	cases := []struct {
		x     int
		wrong tiePolicy
	}{{50, redFirst}, {107, blueFirst}}
	for _, c := range cases {
		img := tiePattern(c.x, 50)
		got := extract(t, img)
		if worst, at := maxAbsDiff(got, referenceFHOG(img, dlibSplit)); worst > 2e-6 {
			t.Errorf("x=%d: feature %d differs from the split reference by %g", c.x, at, worst)
		}
		if worst, _ := maxAbsDiff(got, referenceFHOG(img, c.wrong)); worst < 0.05 {
			t.Errorf("x=%d: descriptor also matches the wrong tie-break (max diff %g)", c.x, worst)
		}
	}
}

func TestOrientationBin(t *testing.T) {
	cases := []struct {
		gx, gy float32
		want   int
	}{
		{0, 0, 0}, {5, 0, 0}, {-5, 0, 9}, {0, 5, 4}, {0, -5, 13},
		{3, 4, 3}, {-3, 4, 6}, {10, 1, 0}, {10, 2, 1}, {-10, -2, 10},
		{1, -10, 14}, {-1, -10, 13},
	}
	for _, c := range cases {
		if got := orientationBin(c.gx, c.gy); got != c.want {
			t.Errorf("orientationBin(%g, %g) = %d, want %d", c.gx, c.gy, got, c.want)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	img := randomImage(42, 255)
	e := NewExtractor()
	out := make([]float64, Length)
	b.ReportAllocs()
	for b.Loop() {
		e.Extract(img, out)
	}
}
