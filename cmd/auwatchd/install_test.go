package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// plistNode is any element of a property list, with its text and children.
type plistNode struct {
	XMLName  xml.Name
	Text     string      `xml:",chardata"`
	Children []plistNode `xml:",any"`
}

// plistDict parses a property list and returns its top-level dict.
func plistDict(t *testing.T, data string) map[string]plistNode {
	t.Helper()
	var root plistNode
	if err := xml.Unmarshal([]byte(data), &root); err != nil {
		t.Fatalf("the plist does not parse: %v\n%s", err, data)
	}
	if root.XMLName.Local != "plist" || len(root.Children) != 1 || root.Children[0].XMLName.Local != "dict" {
		t.Fatalf("want <plist><dict>…, got:\n%s", data)
	}
	return dictEntries(t, root.Children[0])
}

func dictEntries(t *testing.T, dict plistNode) map[string]plistNode {
	t.Helper()
	entries := map[string]plistNode{}
	for i := 0; i < len(dict.Children); i += 2 {
		if dict.Children[i].XMLName.Local != "key" || i+1 == len(dict.Children) {
			t.Fatalf("dict entry %d is not a key followed by a value", i/2)
		}
		entries[dict.Children[i].Text] = dict.Children[i+1]
	}
	return entries
}

// runBinaryAs runs the binary found at exe, a link to the one under test.
func runBinaryAs(t *testing.T, exe string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	return runCommand(t, cmd)
}

// linkBinary puts a hard link (a copy where links are refused) to the binary
// under test in a folder whose name holds a space and an ampersand.
func linkBinary(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Face Lab", "R&D tools")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "auwatchd")
	if os.Link(binary, exe) == nil {
		return exe
	}
	data, err := os.ReadFile(binary)
	if err == nil {
		err = os.WriteFile(exe, data, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestInstallPrintLaunchd(t *testing.T) {
	realBinary, err := filepath.EvalSymlinks(binary)
	if err != nil {
		t.Fatal(err)
	}
	symlink := filepath.Join(t.TempDir(), "auwatchd")
	if err := os.Symlink(binary, symlink); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "Lab & data")
	for _, tc := range []struct {
		name, exe, want string
	}{
		{"binary", binary, realBinary},
		{"through a symlink", symlink, realBinary},
		{"in a folder with a space and an ampersand", linkBinary(t), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = tc.exe
			}
			code, out, errOut := runBinaryAs(t, tc.exe, []string{"AUWATCHD_HOME=" + data}, "install", "--print", "--target", "launchd")
			if code != 0 {
				t.Fatalf("install --print failed (%d): %s", code, errOut)
			}
			entries := plistDict(t, out)
			if label := entries["Label"].Text; label != "io.github.auwatchd" {
				t.Errorf("Label = %q", label)
			}
			var program []string
			for _, arg := range entries["ProgramArguments"].Children {
				program = append(program, arg.Text)
			}
			if !slices.Equal(program, []string{want, "run"}) {
				t.Errorf("ProgramArguments = %q, want [%q run]", program, want)
			}
			env := dictEntries(t, entries["EnvironmentVariables"])
			if got := env["AUWATCHD_HOME"].Text; got != data {
				t.Errorf("AUWATCHD_HOME = %q, want %q", got, data)
			}
		})
	}
}

// Run through a link to an app's binary, as from a PATH entry, install
// registers the binary inside the app, and names the app for Login Items.
func TestInstallPrintFromAnApp(t *testing.T) {
	macOS := filepath.Join(t.TempDir(), "Face Lab", "auwatchd.app", "Contents", "MacOS")
	if err := os.MkdirAll(macOS, 0o755); err != nil {
		t.Fatal(err)
	}
	inApp := filepath.Join(macOS, "auwatchd")
	if err := os.Rename(linkBinary(t), inApp); err != nil {
		t.Fatal(err)
	}
	onPath := filepath.Join(t.TempDir(), "auwatchd")
	if err := os.Symlink(inApp, onPath); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runBinaryAs(t, onPath, nil, "install", "--print", "--target", "launchd")
	if code != 0 {
		t.Fatalf("install --print failed (%d): %s", code, errOut)
	}
	var err error
	if inApp, err = filepath.EvalSymlinks(inApp); err != nil {
		t.Fatal(err)
	}
	entries := plistDict(t, out)
	if program := entries["ProgramArguments"].Children; len(program) != 2 || program[0].Text != inApp {
		t.Errorf("ProgramArguments = %+v, want [%s run]", program, inApp)
	}
	if ids := entries["AssociatedBundleIdentifiers"].Children; len(ids) != 1 || ids[0].Text != "io.github.auwatchd" {
		t.Errorf("AssociatedBundleIdentifiers = %+v, want the app's identifier", ids)
	}
}

func TestInstallPrintSystemd(t *testing.T) {
	realBinary, err := filepath.EvalSymlinks(binary)
	if err != nil {
		t.Fatal(err)
	}
	spaced := linkBinary(t)
	for _, tc := range []struct {
		exe, wantExecStart string
	}{
		{binary, "ExecStart=" + realBinary + " run"},
		{spaced, `ExecStart="` + spaced + `" run`},
	} {
		code, out, errOut := runBinaryAs(t, tc.exe, nil, "install", "--print", "--target", "systemd")
		if code != 0 {
			t.Fatalf("install --print failed (%d): %s", code, errOut)
		}
		lines := strings.Split(out, "\n")
		for _, want := range []string{tc.wantExecStart, "[Unit]", "[Service]", "[Install]", "WantedBy=default.target"} {
			if !slices.Contains(lines, want) {
				t.Errorf("the unit lacks the line %q:\n%s", want, out)
			}
		}
	}
}

func TestInstallRejectsBadUse(t *testing.T) {
	for _, args := range [][]string{
		{"install", "--print", "--target", "upstart"},
		{"install", "--print", "somewhere"},
		{"uninstall", "--target", "upstart"},
	} {
		code, _, errOut := runBinary(t, nil, args...)
		if code != 1 || errOut == "" {
			t.Errorf("%v: code %d, stderr %q; want a failure that says why", args, code, errOut)
		}
	}
}
