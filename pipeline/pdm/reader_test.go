package pdm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// formatPDM writes m in the PDM text format; eigenColumn writes the
// eigenvalues as 34×1 instead of the generator's 1×34.
func formatPDM(m *Model, eigenColumn bool) string {
	var b strings.Builder
	b.WriteString("# The mean values of the components (in mm)\n")
	fmt.Fprintf(&b, "%d\n1\n6\n", ShapeLen)
	for _, v := range m.Mean {
		fmt.Fprintf(&b, "%f \n", v)
	}
	b.WriteString("# The principal components (eigenvectors)\n")
	fmt.Fprintf(&b, "%d\n%d\n6\n", ShapeLen, NumModes)
	for _, row := range m.Components {
		for _, v := range row {
			fmt.Fprintf(&b, "%f ", v)
		}
		b.WriteString("\n")
	}
	b.WriteString("# The variances of the components (eigenvalues)\n")
	sep := " "
	if eigenColumn {
		fmt.Fprintf(&b, "%d\n1\n6\n", NumModes)
		sep = "\n"
	} else {
		fmt.Fprintf(&b, "1\n%d\n6\n", NumModes)
	}
	for _, v := range m.Eigenvalues {
		fmt.Fprintf(&b, "%f%s", v, sep)
	}
	b.WriteString("\n")
	return b.String()
}

// toyModel is a small valid model with distinct, exactly printable values.
func toyModel() *Model {
	m := &Model{}
	for r := range ShapeLen {
		m.Mean[r] = float64(r) - 100.5
		for j := range NumModes {
			m.Components[r][j] = float64((r*NumModes+j)%17)/16 - 0.5
		}
	}
	for j := range NumModes {
		m.Eigenvalues[j] = float64(NumModes-j) + 0.25
	}
	return m
}

func writeTemp(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pdm.txt")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadRealModel(t *testing.T) {
	m := loadModel(t)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"Mean[0]", m.Mean[0], -73.393523},
		{"Mean[68] (first Y)", m.Mean[68], -29.801432},
		{"Eigenvalues[0]", m.Eigenvalues[0], 826.213804},
		{"Eigenvalues[33]", m.Eigenvalues[33], 0.582660},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The components are orthonormal columns.
	for a := range NumModes {
		for b := range NumModes {
			var d float64
			for r := range ShapeLen {
				d += m.Components[r][a] * m.Components[r][b]
			}
			want := 0.0
			if a == b {
				want = 1
			}
			if d-want > 1e-4 || want-d > 1e-4 {
				t.Fatalf("component %d · component %d = %g, want %g", a, b, d, want)
			}
		}
	}
}

func TestLoadAcceptsBothEigenvalueShapes(t *testing.T) {
	want := toyModel()
	for _, column := range []bool{false, true} {
		got, err := Load(writeTemp(t, formatPDM(want, column)))
		if err != nil {
			t.Fatalf("eigenvalues as column=%v: %v", column, err)
		}
		if *got != *want {
			t.Errorf("eigenvalues as column=%v: model differs after the round trip", column)
		}
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	good := formatPDM(toyModel(), false)
	lines := strings.Split(good, "\n")
	replaceLine := func(i int, s string) string {
		l := append([]string(nil), lines...)
		l[i] = s
		return strings.Join(l, "\n")
	}
	eigenStart := strings.Index(good, "# The variances")
	cases := []struct {
		name, text, want string
	}{
		{"empty file", "", "mean shape: the file ends before the matrix header"},
		{"only comments", "# nothing\n# here\n", "mean shape: the file ends before the matrix header"},
		{"bad row count", replaceLine(1, "two hundred"), `mean shape: header row count "two" is not an integer`},
		{"bad type code", replaceLine(3, "6.5"), `mean shape: header type code "6.5" is not an integer`},
		{"unknown type code", replaceLine(3, "7"), "mean shape: unsupported OpenCV type code 7"},
		{"wrong mean dims", replaceLine(1, "203"), "mean shape: matrix is 203×1, want 204×1"},
		{"wrong component dims", strings.Replace(good, "204\n34\n6\n", "204\n33\n6\n", 1), "principal components: matrix is 204×33, want 204×34"},
		{"wrong eigenvalue dims", strings.Replace(good, "1\n34\n6\n", "2\n17\n6\n", 1), "eigenvalues: matrix is 2×17, want 1×34 or 34×1"},
		{"non-numeric value", replaceLine(10, "12.5abc "), `mean shape: value 7 of 204, "12.5abc", is not a finite number`},
		{"NaN value", replaceLine(10, "NaN "), `mean shape: value 7 of 204, "NaN", is not a finite number`},
		{"truncated in components", good[:strings.Index(good, "# The principal")+3000], "principal components: the file ends after"},
		{"truncated before eigenvalues", good[:eigenStart], "eigenvalues: the file ends before the matrix header"},
		{"zero eigenvalue", good[:eigenStart] + "#\n1\n34\n6\n0 " + strings.Repeat("1 ", 33), "eigenvalue 0 is 0; eigenvalues must be positive"},
		{"negative eigenvalue", good[:eigenStart] + "#\n34\n1\n6\n" + strings.Repeat("1\n", 5) + "-2\n" + strings.Repeat("1\n", 28), "eigenvalue 5 is -2"},
		{"trailing data", good + "1 2 3\n", `unexpected "1" after the eigenvalues`},
	}
	for _, c := range cases {
		path := writeTemp(t, c.text)
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: loaded without error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q, want it to name the file and contain %q", c.name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.txt")); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file: error %v", err)
	}
}

func TestLoadAllowsTrailingComments(t *testing.T) {
	if _, err := Load(writeTemp(t, formatPDM(toyModel(), false)+"# end\n\n")); err != nil {
		t.Error(err)
	}
}

// compactPDM is the smallest valid PDM text (single-digit values), a seed
// small enough for the fuzzer to mutate quickly.
func compactPDM() string {
	return "#\n204\n1\n6\n" + strings.Repeat("1 ", ShapeLen) +
		"\n#\n204\n34\n6\n" + strings.Repeat("0 ", ShapeLen*NumModes) +
		"\n#\n1\n34\n6\n" + strings.Repeat("2 ", NumModes) + "\n"
}

// FuzzParse checks that no input makes the reader panic and that whatever it
// accepts is a usable model.
func FuzzParse(f *testing.F) {
	compact := compactPDM()
	f.Add([]byte(compact))
	f.Add([]byte(compact[:len(compact)/2]))
	f.Add([]byte(strings.Replace(compact, "1\n34\n6\n", "34\n1\n6\n", 1)))
	f.Add([]byte("#\n204\n1\n6\n1 2 3\n"))
	f.Add([]byte("204 1 6"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parse(data)
		if err != nil {
			if m != nil {
				t.Fatal("model returned with an error")
			}
			return
		}
		for _, v := range m.Eigenvalues {
			if !(v > 0) {
				t.Fatalf("accepted eigenvalue %v", v)
			}
		}
		if !bytes.Contains(data, []byte("34")) {
			t.Fatal("accepted a file without a 34-mode header")
		}
	})
}
