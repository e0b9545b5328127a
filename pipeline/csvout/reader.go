package csvout

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Track is the per-frame face track read from an existing OpenFace CSV.
type Track struct {
	Frames    []TrackFrame
	HasParams bool // the CSV has p_scale … p_33
	// HasEyes: the CSV has OpenFace's eye landmarks, eye_lmk_x_*/y_*;
	// HasEyes3D: and their camera-frame eye_lmk_X_*/Y_*/Z_*.
	HasEyes, HasEyes3D bool
}

// TrackFrame is one row of a Track.
type TrackFrame struct {
	Number     int
	Success    bool
	Confidence float64      // 1 when the CSV has no confidence column
	Landmarks  [136]float64 // x0..x67, y0..y67
	Global     [6]float64
	Local      [34]float64
	// EyeLandmarks are the 56 eye landmarks, x0..x55 then y0..y55, and
	// EyeCamera their X0..X55, Y0..Y55, Z0..Z55 (mm), when the CSV has them.
	EyeLandmarks [2 * EyeLandmarkCount]float64
	EyeCamera    [3 * EyeLandmarkCount]float64
}

// ReadTrack reads the frame, success, landmark and (when present) PDM
// parameter columns of an OpenFace CSV.
func ReadTrack(path string) (*Track, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read landmarks: %w", err)
	}
	defer f.Close()
	t, err := parseTrack(f)
	if err != nil {
		return nil, fmt.Errorf("read landmarks from %s: %w", path, err)
	}
	return t, nil
}

// trackColumns holds the position of every column the track needs.
type trackColumns struct {
	frame, success int
	confidence     int // −1 when absent
	landmarks      [136]int
	params         [40]int
	hasParams      bool
	eyes           [2 * EyeLandmarkCount]int
	eyes3D         [3 * EyeLandmarkCount]int
	hasEyes        bool
	hasEyes3D      bool
}

func parseTrack(r io.Reader) (*Track, error) {
	t := &Track{}
	var cols trackColumns
	err := readRows(r, func(header []string) error {
		var err error
		cols, err = findColumns(header)
		t.HasParams, t.HasEyes, t.HasEyes3D = cols.hasParams, cols.hasEyes, cols.hasEyes3D
		return err
	}, func(fields []string) error {
		fr, err := parseTrackFrame(fields, cols)
		if err != nil {
			return err
		}
		if n := len(t.Frames); n > 0 && fr.Number != t.Frames[n-1].Number+1 {
			return fmt.Errorf("frame %d follows frame %d; frames must be consecutive", fr.Number, t.Frames[n-1].Number)
		}
		t.Frames = append(t.Frames, fr)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// readRows reads a CSV's header, then each non-empty row, which must have
// as many columns as the header; row's errors are given the line number. A
// file without rows is an error.
func readRows(r io.Reader, header func([]string) error, row func(fields []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return err
		}
		return fmt.Errorf("the file is empty")
	}
	names := splitRow(sc.Text())
	if err := header(names); err != nil {
		return err
	}
	rows := 0
	for line := 2; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fields := splitRow(sc.Text())
		if len(fields) != len(names) {
			return fmt.Errorf("line %d has %d columns, the header %d", line, len(fields), len(names))
		}
		if err := row(fields); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if rows == 0 {
		return fmt.Errorf("the file has a header but no frames")
	}
	return nil
}

func splitRow(s string) []string {
	fields := strings.Split(strings.TrimRight(s, "\r"), ",")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return fields
}

var paramNames = func() []string {
	names := []string{"p_scale", "p_rx", "p_ry", "p_rz", "p_tx", "p_ty"}
	for i := 0; i < 34; i++ {
		names = append(names, "p_"+strconv.Itoa(i))
	}
	return names
}()

func findColumns(header []string) (trackColumns, error) {
	index := make(map[string]int, len(header))
	for i, h := range header {
		index[h] = i
	}
	var c trackColumns
	var missing []string
	need := func(name string) int {
		i, ok := index[name]
		if !ok {
			missing = append(missing, name)
		}
		return i
	}
	c.frame, c.success = need("frame"), need("success")
	c.confidence = -1
	if i, ok := index["confidence"]; ok {
		c.confidence = i
	}
	for i := 0; i < landmarkCount; i++ {
		c.landmarks[i] = need("x_" + strconv.Itoa(i))
		c.landmarks[i+landmarkCount] = need("y_" + strconv.Itoa(i))
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("the header lacks the columns %s (an OpenFace CSV with 2-D landmarks is needed)", abbreviate(missing))
	}
	c.hasParams = findAll(index, paramNames, c.params[:])
	c.hasEyes = findAll(index, eyeColumnNames[:2*EyeLandmarkCount], c.eyes[:])
	c.hasEyes3D = c.hasEyes && findAll(index, eyeColumnNames[2*EyeLandmarkCount:], c.eyes3D[:])
	return c, nil
}

// findAll writes the position of each of names into at and reports
// whether the header has every one.
func findAll(index map[string]int, names []string, at []int) bool {
	all := true
	for i, name := range names {
		j, ok := index[name]
		at[i] = j
		all = all && ok
	}
	return all
}

func abbreviate(names []string) string {
	if len(names) > 4 {
		return strings.Join(names[:4], ", ") + fmt.Sprintf(" and %d more", len(names)-4)
	}
	return strings.Join(names, ", ")
}

func parseTrackFrame(fields []string, c trackColumns) (TrackFrame, error) {
	var fr TrackFrame
	n, err := strconv.Atoi(fields[c.frame])
	if err != nil || n < 1 {
		return fr, fmt.Errorf("frame %q is not a positive whole number", fields[c.frame])
	}
	fr.Number = n
	switch fields[c.success] {
	case "1":
		fr.Success = true
	case "0":
		return fr, nil // a failed frame's other values mean nothing
	default:
		return fr, fmt.Errorf("success %q is neither 0 nor 1", fields[c.success])
	}
	fr.Confidence = 1
	if c.confidence >= 0 {
		if fr.Confidence, err = parseFinite(fields[c.confidence]); err != nil {
			return fr, err
		}
	}
	if err := parseColumns(fields, c.landmarks[:], fr.Landmarks[:]); err != nil {
		return fr, err
	}
	if c.hasParams {
		var params [40]float64
		if err := parseColumns(fields, c.params[:], params[:]); err != nil {
			return fr, err
		}
		copy(fr.Global[:], params[:6])
		copy(fr.Local[:], params[6:])
	}
	if c.hasEyes {
		if err := parseColumns(fields, c.eyes[:], fr.EyeLandmarks[:]); err != nil {
			return fr, err
		}
	}
	if c.hasEyes3D {
		if err := parseColumns(fields, c.eyes3D[:], fr.EyeCamera[:]); err != nil {
			return fr, err
		}
	}
	return fr, nil
}

// parseColumns reads the fields at cols into out.
func parseColumns(fields []string, cols []int, out []float64) error {
	for i, col := range cols {
		v, err := parseFinite(fields[col])
		if err != nil {
			return err
		}
		out[i] = v
	}
	return nil
}

func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %q is not a finite number", s)
	}
	return v, nil
}
