package pdm

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/weights"
)

// reference describes one OpenFace 2.2 output CSV kept as test data.
type reference struct {
	name   string
	path   string
	w, h   int
	has3D  bool // the CSV has the X_/Y_/Z_ columns
	ceclm  bool // landmarks from CE-CLM rather than CLNF
	frames []refFrame
}

// refFrame is one successful frame of a reference CSV.
type refFrame struct {
	number    int
	landmarks []float64 // x_0..x_67, y_0..y_67
	params    Params
	poseT     [3]float64
	poseR     [3]float64
	camera    []float64 // X_0..X_67, Y_0..Y_67, Z_0..Z_67 when present
}

var references = []reference{
	{name: "clnf/default", path: "reference/openface-2.2-clnf/default.csv", w: 640, h: 480},
	{name: "clnf/changeLighting", path: "reference/openface-2.2-clnf/changeLighting.csv", w: 640, h: 480},
	{name: "ceclm/subj01", path: "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv", w: 1080, h: 720, has3D: true, ceclm: true},
	{name: "ceclm/subj02", path: "reference/openface-2.2-ceclm/subj02_timepoint01_openface.csv", w: 1080, h: 720, has3D: true, ceclm: true},
}

var (
	modelOnce sync.Once
	model     *Model
	modelErr  error
)

// loadModel reads the real PDM once per test binary.
func loadModel(t testing.TB) *Model {
	t.Helper()
	path := testenv.ModelPath(t, weights.PDMFile)
	modelOnce.Do(func() { model, modelErr = Load(path) })
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return model
}

// loadReference reads the successful frames of a reference CSV.
func loadReference(t testing.TB, ref reference) reference {
	t.Helper()
	data, err := os.ReadFile(testenv.TestdataPath(t, ref.path))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	col := map[string]int{}
	for i, name := range strings.Split(lines[0], ",") {
		col[strings.TrimSpace(name)] = i
	}
	for n, line := range lines[1:] {
		f, err := parseRow(line, col, ref.has3D)
		if err != nil {
			t.Fatalf("%s line %d: %v", ref.path, n+2, err)
		}
		if f != nil {
			ref.frames = append(ref.frames, *f)
		}
	}
	if len(ref.frames) == 0 {
		t.Fatalf("%s has no successful frames", ref.path)
	}
	return ref
}

// parseRow decodes one CSV row; it returns nil for frames with success 0.
func parseRow(line string, col map[string]int, has3D bool) (*refFrame, error) {
	fields := strings.Split(line, ",")
	get := func(name string) (float64, error) {
		i, ok := col[name]
		if !ok || i >= len(fields) {
			return 0, fmt.Errorf("no column %s", name)
		}
		return strconv.ParseFloat(strings.TrimSpace(fields[i]), 64)
	}
	var firstErr error
	must := func(name string) float64 {
		v, err := get(name)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	}
	if must("success") != 1 {
		return nil, firstErr
	}
	f := &refFrame{number: int(must("frame")), landmarks: make([]float64, LandmarksLen)}
	for i := range NumPoints {
		f.landmarks[i] = must(fmt.Sprintf("x_%d", i))
		f.landmarks[i+NumPoints] = must(fmt.Sprintf("y_%d", i))
	}
	f.params = Params{Scale: must("p_scale"), Rx: must("p_rx"), Ry: must("p_ry"), Rz: must("p_rz"), Tx: must("p_tx"), Ty: must("p_ty")}
	for j := range NumModes {
		f.params.Local[j] = must(fmt.Sprintf("p_%d", j))
	}
	for k, axis := range []string{"x", "y", "z"} {
		f.poseT[k] = must("pose_T" + axis)
		f.poseR[k] = must("pose_R" + axis)
	}
	if has3D {
		f.camera = make([]float64, ShapeLen)
		for i := range NumPoints {
			for k, axis := range []string{"X", "Y", "Z"} {
				f.camera[i+k*NumPoints] = must(fmt.Sprintf("%s_%d", axis, i))
			}
		}
	}
	return f, firstErr
}

// pearson returns the Pearson correlation of a and b (NaN when either is constant).
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma, mb = ma/n, mb/n
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// fraction returns the share of values that satisfy ok.
func fraction(v []float64, ok func(float64) bool) float64 {
	n := 0
	for _, x := range v {
		if ok(x) {
			n++
		}
	}
	return float64(n) / float64(len(v))
}
