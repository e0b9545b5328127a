package launchd

// Target names this platform's service manager.
func Target() string { return Systemd }
