package main

import (
	"strings"

	"github.com/auwatchd/auwatchd/launchd"
)

// bundleArgs are the arguments of auwatchd run as exe with args (os.Args
// without the program's name). Inside an app bundle, the process serial
// number macOS adds on a first launch (-psn_0_…) is not the user's: it is
// dropped, and a bundle opened with nothing else, from the Finder or at
// login, runs the daemon.
func bundleArgs(exe string, args []string) []string {
	if launchd.AppBundle(exe) == "" {
		return args
	}
	var kept []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-psn_") {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return []string{"run"}
	}
	return kept
}
