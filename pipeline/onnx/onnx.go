// Package onnx runs the pipeline's neural networks on ONNX Runtime: it finds
// the shared library, starts the runtime once per process, picks the execution
// provider, and wraps warm sessions whose input and output buffers are reused
// from one inference to the next.
package onnx

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/auwatchd/auwatchd/internal/lookup"
)

// LibraryEnv names the environment variable that may point at the ONNX Runtime library.
const LibraryEnv = "AUWATCHD_ONNXRUNTIME"

// LibraryName is the file name of ONNX Runtime's shared library on this platform.
func LibraryName() string {
	if runtime.GOOS == "darwin" {
		return "libonnxruntime.dylib"
	}
	return "libonnxruntime.so.1"
}

// Candidates lists, in order, where the library is looked for: the explicit
// path (a flag), the environment variable, beside the executable, and the
// repository's lib/ folder as seen from bin/ or from an app bundle.
func Candidates(explicit string) []string {
	return lookup.Candidates(explicit, LibraryEnv, LibraryName(),
		filepath.Join("..", "lib", LibraryName()), filepath.Join("..", "Frameworks", LibraryName()))
}

// Locate returns the first candidate that exists. When none does, the error
// lists every path tried and the make target that installs the library.
func Locate(explicit string) (string, error) {
	tried := Candidates(explicit)
	if path, ok := lookup.First(tried, false); ok {
		return path, nil
	}
	return "", fmt.Errorf("ONNX Runtime library not found; tried %s; run `make deps` or set %s",
		strings.Join(tried, ", "), LibraryEnv)
}

// Runtime is the started ONNX Runtime. There is one per process.
type Runtime struct {
	LibraryPath string
	Version     string
	// Provider is the execution provider sessions use ("CoreML" or "CPU");
	// Fallback says why CPU was used where CoreML was wanted, if it was.
	Provider string
	Fallback string
	// CoreML is how sessions made from now on are handed to CoreML, where
	// Provider is CoreML.
	CoreML CoreMLSettings
}

// Start loads the library at path and initialises the runtime.
func Start(path string) (*Runtime, error) {
	if ort.IsInitialized() {
		return nil, errors.New("ONNX Runtime is already started in this process")
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return nil, fmt.Errorf("start ONNX Runtime from %s: %w", path, err)
	}
	r := &Runtime{LibraryPath: path, Version: ort.GetVersion()}
	r.Provider, r.Fallback = probeProvider()
	return r, nil
}

// Close shuts the runtime down; sessions must be closed first.
func (r *Runtime) Close() error {
	return ort.DestroyEnvironment()
}
