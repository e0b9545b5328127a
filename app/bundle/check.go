package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Check refuses a bundle that could load a library from outside itself:
// images are every Mach-O file in it, read back after Apply, their Paths
// under root, the executable (in Contents/MacOS) among them. Every library
// an image loads must be the system's or resolve, through the run paths
// dyld would search, to one of the images; every run path and install name
// must stay inside the bundle.
func Check(root string, images []Image) error {
	byPath := map[string]Image{}
	var exe Image
	for _, img := range images {
		byPath[img.Path] = img
		if path.Dir(img.Path) == path.Join(root, ExecutableDir) {
			exe = img
		}
	}
	if exe.Path == "" {
		return fmt.Errorf("check %s: no executable in %s", root, ExecutableDir)
	}
	inBundle := func(p string) bool { return strings.HasPrefix(p, root+"/") }
	r := &planner{exe: exe, inspect: func(p string) (Image, error) {
		if img, ok := byPath[p]; ok {
			return img, nil
		}
		return Image{}, fs.ErrNotExist
	}}
	var problems []error
	for _, img := range images {
		if img.ID != "" && img.ID != "@rpath/"+path.Base(img.Path) {
			problems = append(problems, fmt.Errorf("%s is named %s, not by its place in the bundle", img.Path, img.ID))
		}
		for _, rp := range img.RPaths {
			if !inBundle(r.expand(img, rp)) {
				problems = append(problems, fmt.Errorf("%s looks for libraries in %s, outside the bundle", img.Path, rp))
			}
		}
		for _, dep := range img.Deps {
			if IsSystem(dep) {
				continue
			}
			if _, err := r.resolve(img, dep); err != nil {
				problems = append(problems, fmt.Errorf("%s loads %s, which is not in the bundle", img.Path, dep))
			}
		}
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("check %s: %w", root, err)
	}
	return nil
}
