package au

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// ModelType is the regressor type code that opens every .dat file (spec §8.1).
type ModelType int32

// The model types found in OpenFace 2.2's AU_all_best.txt; the enum's other
// codes (2, 3, 6, 7) are not used by any shipped file and are rejected.
const (
	SVRStatic  ModelType = 0
	SVRDynamic ModelType = 1
	SVMStatic  ModelType = 4
	SVMDynamic ModelType = 5
)

func (t ModelType) String() string {
	switch t {
	case SVRStatic:
		return "SVR static"
	case SVRDynamic:
		return "SVR dynamic"
	case SVMStatic:
		return "SVM static"
	case SVMDynamic:
		return "SVM dynamic"
	}
	return fmt.Sprintf("type %d", int32(t))
}

// dynamic reports whether the model subtracts the person's running median.
func (t ModelType) dynamic() bool { return t == SVRDynamic || t == SVMDynamic }

// classifier reports whether the model outputs occurrence (0/1) rather than intensity.
func (t ModelType) classifier() bool { return t == SVMStatic || t == SVMDynamic }

// cvFloat64 is OpenCV's type code for a one-channel float64 matrix (CV_64FC1).
const cvFloat64 = 6

// maxDatSize is the size of the largest valid file (an SVM); reading stops one
// byte past it so a wrong file is reported without being read whole.
const maxDatSize = 4 + 2*(12+FeatureLen*8) + 3*8

// datModel is the content of one linear SVR or SVM .dat file.
type datModel struct {
	kind     ModelType
	cutoff   float64   // SVR dynamic only: the fraction used for the offset of §9.1; −1 for none
	means    []float64 // FeatureLen
	sv       []float64 // FeatureLen: the weight vector
	bias     float64
	posClass float64 // SVM only: output when the score is > 0
	negClass float64 // SVM only: output otherwise
}

// readDat reads one AU model file (spec §8.1).
func readDat(path string) (datModel, error) {
	f, err := os.Open(path)
	if err != nil {
		return datModel{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDatSize+1))
	if err != nil {
		return datModel{}, fmt.Errorf("read %s: %w", path, err)
	}
	m, err := parseDat(data)
	if err != nil {
		return datModel{}, fmt.Errorf("read %s: %w", path, err)
	}
	return m, nil
}

// parseDat decodes a .dat file held in memory (spec §8.1): the int32 type,
// then a type-specific body of float64 scalars and ReadMatBin matrices, with
// nothing after it.
func parseDat(data []byte) (datModel, error) {
	r := datReader{buf: data}
	code, err := r.int32("model type")
	if err != nil {
		return datModel{}, err
	}
	m := datModel{kind: ModelType(code), cutoff: -1}
	switch m.kind {
	case SVRStatic, SVRDynamic, SVMStatic, SVMDynamic:
	default:
		return datModel{}, fmt.Errorf("unknown model type %d (want 0, 1, 4 or 5)", code)
	}
	if m.kind == SVRDynamic {
		if m.cutoff, err = r.float64("cutoff"); err != nil {
			return datModel{}, err
		}
		if m.cutoff != -1 && !(m.cutoff >= 0 && m.cutoff < 1) {
			return datModel{}, fmt.Errorf("cutoff %g is neither −1 nor in [0, 1)", m.cutoff)
		}
	}
	if m.means, err = r.matrix("means", 1, FeatureLen); err != nil {
		return datModel{}, err
	}
	if m.sv, err = r.matrix("support vector", FeatureLen, 1); err != nil {
		return datModel{}, err
	}
	if m.bias, err = r.float64("bias"); err != nil {
		return datModel{}, err
	}
	if m.kind.classifier() {
		if m.posClass, err = r.float64("positive class"); err != nil {
			return datModel{}, err
		}
		if m.negClass, err = r.float64("negative class"); err != nil {
			return datModel{}, err
		}
	}
	if extra := len(data) - r.off; extra > 0 {
		return datModel{}, fmt.Errorf("%d unexpected bytes after the %s model", extra, m.kind)
	}
	return m, nil
}

// datReader walks a little-endian .dat buffer, reporting what it was reading
// when the data runs out.
type datReader struct {
	buf []byte
	off int
}

var errTruncated = errors.New("file is truncated")

func (r *datReader) take(what string, n int) ([]byte, error) {
	if len(r.buf)-r.off < n {
		return nil, fmt.Errorf("%w: %s needs %d bytes at offset %d, %d left",
			errTruncated, what, n, r.off, len(r.buf)-r.off)
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b, nil
}

func (r *datReader) int32(what string) (int32, error) {
	b, err := r.take(what, 4)
	if err != nil {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b)), nil
}

func (r *datReader) float64(what string) (float64, error) {
	b, err := r.take(what, 8)
	if err != nil {
		return 0, err
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(b))
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is %g", what, v)
	}
	return v, nil
}

// matrix reads an OpenCV ReadMatBin block (int32 rows, cols, cv_type, then the
// values row-major) and checks it is a float64 matrix of the given shape.
func (r *datReader) matrix(what string, rows, cols int) ([]float64, error) {
	var header [3]int32
	for i, field := range []string{"rows", "cols", "cv_type"} {
		v, err := r.int32(what + " " + field)
		if err != nil {
			return nil, err
		}
		header[i] = v
	}
	if header[2] != cvFloat64 {
		return nil, fmt.Errorf("%s has cv_type %d, want %d (float64)", what, header[2], cvFloat64)
	}
	if int(header[0]) != rows || int(header[1]) != cols {
		return nil, fmt.Errorf("%s is %d×%d, want %d×%d", what, header[0], header[1], rows, cols)
	}
	b, err := r.take(what+" values", rows*cols*8)
	if err != nil {
		return nil, err
	}
	values := make([]float64, rows*cols)
	for i := range values {
		v := math.Float64frombits(binary.LittleEndian.Uint64(b[i*8:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s value %d is %g", what, i, v)
		}
		values[i] = v
	}
	return values, nil
}
