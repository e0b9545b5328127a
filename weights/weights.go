// Package weights knows which third-party files the pipeline needs and how to
// get them: a manifest of relative paths, sha256 sums, sizes, upstream URLs and
// licences, and a fetch step that copies or downloads each file and verifies it.
// The files themselves are never part of the repository.
package weights

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed manifest.tsv
var modelManifest []byte

// Entry is one file of a manifest.
type Entry struct {
	Path    string // relative to the destination folder, slash-separated
	SHA256  string // lower-case hex
	Size    int64
	URL     string // "-" when the file has no public upstream copy
	Licence string
}

// Models returns the manifest of the model files the pipeline loads.
func Models() []Entry {
	entries, err := ParseManifest(bytes.NewReader(modelManifest), "weights/manifest.tsv")
	if err != nil {
		panic(err) // the embedded manifest is checked by the package's tests
	}
	return entries
}

// ReadManifest reads a manifest file.
func ReadManifest(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	return ParseManifest(f, path)
}

// ParseManifest reads tab-separated lines "path sha256 size url licence";
// blank lines and lines starting with '#' are ignored.
func ParseManifest(r io.Reader, name string) ([]Entry, error) {
	var entries []Entry
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		e, err := parseEntry(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		entries = append(entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%s lists no files", name)
	}
	return entries, nil
}

func parseEntry(text string) (Entry, error) {
	f := strings.Split(text, "\t")
	if len(f) != 5 {
		return Entry{}, fmt.Errorf("want 5 tab-separated fields, got %d", len(f))
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return Entry{}, fmt.Errorf("bad size %q", f[2])
	}
	if len(f[1]) != 64 {
		return Entry{}, fmt.Errorf("bad sha256 %q", f[1])
	}
	if f[0] == "" || filepath.IsAbs(f[0]) || strings.Contains(f[0], "..") {
		return Entry{}, fmt.Errorf("bad relative path %q", f[0])
	}
	return Entry{Path: f[0], SHA256: strings.ToLower(f[1]), Size: size, URL: f[3], Licence: f[4]}, nil
}
