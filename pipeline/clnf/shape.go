package clnf

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// shapeModel is a point distribution model of any size (the 68-point face or
// a part): S3 = mean + comps·p, planar X, Y, Z blocks.
type shapeModel struct {
	n, m  int
	mean  []float64 // 3n
	comps []float64 // 3n×m, row-major
	eig   []float64 // m
}

// pdmShape views the 68-point PDM as a shapeModel.
func pdmShape(p *pdm.Model) *shapeModel {
	s := &shapeModel{n: pdm.NumPoints, m: pdm.NumModes, mean: p.Mean[:], eig: p.Eigenvalues[:]}
	s.comps = make([]float64, 0, pdm.ShapeLen*pdm.NumModes)
	for _, row := range p.Components {
		s.comps = append(s.comps, row[:]...)
	}
	return s
}

// loadShapeModel reads a PDM text file of any size: three matrices (mean
// 3n×1, components 3n×m, eigenvalues 1×m or m×1), each as rows, cols, type
// and values after '#' comment lines.
func loadShapeModel(path string) (*shapeModel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sm, err := parseShapeModel(string(data))
	if err != nil {
		return nil, fmt.Errorf("PDM %s: %w", path, err)
	}
	return sm, nil
}

func parseShapeModel(text string) (*shapeModel, error) {
	toks := textTokens(text)
	var mats [3][]float64
	var dims [3][2]int
	for k := range mats {
		var err error
		if dims[k], mats[k], err = textMatrix(&toks); err != nil {
			return nil, err
		}
	}
	rows, m := dims[1][0], dims[1][1]
	if dims[0][0] != rows || dims[0][1] != 1 || rows%3 != 0 || dims[2][0]*dims[2][1] != m {
		return nil, fmt.Errorf("inconsistent matrix shapes %v", dims)
	}
	for _, e := range mats[2] {
		if !(e > 0) {
			return nil, errors.New("eigenvalues must be positive")
		}
	}
	return &shapeModel{n: rows / 3, m: m, mean: mats[0], comps: mats[1], eig: mats[2]}, nil
}

// textTokens splits a text matrix file into fields, dropping '#' comment lines.
func textTokens(s string) []string {
	var toks []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		toks = append(toks, strings.Fields(line)...)
	}
	return toks
}

func textMatrix(toks *[]string) ([2]int, []float64, error) {
	t := *toks
	if len(t) < 3 {
		return [2]int{}, nil, errors.New("the file ends early")
	}
	rows, err1 := strconv.Atoi(t[0])
	cols, err2 := strconv.Atoi(t[1])
	if err1 != nil || err2 != nil || rows < 1 || cols < 1 || rows > 1<<12 || cols > 1<<10 || len(t)-3 < rows*cols {
		return [2]int{}, nil, fmt.Errorf("bad matrix header %q %q or too few values", t[0], t[1])
	}
	vals := make([]float64, rows*cols)
	for i := range vals {
		v, err := strconv.ParseFloat(t[3+i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return [2]int{}, nil, fmt.Errorf("bad matrix value %q", t[3+i])
		}
		vals[i] = v
	}
	*toks = t[3+rows*cols:]
	return [2]int{rows, cols}, vals, nil
}

const (
	calcMaxIterations = 1000
	calcDamping       = 0.75
	calcMinPivot      = 0x1p-23 // OpenCV's float32 Cholesky gives up below this
)

// calcParams fits a part fitter's global and local parameters to its 2n
// landmarks in f.target as OpenFace's PDM::CalcParams does (spec §3.3): a
// point whose x is exactly 0 is unknown and ignored; box initialisation, then
// damped Gauss-Newton with the 1/eigenvalue prior until the error stops
// improving three times.
func (f *partFitter) calcParams() error {
	sm, n := f.model.shape, f.model.shape.n
	for i := range n {
		f.weights[i] = 0
		if f.target[i] != 0 {
			f.weights[i] = 1
		}
	}
	minX, maxX := f.knownSpan(f.target[:n])
	minY, maxY := f.knownSpan(f.target[n:])
	minMX, maxMX := f.knownSpan(sm.mean[:n])
	minMY, maxMY := f.knownSpan(sm.mean[n : 2*n])
	if math.IsInf(minX, 0) {
		return errors.New("no known points")
	}
	if maxMX == minMX || maxMY == minMY {
		return errors.New("the known points of the part model have no extent")
	}
	scale := (math.Abs(maxX-minX)/math.Abs(maxMX-minMX) + math.Abs(maxY-minY)/math.Abs(maxMY-minMY)) / 2
	f.global = [6]float64{scale, 0, 0, 0, (minX + maxX) / 2, (minY + maxY) / 2}
	clear(f.local)
	f.shape3DFromLocal()
	errNorm := f.targetError()
	bad := 0
	for range calcMaxIterations {
		f.shape3DFromLocal()
		f.project(f.shape)
		for i := range f.meanShift {
			f.meanShift[i] = f.target[i] - f.shape[i]
		}
		f.jacobian(false)
		f.normalEquations(len(f.rhs), false, 1)
		if f.solve(len(f.rhs), calcMinPivot) {
			for i := range f.step {
				f.step[i] *= calcDamping
			}
		} else {
			clear(f.step)
		}
		f.updateParams(len(f.step))
		// OpenFace measures the new error with the shape of the old local params.
		newErr := f.targetError()
		f.shape3DFromLocal()
		if 0.999*errNorm < newErr {
			if bad++; bad == 3 {
				break
			}
		}
		errNorm = newErr
	}
	return nil
}

// targetError is the L2 norm of the projection of shape3D minus f.target
// over the known points.
func (f *partFitter) targetError() float64 {
	f.projectShape3D(f.shape)
	n := f.model.shape.n
	var s float64
	for i, v := range f.shape {
		d := v - f.target[i]
		s += f.weights[i%n] * d * d
	}
	return math.Sqrt(s)
}

// knownSpan returns the range of v (one coordinate block) over the known points.
func (f *partFitter) knownSpan(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i, x := range v {
		if f.weights[i] != 0 {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return lo, hi
}
