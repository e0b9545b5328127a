package bundle

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
)

// Runner runs one of the Mac's developer tools (install_name_tool,
// codesign) and returns an error, with its output, when it fails.
type Runner func(name string, args ...string) error

// Apply carries out the plan in the bundle at root: it copies every file,
// rewrites each copy's load commands with install_name_tool, then signs each
// library and, last, the bundle itself, ad hoc: on Apple silicon a file whose
// load commands changed runs only once signed again. Info.plist and the
// resources must already be in place, since the bundle's signature seals them.
func Apply(plan Plan, root string, run Runner) error {
	for _, c := range plan.Copies {
		if err := copyFile(c.From, filepath.Join(root, c.To)); err != nil {
			return err
		}
	}
	for _, e := range plan.Edits {
		args := e.Args(filepath.Join(root, e.File))
		if len(args) == 1 {
			continue
		}
		if err := run("install_name_tool", args...); err != nil {
			return err
		}
	}
	for _, c := range plan.Copies {
		if path.Dir(c.To) == ExecutableDir {
			continue
		}
		if err := run("codesign", "--force", "--sign", "-", filepath.Join(root, c.To)); err != nil {
			return err
		}
	}
	return run("codesign", "--force", "--sign", "-", root)
}

// copyFile copies the file at from (through symbolic links) to to, creating
// its folder. The copy is writable by its owner, which install_name_tool
// needs: Homebrew's libraries are read-only.
func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy %w", err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return fmt.Errorf("copy %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return fmt.Errorf("create folder %s: %w", filepath.Dir(to), err)
	}
	return atomicfile.Write(to, info.Mode().Perm()|0o200, atomicfile.ReplaceAny, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

// Build makes the bundle at root self-contained: it plans the bundle of
// roots from their load commands, applies the plan, then reads every copy
// back and checks that nothing outside the bundle is loaded. It returns the
// plan it carried out.
func Build(root string, roots []Root, run Runner) (Plan, error) {
	plan, err := PlanBundle(roots, ReadImage)
	if err != nil {
		return Plan{}, err
	}
	if err := Apply(plan, root, run); err != nil {
		return Plan{}, err
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return Plan{}, fmt.Errorf("find %w", err)
	}
	images := make([]Image, 0, len(plan.Copies))
	for _, c := range plan.Copies {
		img, err := ReadImage(filepath.Join(real, c.To))
		if err != nil {
			return Plan{}, err
		}
		images = append(images, img)
	}
	if err := Check(real, images); err != nil {
		return Plan{}, err
	}
	return plan, nil
}
