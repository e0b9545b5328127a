package launchd

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

// fakeManager records the commands it is given and plays the part of
// launchctl and systemctl: launchd's service is loaded between bootstrap and
// bootout, and systemd's enable and disable add and remove the wants link.
type fakeManager struct {
	unitDir  string
	commands []string
	loaded   bool
	// failures maps a command line to the error it returns.
	failures map[string]error
	// bootoutLeavesLoaded keeps the service loaded after a bootout.
	bootoutLeavesLoaded bool
}

func (f *fakeManager) run(name string, args ...string) error {
	line := strings.Join(append([]string{name}, args...), " ")
	f.commands = append(f.commands, line)
	verb := args[0]
	if name == "systemctl" {
		verb = args[1]
	}
	switch {
	case name == "launchctl" && verb == "print" && !f.loaded:
		return errors.New("Could not find service")
	case name == "launchctl" && verb == "bootout" && !f.bootoutLeavesLoaded:
		f.loaded = false
	case name == "launchctl" && verb == "bootstrap" && f.failures[line] == nil:
		f.loaded = true
	case name == "systemctl" && verb == "enable":
		link := filepath.Join(f.unitDir, "default.target.wants", UnitName)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(filepath.Join(f.unitDir, UnitName), link); err != nil && !os.IsExist(err) {
			return err
		}
	case name == "systemctl" && verb == "disable":
		if err := os.Remove(filepath.Join(f.unitDir, "default.target.wants", UnitName)); err != nil {
			return err
		}
	}
	return f.failures[line]
}

func (f *fakeManager) takeCommands() []string {
	c := f.commands
	f.commands = nil
	return c
}

// testAgent is an agent for a user whose home is a temp folder.
func testAgent(t *testing.T) Agent {
	home := t.TempDir()
	a := New("/Applications/auwatchd.app/Contents/MacOS/auwatchd", home, 501)
	a.Env = map[string]string{"AUWATCHD_HOME": filepath.Join(home, "data")}
	return a
}

const (
	printService = "launchctl print gui/501/io.github.auwatchd"
	bootout      = "launchctl bootout gui/501/io.github.auwatchd"
	enable       = "launchctl enable gui/501/io.github.auwatchd"
)

func TestInstallLaunchdWritesThePlistAndLoadsIt(t *testing.T) {
	a := testAgent(t)
	dir := a.LaunchAgentsDir()
	path := filepath.Join(dir, "io.github.auwatchd.plist")
	bootstrap := "launchctl bootstrap gui/501 " + path
	f := &fakeManager{}

	if err := InstallLaunchd(a, dir, f.run); err != nil {
		t.Fatal(err)
	}
	wantCommands(t, "first install", f.takeCommands(), printService, enable, bootstrap)
	wantFile(t, path, 0o644, mustRender(t, RenderPlist, a))
	wantMode(t, a.LogDir, os.ModeDir|0o700)
	if !InstalledLaunchd(dir) {
		t.Error("InstalledLaunchd is false after install")
	}

	a.Executable = "/opt/auwatchd/auwatchd"
	if err := InstallLaunchd(a, dir, f.run); err != nil {
		t.Fatal(err)
	}
	wantCommands(t, "second install", f.takeCommands(), printService, bootout, printService, enable, bootstrap)
	wantFile(t, path, 0o644, mustRender(t, RenderPlist, a))
	testenv.WantEntries(t, dir, "io.github.auwatchd.plist")
}

func TestInstallThenUninstallLaunchdRemovesOnlyTheAgent(t *testing.T) {
	a := testAgent(t)
	dir := a.LaunchAgentsDir()
	f := &fakeManager{}
	if err := InstallLaunchd(a, dir, f.run); err != nil {
		t.Fatal(err)
	}
	keep := []string{filepath.Join(dir, "com.example.other.plist"), filepath.Join(a.Env["AUWATCHD_HOME"], "auwatchd.db"),
		filepath.Join(a.Home, "Videos", "session1.csv"), filepath.Join(a.LogDir, "auwatchd.err.log")}
	writeFiles(t, keep...)
	f.takeCommands()

	if err := UninstallLaunchd(a, dir, f.run); err != nil {
		t.Fatal(err)
	}
	wantCommands(t, "uninstall", f.takeCommands(), printService, bootout, printService)
	testenv.WantEntries(t, dir, "com.example.other.plist")
	wantExist(t, keep...)
	if InstalledLaunchd(dir) {
		t.Error("InstalledLaunchd is true after uninstall")
	}

	if err := UninstallLaunchd(a, dir, f.run); err != nil {
		t.Fatalf("second uninstall: %v", err)
	}
	wantCommands(t, "second uninstall", f.takeCommands(), printService)
}

func TestInstallLaunchdBootoutFailures(t *testing.T) {
	for _, tc := range []struct {
		name            string
		leavesLoaded    bool
		wantErr         bool
		wantLastCommand string
	}{
		{"bootout fails but the service is gone", false, false, "launchctl bootstrap gui/501 "},
		{"bootout fails and the service stays", true, true, printService},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testAgent(t)
			bootoutErr := errors.New("Boot-out failed: 5: Input/output error")
			f := &fakeManager{loaded: true, bootoutLeavesLoaded: tc.leavesLoaded, failures: map[string]error{bootout: bootoutErr}}
			err := InstallLaunchd(a, a.LaunchAgentsDir(), f.run)
			if tc.wantErr != (err != nil) || (err != nil && !errors.Is(err, bootoutErr)) {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if last := f.commands[len(f.commands)-1]; !strings.HasPrefix(last, tc.wantLastCommand) {
				t.Errorf("last command %q, want %q…", last, tc.wantLastCommand)
			}
		})
	}
}

func TestInstallLaunchdReportsBootstrapFailure(t *testing.T) {
	a := testAgent(t)
	dir := a.LaunchAgentsDir()
	failure := errors.New("Bootstrap failed: 5: Input/output error")
	f := &fakeManager{failures: map[string]error{"launchctl bootstrap gui/501 " + PlistPath(dir): failure}}
	if err := InstallLaunchd(a, dir, f.run); !errors.Is(err, failure) {
		t.Fatalf("error = %v, want %v", err, failure)
	}
}

func TestInstallSystemdWritesTheUnitAndEnablesIt(t *testing.T) {
	a := testAgent(t)
	dir := a.SystemdUserDir()
	path := filepath.Join(a.Home, ".config", "systemd", "user", "auwatchd.service")
	f := &fakeManager{unitDir: dir}
	installCommands := []string{"systemctl --user daemon-reload", "systemctl --user enable auwatchd.service",
		"systemctl --user restart auwatchd.service"}

	for _, round := range []string{"first install", "second install"} {
		if err := InstallSystemd(a, dir, f.run); err != nil {
			t.Fatal(err)
		}
		wantCommands(t, round, f.takeCommands(), installCommands...)
		wantFile(t, path, 0o644, mustRender(t, RenderUnit, a))
		testenv.WantEntries(t, dir, "auwatchd.service", "default.target.wants")
		if !InstalledSystemd(dir) {
			t.Errorf("%s: InstalledSystemd is false", round)
		}
		a.Args = []string{"run", "--quiet", "5s"}
	}
}

func TestInstallThenUninstallSystemdRemovesOnlyTheAgent(t *testing.T) {
	a := testAgent(t)
	dir := a.SystemdUserDir()
	f := &fakeManager{unitDir: dir}
	if err := InstallSystemd(a, dir, f.run); err != nil {
		t.Fatal(err)
	}
	keep := []string{filepath.Join(dir, "other.service"), filepath.Join(a.Env["AUWATCHD_HOME"], "auwatchd.db"),
		filepath.Join(a.Home, "Videos", "session1.csv")}
	writeFiles(t, keep...)
	f.takeCommands()

	if err := UninstallSystemd(dir, f.run); err != nil {
		t.Fatal(err)
	}
	wantCommands(t, "uninstall", f.takeCommands(), "systemctl --user disable --now auwatchd.service", "systemctl --user daemon-reload")
	testenv.WantEntries(t, dir, "default.target.wants", "other.service")
	wantExist(t, keep...)
	if InstalledSystemd(dir) {
		t.Error("InstalledSystemd is true after uninstall")
	}

	if err := UninstallSystemd(dir, f.run); err != nil {
		t.Fatalf("second uninstall: %v", err)
	}
	wantCommands(t, "second uninstall", f.takeCommands())
}

func TestInstalledSystemdNeedsTheWantsLink(t *testing.T) {
	a := testAgent(t)
	dir := a.SystemdUserDir()
	writeFiles(t, UnitPath(dir))
	if InstalledSystemd(dir) {
		t.Error("a unit that is not enabled counts as starting at login")
	}
}

func TestTargetNeutralEntryPoints(t *testing.T) {
	for _, tc := range []struct {
		target string
		path   func(Agent) string
	}{
		{Launchd, func(a Agent) string {
			return filepath.Join(a.Home, "Library", "LaunchAgents", "io.github.auwatchd.plist")
		}},
		{Systemd, func(a Agent) string { return filepath.Join(a.Home, ".config", "systemd", "user", "auwatchd.service") }},
	} {
		a := testAgent(t)
		f := &fakeManager{unitDir: a.SystemdUserDir()}
		want := tc.path(a)
		if got, err := Path(tc.target, a); got != want || err != nil {
			t.Errorf("Path(%s) = %s, %v; want %s", tc.target, got, err, want)
		}
		if got, err := Install(tc.target, a, f.run); got != want || err != nil {
			t.Fatalf("Install(%s) = %s, %v; want %s", tc.target, got, err, want)
		}
		data, _ := Render(tc.target, a)
		wantFile(t, want, 0o644, data)
		if !Installed(tc.target, a) {
			t.Errorf("Installed(%s) is false after Install", tc.target)
		}
		if got, err := Uninstall(tc.target, a, f.run); got != want || err != nil {
			t.Fatalf("Uninstall(%s) = %s, %v; want %s", tc.target, got, err, want)
		}
		if Installed(tc.target, a) {
			t.Errorf("Installed(%s) is true after Uninstall", tc.target)
		}
	}
	a := testAgent(t)
	if _, err := Render("upstart", a); err == nil || !strings.Contains(err.Error(), `unknown target "upstart"`) {
		t.Errorf("Render(upstart) error = %v", err)
	}
	if _, err := Install("upstart", a, (&fakeManager{}).run); err == nil {
		t.Error("Install(upstart) succeeded")
	}
	if Installed("upstart", a) {
		t.Error("Installed(upstart) is true")
	}
}

func TestTargetIsThisPlatformsManager(t *testing.T) {
	want := map[string]string{"darwin": Launchd, "linux": Systemd}[runtime.GOOS]
	if got := Target(); got != want {
		t.Errorf("Target() = %q on %s, want %q", got, runtime.GOOS, want)
	}
}

func TestForCurrentUser(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		xdg, wantConfig string
	}{
		{"", filepath.Join(home, ".config")},
		{"relative/config", filepath.Join(home, ".config")},
		{"/srv/config", "/srv/config"},
	} {
		t.Setenv("XDG_CONFIG_HOME", tc.xdg)
		a, err := ForCurrentUser("/opt/auwatchd/../auwatchd/auwatchd")
		if err != nil {
			t.Fatal(err)
		}
		want := Agent{Executable: "/opt/auwatchd/auwatchd", Args: []string{"run"}, Home: home, ConfigDir: tc.wantConfig,
			LogDir: filepath.Join(home, "Library", "Logs", "auwatchd"), UID: os.Getuid()}
		if !reflect.DeepEqual(a, want) {
			t.Errorf("XDG_CONFIG_HOME=%q: got %+v, want %+v", tc.xdg, a, want)
		}
	}
	if _, err := ForCurrentUser("auwatchd"); err == nil {
		t.Error("ForCurrentUser accepted a relative executable")
	}
}

// An executable inside an app bundle is the app's; one macOS runs from a
// temporary copy of the app is refused, with what to do.
func TestForCurrentUserInAnApp(t *testing.T) {
	for exe, want := range map[string]string{
		"/Applications/auwatchd.app/Contents/MacOS/auwatchd":         "/Applications/auwatchd.app",
		"/Users/ada/Face Lab/auwatchd 2.app/Contents/MacOS/auwatchd": "/Users/ada/Face Lab/auwatchd 2.app",
		"/opt/auwatchd/bin/auwatchd":                                 "",
		"/Applications/auwatchd.app/Contents/Resources/auwatchd":     "",
		"/Applications/Contents/MacOS/auwatchd":                      "",
	} {
		a, err := ForCurrentUser(exe)
		if err != nil {
			t.Fatal(err)
		}
		if a.App != want || a.Executable != exe {
			t.Errorf("ForCurrentUser(%s): app %q, executable %q; want %q", exe, a.App, a.Executable, want)
		}
	}
	const moved = "/private/var/folders/xy/T/AppTranslocation/0A1B2C3D/d/auwatchd.app/Contents/MacOS/auwatchd"
	if _, err := ForCurrentUser(moved); err == nil || !strings.Contains(err.Error(), "move auwatchd.app to /Applications") {
		t.Errorf("a translocated app: %v", err)
	}
}

func TestExecReportsTheCommandAndItsOutput(t *testing.T) {
	if err := Exec("sh", "-c", "exit 0"); err != nil {
		t.Fatalf("a succeeding command failed: %v", err)
	}
	err := Exec("sh", "-c", "echo Boot-out failed >&2; exit 3")
	for _, want := range []string{"sh -c echo Boot-out failed >&2; exit 3", "exit status 3", ": Boot-out failed"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not contain %q", err, want)
		}
	}
	if err := Exec(filepath.Join(t.TempDir(), "launchctl")); err == nil {
		t.Error("a missing command succeeded")
	}
}

func mustRender(t *testing.T, render func(Agent) ([]byte, error), a Agent) []byte {
	t.Helper()
	data, err := render(a)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func wantCommands(t *testing.T, step string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s ran\n\t%s\nwant\n\t%s", step, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func wantFile(t *testing.T, path string, perm os.FileMode, content []byte) {
	t.Helper()
	wantMode(t, path, perm)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(content) {
		t.Errorf("%s holds\n%s\nwant\n%s", path, got, content)
	}
}

func wantMode(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != mode {
		t.Errorf("%s has mode %v, want %v", path, info.Mode(), mode)
	}
}

func writeFiles(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("keep me\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func wantExist(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s is gone: %v", p, err)
		}
	}
}
