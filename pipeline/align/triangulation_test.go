package align

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/weights"
)

const trianglesFile = weights.TriangulationFile

func TestLoadTriangulationRealFile(t *testing.T) {
	tris, err := LoadTriangulation(testenv.ModelPath(t, trianglesFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(tris) != 111 {
		t.Fatalf("%d triangles, want 111", len(tris))
	}
	if tris[0] != [3]int{58, 67, 59} || tris[110] == [3]int{} {
		t.Errorf("first triangle %v, last %v", tris[0], tris[110])
	}
	used := map[int]bool{}
	for _, tri := range tris {
		for _, idx := range tri {
			used[idx] = true
		}
	}
	if len(used) != NumLandmarks {
		t.Errorf("mesh uses %d of the 68 landmarks", len(used))
	}
}

func TestLoadTriangulationErrors(t *testing.T) {
	cases := []struct {
		name, content, wantErr string
	}{
		{"empty file", "", "file ends before the row count"},
		{"header not a number", "abc\n3\n4\n", `row count "abc" is not an integer`},
		{"zero rows", "0\n3\n4\n", "row count 0 is outside"},
		{"negative rows", "-2\n3\n4\n", "row count -2 is outside"},
		{"huge row count", "99999999\n3\n4\n1 2 3\n", "row count 99999999 is outside"},
		{"wrong column count", "1\n4\n4\n1 2 3 4\n", "matrix has 4 columns"},
		{"float matrix type", "1\n3\n6\n1 2 3\n", "matrix type 6 is not 4"},
		{"missing type", "1\n3\n", "file ends before the matrix type"},
		{"index too large", "2\n3\n4\n1 2 3\n4 68 5\n", "triangle 1 names landmark 68"},
		{"negative index", "1\n3\n4\n-1 2 3\n", "triangle 0 names landmark -1"},
		{"fractional index", "1\n3\n4\n1 2.5 3\n", `index 1 of triangle 0 "2.5" is not an integer`},
		{"truncated", "3\n3\n4\n1 2 3\n4 5 6\n7 8\n", "file ends before the index 2 of triangle 2"},
		{"trailing data", "1\n3\n4\n1 2 3\n4\n", `unexpected "4" after the 1 triangles`},
		{"overlong token", "1\n3\n4\n" + strings.Repeat("9", 100) + "\n", "token too long"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".txt")
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadTriangulation(path)
			if err == nil {
				t.Fatalf("no error, want %q", c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q should name %s and say %q", err, path, c.wantErr)
			}
		})
	}
	if _, err := LoadTriangulation(filepath.Join(dir, "absent.txt")); err == nil || !strings.Contains(err.Error(), "absent.txt") {
		t.Errorf("missing file: error %v should name the file", err)
	}
}

func TestParseTriangulationAcceptsLayouts(t *testing.T) {
	cases := []struct{ name, content string }{
		{"one row per line with trailing spaces", "2\n3\n4\n0 1 2 \n3 4 67 \n"},
		{"comment lines and CRLF", "# mesh\r\n# more\r\n2\r\n3\r\n4\r\n0 1 2\r\n3 4 67\r\n"},
		{"all on one line", "2 3 4 0 1 2 3 4 67"},
	}
	for _, c := range cases {
		tris, err := parseTriangulation(strings.NewReader(c.content))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(tris) != 2 || tris[0] != [3]int{0, 1, 2} || tris[1] != [3]int{3, 4, 67} {
			t.Errorf("%s: got %v", c.name, tris)
		}
	}
}

func FuzzParseTriangulation(f *testing.F) {
	f.Add([]byte("2\n3\n4\n0 1 2\n3 4 67\n"))
	f.Add([]byte("# c\n1 3 4 5 6 7"))
	f.Add([]byte("1\n3\n4\n1 2"))
	f.Add([]byte("1\n3\n4\n1 2 3 4"))
	if real, err := os.ReadFile(testenv.ModelPath(f, trianglesFile)); err == nil {
		f.Add(real)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tris, err := parseTriangulation(bytes.NewReader(data))
		if err != nil {
			if tris != nil {
				t.Fatalf("error %v but %d triangles returned", err, len(tris))
			}
			return
		}
		if len(tris) == 0 {
			t.Fatal("success with no triangles")
		}
		for _, tri := range tris {
			for _, idx := range tri {
				if idx < 0 || idx >= NumLandmarks {
					t.Fatalf("accepted index %d", idx)
				}
			}
		}
	})
}
