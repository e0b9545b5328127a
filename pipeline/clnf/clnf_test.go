package clnf

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/auwatchd/auwatchd/internal/linalg"
	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/weights"
)

const modelRel = weights.CLNFFile

var kernelsFlag = flag.String("kernels", "", "kernel set the tests and benchmarks use, here and in linalg: go or vector (default: vector where the processor has it)")

// TestMain applies -kernels. TestExpertResponseMatchesReference checks every
// kernel set whatever it says.
func TestMain(m *testing.M) {
	flag.Parse()
	if name := *kernelsFlag; name != "" {
		set, ok := kernelSets[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "kernel set %q is not available on this processor\n", name)
			os.Exit(2)
		}
		kernels = set
		linalg.UseVector(name == "vector")
	}
	os.Exit(m.Run())
}

var (
	modelOnce   sync.Once
	sharedModel *Model
	modelErr    error
)

// loadModel loads the CLNF model once per test binary.
func loadModel(t testing.TB) *Model {
	t.Helper()
	path := testenv.ModelPath(t, modelRel)
	modelOnce.Do(func() { sharedModel, modelErr = Load(path) })
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return sharedModel
}

func TestLoad(t *testing.T) {
	m := loadModel(t)
	wantScaling := []float64{0.25, 0.35, 0.5}
	if len(m.main.scales) != len(wantScaling) {
		t.Fatalf("%d scales, want %d", len(m.main.scales), len(wantScaling))
	}
	for i, s := range m.main.scales {
		if s.scaling != wantScaling[i] {
			t.Errorf("scale %d: patch scaling %g, want %g", i, s.scaling, wantScaling[i])
		}
		if len(s.views) != 7 {
			t.Errorf("scale %d: %d views, want 7", i, len(s.views))
		}
		for _, w := range []int{7, 9, 11} {
			if len(s.sigmaComponents[w]) != 3 {
				t.Errorf("scale %d: window %d has %d sigma components, want 3", i, w, len(s.sigmaComponents[w]))
			}
		}
		e := &s.experts[0][30] // nose tip, visible in the frontal view
		if !s.views[0].visible[30] || e.width != 11 || e.height != 11 || len(e.alphas) == 0 || len(e.betas) != 3 {
			t.Errorf("scale %d: frontal nose-tip expert %dx%d with %d neurons, %d betas", i, e.width, e.height, len(e.alphas), len(e.betas))
		}
	}
	if got := m.main.scales[0].views[1].center[1] * 180 / math.Pi; math.Abs(got+20) > 1e-9 {
		t.Errorf("view 1 yaw %g°, want −20°", got)
	}
	wantParts := []struct {
		name           string
		points, scales int
		mapped         int
	}{{"inner", 51, 1, 51}, {"left_eye_28", 28, 2, 6}, {"right_eye_28", 28, 2, 6}}
	if len(m.parts) != len(wantParts) {
		t.Fatalf("parts %v, want %d", m.Parts(), len(wantParts))
	}
	for i, w := range wantParts {
		p := m.parts[i]
		if p.name != w.name || p.model.shape.n != w.points || len(p.model.scales) != w.scales || len(p.mapping) != w.mapped {
			t.Errorf("part %d: %s with %d points, %d scales, %d mapped points; want %+v", i, p.name, p.model.shape.n, len(p.model.scales), len(p.mapping), w)
		}
	}
}

// TestLoadDetectorFile loads the detector description alone: no parts.
func TestLoadDetectorFile(t *testing.T) {
	m, err := Load(testenv.ModelPath(t, "openface/LandmarkDetector_model/clnf_general.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.main.scales) != numScales || len(m.parts) != 0 {
		t.Errorf("%d scales and parts %v, want %d and none", len(m.main.scales), m.Parts(), numScales)
	}
}

// TestLoadRejectsBadFiles checks that broken model files give errors naming
// the file, not panics.
func TestLoadRejectsBadFiles(t *testing.T) {
	realPDM := testenv.ModelPath(t, "openface/LandmarkDetector_model/pdms/In-the-wild_aligned_PDM_68.txt")
	realDetector := testenv.ModelPath(t, "openface/LandmarkDetector_model/clnf_general.txt")
	realInnerPDM := testenv.ModelPath(t, "openface/LandmarkDetector_model/model_inner/pdms/pdm_51_inner.txt")
	realInnerPatches := testenv.ModelPath(t, "openface/LandmarkDetector_model/model_inner/patch_experts/ccnf_patches_1.00_inner.txt")
	validScale := syntheticScale(0.25, 3)
	tests := []struct {
		name  string
		desc  string
		files map[string][]byte
		want  string
	}{
		{"missing description", "", nil, "no such file"},
		{"no PDM line", "PatchesCCNF a.bin\nPatchesCCNF a.bin\nPatchesCCNF a.bin\n", map[string][]byte{"a.bin": validScale}, "no PDM line"},
		{"missing patch file", "PDM " + realPDM + "\nPatchesCCNF gone.bin\n", nil, "gone.bin"},
		{"too few scales", "PDM " + realPDM + "\nPatchesCCNF a.bin\n", map[string][]byte{"a.bin": validScale}, "1 PatchesCCNF lines"},
		{"truncated patch file", "PDM " + realPDM + "\nPatchesCCNF a.bin\n", map[string][]byte{"a.bin": validScale[:len(validScale)-3]}, "ends early"},
		{"bad view count", "PDM " + realPDM + "\nPatchesCCNF a.bin\n", map[string][]byte{"a.bin": syntheticScale(0.25, 0)}, "number of views"},
		{"bad PDM", "PDM a.bin\n", map[string][]byte{"a.bin": validScale}, "PDM"},
		{"missing detector", "LandmarkDetector gone.txt\n", nil, "gone.txt"},
		{"odd part mapping", "LandmarkDetector " + realDetector + "\nLandmarkDetector_part p.txt inner 17 0 18\n", nil, "pairs"},
		{"part mapping out of range", "LandmarkDetector " + realDetector + "\nLandmarkDetector_part p.txt inner 17 0 99 1\n", map[string][]byte{"p.txt": []byte("PDM " + realInnerPDM + "\nPatchesCCNF " + realInnerPatches + "\n")}, "out of range"},
		{"part without PDM", "LandmarkDetector " + realDetector + "\nLandmarkDetector_part p.txt inner 17 0\n", map[string][]byte{"p.txt": []byte("PatchesCCNF x\n")}, "no PDM line"},
		{"bad part PDM", "LandmarkDetector " + realDetector + "\nLandmarkDetector_part p.txt inner 17 0\n", map[string][]byte{"p.txt": []byte("PDM pdm.txt\n"), "pdm.txt": []byte("# mean\n3 1 6\n1 2\n")}, "too few values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "clnf.txt")
			if tc.desc != "" {
				desc := tc.desc
				for _, real := range []string{realPDM, realDetector} {
					desc = strings.ReplaceAll(desc, real, relPath(t, dir, real))
				}
				writeFile(t, path, []byte(desc))
			}
			for name, data := range tc.files {
				for _, real := range []string{realInnerPDM, realInnerPatches} {
					data = bytes.ReplaceAll(data, []byte(real), []byte(relPath(t, dir, real)))
				}
				writeFile(t, filepath.Join(dir, name), data)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q should name %s and mention %q", err, path, tc.want)
			}
		})
	}
}

func relPath(t *testing.T, base, target string) string {
	t.Helper()
	rel, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// syntheticScale builds a small patch-expert file: views frontal views with
// every landmark visible, one 1×1 window, and 1×1 single-neuron experts.
func syntheticScale(scaling float64, views int) []byte {
	var b bytes.Buffer
	put := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	put(scaling)
	put(int32(views))
	for range views {
		put([3]int32{3, 1, cvFloat64})
		put([3]float64{})
	}
	for range views {
		put([3]int32{68, 1, cvInt32})
		for range 68 {
			put(int32(1))
		}
	}
	put(int32(1))       // window sizes
	put([2]int32{1, 1}) // window 1, one component
	put([3]int32{1, 1, cvFloat32})
	put(float32(1))
	for range views * 68 {
		put([4]int32{5, 1, 1, 1}) // type, width, height, neurons
		put([2]int32{2, 0})
		put([3]float64{1, 0, 1}) // norm weight, bias, alpha
		put([3]int32{1, 1, cvFloat32})
		put(float32(1))
		put(float64(1)) // beta
		put(float64(1)) // confidence
	}
	return b.Bytes()
}

func FuzzParseScale(f *testing.F) {
	f.Add(syntheticScale(0.25, 1))
	f.Add(syntheticScale(0.5, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseScale(data, 68)
		if err == nil && (len(s.views) == 0 || len(s.experts) != len(s.views)) {
			t.Fatalf("accepted a scale with %d views and %d expert sets", len(s.views), len(s.experts))
		}
	})
}

func FuzzParseShapeModel(f *testing.F) {
	f.Add("# mean\n3 1 6\n1 2 3\n# comps\n3 1 6\n0.1 0.2 0.3\n# eig\n1 1 6\n4\n")
	f.Add("3 1 6\n1\n")
	f.Fuzz(func(t *testing.T, text string) {
		sm, err := parseShapeModel(text)
		if err == nil && (len(sm.mean) != 3*sm.n || len(sm.comps) != 3*sm.n*sm.m || len(sm.eig) != sm.m) {
			t.Fatalf("accepted inconsistent model: n %d m %d", sm.n, sm.m)
		}
	})
}

func TestNewFitterRejectsBadSettings(t *testing.T) {
	m := loadModel(t)
	tests := []struct {
		name string
		edit func(*Settings)
	}{
		{"even window", func(s *Settings) { s.Windows[1] = 8 }},
		{"window without sigma components", func(s *Settings) { s.Windows[1] = 13 }},
		{"window too large", func(s *Settings) { s.Windows[1] = 17 }},
		{"no iterations", func(s *Settings) { s.Iterations = 0 }},
		{"zero sigma", func(s *Settings) { s.Sigma = 0 }},
		{"negative workers", func(s *Settings) { s.Workers = -1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := TrackingSettings()
			tc.edit(&s)
			if _, err := NewFitter(m, s); err == nil {
				t.Error("NewFitter accepted the settings")
			}
		})
	}
}

func TestRefineRejectsBadInput(t *testing.T) {
	f, err := NewFitter(loadModel(t), TrackingSettings())
	if err != nil {
		t.Fatal(err)
	}
	img := bgr.New(64, 64)
	good := make([]float64, 136)
	nan := make([]float64, 136)
	for i := range nan {
		nan[i] = math.NaN()
	}
	tests := []struct {
		name      string
		img       *bgr.Image
		landmarks []float64
	}{
		{"short landmarks", img, good[:100]},
		{"nil image", nil, good},
		{"image without pixels", &bgr.Image{W: 10, H: 10}, good},
		{"NaN landmarks", img, nan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Refine(tc.img, tc.landmarks); err == nil {
				t.Error("Refine accepted the input")
			}
		})
	}
}
