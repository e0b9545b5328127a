package pdm

import (
	"fmt"
	"math"
	"os"
	"strconv"
)

// knownTypeCode reports whether code is an OpenCV element type a PDM matrix
// may declare (uint8, int32, float32, float64); values are read as numbers
// whatever the code.
func knownTypeCode(code int) bool {
	switch code {
	case 0, 4, 5, 6:
		return true
	}
	return false
}

// Load reads an OpenFace PDM text file such as In-the-wild_aligned_PDM_68.txt
// (spec §3.1): the mean shape (204×1), the principal components (204×34) and
// the eigenvalues (1×34 or 34×1), each preceded by '#' comment lines.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read PDM %s: %w", path, err)
	}
	m, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("read PDM %s: %w", path, err)
	}
	return m, nil
}

// parse decodes the three matrix blocks of a PDM file (spec §3.1).
func parse(data []byte) (*Model, error) {
	sc := &scanner{data: data}
	m := &Model{}
	if err := sc.readMatrix("mean shape", m.Mean[:], [][2]int{{ShapeLen, 1}}); err != nil {
		return nil, err
	}
	comps := make([]float64, ShapeLen*NumModes)
	if err := sc.readMatrix("principal components", comps, [][2]int{{ShapeLen, NumModes}}); err != nil {
		return nil, err
	}
	for r := range ShapeLen {
		copy(m.Components[r][:], comps[r*NumModes:])
	}
	if err := sc.readMatrix("eigenvalues", m.Eigenvalues[:], [][2]int{{1, NumModes}, {NumModes, 1}}); err != nil {
		return nil, err
	}
	for j, v := range m.Eigenvalues {
		if v <= 0 {
			return nil, fmt.Errorf("eigenvalue %d is %g; eigenvalues must be positive", j, v)
		}
	}
	sc.skipComments()
	if tok := sc.token(); tok != "" {
		return nil, fmt.Errorf("unexpected %q after the eigenvalues", clip(tok))
	}
	return m, nil
}

// scanner splits a PDM file into whitespace-separated tokens and skips the
// '#' comment lines that precede each matrix.
type scanner struct {
	data []byte
	pos  int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// skipComments skips blank space and whole lines starting with '#'.
func (s *scanner) skipComments() {
	for {
		for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
			s.pos++
		}
		if s.pos >= len(s.data) || s.data[s.pos] != '#' {
			return
		}
		for s.pos < len(s.data) && s.data[s.pos] != '\n' {
			s.pos++
		}
	}
}

// token returns the next whitespace-separated token, or "" at the end.
func (s *scanner) token() string {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
	start := s.pos
	for s.pos < len(s.data) && !isSpace(s.data[s.pos]) {
		s.pos++
	}
	return string(s.data[start:s.pos])
}

// readMatrix reads one block "rows cols type v…" into out, accepting any of
// the given shapes.
func (s *scanner) readMatrix(name string, out []float64, shapes [][2]int) error {
	s.skipComments()
	var header [3]int
	for i, field := range []string{"row count", "column count", "type code"} {
		tok := s.token()
		if tok == "" {
			return fmt.Errorf("%s: the file ends before the matrix header", name)
		}
		v, err := strconv.Atoi(tok)
		if err != nil {
			return fmt.Errorf("%s: header %s %q is not an integer", name, field, clip(tok))
		}
		header[i] = v
	}
	rows, cols, code := header[0], header[1], header[2]
	if !shapeAllowed(rows, cols, shapes) {
		return fmt.Errorf("%s: matrix is %d×%d, want %s", name, rows, cols, shapeList(shapes))
	}
	if !knownTypeCode(code) {
		return fmt.Errorf("%s: unsupported OpenCV type code %d (want 0, 4, 5 or 6)", name, code)
	}
	for i := range out {
		tok := s.token()
		if tok == "" {
			return fmt.Errorf("%s: the file ends after %d of %d values", name, i, len(out))
		}
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: value %d of %d, %q, is not a finite number", name, i+1, len(out), clip(tok))
		}
		out[i] = v
	}
	return nil
}

func shapeAllowed(rows, cols int, shapes [][2]int) bool {
	for _, sh := range shapes {
		if rows == sh[0] && cols == sh[1] {
			return true
		}
	}
	return false
}

func shapeList(shapes [][2]int) string {
	s := ""
	for i, sh := range shapes {
		if i > 0 {
			s += " or "
		}
		s += fmt.Sprintf("%d×%d", sh[0], sh[1])
	}
	return s
}

// clip shortens a token quoted in an error message.
func clip(tok string) string {
	if len(tok) > 32 {
		return tok[:32] + "…"
	}
	return tok
}
