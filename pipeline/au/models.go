package au

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Models holds the AU models of one AU_all_best.txt, grouped in OpenFace's
// four families. It is read-only after LoadModels and may be shared by any
// number of Analysers.
type Models struct {
	families        []*family // SVR static, SVR dynamic, SVM static, SVM dynamic; empty ones left out
	intensityNames  []string
	occurrenceNames []string
	// intensityCutoffs[c] is the cutoff of intensity column c's dynamic SVR,
	// or −1 when it has none (static models).
	intensityCutoffs []float64
}

// family is one of OpenFace's four model groups (SVR_static_lin_regressors,
// SVR_dynamic_lin_regressors, SVM_static_lin, SVM_dynamic_lin): one shared
// means vector and one support vector per AU.
type family struct {
	kind ModelType
	aus  []string
	// columns[a] is where AU a's output goes in a prediction row: the sorted
	// intensity AUs first, then the sorted occurrence AUs.
	columns []int
	// sv holds the support vectors one AU after another (len(aus)×FeatureLen),
	// so each prediction is a dot product over contiguous memory.
	sv     []float64
	bias   []float64
	cutoff []float64 // SVR dynamic
	pos    []float64 // SVM
	neg    []float64 // SVM

	means      []float64 // from the first file of the family (spec §8.1 quirk)
	meansFile  string
	meansDiff  float64 // largest |difference| between means and a later file's
	meansWorst string  // the file with that difference
}

// FamilyInfo describes one model family for logging at start-up.
type FamilyInfo struct {
	Type ModelType
	AUs  []string // in load order
	// MeansFile is the file whose means the whole family uses: like OpenFace,
	// later files' means are read and discarded.
	MeansFile string
	// MaxMeansDiff is the largest absolute difference between those means and
	// a discarded file's (0 for the shipped models); MaxMeansDiffFile names it.
	MaxMeansDiff     float64
	MaxMeansDiffFile string
}

// LoadModels reads an AU model list such as AU_all_best.txt (spec §8.2) and
// every .dat file it names, relative to the list's folder, into the four
// families; each family predicts with the means of its first file (§8.1).
// Unlike OpenFace, which skips files it cannot open, a listed file that is
// missing or malformed is an error naming it.
func LoadModels(listPath string) (*Models, error) {
	data, err := os.ReadFile(listPath)
	if err != nil {
		return nil, fmt.Errorf("read AU model list: %w", err)
	}
	families := []*family{{kind: SVRStatic}, {kind: SVRDynamic}, {kind: SVMStatic}, {kind: SVMDynamic}}
	for n, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := loadListLine(families, filepath.Dir(listPath), line); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", listPath, n+1, err)
		}
	}
	m := &Models{}
	for _, f := range families {
		if len(f.aus) > 0 {
			m.families = append(m.families, f)
		}
	}
	if err := m.assignColumns(); err != nil {
		return nil, fmt.Errorf("%s: %w", listPath, err)
	}
	return m, nil
}

// loadListLine reads one "relative/path.dat AUxx" line and adds the model to
// its family.
func loadListLine(families []*family, dir, line string) error {
	rel := strings.Fields(line)[0]
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), rel))
	if rest == "" {
		return fmt.Errorf("no AU name after %s", rel)
	}
	var names []string
	for _, raw := range strings.Split(rest, ",") {
		name, err := canonicalAUName(strings.TrimSpace(raw))
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	if len(names) != 1 {
		return fmt.Errorf("%s lists %d AU names but holds one model", rel, len(names))
	}
	path := rel
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, rel)
	}
	dat, err := readDat(path)
	if err != nil {
		return err
	}
	for _, f := range families {
		if f.kind == dat.kind {
			f.add(dat, names[0], path)
		}
	}
	return nil
}

// canonicalAUName writes an AU name the way the CSV header does: "AU" and a
// two-digit number ("AU1" and "AU01" both give "AU01").
func canonicalAUName(name string) (string, error) {
	digits, ok := strings.CutPrefix(name, "AU")
	n, err := strconv.ParseUint(digits, 10, 8)
	if !ok || err != nil || n < 1 || n > 99 {
		return "", fmt.Errorf("%q is not an AU name like AU01", name)
	}
	return fmt.Sprintf("AU%02d", n), nil
}

// add appends one file's model, keeping the family's first means (spec §8.1).
func (f *family) add(dat datModel, au, path string) {
	if f.means == nil {
		f.means, f.meansFile = dat.means, path
	} else if d := maxAbsDiff(f.means, dat.means); d > f.meansDiff {
		f.meansDiff, f.meansWorst = d, path
	}
	f.aus = append(f.aus, au)
	f.sv = append(f.sv, dat.sv...)
	f.bias = append(f.bias, dat.bias)
	switch {
	case dat.kind == SVRDynamic:
		f.cutoff = append(f.cutoff, dat.cutoff)
	case dat.kind.classifier():
		f.pos = append(f.pos, dat.posClass)
		f.neg = append(f.neg, dat.negClass)
	}
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// assignColumns sorts the AU names of each kind of output (the CSV's order)
// and points every family AU at its column. An AU predicted twice would mix
// two models in OpenFace's per-name history, so it is refused.
func (m *Models) assignColumns() error {
	for _, f := range m.families {
		names := &m.intensityNames
		if f.kind.classifier() {
			names = &m.occurrenceNames
		}
		for _, au := range f.aus {
			if slices.Contains(*names, au) {
				return fmt.Errorf("%s has more than one %s model", au, outputKind(f.kind))
			}
			*names = append(*names, au)
		}
	}
	if len(m.intensityNames) == 0 || len(m.occurrenceNames) == 0 {
		return errors.New("the list needs at least one intensity (SVR) and one occurrence (SVM) model")
	}
	slices.Sort(m.intensityNames)
	slices.Sort(m.occurrenceNames)
	m.intensityCutoffs = make([]float64, len(m.intensityNames))
	for c := range m.intensityCutoffs {
		m.intensityCutoffs[c] = -1
	}
	for _, f := range m.families {
		f.columns = make([]int, len(f.aus))
		for a, au := range f.aus {
			if f.kind.classifier() {
				f.columns[a] = len(m.intensityNames) + slices.Index(m.occurrenceNames, au)
				continue
			}
			f.columns[a] = slices.Index(m.intensityNames, au)
			if f.kind == SVRDynamic {
				m.intensityCutoffs[f.columns[a]] = f.cutoff[a]
			}
		}
	}
	return nil
}

func outputKind(t ModelType) string {
	if t.classifier() {
		return "occurrence"
	}
	return "intensity"
}

// IntensityNames returns the AUs with an intensity model, sorted as in the
// CSV ("AU01", "AU02", …); the CSV column is the name followed by "_r".
func (m *Models) IntensityNames() []string { return slices.Clone(m.intensityNames) }

// OccurrenceNames returns the AUs with an occurrence model, sorted as in the
// CSV; the CSV column is the name followed by "_c".
func (m *Models) OccurrenceNames() []string { return slices.Clone(m.occurrenceNames) }

// Families describes the loaded model families, including how far the means
// OpenFace discards differ from the ones it keeps, so a caller can log it.
func (m *Models) Families() []FamilyInfo {
	infos := make([]FamilyInfo, len(m.families))
	for i, f := range m.families {
		infos[i] = FamilyInfo{
			Type:             f.kind,
			AUs:              slices.Clone(f.aus),
			MeansFile:        f.meansFile,
			MaxMeansDiff:     f.meansDiff,
			MaxMeansDiffFile: f.meansWorst,
		}
	}
	return infos
}

// outputs is the length of a prediction row: intensities then occurrences.
func (m *Models) outputs() int { return len(m.intensityNames) + len(m.occurrenceNames) }
