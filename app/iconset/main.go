// Command iconset writes auwatchd's app icon as a macOS .iconset folder, the
// input of `iconutil -c icns`. `make app` runs it; the glyph comes from package icon.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/auwatchd/auwatchd/app/icon"
)

// pointSizes are the sizes an .icns holds, each also at twice the pixels.
var pointSizes = []int{16, 32, 128, 256, 512}

func main() {
	out := flag.String("o", "auwatchd.iconset", "folder to write the PNG files into")
	flag.Parse()
	if err := writeIconset(*out); err != nil {
		fmt.Fprintln(os.Stderr, "iconset:", err)
		os.Exit(1)
	}
}

// writeIconset writes icon_<n>x<n>.png and icon_<n>x<n>@2x.png for every size.
func writeIconset(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for _, pt := range pointSizes {
		for scale, suffix := range map[int]string{1: "", 2: "@2x"} {
			data, err := icon.PNG(icon.Working, pt*scale)
			if err != nil {
				return err
			}
			path := filepath.Join(dir, fmt.Sprintf("icon_%dx%d%s.png", pt, pt, suffix))
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
		}
	}
	return nil
}
