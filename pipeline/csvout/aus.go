package csvout

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// AUs are the AU columns of an OpenFace-format CSV with each frame's
// timestamp and success, as the CSV states them.
type AUs struct {
	IntensityNames  []string // e.g. "AU01", of the _r columns
	OccurrenceNames []string // of the _c columns
	Timestamps      []float64
	Success         []bool
	Intensity       [][]float64 // per frame, in IntensityNames order
	Occurrence      [][]float64 // per frame, in OccurrenceNames order
}

// ReadAUs reads the AU values of every frame of the CSV at path.
func ReadAUs(path string) (*AUs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read AUs: %w", err)
	}
	defer f.Close()
	a, err := parseAUs(f)
	if err != nil {
		return nil, fmt.Errorf("read AUs from %s: %w", path, err)
	}
	return a, nil
}

// auColumns holds the position of every column ReadAUs reads.
type auColumns struct {
	timestamp, success    int
	intensity, occurrence []int
}

func parseAUs(r io.Reader) (*AUs, error) {
	var a *AUs
	var cols auColumns
	err := readRows(r, func(header []string) error {
		var err error
		a, cols, err = findAUColumns(header)
		return err
	}, func(fields []string) error {
		return a.addRow(fields, cols)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func findAUColumns(header []string) (*AUs, auColumns, error) {
	a := &AUs{}
	c := auColumns{timestamp: -1, success: -1}
	for i, h := range header {
		switch {
		case h == "timestamp":
			c.timestamp = i
		case h == "success":
			c.success = i
		case strings.HasPrefix(h, "AU") && strings.HasSuffix(h, "_r"):
			a.IntensityNames = append(a.IntensityNames, strings.TrimSuffix(h, "_r"))
			c.intensity = append(c.intensity, i)
		case strings.HasPrefix(h, "AU") && strings.HasSuffix(h, "_c"):
			a.OccurrenceNames = append(a.OccurrenceNames, strings.TrimSuffix(h, "_c"))
			c.occurrence = append(c.occurrence, i)
		}
	}
	if c.timestamp < 0 || c.success < 0 || len(c.intensity)+len(c.occurrence) == 0 {
		return nil, c, fmt.Errorf("the header lacks timestamp, success or AU columns (an OpenFace CSV with AUs is needed)")
	}
	return a, c, nil
}

func (a *AUs) addRow(fields []string, c auColumns) error {
	ts, err := parseFinite(fields[c.timestamp])
	if err != nil {
		return err
	}
	if s := fields[c.success]; s != "0" && s != "1" {
		return fmt.Errorf("success %q is neither 0 nor 1", s)
	}
	intensity := make([]float64, len(c.intensity))
	if err := parseColumns(fields, c.intensity, intensity); err != nil {
		return err
	}
	occurrence := make([]float64, len(c.occurrence))
	if err := parseColumns(fields, c.occurrence, occurrence); err != nil {
		return err
	}
	a.Timestamps = append(a.Timestamps, ts)
	a.Success = append(a.Success, fields[c.success] == "1")
	a.Intensity = append(a.Intensity, intensity)
	a.Occurrence = append(a.Occurrence, occurrence)
	return nil
}
