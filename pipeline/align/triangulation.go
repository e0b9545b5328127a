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
	in := newIntReader(r)
	rows, err := readTriangulationHeader(in)
	if err != nil {
		return nil, err
	}
	tris := make([][3]int, rows)
	for t := range tris {
		for c := range 3 {
			idx, err := in.next(func() string { return fmt.Sprintf("index %d of triangle %d", c, t) })
			if err != nil {
				return nil, err
			}
			if idx < 0 || idx >= NumLandmarks {
				return nil, fmt.Errorf("triangle %d names landmark %d, outside 0..%d", t, idx, NumLandmarks-1)
			}
			tris[t][c] = idx
		}
	}
	if err := in.expectEnd(rows); err != nil {
		return nil, err
	}
	return tris, nil
}

// readTriangulationHeader checks the "rows cols type" header and returns rows.
func readTriangulationHeader(in *intReader) (int, error) {
	var header [3]int
	for i, what := range []string{"row count", "column count", "matrix type"} {
		v, err := in.next(func() string { return what })
		if err != nil {
			return 0, err
		}
		header[i] = v
	}
	rows, cols, typ := header[0], header[1], header[2]
	switch {
	case rows < 1 || rows > maxTriangles:
		return 0, fmt.Errorf("row count %d is outside 1..%d", rows, maxTriangles)
	case cols != 3:
		return 0, fmt.Errorf("matrix has %d columns, a triangulation needs 3", cols)
	case typ != int32Type:
		return 0, fmt.Errorf("matrix type %d is not %d (32-bit integers)", typ, int32Type)
	}
	return rows, nil
}

// intReader reads whitespace-separated integers.
type intReader struct{ words *bufio.Scanner }

func newIntReader(r io.Reader) *intReader {
	words := bufio.NewScanner(skipComments(r))
	words.Buffer(make([]byte, 0, 64), 64)
	words.Split(bufio.ScanWords)
	return &intReader{words: words}
}

// next reads one integer; what names it in errors and is only called then.
func (in *intReader) next(what func() string) (int, error) {
	if !in.words.Scan() {
		if err := in.words.Err(); err != nil {
			return 0, fmt.Errorf("%s: %w", what(), err)
		}
		return 0, fmt.Errorf("file ends before the %s", what())
	}
	v, err := strconv.Atoi(in.words.Text())
	if err != nil {
		return 0, fmt.Errorf("the %s %q is not an integer", what(), in.words.Text())
	}
	return v, nil
}

// expectEnd fails if anything but whitespace follows the rows announced.
func (in *intReader) expectEnd(rows int) error {
	if in.words.Scan() {
		return fmt.Errorf("unexpected %q after the %d triangles the header announces", in.words.Text(), rows)
	}
	return in.words.Err()
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
