package align

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/weights"
)

// readMeanShape reads the first matrix (204×1) of the PDM text file.
func readMeanShape(t testing.TB) []float64 {
	t.Helper()
	path := testenv.ModelPath(t, weights.PDMFile)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(words) < 3+3*NumLandmarks {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		words = append(words, strings.Fields(line)...)
	}
	if len(words) < 3+3*NumLandmarks || words[0] != "204" || words[1] != "1" {
		t.Fatalf("%s: unexpected mean-shape header %v", path, words[:min(3, len(words))])
	}
	mean := make([]float64, 3*NumLandmarks)
	for i := range mean {
		if mean[i], err = strconv.ParseFloat(words[3+i], 64); err != nil {
			t.Fatal(err)
		}
	}
	return mean
}

func newTestAligner(t testing.TB) (*Aligner, []float64) {
	t.Helper()
	mean := readMeanShape(t)
	tris, err := LoadTriangulation(testenv.ModelPath(t, trianglesFile))
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAligner(mean, tris)
	if err != nil {
		t.Fatal(err)
	}
	return a, mean
}

// csvFrame is one row of an OpenFace CSV: landmarks (planar) and p_tx, p_ty.
type csvFrame struct {
	landmarks []float64
	tx, ty    float64
}

func readCSVFrame(t testing.TB, rel string, frame int) csvFrame {
	t.Helper()
	f, err := os.Open(testenv.TestdataPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if header == nil {
			header = fields
			continue
		}
		if fields[0] != strconv.Itoa(frame) {
			continue
		}
		value := func(name string) float64 {
			for i, h := range header {
				if h == name {
					v, err := strconv.ParseFloat(fields[i], 64)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					return v
				}
			}
			t.Fatalf("%s: no column %s", rel, name)
			return 0
		}
		out := csvFrame{landmarks: make([]float64, 2*NumLandmarks), tx: value("p_tx"), ty: value("p_ty")}
		for i := range NumLandmarks {
			out.landmarks[i] = value("x_" + strconv.Itoa(i))
			out.landmarks[i+NumLandmarks] = value("y_" + strconv.Itoa(i))
		}
		return out
	}
	t.Fatalf("%s: frame %d not found", rel, frame)
	return csvFrame{}
}

func TestNewAlignerRejectsBadInput(t *testing.T) {
	mean := make([]float64, 204)
	good := [][3]int{{0, 1, 2}}
	cases := []struct {
		name string
		mean []float64
		tris [][3]int
	}{
		{"short mean", mean[:136], good},
		{"NaN in mean", append(append([]float64{}, mean[:203]...), math.NaN()), good},
		{"no triangles", mean, nil},
		{"index out of range", mean, [][3]int{{0, 1, 68}}},
	}
	for _, c := range cases {
		if _, err := NewAligner(c.mean, c.tris); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestSyntheticSimilarity is the check of spec §14: landmarks that are an
// in-plane similarity of the mean shape, L = s·R(θ)·mean + t, with the PDM
// translation t, must warp exactly onto 0.7·mean + (56, 56).
func TestSyntheticSimilarity(t *testing.T) {
	a, mean := newTestAligner(t)
	frame := bgr.New(640, 480)
	face := bgr.New(FaceSize, FaceSize)
	raised := map[int]bool{}
	for _, i := range foreheadLandmarks {
		raised[i] = true
	}
	cases := []struct{ s, theta, tx, ty float64 }{
		{1, 0, 320, 240},
		{2.5, 0.2, 300.25, 210.5},
		{0.8, -0.35, 150, 400},
		{4, math.Pi / 2, 320, 240},
		{1.7, -2.9, 500.7, 100.3},
	}
	for _, c := range cases {
		sin, cos := math.Sincos(c.theta)
		landmarks := make([]float64, 2*NumLandmarks)
		for i := range NumLandmarks {
			x, y := mean[i], mean[i+NumLandmarks]
			landmarks[i] = c.s*(cos*x-sin*y) + c.tx
			landmarks[i+NumLandmarks] = c.s*(sin*x+cos*y) + c.ty
		}
		a.Align(frame, landmarks, c.tx, c.ty, face)

		for i := range NumLandmarks {
			wantX, wantY := 0.7*mean[i]+56, 0.7*mean[i+NumLandmarks]+56
			if raised[i] {
				wantY -= 30
			}
			got := a.points[i]
			if math.Abs(float64(got.x)-wantX) > 2e-3 || math.Abs(float64(got.y)-wantY) > 2e-3 {
				t.Errorf("%+v: landmark %d warps to (%.4f, %.4f), want (%.4f, %.4f)", c, i, got.x, got.y, wantX, wantY)
			}
		}
		k := 0.7 / c.s
		wantA := [4]float64{k * cos, k * sin, -k * sin, k * cos}
		m := a.Warp()
		for i, w := range wantA {
			if got := m[[4]int{0, 1, 3, 4}[i]]; math.Abs(got-w) > 5e-6 {
				t.Errorf("%+v: matrix entry %d = %.8f, want %.8f", c, i, got, w)
			}
		}
	}
}

// fillGradient gives every channel of pixel (x, y) the value g(x, y) + c.
func fillGradient(img *bgr.Image, g func(x, y int) int) {
	for y := range img.H {
		for x := range img.W {
			for c := range 3 {
				img.Pix[(y*img.W+x)*3+c] = uint8(g(x, y) + c)
			}
		}
	}
}

// TestWarpAffineByHand checks OpenCV's fixed-point bilinear on cases whose
// results follow from the weights by hand: at a 1/2-pixel offset both
// neighbours weigh 16384, so the result is ⌊(p0 + p1 + 1)/2⌋; at 1/4 the
// weights are 24576 and 8192; neighbours off the frame count as 0.
func TestWarpAffineByHand(t *testing.T) {
	xPlusY := func(x, y int) int { return x + y }
	rampDown := func(x, y int) int { return x/8 + 2*y }
	cases := []struct {
		name  string
		w, h  int
		g     func(x, y int) int
		m     [6]float32
		want  func(p func(x, y int) int, x, y int) int
		frame *bgr.Image
	}{
		{"identity crops the top-left corner", 150, 130, xPlusY, [6]float32{1, 0, 0, 0, 1, 0},
			func(p func(x, y int) int, x, y int) int { return p(x, y) }, nil},
		{"half pixel to the right rounds half up", 113, 112, xPlusY, [6]float32{1, 0, -0.5, 0, 1, 0},
			func(p func(x, y int) int, x, y int) int { return (p(x, y) + p(x+1, y) + 1) / 2 }, nil},
		{"half pixel past the right edge blends with black", 112, 112, xPlusY, [6]float32{1, 0, -0.5, 0, 1, 0},
			func(p func(x, y int) int, x, y int) int {
				if x == 111 {
					return (p(x, y) + 1) / 2
				}
				return (p(x, y) + p(x+1, y) + 1) / 2
			}, nil},
		{"half pixel to the left reads black left of column 0", 112, 112, xPlusY, [6]float32{1, 0, 0.5, 0, 1, 0},
			func(p func(x, y int) int, x, y int) int {
				if x == 0 {
					return (p(x, y) + 1) / 2
				}
				return (p(x-1, y) + p(x, y) + 1) / 2
			}, nil},
		{"quarter pixel down", 112, 113, rampDown, [6]float32{1, 0, 0, 0, 1, -0.25},
			func(p func(x, y int) int, x, y int) int {
				return (24576*p(x, y) + 8192*p(x, y+1) + 16384) >> 15
			}, nil},
		{"translation beyond the frame gives black", 150, 112, func(x, y int) int { return (x + y) / 2 }, [6]float32{1, 0, -100, 0, 1, 0},
			func(p func(x, y int) int, x, y int) int {
				if x+100 >= 150 {
					return -1
				}
				return p(x+100, y)
			}, nil},
		{"half scale samples every other pixel", 224, 224, func(x, y int) int { return (x + 3*y) / 4 }, [6]float32{0.5, 0, 0, 0, 0.5, 0},
			func(p func(x, y int) int, x, y int) int { return p(2*x, 2*y) }, nil},
		{"quarter turn", 112, 112, func(x, y int) int { return x + 2*(y%50) }, [6]float32{0, 1, 0, -1, 0, 111},
			func(p func(x, y int) int, x, y int) int { return p(111-y, x) }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			frame := bgr.New(c.w, c.h)
			fillGradient(frame, c.g)
			out := bgr.New(FaceSize, FaceSize)
			var a Aligner
			a.warpAffine(frame, c.m, out, nil)
			for y := range FaceSize {
				for x := range FaceSize {
					for ch := range 3 {
						p := func(px, py int) int { return c.g(px, py) + ch }
						want := c.want(p, x, y)
						if want < 0 {
							want = 0 // wholly outside the frame
						}
						if got := int(out.Pix[(y*FaceSize+x)*3+ch]); got != want {
							t.Fatalf("pixel (%d,%d) channel %d = %d, want %d", x, y, ch, got, want)
						}
					}
				}
			}
		})
	}
}

// TestWarpAffineNearFloatBilinear compares rotated and scaled warps with a
// float64 bilinear interpolation at the source position rounded to 1/32
// pixel, as OpenCV quantises it: the integer blend must agree within one
// level. The position is allowed to round to a neighbouring 1/32 step too,
// because OpenCV rounds the row and column terms separately.
func TestWarpAffineNearFloatBilinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	frame := bgr.New(300, 260)
	fillGradient(frame, func(x, y int) int {
		return int(100 + 60*math.Sin(float64(x)/9) + 40*math.Cos(float64(y)/7))
	})
	for range 20 {
		s, theta := 0.3+rng.Float64(), rng.Float64()*2*math.Pi
		sin, cos := math.Sincos(theta)
		m := [6]float32{float32(s * cos), float32(-s * sin), float32(rng.Float64()*80 - 40),
			float32(s * sin), float32(s * cos), float32(rng.Float64()*80 - 40)}
		out := bgr.New(FaceSize, FaceSize)
		var a Aligner
		a.warpAffine(frame, m, out, nil)
		inv := invertAffine(m)
		for y := range FaceSize {
			for x := range FaceSize {
				sx := inv[0]*float64(x) + inv[1]*float64(y) + inv[2]
				sy := inv[3]*float64(x) + inv[4]*float64(y) + inv[5]
				for ch := range 3 {
					got := float64(out.Pix[(y*FaceSize+x)*3+ch])
					best := math.Inf(1)
					for _, dx := range []float64{-1, 0, 1} {
						for _, dy := range []float64{-1, 0, 1} {
							qx, qy := (math.Round(sx*32)+dx)/32, (math.Round(sy*32)+dy)/32
							best = min(best, math.Abs(got-floatBilinear(frame, qx, qy, ch)))
						}
					}
					if best > 1 {
						t.Fatalf("m=%v pixel (%d,%d) = %g, float bilinear off by %.2f", m, x, y, got, best)
					}
				}
			}
		}
	}
}

func floatBilinear(img *bgr.Image, x, y float64, c int) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	ax, ay := x-x0, y-y0
	at := func(px, py float64) float64 {
		ix, iy := int(px), int(py)
		if ix < 0 || iy < 0 || ix >= img.W || iy >= img.H {
			return 0
		}
		return float64(img.Pix[(iy*img.W+ix)*3+c])
	}
	return (1-ay)*((1-ax)*at(x0, y0)+ax*at(x0+1, y0)) + ay*((1-ax)*at(x0, y0+1)+ax*at(x0+1, y0+1))
}

func TestBilinearWeightsSumToOne(t *testing.T) {
	for i, w := range bilinearWeights {
		if sum := w[0] + w[1] + w[2] + w[3]; sum != 1<<coefBits {
			t.Errorf("entry %d sums to %d", i, sum)
		}
	}
	if w := bilinearWeights[16*interTabSize+8]; w != [4]int32{12288, 4096, 12288, 4096} {
		t.Errorf("offset (8/32, 16/32) weights %v", w)
	}
}

func TestRoundToInt32(t *testing.T) {
	cases := []struct {
		in   float64
		want int32
	}{
		{0.5, 0}, {1.5, 2}, {-0.5, 0}, {-1.5, -2}, {2.4999, 2}, {-512, -512},
		{math.NaN(), math.MinInt32}, {3e9, math.MinInt32}, {-3e9, math.MinInt32},
	}
	for _, c := range cases {
		if got := roundToInt32(c.in); got != c.want {
			t.Errorf("roundToInt32(%g) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestMaskOnOpenFaceLandmarks aligns a uniform frame with the landmarks and
// PDM translation OpenFace reported for a real frame, then checks the
// conventions (rigid points land near the reference shape) and the mask.
func TestMaskOnOpenFaceLandmarks(t *testing.T) {
	a, mean := newTestAligner(t)
	for _, ref := range []struct {
		csv   string
		frame int
		w, h  int
	}{
		{"reference/openface-2.2-clnf/default.csv", 1, 640, 480},
		{"reference/openface-2.2-clnf/changeLighting.csv", 50, 640, 480},
		{"reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv", 10, 1080, 720},
	} {
		row := readCSVFrame(t, ref.csv, ref.frame)
		frame := bgr.New(ref.w, ref.h)
		for i := range frame.Pix {
			frame.Pix[i] = 200
		}
		face := bgr.New(FaceSize, FaceSize)
		a.Align(frame, row.landmarks, row.tx, row.ty, face)

		var sum, worst float64
		for _, i := range rigidPoints {
			p := a.points[i]
			d := math.Hypot(float64(p.x)-(0.7*mean[i]+56), float64(p.y)-(0.7*mean[i+NumLandmarks]+56))
			sum += d
			worst = max(worst, d)
		}
		t.Logf("%s frame %d: rigid points land %.2f px (mean), %.2f px (max) from 0.7·mean+56", ref.csv, ref.frame, sum/24, worst)
		if sum/24 > 5 || worst > 12 {
			t.Errorf("%s: rigid points land %.1f px (mean), %.1f px (max) from the reference", ref.csv, sum/24, worst)
		}
		inside := 0
		for y := range FaceSize {
			for x := range FaceSize {
				in := a.mask[y*FaceSize+x] == 1
				if in {
					inside++
				}
				want, nearEdge := insideMesh(a, float64(x), float64(y))
				if in != want && !nearEdge {
					t.Errorf("%s: pixel (%d,%d) mask %v, mesh says %v", ref.csv, x, y, in, want)
				}
				if in && !insideHull(a.points[:], float64(x), float64(y)) {
					t.Errorf("%s: masked pixel (%d,%d) outside the landmarks' convex hull", ref.csv, x, y)
				}
				v := face.Pix[(y*FaceSize+x)*3]
				if (in && v != 200) || (!in && v != 0) {
					t.Fatalf("%s: pixel (%d,%d) = %d with mask %v", ref.csv, x, y, v, in)
				}
			}
		}
		nose := a.points[30]
		if a.mask[int(nose.y)*FaceSize+int(nose.x)] != 1 {
			t.Errorf("%s: nose tip (%.1f, %.1f) is not in the mask", ref.csv, nose.x, nose.y)
		}
		for _, corner := range []int{0, FaceSize - 1, FaceSize * (FaceSize - 1), FaceSize*FaceSize - 1} {
			if a.mask[corner] != 0 {
				t.Errorf("%s: corner pixel %d is in the mask", ref.csv, corner)
			}
		}
		if frac := float64(inside) / (FaceSize * FaceSize); frac < 0.4 || frac > 0.85 {
			t.Errorf("%s: mask covers %.0f%% of the face image", ref.csv, 100*frac)
		}
	}
}

// insideMesh tests the pixel against every triangle with float64 signed
// distances to the edges; nearEdge reports a point within 1e-3 px of a
// triangle's boundary, where float32 rounding may decide either way.
func insideMesh(a *Aligner, x, y float64) (inside, nearEdge bool) {
	const tol = 1e-3
	for _, tri := range a.tris {
		var px, py [3]float64
		for k, idx := range tri {
			px[k], py[k] = float64(a.points[idx].x), float64(a.points[idx].y)
		}
		var d [3]float64
		for k := range 3 {
			j := (k + 1) % 3
			ex, ey := px[j]-px[k], py[j]-py[k]
			d[k] = (ex*(y-py[k]) - ey*(x-px[k])) / math.Hypot(ex, ey)
		}
		within := func(lo float64) bool { return d[0] >= lo && d[1] >= lo && d[2] >= lo }
		mirrored := func(hi float64) bool { return d[0] <= hi && d[1] <= hi && d[2] <= hi }
		if within(0) || mirrored(0) {
			inside = true
		}
		if (within(-tol) || mirrored(tol)) && !within(tol) && !mirrored(-tol) {
			nearEdge = true
		}
	}
	return inside, nearEdge
}

// insideHull reports whether (x, y) is inside or within 1e-3 px of the
// convex hull of pts.
func insideHull(pts []point, x, y float64) bool {
	hull := convexHull(pts)
	for k := range hull {
		a, b := hull[k], hull[(k+1)%len(hull)]
		ex, ey := b[0]-a[0], b[1]-a[1]
		if (ex*(y-a[1])-ey*(x-a[0]))/math.Hypot(ex, ey) < -1e-3 {
			return false
		}
	}
	return true
}

// convexHull returns the hull counter-clockwise in image coordinates
// (monotone chain).
func convexHull(pts []point) [][2]float64 {
	p := make([][2]float64, len(pts))
	for i, q := range pts {
		p[i] = [2]float64{float64(q.x), float64(q.y)}
	}
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (p[j][0] < p[j-1][0] || (p[j][0] == p[j-1][0] && p[j][1] < p[j-1][1])); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	cross := func(o, a, b [2]float64) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	var hull [][2]float64
	for pass := 0; pass < 2; pass++ {
		start := len(hull)
		for _, q := range p {
			for len(hull) >= start+2 && cross(hull[len(hull)-2], hull[len(hull)-1], q) <= 0 {
				hull = hull[:len(hull)-1]
			}
			hull = append(hull, q)
		}
		hull = hull[:len(hull)-1]
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return hull
}

func TestDegenerateLandmarksGiveBlackFace(t *testing.T) {
	a, _ := newTestAligner(t)
	frame := bgr.New(64, 64)
	for i := range frame.Pix {
		frame.Pix[i] = 90
	}
	face := bgr.New(FaceSize, FaceSize)
	for i := range face.Pix {
		face.Pix[i] = 7
	}
	same := make([]float64, 2*NumLandmarks)
	for i := range same {
		same[i] = 30
	}
	a.Align(frame, same, 30, 30, face)
	for i, v := range face.Pix {
		if v != 0 {
			t.Fatalf("byte %d = %d, want a black face", i, v)
		}
	}
}

func BenchmarkAlign(b *testing.B) {
	a, _ := newTestAligner(b)
	row := readCSVFrame(b, "reference/openface-2.2-clnf/default.csv", 1)
	frame := bgr.New(640, 480)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range frame.Pix {
		frame.Pix[i] = uint8(rng.IntN(256))
	}
	face := bgr.New(FaceSize, FaceSize)
	b.ReportAllocs()
	for b.Loop() {
		a.Align(frame, row.landmarks, row.tx, row.ty, face)
	}
}
