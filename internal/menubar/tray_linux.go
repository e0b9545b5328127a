package menubar

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"github.com/auwatchd/auwatchd/app/icon"
)

// watcherName is the D-Bus name of the StatusNotifierWatcher, through which
// Linux panels (KDE, GNOME's AppIndicator extension, waybar, …) show tray icons.
const watcherName = "org.kde.StatusNotifierWatcher"

// menuBarHostMissing says why no panel can show the icon, or "" when one
// can: a display, a D-Bus session bus, and a StatusNotifierWatcher with a
// host are needed.
func menuBarHostMissing() string {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := dbus.ConnectSessionBus(dbus.WithContext(ctx))
	if err != nil {
		return "no D-Bus session bus (" + err.Error() + ")"
	}
	defer conn.Close()
	var owned bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&owned); err != nil || !owned {
		return "no menu bar host (no " + watcherName + " on the D-Bus session bus)"
	}
	var hosted bool
	err = conn.Object(watcherName, "/StatusNotifierWatcher").
		CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, watcherName, "IsStatusNotifierHostRegistered").Store(&hosted)
	if err == nil && !hosted {
		return "no menu bar host (the " + watcherName + " has no host registered)"
	}
	return ""
}

// barTitle is the tray item's title: panels show it as the item's name, so
// it keeps "auwatchd" before the progress.
func barTitle(progress string) string {
	return strings.TrimSpace("auwatchd " + progress)
}

// menuLabel escapes underscores, which D-Bus menus take for access-key marks.
func menuLabel(s string) string {
	return strings.ReplaceAll(s, "_", "__")
}

// revealArgs opens the folder holding path: Linux file managers have no
// common way to select a file.
func revealArgs(path string) []string {
	return openArgs(filepath.Dir(path))
}

func openArgs(path string) []string {
	if _, err := exec.LookPath("xdg-open"); err != nil {
		return nil
	}
	return []string{"xdg-open", path}
}

// chooseFolderArgs is the command of the first folder chooser installed
// (zenity, then kdialog), or nil.
func chooseFolderArgs() []string {
	const title = "Choose a folder for auwatchd to watch"
	if _, err := exec.LookPath("zenity"); err == nil {
		return []string{"zenity", "--file-selection", "--directory", "--title=" + title}
	}
	if _, err := exec.LookPath("kdialog"); err == nil {
		home, _ := os.UserHomeDir()
		return []string{"kdialog", "--getexistingdirectory", home, "--title", title}
	}
	return nil
}

// privacySettingsURL is empty: Linux desktops keep no per-app folder grants.
const privacySettingsURL = ""

// trayIcon is the tray's picture of s: the face in the state's colour, as a
// PNG that fyne.io/systray turns into the pixmap without losing its edges.
func trayIcon(s icon.State) ([]byte, error) {
	return pixmapPNG(icon.Image(s, IconSize))
}

func showIcon(data []byte) { systray.SetIcon(data) }

// revealLabel is the failed video's line that shows it.
const revealLabel = "Open its folder"
