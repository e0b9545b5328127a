package align

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

const (
	// NumLandmarks is the number of iBUG-68 points the triangulation indexes.
	NumLandmarks = 68
	// int32Type is OpenCV's CV_32S code, the matrix type of the file.
	int32Type = 4
	// maxTriangles bounds the row count; a 68-point planar mesh has at most
	// 2·68−5 triangles, so anything near this is a damaged file.
	maxTriangles = 1024
)

// LoadTriangulation reads OpenFace's tris_68_full.txt (spec §4.4 step 3): a
// text matrix header "rows 3 4" followed by rows×3 landmark indices, 0-based.
func LoadTriangulation(path string) ([][3]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read triangulation %s: %w", path, err)
	}
	defer f.Close()
	tris, err := parseTriangulation(f)
	if err != nil {
		return nil, fmt.Errorf("read triangulation %s: %w", path, err)
	}
	return tris, nil
}

// parseTriangulation reads the matrix as OpenFace's ReadMat does, after
// skipping comment lines, and checks every index names one of the 68 points.
func parseTriangulation(r io.Reader) ([][3]int, error) {
	words := bufio.NewScanner(skipComments(r))
	words.Buffer(make([]byte, 0, 64), 64)
	words.Split(bufio.ScanWords)
	next := func(what string) (int, error) {
		if !words.Scan() {
			if err := words.Err(); err != nil {
				return 0, fmt.Errorf("%s: %w", what, err)
			}
			return 0, fmt.Errorf("file ends before the %s", what)
		}
		v, err := strconv.Atoi(words.Text())
		if err != nil {
			return 0, fmt.Errorf("the %s %q is not an integer", what, words.Text())
		}
		return v, nil
	}

	rows, err := next("row count")
	if err != nil {
		return nil, err
	}
	if rows < 1 || rows > maxTriangles {
		return nil, fmt.Errorf("row count %d is outside 1..%d", rows, maxTriangles)
	}
	cols, err := next("column count")
	if err != nil {
		return nil, err
	}
	if cols != 3 {
		return nil, fmt.Errorf("matrix has %d columns, a triangulation needs 3", cols)
	}
	typ, err := next("matrix type")
	if err != nil {
		return nil, err
	}
	if typ != int32Type {
		return nil, fmt.Errorf("matrix type %d is not %d (32-bit integers)", typ, int32Type)
	}

	tris := make([][3]int, rows)
	for t := range tris {
		for c := range 3 {
			idx, err := next(fmt.Sprintf("index %d of triangle %d", c, t))
			if err != nil {
				return nil, err
			}
			if idx < 0 || idx >= NumLandmarks {
				return nil, fmt.Errorf("triangle %d names landmark %d, outside 0..%d", t, idx, NumLandmarks-1)
			}
			tris[t][c] = idx
		}
	}
	if words.Scan() {
		return nil, fmt.Errorf("unexpected %q after the %d triangles the header announces", words.Text(), rows)
	}
	if err := words.Err(); err != nil {
		return nil, err
	}
	return tris, nil
}

// skipComments drops leading lines that start with '#', as OpenFace's
// SkipComments does before a matrix header.
func skipComments(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != '#' {
			return br
		}
		if _, err := br.ReadString('\n'); err != nil && !errors.Is(err, io.EOF) {
			return br
		}
	}
}
