package launchd

import "fmt"

// manager is what one service manager needs to render, place, install and
// remove the agent.
type manager struct {
	render    func(Agent) ([]byte, error)
	dir       func(Agent) string
	path      func(dir string) string
	install   func(a Agent, dir string, run Runner) error
	uninstall func(a Agent, dir string, run Runner) error
	installed func(dir string) bool
}

func managerFor(target string) (manager, error) {
	switch target {
	case Launchd:
		return manager{RenderPlist, Agent.LaunchAgentsDir, PlistPath, InstallLaunchd, UninstallLaunchd, InstalledLaunchd}, nil
	case Systemd:
		uninstall := func(_ Agent, dir string, run Runner) error { return UninstallSystemd(dir, run) }
		return manager{RenderUnit, Agent.SystemdUserDir, UnitPath, InstallSystemd, uninstall, InstalledSystemd}, nil
	default:
		return manager{}, fmt.Errorf("unknown target %q: want %s or %s", target, Launchd, Systemd)
	}
}

// Render returns the file that makes target (Launchd or Systemd) start the agent.
func Render(target string, a Agent) ([]byte, error) {
	m, err := managerFor(target)
	if err != nil {
		return nil, err
	}
	return m.render(a)
}

// Path returns where target's file for the agent lives in the user's folders.
func Path(target string, a Agent) (string, error) {
	m, err := managerFor(target)
	if err != nil {
		return "", err
	}
	return m.path(m.dir(a)), nil
}

// Install installs the agent in the user's folders for target, starts it,
// and returns the path of the file it wrote.
func Install(target string, a Agent, run Runner) (string, error) {
	m, err := managerFor(target)
	if err != nil {
		return "", err
	}
	dir := m.dir(a)
	return m.path(dir), m.install(a, dir, run)
}

// Uninstall stops the agent and removes target's file from the user's
// folders; it returns the file's path. The database, logs and CSVs stay.
func Uninstall(target string, a Agent, run Runner) (string, error) {
	m, err := managerFor(target)
	if err != nil {
		return "", err
	}
	dir := m.dir(a)
	return m.path(dir), m.uninstall(a, dir, run)
}

// Installed reports whether target starts the agent at the user's login.
func Installed(target string, a Agent) bool {
	m, err := managerFor(target)
	return err == nil && m.installed(m.dir(a))
}
