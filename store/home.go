package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the database's name inside the home folder.
const FileName = "auwatchd.db"

// HomeEnv names the environment variable that overrides the home folder.
const HomeEnv = "AUWATCHD_HOME"

// DBPath returns the path of the database in the home folder.
func DBPath(home string) string { return filepath.Join(home, FileName) }

// HomeFromEnv returns $AUWATCHD_HOME (made absolute) when it is set, else
// DefaultHome.
func HomeFromEnv() (string, error) {
	if home := os.Getenv(HomeEnv); home != "" {
		abs, err := filepath.Abs(home)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", HomeEnv, home, err)
		}
		return abs, nil
	}
	return DefaultHome()
}
