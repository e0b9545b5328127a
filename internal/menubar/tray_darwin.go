package menubar

import (
	"os/exec"
	"strings"

	"fyne.io/systray"

	"github.com/auwatchd/auwatchd/app/icon"
)

// menuBarHostMissing says why there is no menu bar, or "" when there is one:
// only a graphical login session (launchd's "Aqua" session) has one, not an
// SSH session or a background agent.
func menuBarHostMissing() string {
	out, err := exec.Command("launchctl", "managername").Output()
	if err != nil {
		return "cannot tell the login session's kind (launchctl managername: " + err.Error() + ")"
	}
	if name := strings.TrimSpace(string(out)); name != "Aqua" {
		return "no menu bar in this session (launchd session " + name + ", not Aqua)"
	}
	return ""
}

// barTitle is the text beside the icon: the progress alone.
func barTitle(progress string) string { return progress }

// menuLabel is the text as macOS menus show it.
func menuLabel(s string) string { return s }

// revealArgs selects path in a Finder window.
func revealArgs(path string) []string { return []string{"open", "-R", path} }

func openArgs(path string) []string { return []string{"open", path} }

// chooseFolderArgs asks for a folder with the standard macOS chooser.
func chooseFolderArgs() []string {
	return []string{"osascript", "-e", `POSIX path of (choose folder with prompt "Choose a folder for auwatchd to watch")`}
}

// privacySettingsURL opens System Settings at Privacy & Security, where a
// folder a login item may not read is granted.
const privacySettingsURL = "x-apple.systempreferences:com.apple.preference.security?Privacy"

// trayIcon is the menu bar's picture of s: a template image, which macOS
// paints in the bar's own colour, light or dark, with a badge for the state.
func trayIcon(s icon.State) ([]byte, error) {
	return icon.TemplatePNG(s, IconSize)
}

func showIcon(data []byte) { systray.SetTemplateIcon(data, data) }

// revealLabel is the failed video's line that shows it.
const revealLabel = "Show in Finder"
