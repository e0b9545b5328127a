package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultHome returns where auwatchd keeps its data on Linux:
// $XDG_DATA_HOME/auwatchd, or ~/.local/share/auwatchd when XDG_DATA_HOME is
// unset or not absolute (as the XDG specification says to treat it).
func DefaultHome() (string, error) {
	if xdg := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(xdg) {
		return filepath.Join(xdg, "auwatchd"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data folder: %w", err)
	}
	return filepath.Join(home, ".local", "share", "auwatchd"), nil
}
