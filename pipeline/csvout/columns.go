package csvout

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Columns holds chosen columns of an OpenFace CSV, one value per kept row.
type Columns struct {
	Header []string             // every column of the file, in its order
	Values map[string][]float64 // the kept columns
	Rows   int                  // how many rows were kept
}

// Has reports whether the file has every one of the named columns.
func (c *Columns) Has(names ...string) bool {
	for _, n := range names {
		if _, ok := c.Values[n]; !ok {
			return false
		}
	}
	return true
}

// ReadColumns reads the columns of an OpenFace CSV (auwatchd's or OpenFace's
// own, whose cells follow ", ") that keep accepts, from the rows, counted from
// 0, that row accepts; a nil row keeps every row. Only kept cells are parsed,
// so reading a few columns of a long video's CSV costs little.
func ReadColumns(path string, keep func(column string) bool, row func(int) bool) (*Columns, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return nil, fmt.Errorf("read %s: the file is empty", path)
	}
	c := &Columns{Header: splitRow(sc.Text()), Values: map[string][]float64{}}
	kept := make([]bool, len(c.Header))
	for i, h := range c.Header {
		if kept[i] = keep(h); kept[i] {
			c.Values[h] = nil
		}
	}
	for n, line := 0, 2; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" {
			continue
		}
		if row == nil || row(n) {
			if err := c.parseRow(text, kept); err != nil {
				return nil, fmt.Errorf("read %s line %d: %w", path, line, err)
			}
			c.Rows++
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return c, nil
}

// parseRow appends the kept cells of one line, cutting it at commas without
// splitting the cells nobody asked for.
func (c *Columns) parseRow(line string, kept []bool) error {
	i := 0
	for rest := line; ; i++ {
		cell, after, more := strings.Cut(rest, ",")
		if i < len(kept) && kept[i] {
			v, err := parseFinite(strings.TrimSpace(cell))
			if err != nil {
				return fmt.Errorf("column %s: %w", c.Header[i], err)
			}
			c.Values[c.Header[i]] = append(c.Values[c.Header[i]], v)
		}
		if !more {
			break
		}
		rest = after
	}
	if i+1 != len(c.Header) {
		return fmt.Errorf("%d values under a header of %d columns", i+1, len(c.Header))
	}
	return nil
}
