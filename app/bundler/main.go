// Command bundler makes auwatchd.app self-contained: it copies the binary,
// ONNX Runtime and every library they load from outside the system into the
// app, rewrites their load paths to stay inside it, signs it ad hoc, and
// checks the result. `make app` runs it on macOS, with the Xcode command-line
// tools (install_name_tool, codesign); package bundle holds the logic.
package main

import (
	"flag"
	"fmt"
	"os"
	"path"

	"github.com/auwatchd/auwatchd/app/bundle"
	"github.com/auwatchd/auwatchd/launchd"
)

func main() {
	app := flag.String("app", "bin/auwatchd.app", "the app bundle, with its Info.plist and resources in place")
	exe := flag.String("exe", "bin/auwatchd", "the auwatchd binary")
	onnxruntime := flag.String("onnxruntime", "lib/libonnxruntime.dylib", "the ONNX Runtime library")
	flag.Parse()
	roots := []bundle.Root{
		{From: *exe, To: path.Join(bundle.ExecutableDir, "auwatchd")},
		{From: *onnxruntime, To: path.Join(bundle.FrameworksDir, "libonnxruntime.dylib")},
	}
	plan, err := bundle.Build(*app, roots, launchd.Exec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bundler:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d libraries in %s, loaded from nowhere else\n", *app, len(plan.Copies)-1, bundle.FrameworksDir)
}
