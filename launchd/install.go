package launchd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
)

// Runner runs a service-manager command and returns an error, carrying the
// command's output, when it fails. Tests pass one that records the commands.
type Runner func(name string, args ...string) error

// Exec runs the command for real.
func Exec(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(append([]string{name}, args...), " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// launchd's bootout returns before the job has exited, and bootstrapping a
// label that is still shutting down fails with an I/O error; install waits
// this long, polling, for the old job to go.
const (
	unloadTimeout = 10 * time.Second
	unloadPoll    = 100 * time.Millisecond
)

// PlistPath is where the agent's property list lives in dir.
func PlistPath(dir string) string { return filepath.Join(dir, Label+".plist") }

// UnitPath is where the agent's unit lives in dir.
func UnitPath(dir string) string { return filepath.Join(dir, UnitName) }

// InstallLaunchd writes the agent's property list into plistDir (normally
// ~/Library/LaunchAgents), where launchd finds it at every login, and
// (re)starts the agent now. Installing again replaces the running agent.
func InstallLaunchd(a Agent, plistDir string, run Runner) error {
	data, err := RenderPlist(a)
	if err != nil {
		return err
	}
	// launchd creates the log files but not their folder; the logs name
	// clinical videos, so the folder is the user's alone.
	if a.LogDir != "" {
		if err := os.MkdirAll(a.LogDir, 0o700); err != nil {
			return fmt.Errorf("create log folder %s: %w", a.LogDir, err)
		}
	}
	path := PlistPath(plistDir)
	if err := writeServiceFile(path, data); err != nil {
		return err
	}
	if err := bootOut(a.UID, run); err != nil {
		return err
	}
	// A label disabled earlier (launchctl disable, or Login Items in System
	// Settings) would refuse to bootstrap; installing is the user's say-so.
	if err := run("launchctl", "enable", launchdService(a.UID)); err != nil {
		return err
	}
	return run("launchctl", "bootstrap", launchdDomain(a.UID), path)
}

// UninstallLaunchd stops the agent and removes its property list from
// plistDir. It does nothing when the agent is neither loaded nor installed.
func UninstallLaunchd(a Agent, plistDir string, run Runner) error {
	if err := bootOut(a.UID, run); err != nil {
		return err
	}
	return removeIfPresent(PlistPath(plistDir))
}

// InstallSystemd writes the agent's unit into unitDir (normally
// ~/.config/systemd/user), enables it for every login and (re)starts it
// now. Installing again restarts the daemon with the new unit.
func InstallSystemd(a Agent, unitDir string, run Runner) error {
	data, err := RenderUnit(a)
	if err != nil {
		return err
	}
	if err := writeServiceFile(UnitPath(unitDir), data); err != nil {
		return err
	}
	for _, args := range [][]string{{"daemon-reload"}, {"enable", UnitName}, {"restart", UnitName}} {
		if err := run("systemctl", append([]string{"--user"}, args...)...); err != nil {
			return err
		}
	}
	return nil
}

// UninstallSystemd stops and disables the agent and removes its unit from
// unitDir. It does nothing when the unit is not there.
func UninstallSystemd(unitDir string, run Runner) error {
	path := UnitPath(unitDir)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := run("systemctl", "--user", "disable", "--now", UnitName); err != nil {
		return err
	}
	if err := removeIfPresent(path); err != nil {
		return err
	}
	return run("systemctl", "--user", "daemon-reload")
}

// InstalledLaunchd reports whether the agent starts at login: launchd loads
// every property list in plistDir when the user logs in.
func InstalledLaunchd(plistDir string) bool {
	_, err := os.Stat(PlistPath(plistDir))
	return err == nil
}

// InstalledSystemd reports whether the agent starts at login: its unit is
// in unitDir and enabled (linked from default.target.wants).
func InstalledSystemd(unitDir string) bool {
	if _, err := os.Stat(UnitPath(unitDir)); err != nil {
		return false
	}
	_, err := os.Lstat(filepath.Join(unitDir, "default.target.wants", UnitName))
	return err == nil
}

func launchdDomain(uid int) string  { return "gui/" + strconv.Itoa(uid) }
func launchdService(uid int) string { return launchdDomain(uid) + "/" + Label }

// loaded reports whether launchd knows the agent's service: `launchctl
// print` fails for an unknown one. Asking first spares guessing at
// bootout's exit codes for "not loaded", which differ between macOS versions.
func loaded(uid int, run Runner) bool {
	return run("launchctl", "print", launchdService(uid)) == nil
}

// bootOut unloads the agent when it is loaded and waits until it is gone.
func bootOut(uid int, run Runner) error {
	if !loaded(uid, run) {
		return nil
	}
	err := run("launchctl", "bootout", launchdService(uid))
	deadline := time.Now().Add(unloadTimeout)
	for loaded(uid, run) {
		if err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is still loaded %v after launchctl bootout", launchdService(uid), unloadTimeout)
		}
		time.Sleep(unloadPoll)
	}
	return nil
}

// writeServiceFile puts data at path whole, creating its folder, so that
// launchd or systemd never reads half a file; it replaces an earlier
// version. The file holds no secrets, and the service manager reads it.
func writeServiceFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	return atomicfile.Write(path, 0o644, atomicfile.ReplaceAny, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func removeIfPresent(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}
