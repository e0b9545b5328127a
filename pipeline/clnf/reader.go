package clnf

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// OpenCV element type codes used by the binary patch-expert files.
const (
	cvInt32   = 4
	cvFloat32 = 5
	cvFloat64 = 6
)

// maxPatchSide bounds a patch expert's support so a corrupt file cannot ask
// for huge buffers.
const maxPatchSide = 32

// maxNeurons bounds an expert's neuron count for the same reason.
const maxNeurons = 64

var errTruncated = errors.New("the file ends early")

// Load reads an OpenFace CLNF model description. It accepts a detector file
// such as clnf_general.txt (a PDM line and one PatchesCCNF line per scale,
// paths relative to the file's folder) or a top-level file such as
// main_clnf_general.txt, whose LandmarkDetector line names the former and
// whose LandmarkDetector_part lines add the hierarchical part models
// ("inner", "left_eye_28", "right_eye_28"). Other lines (triangulations,
// validators, other parts) are ignored.
func Load(path string) (*Model, error) {
	m, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("read CLNF model %s: %w", path, err)
	}
	return m, nil
}

func load(path string) (*Model, error) {
	d, err := readDescription(path)
	if err != nil {
		return nil, err
	}
	m := &Model{}
	detector := d
	if d.detector != "" {
		if detector, err = readDescription(d.detector); err != nil {
			return nil, err
		}
	}
	if detector.pdm == "" {
		return nil, errors.New("no PDM line")
	}
	if m.PDM, err = pdm.Load(detector.pdm); err != nil {
		return nil, err
	}
	if m.main, err = loadPart(detector, pdmShape(m.PDM)); err != nil {
		return nil, err
	}
	if len(m.main.scales) != numScales {
		return nil, fmt.Errorf("%d PatchesCCNF lines, want %d", len(m.main.scales), numScales)
	}
	for _, pl := range d.parts {
		pm, err := loadPartModel(pl.path)
		if err != nil {
			return nil, err
		}
		if err := checkMapping(pl.mapping, pm.shape.n); err != nil {
			return nil, fmt.Errorf("part %s: %w", pl.name, err)
		}
		s := partSettingsByName[pl.name]
		if len(s.windows) > len(pm.scales) {
			s.windows = s.windows[:len(pm.scales)]
		}
		m.parts = append(m.parts, &part{name: pl.name, model: pm, mapping: pl.mapping, settings: s})
	}
	if err := checkEyeParts(m); err != nil {
		return nil, err
	}
	return m, nil
}

// description is what a model description file names.
type description struct {
	detector string // a LandmarkDetector line's file
	pdm      string
	patches  []string
	parts    []partLine
}

type partLine struct {
	name    string
	path    string
	mapping [][2]int // (index in the 68 points, index in the part)
}

func readDescription(path string) (*description, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	d := &description{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		location := filepath.Join(dir, fields[1])
		switch fields[0] {
		case "LandmarkDetector":
			d.detector = location
		case "PDM":
			d.pdm = location
		case "PatchesCCNF":
			d.patches = append(d.patches, location)
		case "LandmarkDetector_part":
			if len(fields) < 3 {
				continue
			}
			if _, known := partSettingsByName[fields[2]]; !known {
				continue
			}
			mapping, err := parseMapping(fields[3:])
			if err != nil {
				return nil, fmt.Errorf("%s: part %s: %w", path, fields[2], err)
			}
			d.parts = append(d.parts, partLine{name: fields[2], path: location, mapping: mapping})
		}
	}
	return d, nil
}

func parseMapping(fields []string) ([][2]int, error) {
	if len(fields)%2 != 0 || len(fields) == 0 {
		return nil, errors.New("the index mapping needs pairs of numbers")
	}
	out := make([][2]int, len(fields)/2)
	for k := range out {
		for j := range 2 {
			v, err := strconv.Atoi(fields[2*k+j])
			if err != nil {
				return nil, fmt.Errorf("index mapping: %w", err)
			}
			out[k][j] = v
		}
	}
	return out, nil
}

// checkMapping makes sure every mapped index exists.
func checkMapping(mapping [][2]int, partPoints int) error {
	for _, p := range mapping {
		if p[0] < 0 || p[0] >= pdm.NumPoints || p[1] < 0 || p[1] >= partPoints {
			return fmt.Errorf("mapping %d→%d is out of range", p[0], p[1])
		}
	}
	return nil
}

// loadPartModel reads the part model named by a LandmarkDetector_part line.
func loadPartModel(path string) (*partModel, error) {
	d, err := readDescription(path)
	if err != nil {
		return nil, err
	}
	if d.detector != "" {
		if d, err = readDescription(d.detector); err != nil {
			return nil, err
		}
	}
	if d.pdm == "" {
		return nil, fmt.Errorf("part %s: no PDM line", path)
	}
	shape, err := loadShapeModel(d.pdm)
	if err != nil {
		return nil, err
	}
	return loadPart(d, shape)
}

// loadPart reads the patch experts a description lists for a shape model.
func loadPart(d *description, shape *shapeModel) (*partModel, error) {
	p := &partModel{shape: shape, sigmas: map[sigmaKey][]float32{}, kdes: map[kdeKey][]float32{}}
	for _, loc := range d.patches {
		s, err := loadScale(loc, shape.n)
		if err != nil {
			return nil, err
		}
		p.scales = append(p.scales, s)
	}
	if len(p.scales) == 0 {
		return nil, errors.New("no PatchesCCNF line")
	}
	return p, nil
}

// loadScale reads one binary CCNF patch-expert file for points landmarks
// (Patch_experts::Read_CCNF_patch_experts).
func loadScale(path string, points int) (*scaleExperts, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read patch experts %s: %w", path, err)
	}
	s, err := parseScale(data, points)
	if err != nil {
		return nil, fmt.Errorf("read patch experts %s: %w", path, err)
	}
	return s, nil
}

// binReader decodes the little-endian records of a patch-expert file.
type binReader struct {
	data []byte
	off  int
	err  error
}

func (r *binReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || r.off+n > len(r.data) {
		r.err = errTruncated
		return nil
	}
	b := r.data[r.off : r.off+n]
	r.off += n
	return b
}

func (r *binReader) int32() int {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return int(int32(binary.LittleEndian.Uint32(b)))
}

func (r *binReader) float64() float64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// matrix reads an OpenCV binary matrix (rows, cols, type, data) whose shape
// must be rows×cols, returning its values as float64.
func (r *binReader) matrix(what string, rows, cols int) []float64 {
	gotRows, gotCols, typ := r.int32(), r.int32(), r.int32()
	if r.err != nil {
		return nil
	}
	if gotRows != rows || gotCols != cols {
		r.err = fmt.Errorf("%s is %d×%d, want %d×%d", what, gotRows, gotCols, rows, cols)
		return nil
	}
	out := make([]float64, rows*cols)
	for i := range out {
		switch typ {
		case cvInt32:
			out[i] = float64(r.int32())
		case cvFloat32:
			b := r.take(4)
			if b != nil {
				out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
			}
		case cvFloat64:
			out[i] = r.float64()
		default:
			r.err = fmt.Errorf("%s has unsupported element type %d", what, typ)
			return nil
		}
	}
	return out
}

func parseScale(data []byte, points int) (*scaleExperts, error) {
	r := &binReader{data: data}
	s := &scaleExperts{scaling: r.float64(), sigmaComponents: map[int][][]float32{}}
	numViews := r.int32()
	if r.err == nil && (numViews < 1 || numViews > 64) {
		return nil, fmt.Errorf("implausible number of views %d", numViews)
	}
	if r.err == nil && !(s.scaling > 0 && s.scaling < 10) {
		return nil, fmt.Errorf("implausible patch scaling %g", s.scaling)
	}
	s.views = make([]view, max(numViews, 0))
	for v := range s.views {
		c := r.matrix("view centre", 3, 1)
		for k := range c {
			s.views[v].center[k] = c[k] * math.Pi / 180
		}
	}
	for v := range s.views {
		vis := r.matrix("visibility", points, 1)
		s.views[v].visible = make([]bool, points)
		for i := range vis {
			s.views[v].visible[i] = vis[i] != 0
		}
	}
	readSigmaComponents(r, s)
	s.experts = make([][]patchExpert, len(s.views))
	for v := range s.experts {
		s.experts[v] = make([]patchExpert, points)
		for i := range points {
			readPatchExpert(r, &s.experts[v][i], s.numBetas)
			if r.err != nil {
				return nil, fmt.Errorf("view %d landmark %d: %w", v, i, r.err)
			}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// readSigmaComponents reads the per-window-size sigma components of the CCNF edge potentials.
func readSigmaComponents(r *binReader, s *scaleExperts) {
	numWindows := r.int32()
	if r.err == nil && (numWindows < 1 || numWindows > 16) {
		r.err = fmt.Errorf("implausible number of window sizes %d", numWindows)
	}
	numComps := -1
	for range max(numWindows, 0) {
		window, n := r.int32(), r.int32()
		if r.err != nil {
			return
		}
		if window < 1 || window > maxWindow || n < 0 || n > 8 || (numComps >= 0 && n != numComps) {
			r.err = fmt.Errorf("implausible sigma components: window %d, %d components", window, n)
			return
		}
		numComps = n
		comps := make([][]float32, n)
		for c := range comps {
			vals := r.matrix("sigma component", window*window, window*window)
			comps[c] = make([]float32, len(vals))
			for k, v := range vals {
				comps[c][k] = float32(v)
			}
		}
		s.sigmaComponents[window] = comps
	}
	s.numBetas = max(numComps, 0)
}

// readPatchExpert reads one CCNF patch expert (CCNF_patch_expert::Read).
func readPatchExpert(r *binReader, e *patchExpert, numBetas int) {
	typ, width, height, numNeurons := r.int32(), r.int32(), r.int32(), r.int32()
	if r.err != nil {
		return
	}
	if typ != 5 || width < 1 || width > maxPatchSide || height < 1 || height > maxPatchSide || numNeurons < 0 || numNeurons > maxNeurons {
		r.err = fmt.Errorf("implausible patch expert header (type %d, %d×%d, %d neurons)", typ, width, height, numNeurons)
		return
	}
	e.width, e.height = width, height
	if numNeurons == 0 {
		r.int32() // an empty record still carries one int
		return
	}
	groups := (numNeurons + lanes - 1) / lanes
	e.wt = make([]float32, groups*width*height*lanes)
	e.bias = make([]float32, groups*lanes)
	e.alpha2 = make([]float32, groups*lanes)
	e.alphas = make([]float64, numNeurons)
	for n := range numNeurons {
		readNeuron(r, e, n)
	}
	e.betas = make([]float64, numBetas)
	for b := range e.betas {
		e.betas[b] = r.float64()
	}
	e.confidence = r.float64()
}

// readNeuron reads neuron n and folds its norm weight into its lane of the
// expert's weight groups.
func readNeuron(r *binReader, e *patchExpert, n int) {
	if r.int32() != 2 && r.err == nil {
		r.err = errors.New("neuron record has the wrong type tag")
		return
	}
	if neuronType := r.int32(); neuronType != 0 && r.err == nil {
		r.err = fmt.Errorf("unsupported neuron type %d", neuronType)
		return
	}
	normWeight, bias, alpha := r.float64(), r.float64(), r.float64()
	w := r.matrix("neuron weights", e.height, e.width)
	if r.err != nil {
		return
	}
	group, lane := n/lanes, n%lanes
	wt := e.wt[group*len(w)*lanes:]
	for k, v := range w {
		wt[k*lanes+lane] = float32(v * normWeight)
	}
	e.bias[n] = float32(bias)
	if alpha > 1e-4 {
		e.alpha2[n] = float32(2 * alpha)
	}
	e.alphas[n] = alpha
}
