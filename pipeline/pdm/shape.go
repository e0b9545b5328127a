package pdm

import "fmt"

// Shape3D writes the object-frame shape S3 = mean + PC·p (spec §3.2) into out
// (ShapeLen values, planar X, Y, Z blocks).
func (m *Model) Shape3D(local []float64, out []float64) {
	mustLen("Shape3D parameters", local, NumModes)
	mustLen("Shape3D output", out, ShapeLen)
	p := (*[NumModes]float64)(local)
	for r := range ShapeLen {
		out[r] = m.Mean[r] + dot(&m.Components[r], p)
	}
}

// Project writes the weak-perspective projection of the model with params p
// (spec §3.2), x_i = s·(R·S3_i)_x + tx and y_i = s·(R·S3_i)_y + ty, into out
// (LandmarksLen values, planar x then y).
func (m *Model) Project(p Params, out []float64) {
	mustLen("Project output", out, LandmarksLen)
	r := p.Rotation()
	for i := range NumPoints {
		x, y, z := m.point(i, &p.Local)
		out[i] = p.Scale*(r[0][0]*x+r[0][1]*y+r[0][2]*z) + p.Tx
		out[i+NumPoints] = p.Scale*(r[1][0]*x+r[1][1]*y+r[1][2]*z) + p.Ty
	}
}

// LocalShape writes PC·p, the non-rigid shape offset without the mean, into
// out (ShapeLen values): the first block of the geometry features (spec §6).
func (m *Model) LocalShape(local []float64, out []float64) {
	mustLen("LocalShape parameters", local, NumModes)
	mustLen("LocalShape output", out, ShapeLen)
	p := (*[NumModes]float64)(local)
	for r := range ShapeLen {
		out[r] = dot(&m.Components[r], p)
	}
}

// Geometry writes the 238 geometry features [PC·p, p] of spec §6 into out.
// A failed frame is represented by zero params, which give all zeros.
func (m *Model) Geometry(p Params, out []float64) {
	mustLen("Geometry output", out, GeometryLen)
	m.LocalShape(p.Local[:], out[:ShapeLen])
	copy(out[ShapeLen:], p.Local[:])
}

// mustLen panics when a caller passes a slice of the wrong length: that is a
// programming error, not a data error.
func mustLen(what string, s []float64, n int) {
	if len(s) != n {
		panic(fmt.Sprintf("pdm: %s has %d values, want %d", what, len(s), n))
	}
}
