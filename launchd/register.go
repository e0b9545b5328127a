package launchd

import "fmt"

// Register makes target start the agent at the user's next login without
// starting it now: it is what a running daemon's "Start at login" checkbox
// does, since starting another daemon would only find this one running.
func Register(target string, a Agent, run Runner) error {
	switch target {
	case Launchd:
		data, err := RenderPlist(a)
		if err != nil {
			return err
		}
		if err := writeServiceFile(PlistPath(a.LaunchAgentsDir()), data); err != nil {
			return err
		}
		return run("launchctl", "enable", launchdService(a.UID))
	case Systemd:
		data, err := RenderUnit(a)
		if err != nil {
			return err
		}
		if err := writeServiceFile(UnitPath(a.SystemdUserDir()), data); err != nil {
			return err
		}
		if err := run("systemctl", "--user", "daemon-reload"); err != nil {
			return err
		}
		return run("systemctl", "--user", "enable", UnitName)
	default:
		return fmt.Errorf("unknown target %q: want %s or %s", target, Launchd, Systemd)
	}
}

// Unregister stops target from starting the agent at login and leaves a
// running daemon alone, even one the service manager started.
func Unregister(target string, a Agent, run Runner) error {
	switch target {
	case Launchd:
		return removeIfPresent(PlistPath(a.LaunchAgentsDir()))
	case Systemd:
		if !InstalledSystemd(a.SystemdUserDir()) {
			return removeIfPresent(UnitPath(a.SystemdUserDir()))
		}
		if err := run("systemctl", "--user", "disable", UnitName); err != nil {
			return err
		}
		return removeIfPresent(UnitPath(a.SystemdUserDir()))
	default:
		return fmt.Errorf("unknown target %q: want %s or %s", target, Launchd, Systemd)
	}
}
