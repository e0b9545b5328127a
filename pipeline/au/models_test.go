package au

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/weights"
)

func loadShippedModels(t testing.TB) *Models {
	t.Helper()
	m, err := LoadModels(testenv.ModelPath(t, weights.AUListFile))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadModelsShippedList(t *testing.T) {
	m := loadShippedModels(t)
	wantIntensity := strings.Fields("AU01 AU02 AU04 AU05 AU06 AU07 AU09 AU10 AU12 AU14 AU15 AU17 AU20 AU23 AU25 AU26 AU45")
	wantOccurrence := strings.Fields("AU01 AU02 AU04 AU05 AU06 AU07 AU09 AU10 AU12 AU14 AU15 AU17 AU20 AU23 AU25 AU26 AU28 AU45")
	if got := m.IntensityNames(); !slices.Equal(got, wantIntensity) {
		t.Errorf("IntensityNames = %v, want %v", got, wantIntensity)
	}
	if got := m.OccurrenceNames(); !slices.Equal(got, wantOccurrence) {
		t.Errorf("OccurrenceNames = %v, want %v", got, wantOccurrence)
	}
	// Families in load order (spec §8.2 and errata 3); the first file of each
	// provides the means of the whole family.
	want := []struct {
		kind      ModelType
		aus       string
		meansFile string
	}{
		{SVRStatic, "AU04 AU06 AU07 AU10 AU12 AU14", "svr_combined/AU_4_static_intensity_comb.dat"},
		{SVRDynamic, "AU01 AU02 AU05 AU09 AU15 AU17 AU20 AU23 AU25 AU26 AU45", "svr_combined/AU_1_dynamic_intensity_comb.dat"},
		{SVMStatic, "AU04 AU05 AU06 AU07 AU10 AU12 AU14 AU23", "svm_combined/AU_4_static.dat"},
		{SVMDynamic, "AU01 AU02 AU09 AU15 AU17 AU20 AU25 AU26 AU28 AU45", "svm_combined/AU_1_dynamic.dat"},
	}
	families := m.Families()
	if len(families) != len(want) {
		t.Fatalf("%d families, want %d", len(families), len(want))
	}
	for i, w := range want {
		f := families[i]
		if f.Type != w.kind || strings.Join(f.AUs, " ") != w.aus {
			t.Errorf("family %d = %v %v, want %v %s", i, f.Type, f.AUs, w.kind, w.aus)
		}
		if !strings.HasSuffix(f.MeansFile, filepath.FromSlash(w.meansFile)) {
			t.Errorf("%v means from %s, want %s", f.Type, f.MeansFile, w.meansFile)
		}
		// Measured: every shipped file of a family carries the same means.
		if f.MaxMeansDiff != 0 {
			t.Errorf("%v: means differ by %g (%s)", f.Type, f.MaxMeansDiff, f.MaxMeansDiffFile)
		}
	}
	wantCutoffs := map[string]float64{"AU01": 0.55, "AU02": 0.75, "AU04": -1, "AU05": 0.8, "AU17": 0.2, "AU45": 0.6}
	for au, cutoff := range wantCutoffs {
		c := slices.Index(m.intensityNames, au)
		if got := m.intensityCutoffs[c]; got < cutoff-1e-12 || got > cutoff+1e-12 {
			t.Errorf("%s cutoff %g, want %g", au, got, cutoff)
		}
	}
}

// writeModelDir writes the named synthetic .dat files (name → type) into a
// new folder and returns it.
func writeModelDir(t *testing.T, files map[string]ModelType) string {
	t.Helper()
	dir := t.TempDir()
	for name, kind := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, encodeDat(syntheticDat(kind)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadModelsListParsing(t *testing.T) {
	dir := writeModelDir(t, map[string]ModelType{
		"svr/a.dat": SVRDynamic, "svr/b.dat": SVRStatic, "svm/c.dat": SVMStatic, "svm/d.dat": SVMDynamic,
	})
	tests := []struct {
		name           string
		list           string
		wantIntensity  string
		wantOccurrence string
		wantErr        string
	}{
		{name: "plain", list: "svr/a.dat AU1\nsvr/b.dat AU04\nsvm/c.dat AU28\n",
			wantIntensity: "AU01 AU04", wantOccurrence: "AU28"},
		{name: "CRLF, blank lines, padding, no final newline", list: "\r\n  svm/d.dat   AU45 \r\n\r\nsvr/b.dat\tAU12\r\n\nsvm/c.dat AU05",
			wantIntensity: "AU12", wantOccurrence: "AU05 AU45"},
		{name: "absolute path", list: filepath.Join(dir, "svr/a.dat") + " AU02\nsvm/c.dat AU02\n",
			wantIntensity: "AU02", wantOccurrence: "AU02"},
		{name: "missing file", list: "svr/a.dat AU01\nsvr/nothere.dat AU02\nsvm/c.dat AU01\n",
			wantErr: "line 2: open " + filepath.Join(dir, "svr", "nothere.dat")},
		{name: "no AU name", list: "svr/a.dat\n", wantErr: "line 1: no AU name after svr/a.dat"},
		{name: "two AU names for one model", list: "svr/a.dat AU01,AU02\n", wantErr: "lists 2 AU names but holds one model"},
		{name: "bad AU name", list: "svr/a.dat Brow\n", wantErr: `"Brow" is not an AU name`},
		{name: "same AU twice", list: "svr/a.dat AU01\nsvr/b.dat AU1\nsvm/c.dat AU01\n", wantErr: "AU01 has more than one intensity model"},
		{name: "no occurrence model", list: "svr/a.dat AU01\n", wantErr: "needs at least one intensity (SVR) and one occurrence (SVM) model"},
		{name: "empty list", list: "\n\n", wantErr: "needs at least one"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listPath := filepath.Join(dir, "list"+string(rune('a'+i))+".txt")
			if err := os.WriteFile(listPath, []byte(tt.list), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := LoadModels(listPath)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), listPath) {
					t.Fatalf("error %v, want one naming %s and containing %q", err, listPath, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(m.IntensityNames(), " "); got != tt.wantIntensity {
				t.Errorf("intensity %q, want %q", got, tt.wantIntensity)
			}
			if got := strings.Join(m.OccurrenceNames(), " "); got != tt.wantOccurrence {
				t.Errorf("occurrence %q, want %q", got, tt.wantOccurrence)
			}
		})
	}
}

func TestLoadModelsMissingList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "AU_all_best.txt")
	if _, err := LoadModels(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v does not name %s", err, path)
	}
}

// The second file of a family is predicted with the first file's means, and
// the difference is reported (spec §8.1).
func TestLoadModelsSharesMeansPerFamily(t *testing.T) {
	dir := t.TempDir()
	first, second := syntheticDat(SVRStatic), syntheticDat(SVRStatic)
	second.means = make([]float64, FeatureLen)
	second.means[7] = 0.5
	second.sv = make([]float64, FeatureLen)
	second.sv[7] = 2
	svm := syntheticDat(SVMStatic)
	for name, m := range map[string]datModel{"first.dat": first, "second.dat": second, "svm.dat": svm} {
		if err := os.WriteFile(filepath.Join(dir, name), encodeDat(m), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	listPath := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(listPath, []byte("first.dat AU04\nsecond.dat AU06\nsvm.dat AU04\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModels(listPath)
	if err != nil {
		t.Fatal(err)
	}
	info := m.Families()[0]
	wantDiff := first.means[FeatureLen-1] // against second's 0 there
	if info.MaxMeansDiffFile != filepath.Join(dir, "second.dat") || info.MaxMeansDiff != wantDiff {
		t.Errorf("reported means difference %g in %s", info.MaxMeansDiff, info.MaxMeansDiffFile)
	}
	x := make([]float64, FeatureLen)
	x[7] = 1
	row := make([]float64, m.outputs())
	m.predictAll(row, x, make([]float64, FeatureLen), make([]float64, FeatureLen))
	// AU06 = (x − first.means)·second.sv + bias, not (x − second.means)·…
	want := (1-first.means[7])*2 + second.bias
	if got := row[1]; got != want {
		t.Errorf("AU06 = %v, want %v (first file's means)", got, want)
	}
}

func TestCanonicalAUName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AU1", "AU01"}, {"AU01", "AU01"}, {"AU45", "AU45"}, {"AU001", "AU01"},
		{"AU", ""}, {"AU0", ""}, {"AU100", ""}, {"AU+1", ""}, {"au01", ""}, {"AU1a", ""},
	}
	for _, tt := range tests {
		got, err := canonicalAUName(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("canonicalAUName(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("canonicalAUName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
