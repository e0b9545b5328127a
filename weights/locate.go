package weights

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/auwatchd/auwatchd/internal/lookup"
)

// ModelsEnv names the environment variable that may point at the models folder.
const ModelsEnv = "AUWATCHD_MODELS"

// ModelDirCandidates lists, in order, where the models folder is looked for:
// the explicit path (a flag), the environment variable, the repository's
// models/ folder as seen from bin/, and an app bundle's Resources.
func ModelDirCandidates(explicit string) []string {
	return lookup.Candidates(explicit, ModelsEnv, filepath.Join("..", "models"), filepath.Join("..", "Resources", "models"))
}

// LocateModels returns the first candidate folder that exists; the error lists
// every folder tried and how to fetch the files.
func LocateModels(explicit string) (string, error) {
	tried := ModelDirCandidates(explicit)
	if dir, ok := lookup.First(tried, true); ok {
		return dir, nil
	}
	return "", fmt.Errorf("models folder not found; tried %s; run `make weights` or set %s",
		strings.Join(tried, ", "), ModelsEnv)
}
