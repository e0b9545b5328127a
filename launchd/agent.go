// Package launchd starts auwatchd at login: it renders the macOS LaunchAgent
// property list and the Linux systemd user unit, and installs or removes them.
package launchd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The names of the two service managers, as the --target flag spells them.
const (
	Launchd = "launchd"
	Systemd = "systemd"
)

// Label names the LaunchAgent, its plist file and its launchd service; it is
// also auwatchd.app's bundle identifier (app/Info.plist).
const Label = "io.github.auwatchd"

// UnitName is the systemd user unit's file name.
const UnitName = "auwatchd.service"

// Agent is the daemon as a service manager starts it for one user.
type Agent struct {
	Executable string            // absolute path of the auwatchd binary
	App        string            // the app bundle Executable lies in (…/auwatchd.app), or ""
	Args       []string          // arguments after the executable, normally ["run"]
	Home       string            // the user's home folder
	ConfigDir  string            // the user's configuration folder ($XDG_CONFIG_HOME or ~/.config)
	LogDir     string            // where launchd writes the daemon's stdout and stderr; empty for none
	Env        map[string]string // environment variables set for the daemon
	UID        int               // the user's id, which names the launchd domain gui/<uid>
}

// New returns the agent that runs `exe run` for the user with this home
// folder and id, logging under ~/Library/Logs/auwatchd.
func New(exe, home string, uid int) Agent {
	return Agent{
		Executable: exe,
		Args:       []string{"run"},
		Home:       home,
		ConfigDir:  filepath.Join(home, ".config"),
		LogDir:     filepath.Join(home, "Library", "Logs", "auwatchd"),
		UID:        uid,
	}
}

// ForCurrentUser returns the agent that runs `exe run` for the user running
// this process. ConfigDir follows $XDG_CONFIG_HOME when it is absolute, as
// systemd's user manager does. An exe inside an app bundle is the app's, and
// the agent says so (App); an app macOS runs from a temporary copy, as it
// does with a downloaded app opened where it was unpacked (App
// Translocation), is refused: that copy is gone at the next login.
func ForCurrentUser(exe string) (Agent, error) {
	if !filepath.IsAbs(exe) {
		return Agent{}, fmt.Errorf("executable %s: the path must be absolute", exe)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return Agent{}, fmt.Errorf("find the home folder: %w", err)
	}
	a := New(filepath.Clean(exe), home, os.Getuid())
	a.App = AppBundle(a.Executable)
	if a.App != "" && strings.Contains(a.App, "/AppTranslocation/") {
		return Agent{}, fmt.Errorf("%s runs from a temporary copy that macOS made because the app was opened where it was downloaded or unpacked; "+
			"move %s to /Applications in the Finder, open it from there, then install again", a.App, filepath.Base(a.App))
	}
	if xdg := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(xdg) {
		a.ConfigDir = xdg
	}
	return a, nil
}

// AppBundle returns the app bundle whose executable exe is
// (…/NAME.app/Contents/MacOS/auwatchd), or "" when exe is not in one.
func AppBundle(exe string) string {
	macOS := filepath.Dir(exe)
	contents := filepath.Dir(macOS)
	app := filepath.Dir(contents)
	if filepath.Base(macOS) != "MacOS" || filepath.Base(contents) != "Contents" || !strings.HasSuffix(app, ".app") {
		return ""
	}
	return app
}

// LaunchAgentsDir is the folder launchd loads a user's agents from at login.
func (a Agent) LaunchAgentsDir() string {
	return filepath.Join(a.Home, "Library", "LaunchAgents")
}

// SystemdUserDir is the folder systemd's user manager reads the user's units from.
func (a Agent) SystemdUserDir() string {
	return filepath.Join(a.ConfigDir, "systemd", "user")
}

// validate refuses what neither file format can carry faithfully: a relative
// executable, control characters (a newline would end a unit-file line) and
// invalid UTF-8 (XML would replace it silently).
func (a Agent) validate() error {
	if !filepath.IsAbs(a.Executable) {
		return fmt.Errorf("executable %q: the path must be absolute", a.Executable)
	}
	if a.LogDir != "" && !filepath.IsAbs(a.LogDir) {
		return fmt.Errorf("log folder %q: the path must be absolute", a.LogDir)
	}
	texts := append([]string{a.Executable, a.LogDir}, a.Args...)
	for name, value := range a.Env {
		if !isEnvName(name) {
			return fmt.Errorf("environment variable name %q: want letters, digits and _, not starting with a digit", name)
		}
		texts = append(texts, value)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
			return fmt.Errorf("%q holds a control character or invalid UTF-8, which a service file cannot carry", s)
		}
	}
	return nil
}

func isEnvName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if r != '_' && !(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// environment is the agent's environment with GOTRACEBACK=crash: a Go panic
// then ends the process with SIGABRT, a crash the service manager restarts,
// while an error exit (a missing library, a second daemon) is not restarted
// and so cannot loop.
func (a Agent) environment() map[string]string {
	env := map[string]string{"GOTRACEBACK": "crash"}
	for name, value := range a.Env {
		env[name] = value
	}
	return env
}
