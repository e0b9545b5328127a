package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at link time by release builds (-ldflags "-X main.version=…").
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "devel"
	}
	if dirty {
		rev += "+dirty"
	}
	return "devel-" + rev
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "auwatchd %s\n", versionString())
	return nil
}
