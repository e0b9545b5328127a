package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auwatchd/auwatchd/store"
)

// homeFlag is the --home flag shared by the commands that use the store.
type homeFlag struct{ dir string }

func (h *homeFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&h.dir, "home", "", "folder of the database and logs (else $"+store.HomeEnv+", else the user's data folder)")
}

// resolve returns the home folder, creating it private to the user.
func (h *homeFlag) resolve() (string, error) {
	dir := h.dir
	if dir == "" {
		var err error
		if dir, err = store.HomeFromEnv(); err != nil {
			return "", err
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data folder %s: %w", dir, err)
	}
	return dir, nil
}

// open opens the store in the home folder.
func (h *homeFlag) open() (*store.Store, string, error) {
	dir, err := h.resolve()
	if err != nil {
		return nil, "", err
	}
	st, err := store.Open(store.DBPath(dir))
	if err != nil {
		return nil, "", err
	}
	return st, dir, nil
}
