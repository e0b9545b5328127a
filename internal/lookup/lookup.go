// Package lookup finds the files auwatchd needs beside it: the ONNX Runtime
// library and the models folder. Each is looked for in the same order: a
// flag, an environment variable, then places relative to the executable.
package lookup

import (
	"os"
	"path/filepath"
)

// Candidates lists, in order, explicit (when set), the value of the
// environment variable env (when set), and each of nextToExe joined to the
// folder of the running executable, with symbolic links resolved.
func Candidates(explicit, env string, nextToExe ...string) []string {
	var paths []string
	if explicit != "" {
		paths = append(paths, explicit)
	}
	if v := os.Getenv(env); v != "" {
		paths = append(paths, v)
	}
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		for _, rel := range nextToExe {
			paths = append(paths, filepath.Join(filepath.Dir(exe), rel))
		}
	}
	return paths
}

// First returns the first of paths that exists and is a folder (wantDir) or
// a file (!wantDir), cleaned.
func First(paths []string, wantDir bool) (string, bool) {
	for _, p := range paths {
		if info, err := os.Stat(p); err == nil && info.IsDir() == wantDir {
			return filepath.Clean(p), true
		}
	}
	return "", false
}
