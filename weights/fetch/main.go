// Command fetch makes the files of a manifest present and verified in a folder,
// copying them from a local folder when one is given, else downloading them.
//
//	go run ./weights/fetch -manifest weights/manifest.tsv -dest models [-from DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/auwatchd/auwatchd/weights"
)

func main() {
	manifest := flag.String("manifest", "weights/manifest.tsv", "manifest listing the files")
	dest := flag.String("dest", "models", "folder the files go into")
	from := flag.String("from", "", "local folder to copy the files from instead of downloading them")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	entries, err := weights.ReadManifest(*manifest)
	if err == nil {
		err = weights.Fetch(ctx, entries, *dest, *from, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fetch:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d files verified in %s\n", *manifest, len(entries), *dest)
}
