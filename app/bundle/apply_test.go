package bundle

import (
	"debug/macho"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Apply copies every file, writable, then rewrites each copy, then signs
// the libraries and, last, the bundle.
func TestApply(t *testing.T) {
	src, root := t.TempDir(), filepath.Join(t.TempDir(), "auwatchd.app")
	for name, mode := range map[string]os.FileMode{"auwatchd": 0o755, "libtbb.12.17.dylib": 0o444} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	plan := Plan{
		Copies: []Copy{
			{From: filepath.Join(src, "auwatchd"), To: "Contents/MacOS/auwatchd"},
			{From: filepath.Join(src, "libtbb.12.17.dylib"), To: "Contents/Frameworks/libtbb.12.dylib"},
		},
		Edits: []Edit{
			{File: "Contents/MacOS/auwatchd", Changes: []Change{{Old: "/opt/homebrew/opt/tbb/lib/libtbb.12.dylib", New: "@rpath/libtbb.12.dylib"}},
				AddRPaths: []string{bundleRPath}},
			{File: "Contents/Frameworks/libtbb.12.dylib", ID: "@rpath/libtbb.12.dylib"},
		},
	}
	var ran []string
	run := func(name string, args ...string) error {
		ran = append(ran, name+" "+strings.Join(args, " "))
		return nil
	}
	if err := Apply(plan, root, run); err != nil {
		t.Fatal(err)
	}
	exe, lib := filepath.Join(root, "Contents/MacOS/auwatchd"), filepath.Join(root, "Contents/Frameworks/libtbb.12.dylib")
	want := []string{
		"install_name_tool -change /opt/homebrew/opt/tbb/lib/libtbb.12.dylib @rpath/libtbb.12.dylib -add_rpath @executable_path/../Frameworks " + exe,
		"install_name_tool -id @rpath/libtbb.12.dylib " + lib,
		"codesign --force --sign - " + lib,
		"codesign --force --sign - " + root,
	}
	if !slices.Equal(ran, want) {
		t.Errorf("commands\n got %q\nwant %q", ran, want)
	}
	for path, mode := range map[string]os.FileMode{exe: 0o755, lib: 0o644} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", path, info.Mode().Perm(), mode)
		}
	}
	if data, err := os.ReadFile(lib); err != nil || string(data) != "libtbb.12.17.dylib" {
		t.Errorf("the copy holds %q (%v)", data, err)
	}
}

// Build reads the copies back: a bundle whose load commands were not
// rewritten (here, a runner that does nothing) is refused, naming what
// still leads outside it.
func TestBuildChecksTheCopies(t *testing.T) {
	dir := t.TempDir()
	lib := writeDylib(t, dylibCommand(loadCmdIDDylib, "/opt/homebrew/opt/example/lib/libexample.1.dylib"))
	exe := filepath.Join(dir, "auwatchd")
	data, err := os.ReadFile(writeDylib(t, dylibCommand(macho.LoadCmdDylib, lib), dylibCommand(macho.LoadCmdDylib, "/usr/lib/libSystem.B.dylib")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "auwatchd.app")
	var ran int
	plan, err := Build(root, []Root{{From: exe, To: "Contents/MacOS/auwatchd"}}, func(string, ...string) error { ran++; return nil })
	if err == nil || !strings.Contains(err.Error(), "loads "+lib+", which is not in the bundle") ||
		!strings.Contains(err.Error(), "is named /opt/homebrew/opt/example/lib/libexample.1.dylib") {
		t.Fatalf("Build with nothing rewritten: %v", err)
	}
	if ran != 4 || len(plan.Copies) != 0 {
		t.Errorf("%d commands run, plan %+v returned with the error", ran, plan)
	}
	if _, err := os.Stat(filepath.Join(root, "Contents/Frameworks/libexample.1.dylib")); err != nil {
		t.Errorf("the library was not copied: %v", err)
	}
}
