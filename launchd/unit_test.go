package launchd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderUnitMatchesGolden(t *testing.T) {
	got, err := RenderUnit(goldenAgent())
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "auwatchd.service.golden", got)
}

func TestRenderUnitHasEverySetting(t *testing.T) {
	data, err := RenderUnit(goldenAgent())
	if err != nil {
		t.Fatal(err)
	}
	sections := parseUnit(t, string(data))
	want := map[string][]string{
		"Unit/Description":    {"auwatchd: facial Action Units for the videos in watched folders"},
		"Unit/After":          {"graphical-session.target"},
		"Service/Type":        {"simple"},
		"Service/ExecStart":   {`"/Users/ada/Face Lab/R&D tools/auwatchd" run`},
		"Service/Restart":     {"on-abnormal"},
		"Service/RestartSec":  {"10"},
		"Service/LimitNOFILE": {"4096"},
		"Service/Environment": {`"AUWATCHD_HOME=/Users/ada/Face Lab/data"`,
			`"AUWATCHD_MODELS=/Users/ada/Face Lab/R&D tools/models"`, "GOTRACEBACK=crash"},
		"Install/WantedBy": {"default.target"},
	}
	for key, values := range want {
		if strings.Join(sections[key], "\n") != strings.Join(values, "\n") {
			t.Errorf("%s = %q, want %q", key, sections[key], values)
		}
	}
	for key := range sections {
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected setting %s", key)
		}
	}
}

// parseUnit returns a unit file's settings as "Section/Key" → values.
func parseUnit(t *testing.T, text string) map[string][]string {
	t.Helper()
	settings := map[string][]string{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("line %q is neither a section nor a setting", line)
			}
			settings[section+"/"+key] = append(settings[section+"/"+key], value)
		}
	}
	return settings
}

func TestUnitWordQuoting(t *testing.T) {
	for _, tc := range []struct {
		in               string
		expandsVariables bool
		want             string
	}{
		{"run", true, "run"},
		{"/usr/local/bin/auwatchd", false, "/usr/local/bin/auwatchd"},
		{"/opt/Face Lab/auwatchd", false, `"/opt/Face Lab/auwatchd"`},
		{"/opt/R&D/auwatchd", false, `"/opt/R&D/auwatchd"`},
		{"/opt/100%/auwatchd", false, "/opt/100%%/auwatchd"},
		{"/opt/$HOME/auwatchd", false, "/opt/$HOME/auwatchd"},
		{"--home=$HOME", true, "--home=$$HOME"},
		{`say "hi"`, true, `"say \"hi\""`},
		{`C:\data`, true, `"C:\\data"`},
		{"o'brien", true, `"o'brien"`},
		{";", true, `\;`},
		{"", true, `""`},
		{"AUWATCHD_HOME=/data/100% $x", false, `"AUWATCHD_HOME=/data/100%% $x"`},
	} {
		if got := systemdWord(tc.in, tc.expandsVariables); got != tc.want {
			t.Errorf("systemdWord(%q, %v) = %s, want %s", tc.in, tc.expandsVariables, got, tc.want)
		}
	}
}

func TestRenderUnitRefusesExecutablesSystemdRejects(t *testing.T) {
	for _, exe := range []string{`/home/o'brien/auwatchd`, `/opt/"q"/auwatchd`, `/opt/back\slash/auwatchd`} {
		a := goldenAgent()
		a.Executable = exe
		if _, err := RenderUnit(a); err == nil || !strings.Contains(err.Error(), "move auwatchd") {
			t.Errorf("RenderUnit(%q) error = %v, want a refusal naming the fix", exe, err)
		}
		if _, err := RenderPlist(a); err != nil {
			t.Errorf("RenderPlist(%q): %v (launchd has no such limit)", exe, err)
		}
	}
}

// TestRenderUnitPassesSystemdAnalyze has systemd load the unit for an
// executable in a folder whose name holds a space, an ampersand, a "%n"
// that systemd would expand to the unit's name, and a "$": any warning or
// error fails the test, and so must the same unit written without doubling
// its "%".
func TestRenderUnitPassesSystemdAnalyze(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Face Lab", "R&D %n $HOME")
	exe := filepath.Join(dir, "auwatchd")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	a := New(exe, t.TempDir(), os.Getuid())
	a.Args = []string{"run", "--home", filepath.Join(dir, "data $USER 50%")}
	a.Env = map[string]string{"AUWATCHD_MODELS": filepath.Join(dir, `models "v2"`)}
	unit, err := RenderUnit(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unit, []byte(`ExecStart="`+strings.ReplaceAll(exe, "%", "%%")+`" run`)) {
		t.Errorf("ExecStart does not quote %s:\n%s", exe, unit)
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not on PATH: the unit was checked against the settings above only, not loaded by systemd")
		return
	}
	if out, ok := systemdVerify(t, analyze, unit); !ok || out != "" {
		t.Errorf("systemd-analyze verify --user rejected the unit (ok=%v):\n%s\n%s", ok, out, unit)
	}
	naive := bytes.ReplaceAll(unit, []byte("%%"), []byte("%"))
	if _, ok := systemdVerify(t, analyze, naive); ok {
		t.Errorf("systemd-analyze accepted the unit with its %% undoubled; the check cannot see specifiers:\n%s", naive)
	}
}

// systemdVerify runs `systemd-analyze verify --user` on unit, written as
// auwatchd.service, and returns its output and whether it passed. A private
// XDG_RUNTIME_DIR lets it build a user manager where none runs; where even
// that fails it verifies the unit as a system one, which checks the same
// syntax, specifiers and executable but not the user search path.
func systemdVerify(t *testing.T, analyze string, unit []byte) (string, bool) {
	t.Helper()
	path := filepath.Join(t.TempDir(), UnitName)
	if err := os.WriteFile(path, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	out, ok := runVerify(t, analyze, "verify", "--user", path)
	if !ok && strings.Contains(out, "Failed to initialize manager") {
		t.Logf("systemd-analyze cannot build a user manager here (%s); verifying as a system unit", out)
		return runVerify(t, analyze, "verify", path)
	}
	return out, ok
}

func runVerify(t *testing.T, analyze string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(analyze, args...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+t.TempDir(), "SYSTEMD_LOG_COLOR=0")
	out, err := cmd.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("run %s: %v", analyze, err)
	}
	return strings.TrimSpace(string(out)), err == nil
}
