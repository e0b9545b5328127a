package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// AppKit draws menus only on the main thread: keep the main goroutine, which
// runs the menu bar, on it.
func init() {
	runtime.LockOSThread()
	runFromAppBundle()
}

// runFromAppBundle starts the daemon when auwatchd.app is opened from the
// Finder, which passes no arguments.
func runFromAppBundle() {
	if len(os.Args) != 1 {
		return
	}
	exe, err := os.Executable()
	if err == nil && strings.HasSuffix(filepath.Dir(exe), ".app/Contents/MacOS") {
		os.Args = append(os.Args, "run")
	}
}
