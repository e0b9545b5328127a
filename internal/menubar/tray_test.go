package menubar

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

func TestChosenFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "video.mp4")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, out, want, err string
	}{
		{"zenity's answer", dir + "\n", dir, ""},
		{"osascript's answer ends with a slash", dir + "/\n", dir, ""},
		{"a file, not a folder", file + "\n", "", "is not a folder"},
		{"a folder that is gone", filepath.Join(dir, "gone") + "\n", "", "is not a folder"},
		{"a relative answer", "Movies\n", "", "not a folder path"},
		{"nothing", "", "", "not a folder path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chosenFolder(tt.out)
			if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("chosenFolder(%q) = %q, %v; want %q, error containing %q", tt.out, got, err, tt.want, tt.err)
			}
		})
	}
}

// TestAppInfoPlist checks the bundle's Info.plist template: a menu-bar app
// (LSUIElement, so no Dock icon) whose executable is this binary.
func TestAppInfoPlist(t *testing.T) {
	path := filepath.Join(testenv.RepoRoot(t), "app", "Info.plist")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := plistValues(t, data)
	want := map[string]string{
		"LSUIElement":                "true",
		"CFBundleExecutable":         "auwatchd",
		"CFBundleIconFile":           "auwatchd",
		"CFBundlePackageType":        "APPL",
		"CFBundleIdentifier":         "io.github.auwatchd",
		"CFBundleShortVersionString": "@VERSION@",
		// The bundled ONNX Runtime declares macOS 14 as its minimum.
		"LSMinimumSystemVersion": "14.0",
		// App Nap would slow a batch the user is not looking at.
		"LSAppNapIsDisabled": "true",
	}
	for key, value := range want {
		if got[key] != value {
			t.Errorf("%s: %s is %q, want %q", path, key, got[key], value)
		}
	}
}

// plistValues reads the top-level dictionary of a property list: each key
// with its string value, or "true"/"false" for booleans.
func plistValues(t *testing.T, data []byte) map[string]string {
	t.Helper()
	values := map[string]string{}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var key, text string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return values
		}
		if err != nil {
			t.Fatalf("Info.plist is not XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.CharData:
			text = string(tok)
		case xml.StartElement:
			text = ""
			if key != "" && (tok.Name.Local == "true" || tok.Name.Local == "false") {
				values[key], key = tok.Name.Local, ""
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "key":
				key = text
			case "string":
				values[key], key = text, ""
			}
		}
	}
}
