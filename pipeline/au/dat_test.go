package au

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/weights"
)

// encodeDat writes m in the .dat layout of spec §8.1 (the inverse of parseDat).
func encodeDat(m datModel) []byte {
	var b bytes.Buffer
	put := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	put(int32(m.kind))
	if m.kind == SVRDynamic {
		put(m.cutoff)
	}
	put([3]int32{1, FeatureLen, cvFloat64})
	put(m.means)
	put([3]int32{FeatureLen, 1, cvFloat64})
	put(m.sv)
	put(m.bias)
	if m.kind.classifier() {
		put(m.posClass)
		put(m.negClass)
	}
	return b.Bytes()
}

// syntheticDat returns a small valid model of the given type whose values
// are all distinct, so a misplaced read shows.
func syntheticDat(kind ModelType) datModel {
	m := datModel{kind: kind, cutoff: -1, bias: 0.25, means: make([]float64, FeatureLen), sv: make([]float64, FeatureLen)}
	for i := range m.means {
		m.means[i] = float64(i) / FeatureLen
		m.sv[i] = -float64(i) / (2 * FeatureLen)
	}
	if kind == SVRDynamic {
		m.cutoff = 0.55
	}
	if kind.classifier() {
		m.posClass, m.negClass = 0, 1
	}
	return m
}

func TestReadDatShippedFiles(t *testing.T) {
	dir := filepath.Dir(testenv.ModelPath(t, weights.AUListFile))
	tests := []struct {
		glob string
		kind ModelType
		size int64
	}{
		{"svr_combined/*_static_*.dat", SVRStatic, 75268},
		{"svr_combined/*_dynamic_*.dat", SVRDynamic, 75276},
		{"svm_combined/*_static.dat", SVMStatic, 75284},
		{"svm_combined/*_dynamic.dat", SVMDynamic, 75284},
	}
	for _, tt := range tests {
		paths, err := filepath.Glob(filepath.Join(dir, tt.glob))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: no files (%v)", tt.glob, err)
		}
		for _, path := range paths {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size() != tt.size {
				t.Errorf("%s is %d bytes, want %d", path, info.Size(), tt.size)
			}
			m, err := readDat(path)
			if err != nil {
				t.Fatal(err)
			}
			if m.kind != tt.kind {
				t.Errorf("%s: type %v, want %v", path, m.kind, tt.kind)
			}
			if got := len(encodeDat(m)); int64(got) != tt.size {
				t.Errorf("%s: re-encoded to %d bytes, want %d", path, got, tt.size)
			}
			if m.kind == SVRDynamic && !(m.cutoff > 0 && m.cutoff < 1) {
				t.Errorf("%s: cutoff %g, want a fraction", path, m.cutoff)
			}
			if m.kind.classifier() && m.posClass+m.negClass != 1 {
				t.Errorf("%s: classes %g/%g, want 0 and 1", path, m.posClass, m.negClass)
			}
		}
	}
}

func TestParseDatRoundTrip(t *testing.T) {
	for _, kind := range []ModelType{SVRStatic, SVRDynamic, SVMStatic, SVMDynamic} {
		want := syntheticDat(kind)
		got, err := parseDat(encodeDat(want))
		if err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		if !bytes.Equal(encodeDat(got), encodeDat(want)) {
			t.Errorf("%v: decoded model differs from the encoded one", kind)
		}
	}
}

func TestParseDatErrors(t *testing.T) {
	valid := encodeDat(syntheticDat(SVMStatic))
	setInt32 := func(off int, v int32) []byte {
		b := bytes.Clone(valid)
		binary.LittleEndian.PutUint32(b[off:], uint32(v))
		return b
	}
	setFloat := func(off int, v float64) []byte {
		b := bytes.Clone(valid)
		binary.LittleEndian.PutUint64(b[off:], math.Float64bits(v))
		return b
	}
	dynamic := encodeDat(syntheticDat(SVRDynamic))
	badCutoff := bytes.Clone(dynamic)
	binary.LittleEndian.PutUint64(badCutoff[4:], math.Float64bits(1.5))
	svStart := 4 + 12 + FeatureLen*8 // the support vector's header
	biasAt := svStart + 12 + FeatureLen*8
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated: model type"},
		{"cut in the means", valid[:100], "truncated: means values"},
		{"cut before the classes", valid[:biasAt+8], "truncated: positive class"},
		{"one byte short", valid[:len(valid)-1], "truncated: negative class"},
		{"unused type code", setInt32(0, 2), "unknown model type 2"},
		{"garbage type code", setInt32(0, -7), "unknown model type -7"},
		{"means too short", setInt32(8, FeatureLen-1), "means is 1×4701, want 1×4702"},
		{"support vector transposed", setInt32(svStart, 1), "support vector is 1×1, want 4702×1"},
		{"float32 means", setInt32(12, 5), "means has cv_type 5, want 6"},
		{"trailing bytes", append(bytes.Clone(valid), 0, 0), "2 unexpected bytes after the SVM static model"},
		{"NaN weight", setFloat(svStart+12+8, math.NaN()), "support vector value 1 is NaN"},
		{"infinite bias", setFloat(biasAt, math.Inf(1)), "bias is +Inf"},
		{"cutoff out of range", badCutoff, "cutoff 1.5 is neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseDat(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadDatNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "AU_1_static.dat")
	if err := os.WriteFile(truncated, encodeDat(syntheticDat(SVMStatic))[:1000], 0o600); err != nil {
		t.Fatal(err)
	}
	oversized := filepath.Join(dir, "big.dat")
	if err := os.WriteFile(oversized, make([]byte, 2*maxDatSize), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{truncated, oversized, filepath.Join(dir, "missing.dat")} {
		if _, err := readDat(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("readDat(%s) error %v does not name the file", path, err)
		}
	}
}

func FuzzParseDat(f *testing.F) {
	for _, kind := range []ModelType{SVRStatic, SVRDynamic, SVMStatic, SVMDynamic} {
		valid := encodeDat(syntheticDat(kind))
		f.Add(valid)
		f.Add(valid[:len(valid)/2])
	}
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseDat(data)
		if err != nil {
			return
		}
		// Anything accepted must be exactly one well-formed model.
		if !bytes.Equal(encodeDat(m), data) {
			t.Fatalf("accepted %d bytes that do not re-encode to themselves", len(data))
		}
	})
}
