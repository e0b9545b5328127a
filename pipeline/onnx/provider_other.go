//go:build !darwin

package onnx

import (
	"errors"

	ort "github.com/yalue/onnxruntime_go"
)

// probeProvider returns CPU: the Linux library has no accelerated provider
// that needs no extra system libraries.
func probeProvider() (provider, fallback string) {
	return "CPU", ""
}

func appendCoreML(*ort.SessionOptions, CoreMLSettings) error {
	return errors.New("CoreML exists only on macOS")
}
