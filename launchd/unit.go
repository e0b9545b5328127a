package launchd

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// RenderUnit returns the systemd user unit that starts the agent at login
// and restarts it when it fails. Environment lines are sorted by name, so
// the file is the same byte for byte for the same agent.
//
// The unit is wanted by default.target, so the daemon also runs on a
// machine reached only over ssh, and ordered after graphical-session.target
// so that, in a desktop session, the menu-bar icon finds its tray.
func RenderUnit(a Agent) ([]byte, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	// systemd refuses, as a fatal unit error, an executable path holding a
	// quote or a backslash, however it is escaped.
	if strings.ContainsAny(a.Executable, `"'\`) {
		return nil, fmt.Errorf("systemd cannot start %s: it refuses an executable path holding a quote or a backslash; move auwatchd to another folder", a.Executable)
	}
	command := []string{systemdWord(a.Executable, false)}
	for _, arg := range a.Args {
		command = append(command, systemdWord(arg, true))
	}
	var b bytes.Buffer
	b.WriteString(`# Starts auwatchd at login. Written by "auwatchd install"; remove it with "auwatchd uninstall".` + "\n")
	b.WriteString("[Unit]\n")
	b.WriteString("Description=auwatchd: facial Action Units for the videos in watched folders\n")
	b.WriteString("After=graphical-session.target\n\n")
	b.WriteString("[Service]\n")
	b.WriteString("Type=simple\n")
	b.WriteString("ExecStart=" + strings.Join(command, " ") + "\n")
	// Restart after a crash only (a signal, GOTRACEBACK=crash's abort
	// included), not after an error exit, which would only repeat.
	b.WriteString("Restart=on-abnormal\n")
	b.WriteString("RestartSec=" + strconv.Itoa(throttleSeconds) + "\n")
	// inotify needs no descriptor per watched file, so the macOS figure is ample here.
	b.WriteString("LimitNOFILE=" + strconv.Itoa(openFiles) + "\n")
	env := a.environment()
	for _, name := range slices.Sorted(maps.Keys(env)) {
		b.WriteString("Environment=" + systemdWord(name+"="+env[name], false) + "\n")
	}
	b.WriteString("\n[Install]\n")
	b.WriteString("WantedBy=default.target\n")
	return b.Bytes(), nil
}

// systemdWord writes s as one word of a unit-file setting: "%" doubled
// (specifiers are expanded everywhere), "$" doubled where the setting
// expands variables (ExecStart= arguments, but not its executable path),
// a lone ";" escaped (it would separate commands), and double quotes,
// with C escapes, around anything beyond a plain path.
func systemdWord(s string, expandsVariables bool) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if expandsVariables {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	if s == ";" {
		return `\;`
	}
	if s != "" && !strings.ContainsFunc(s, needsQuotes) {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// needsQuotes reports a character outside the plain set that systemd reads
// literally in an unquoted word.
func needsQuotes(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	default:
		return !strings.ContainsRune("/._-+=:,@%$", r)
	}
}
