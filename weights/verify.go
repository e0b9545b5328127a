package weights

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/auwatchd/auwatchd/internal/digest"
)

// Check verifies that the entry's file exists under dir with the right size
// and sha256. The error names the file and says what is wrong.
func Check(dir string, e Entry) error {
	path := filepath.Join(dir, filepath.FromSlash(e.Path))
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s is missing", path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if info.Size() != e.Size {
		return fmt.Errorf("%s has %d bytes, want %d", path, info.Size(), e.Size)
	}
	sum, err := digest.File(path)
	if err != nil {
		return err
	}
	if sum != e.SHA256 {
		return fmt.Errorf("%s has sha256 %s, want %s (the file is corrupted or a different version)", path, sum, e.SHA256)
	}
	return nil
}
