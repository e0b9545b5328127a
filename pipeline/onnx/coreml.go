package onnx

import (
	"fmt"
	"os"
	"path/filepath"
)

// Compute says which of a Mac's processors CoreML may run the networks on.
type Compute string

// ComputeAll lets CoreML choose among the Neural Engine, the GPU and the
// CPU; ComputeCPU keeps it on the CPU, for figures that repeat exactly, as
// on Linux.
const (
	ComputeAll Compute = "all"
	ComputeCPU Compute = "cpu"
)

// ComputeEnv names the environment variable that may choose the compute units.
const ComputeEnv = "AUWATCHD_COMPUTE"

// ParseCompute reads "all" or "cpu"; "" is "all".
func ParseCompute(s string) (Compute, error) {
	switch Compute(s) {
	case "", ComputeAll:
		return ComputeAll, nil
	case ComputeCPU:
		return ComputeCPU, nil
	}
	return "", fmt.Errorf("compute %q: give all or cpu", s)
}

// CoreMLSettings are how the networks are handed to CoreML.
type CoreMLSettings struct {
	Compute Compute
	// CacheDir keeps the compiled models between starts, so that a start
	// does not compile every network again; "" keeps nothing.
	CacheDir string
}

// DefaultCoreMLCache is where compiled CoreML models are kept:
// ~/Library/Caches/auwatchd/coreml on macOS; "" when there is no cache folder.
func DefaultCoreMLCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "auwatchd", "coreml")
}

// providerOptions are ONNX Runtime's CoreML provider options: an ML
// Program (the format CoreML develops; the older NeuralNetwork format runs
// fewer operators on the Neural Engine), the compute units, and the cache.
func (c CoreMLSettings) providerOptions() map[string]string {
	units := "ALL"
	if c.Compute == ComputeCPU {
		units = "CPUOnly"
	}
	opts := map[string]string{"ModelFormat": "MLProgram", "MLComputeUnits": units}
	if c.CacheDir != "" {
		opts["ModelCacheDirectory"] = c.CacheDir
	}
	return opts
}
