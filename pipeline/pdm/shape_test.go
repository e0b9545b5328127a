package pdm

import (
	"math"
	"testing"
)

func TestParseCompactSeed(t *testing.T) {
	m, err := parse([]byte(compactPDM()))
	if err != nil {
		t.Fatal(err)
	}
	if m.Mean[203] != 1 || m.Components[203][33] != 0 || m.Eigenvalues[33] != 2 {
		t.Error("compact model read wrongly")
	}
}

func TestGeometry(t *testing.T) {
	m := loadModel(t)
	geom := make([]float64, GeometryLen)
	shape := make([]float64, ShapeLen)

	m.Geometry(Params{Scale: 2, Rx: 1, Tx: 5}, geom)
	for i, v := range geom {
		if v != 0 {
			t.Fatalf("zero local params (a failed frame) gave geom[%d] = %g", i, v)
		}
	}

	p := Params{Scale: 1.2, Local: randomLocal(m, 3)}
	m.Geometry(p, geom)
	m.Shape3D(p.Local[:], shape)
	for r := range ShapeLen {
		if d := math.Abs(geom[r] - (shape[r] - m.Mean[r])); d > 1e-12 {
			t.Fatalf("geom[%d] = %g, want S3 − mean = %g", r, geom[r], shape[r]-m.Mean[r])
		}
	}
	for j := range NumModes {
		if geom[ShapeLen+j] != p.Local[j] {
			t.Fatalf("geom[%d] = %g, want p_%d = %g", ShapeLen+j, geom[ShapeLen+j], j, p.Local[j])
		}
	}
	// A unit value of mode 4 alone gives column 4 of the components.
	var unit Params
	unit.Local[4] = 1
	m.LocalShape(unit.Local[:], shape)
	for r := range ShapeLen {
		if shape[r] != m.Components[r][4] {
			t.Fatalf("LocalShape(e_4)[%d] = %g, want %g", r, shape[r], m.Components[r][4])
		}
	}
}

func TestProjectWeakPerspective(t *testing.T) {
	m := loadModel(t)
	out := make([]float64, LandmarksLen)
	m.Project(Params{Scale: 2, Tx: 10, Ty: -3}, out)
	for i := range NumPoints {
		if out[i] != 2*m.Mean[i]+10 || out[i+NumPoints] != 2*m.Mean[i+NumPoints]-3 {
			t.Fatalf("point %d projected to (%g, %g)", i, out[i], out[i+NumPoints])
		}
	}
}

func TestDefaultIntrinsics(t *testing.T) {
	cases := []struct {
		w, h int
		want Intrinsics
	}{
		{640, 480, Intrinsics{500, 500, 320, 240}},
		{1080, 720, Intrinsics{796.875, 796.875, 540, 360}},
		{1920, 1080, Intrinsics{1312.5, 1312.5, 960, 540}},
	}
	for _, c := range cases {
		if got := DefaultIntrinsics(c.w, c.h); got != c.want {
			t.Errorf("DefaultIntrinsics(%d, %d) = %+v, want %+v", c.w, c.h, got, c.want)
		}
	}
}

// TestPoseSynthetic projects a known posed shape with a pinhole camera and
// checks that Pose recovers the pose from a weak-perspective starting point.
func TestPoseSynthetic(t *testing.T) {
	m := loadModel(t)
	intr := DefaultIntrinsics(640, 480)
	p := Params{Local: randomLocal(m, 2)}
	obj := make([]float64, ShapeLen)
	m.Shape3D(p.Local[:], obj)
	for _, c := range []struct{ t, euler [3]float64 }{
		{[3]float64{-20, 10, 450}, [3]float64{0.1, -0.2, 0.05}},
		{[3]float64{40, -30, 600}, [3]float64{-0.3, 0.5, -0.2}},
	} {
		rot := EulerToRotation(c.euler[0], c.euler[1], c.euler[2])
		l := make([]float64, LandmarksLen)
		for i := range NumPoints {
			var cam [3]float64
			for k := range 3 {
				cam[k] = rot[k][0]*obj[i] + rot[k][1]*obj[i+NumPoints] + rot[k][2]*obj[i+2*NumPoints] + c.t[k]
			}
			l[i] = intr.Fx*cam[0]/cam[2] + intr.Cx
			l[i+NumPoints] = intr.Fy*cam[1]/cam[2] + intr.Cy
		}
		// A rough weak-perspective guess, as CalcParams would give.
		guess := p
		guess.Scale = intr.Fx / c.t[2] * 1.05
		guess.Rx, guess.Ry, guess.Rz = c.euler[0]+0.05, c.euler[1]-0.05, c.euler[2]
		guess.Tx = intr.Fx*c.t[0]/c.t[2] + intr.Cx + 3
		guess.Ty = intr.Fy*c.t[1]/c.t[2] + intr.Cy - 2
		gotT, gotR := m.Pose(guess, l, intr)
		for k := range 3 {
			if math.Abs(gotT[k]-c.t[k]) > 1e-6 || math.Abs(gotR[k]-c.euler[k]) > 1e-8 {
				t.Errorf("pose %v %v: got %v %v", c.t, c.euler, gotT, gotR)
				break
			}
		}
	}
	if tr, r := m.Pose(Params{}, make([]float64, LandmarksLen), intr); tr != [3]float64{} || r != [3]float64{} {
		t.Errorf("zero scale gave pose %v %v, want zeros", tr, r)
	}
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	m := loadModel(t)
	intr := DefaultIntrinsics(640, 480)
	p := Params{Scale: 1.3, Rx: 0.1, Ry: -0.2, Rz: 0.05, Tx: 300, Ty: 250, Local: randomLocal(m, 1)}
	l := synthetic(m, p)
	out := make([]float64, GeometryLen)
	cases := map[string]func(){
		"Pose":            func() { m.Pose(p, l, intr) },
		"CameraLandmarks": func() { m.CameraLandmarks(p, l, intr, out[:ShapeLen]) },
		"Geometry":        func() { m.Geometry(p, out) },
		"Project":         func() { m.Project(p, out[:LandmarksLen]) },
	}
	for name, fn := range cases {
		if n := testing.AllocsPerRun(20, fn); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
}

func BenchmarkPose(b *testing.B) {
	m := loadModel(b)
	fr := loadReference(b, references[0]).frames[0]
	intr := DefaultIntrinsics(640, 480)
	b.ReportAllocs()
	for b.Loop() {
		m.Pose(fr.params, fr.landmarks, intr)
	}
}

func BenchmarkCameraLandmarks(b *testing.B) {
	m := loadModel(b)
	fr := loadReference(b, references[0]).frames[0]
	intr := DefaultIntrinsics(640, 480)
	out := make([]float64, ShapeLen)
	b.ReportAllocs()
	for b.Loop() {
		m.CameraLandmarks(fr.params, fr.landmarks, intr, out)
	}
}

func BenchmarkGeometry(b *testing.B) {
	m := loadModel(b)
	fr := loadReference(b, references[0]).frames[0]
	out := make([]float64, GeometryLen)
	b.ReportAllocs()
	for b.Loop() {
		m.Geometry(fr.params, out)
	}
}
