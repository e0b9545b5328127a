package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultHome returns where auwatchd keeps its data on macOS:
// ~/Library/Application Support/auwatchd.
func DefaultHome() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data folder: %w", err)
	}
	return filepath.Join(home, "Library", "Application Support", "auwatchd"), nil
}
