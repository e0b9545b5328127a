package onnx

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// sessionLog runs open and returns what was written to standard error
// meanwhile. ONNX Runtime's default logger writes only there, so file
// descriptor 2 goes to a temporary file while open runs; anything else the
// process writes there in that time is caught too.
func sessionLog(open func() error) (string, error) {
	f, err := os.CreateTemp("", "auwatchd-session-*.log")
	if err != nil {
		return "", fmt.Errorf("read ONNX Runtime's session log: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	saved, err := unix.Dup(unix.Stderr)
	if err != nil {
		return "", fmt.Errorf("read ONNX Runtime's session log: %w", err)
	}
	defer unix.Close(saved)
	if err := unix.Dup2(int(f.Fd()), unix.Stderr); err != nil {
		return "", fmt.Errorf("read ONNX Runtime's session log: %w", err)
	}
	openErr := open()
	restoreErr := unix.Dup2(saved, unix.Stderr)
	log, readErr := os.ReadFile(f.Name())
	return string(log), errors.Join(openErr, restoreErr, readErr)
}
