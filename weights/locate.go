package weights

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ModelsEnv names the environment variable that may point at the models folder.
const ModelsEnv = "AUWATCHD_MODELS"

// ModelDirCandidates lists, in order, where the models folder is looked for:
// the explicit path (a flag), the environment variable, the repository's
// models/ folder as seen from bin/, and an app bundle's Resources.
func ModelDirCandidates(explicit string) []string {
	var dirs []string
	if explicit != "" {
		dirs = append(dirs, explicit)
	}
	if env := os.Getenv(ModelsEnv); env != "" {
		dirs = append(dirs, env)
	}
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		dir := filepath.Dir(exe)
		dirs = append(dirs, filepath.Join(dir, "..", "models"), filepath.Join(dir, "..", "Resources", "models"))
	}
	return dirs
}

// LocateModels returns the first candidate folder that exists; the error lists
// every folder tried and how to fetch the files.
func LocateModels(explicit string) (string, error) {
	tried := ModelDirCandidates(explicit)
	for _, d := range tried {
		if info, err := os.Stat(d); err == nil && info.IsDir() {
			return filepath.Clean(d), nil
		}
	}
	return "", fmt.Errorf("models folder not found; tried %s; run `make weights` or set %s",
		strings.Join(tried, ", "), ModelsEnv)
}
