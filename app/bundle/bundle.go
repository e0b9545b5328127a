// Package bundle makes auwatchd.app self-contained: it plans how the app
// carries its own copies of every library its binary and ONNX Runtime load
// from outside the system, and rewrites their load paths so that nothing
// outside the bundle is loaded, and a Homebrew upgrade cannot break the app.
//
// The plan is pure: given each Mach-O file's load commands (ReadImage on a
// Mac, `otool -L` listings in the tests) it lists the files to copy into
// Contents/Frameworks and the install_name_tool edits of each. Apply runs it
// with the Mac's own tools; Check reads the finished bundle back and refuses
// any load path that still leaves it.
package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Image is what the plan needs of one Mach-O file's load commands.
type Image struct {
	Path   string   // where the file is
	ID     string   // its own install name (LC_ID_DYLIB); "" for an executable
	Deps   []string // the install names of the libraries it loads, in order
	RPaths []string // its run-path search list (LC_RPATH), in order
}

// Inspector reads a Mach-O file's load commands; for a file that does not
// exist its error wraps fs.ErrNotExist.
type Inspector func(path string) (Image, error)

// Where the bundle keeps its code, relative to its root (X.app), and the
// run path that leads there from the executable.
const (
	ExecutableDir = "Contents/MacOS"
	FrameworksDir = "Contents/Frameworks"
	bundleRPath   = "@executable_path/../Frameworks"
)

// Root is a Mach-O file the bundle carries under a name of its own choice:
// the executable, and the libraries it opens by path at run time (ONNX
// Runtime), which no load command names.
type Root struct {
	From string // the file to copy
	To   string // its place in the bundle, relative to the bundle's root
}

// Copy puts the file From at To, relative to the bundle's root.
type Copy struct {
	From, To string
}

// Change replaces the install name Old by New in a file's load commands.
type Change struct {
	Old, New string
}

// Edit is what install_name_tool changes in one file of the bundle.
type Edit struct {
	File         string // relative to the bundle's root
	ID           string // the file's new install name; "" to leave it
	Changes      []Change
	DeleteRPaths []string
	AddRPaths    []string
}

// Args are install_name_tool's arguments for the edit of the file at path.
func (e Edit) Args(path string) []string {
	var args []string
	if e.ID != "" {
		args = append(args, "-id", e.ID)
	}
	for _, c := range e.Changes {
		args = append(args, "-change", c.Old, c.New)
	}
	for _, r := range e.DeleteRPaths {
		args = append(args, "-delete_rpath", r)
	}
	for _, r := range e.AddRPaths {
		args = append(args, "-add_rpath", r)
	}
	return append(args, path)
}

// Plan is every copy into the bundle and every edit of the copies.
type Plan struct {
	Copies []Copy
	Edits  []Edit
}

// IsSystem reports whether an install name is the system's own, which every
// Mac has at the same path: everything under /usr/lib and /System.
func IsSystem(name string) bool {
	return strings.HasPrefix(name, "/usr/lib/") || strings.HasPrefix(name, "/System/")
}

// planner follows the libraries the roots load, transitively.
type planner struct {
	inspect Inspector
	exe     Image             // the first root, whose run paths dyld searches last
	placed  map[string]string // a library's file → its place in the bundle
	byName  map[string]string // a file name in Frameworks → the library placed there
	plan    Plan
}

// PlanBundle plans the bundle of roots, the first of which is the
// executable: every library they load that is not the system's is copied
// into Contents/Frameworks under the name it is loaded by, takes the install
// name @rpath/NAME, and is loaded by that name; the executable's run path
// leads to Contents/Frameworks, and every other run path is deleted, so that
// no library is looked for outside the bundle.
func PlanBundle(roots []Root, inspect Inspector) (Plan, error) {
	if len(roots) == 0 || path.Dir(roots[0].To) != ExecutableDir {
		return Plan{}, errors.New("plan the bundle: the first root must be the executable, in " + ExecutableDir)
	}
	p := &planner{inspect: inspect, placed: map[string]string{}, byName: map[string]string{}}
	var queue []Image
	for i, r := range roots {
		img, err := inspect(r.From)
		if err != nil {
			return Plan{}, err
		}
		if i == 0 {
			p.exe = img
		}
		if err := p.place(img.Path, r.To); err != nil {
			return Plan{}, err
		}
		queue = append(queue, img)
	}
	for ; len(queue) > 0; queue = queue[1:] {
		found, err := p.edit(queue[0])
		if err != nil {
			return Plan{}, err
		}
		queue = append(queue, found...)
	}
	return p.plan, nil
}

// place records that the file lib goes to `to` in the bundle.
func (p *planner) place(lib, to string) error {
	name := path.Base(to)
	if other, ok := p.byName[name]; ok && other != lib && path.Dir(to) == FrameworksDir {
		return fmt.Errorf("plan the bundle: %s and %s would both be %s", other, lib, to)
	}
	p.placed[lib] = to
	if path.Dir(to) == FrameworksDir {
		p.byName[name] = lib
	}
	p.plan.Copies = append(p.plan.Copies, Copy{From: lib, To: to})
	return nil
}

// edit plans the edit of img's copy and returns the libraries it loads that
// are not yet placed.
func (p *planner) edit(img Image) ([]Image, error) {
	to := p.placed[img.Path]
	e := Edit{File: to, DeleteRPaths: slices.Clone(img.RPaths)}
	if img.ID != "" {
		e.ID = "@rpath/" + path.Base(to)
	}
	if img.Path == p.exe.Path {
		e.DeleteRPaths = slices.DeleteFunc(e.DeleteRPaths, func(r string) bool { return r == bundleRPath })
		if !slices.Contains(img.RPaths, bundleRPath) {
			e.AddRPaths = []string{bundleRPath}
		}
	}
	var found []Image
	for _, dep := range img.Deps {
		if IsSystem(dep) {
			continue
		}
		lib, err := p.resolve(img, dep)
		if err != nil {
			return nil, err
		}
		if _, ok := p.placed[lib.Path]; !ok {
			if err := p.place(lib.Path, path.Join(FrameworksDir, path.Base(dep))); err != nil {
				return nil, err
			}
			found = append(found, lib)
		}
		if want := "@rpath/" + path.Base(p.placed[lib.Path]); dep != want {
			e.Changes = append(e.Changes, Change{Old: dep, New: want})
		}
	}
	p.plan.Edits = append(p.plan.Edits, e)
	return found, nil
}

// resolve finds the file dyld would load for the install name dep of img:
// @rpath against img's run paths, then the executable's (dyld searches the
// run paths of every image up the chain of loaders); @loader_path and
// @executable_path against their folders.
func (p *planner) resolve(img Image, dep string) (Image, error) {
	var candidates []string
	switch {
	case strings.HasPrefix(dep, "@rpath/"):
		for _, r := range slices.Concat(img.RPaths, p.exe.RPaths) {
			candidates = append(candidates, path.Join(p.expand(img, r), strings.TrimPrefix(dep, "@rpath/")))
		}
	default:
		candidates = []string{p.expand(img, dep)}
	}
	for _, c := range candidates {
		lib, err := p.inspect(c)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Image{}, err
		}
		return lib, nil
	}
	return Image{}, fmt.Errorf("plan the bundle: %s loads %s, which is not found (looked at %s)",
		img.Path, dep, strings.Join(candidates, ", "))
}

// expand replaces @loader_path and @executable_path in a load path.
func (p *planner) expand(img Image, name string) string {
	switch {
	case strings.HasPrefix(name, "@loader_path"):
		return path.Join(path.Dir(img.Path), strings.TrimPrefix(name, "@loader_path"))
	case strings.HasPrefix(name, "@executable_path"):
		return path.Join(path.Dir(p.exe.Path), strings.TrimPrefix(name, "@executable_path"))
	}
	return name
}
