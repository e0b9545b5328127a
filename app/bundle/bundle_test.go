package bundle

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// The fixtures are what `otool -L FILE` prints for each file, followed by
// the "path … (offset 12)" line `otool -l FILE` prints for each LC_RPATH:
//
//   - homebrew-ffmpeg.otool: auwatchd built against Homebrew's ffmpeg (8.0)
//     on Apple silicon, FFmpeg's four libraries it decodes with by their
//     opt path, and every library they load in turn, as Homebrew names
//     them: FFmpeg's libraries each other by their Cellar path, the codecs
//     by their opt path. The libraries' listings are those of the next
//     fixture; the executable's own listing is that one's with OpenCV's
//     modules (and libc++, which only they needed) replaced by the four
//     FFmpeg libraries, named as OpenCV's videoio module named them;
//   - homebrew-opencv@4.otool: auwatchd as it was built against Homebrew's
//     keg-only opencv@4 (4.13) on Apple silicon, the four OpenCV modules it
//     decoded with, and every library they load in turn, as Homebrew names
//     them: OpenCV's modules by their opt path and each other by @rpath,
//     FFmpeg's libraries each other by their Cellar path, and OpenEXR and
//     WebP theirs by @rpath with @loader_path run paths;
//   - onnxruntime-1.24.1-darwin-arm64.otool: the load commands of
//     bin/napi-v6/darwin/arm64/libonnxruntime.1.24.1.dylib from the npm
//     package onnxruntime-node@1.24.1 (sha256 7ad6507a…8275c, the file
//     scripts/deps.sh installs as lib/libonnxruntime.dylib), read with
//     ReadImage.
//
// Each section is named by the real file. Homebrew reaches a file by its
// install name through symbolic links: the formula's opt folder leads to its
// Cellar folder, and the name NAME.MAJOR.dylib to the file; fixtureFiles
// follows both.

// parseOtool reads a fixture into images keyed by file.
func parseOtool(t *testing.T, name string) map[string]Image {
	t.Helper()
	f, err := os.Open(path.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	images := map[string]Image{}
	var cur *Image
	flush := func() {
		if cur != nil {
			images[cur.Path] = *cur
		}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " "):
			flush()
			cur = &Image{Path: strings.TrimSuffix(line, ":")}
		case strings.HasPrefix(strings.TrimSpace(line), "path "):
			rpath, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "path "), " (offset ")
			cur.RPaths = append(cur.RPaths, rpath)
		default:
			name, _, _ := strings.Cut(strings.TrimSpace(line), " (compatibility version ")
			if strings.HasSuffix(cur.Path, ".dylib") && cur.ID == "" && len(cur.Deps) == 0 {
				cur.ID = name
			} else {
				cur.Deps = append(cur.Deps, name)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	return images
}

// fixtureFiles returns an Inspector over the fixtures' files, reached by
// their own paths or through Homebrew's links as ReadImage would resolve them.
func fixtureFiles(t *testing.T, names ...string) (Inspector, map[string]Image) {
	t.Helper()
	images := map[string]Image{}
	links := map[string]string{}
	for _, name := range names {
		for p, img := range parseOtool(t, name) {
			images[p] = img
			if img.ID == "" || strings.HasPrefix(img.ID, "@") {
				continue
			}
			links[img.ID] = p                                    // the opt path
			links[path.Join(path.Dir(p), path.Base(img.ID))] = p // NAME.MAJOR.dylib beside the file
		}
	}
	inspect := func(p string) (Image, error) {
		if real, ok := links[path.Clean(p)]; ok {
			p = real
		}
		if img, ok := images[path.Clean(p)]; ok {
			return img, nil
		}
		return Image{}, &fs.PathError{Op: "read", Path: p, Err: fs.ErrNotExist}
	}
	return inspect, images
}

// appRoots are the Mach-O files auwatchd.app carries by name.
var appRoots = []Root{
	{From: "bin/auwatchd", To: "Contents/MacOS/auwatchd"},
	{From: "lib/libonnxruntime.dylib", To: "Contents/Frameworks/libonnxruntime.dylib"},
}

// edited is img after install_name_tool carried out e, as it rewrites the
// load commands, now at its place in the bundle at root.
func edited(img Image, e Edit, root string) Image {
	out := Image{Path: path.Join(root, e.File), ID: img.ID}
	if e.ID != "" {
		out.ID = e.ID
	}
	for _, dep := range img.Deps {
		for _, c := range e.Changes {
			if c.Old == dep {
				dep = c.New
			}
		}
		out.Deps = append(out.Deps, dep)
	}
	for _, r := range img.RPaths {
		if !slices.Contains(e.DeleteRPaths, r) {
			out.RPaths = append(out.RPaths, r)
		}
	}
	out.RPaths = append(out.RPaths, e.AddRPaths...)
	return out
}

// bundled carries out plan on the fixtures and returns the bundle's images.
func bundled(t *testing.T, plan Plan, inspect Inspector, root string) []Image {
	t.Helper()
	from := map[string]string{}
	for _, c := range plan.Copies {
		from[c.To] = c.From
	}
	var images []Image
	for _, e := range plan.Edits {
		img, err := inspect(from[e.File])
		if err != nil {
			t.Fatalf("edit of %s, which is not copied: %v", e.File, err)
		}
		images = append(images, edited(img, e, root))
	}
	if len(images) != len(plan.Copies) {
		t.Fatalf("%d copies but %d edits", len(plan.Copies), len(images))
	}
	return images
}

// The plan for what auwatchd links now (FFmpeg's libraries, which load
// each other and their codecs by absolute paths), and for the tree it linked
// before (OpenCV's modules, and libraries that load each other by @rpath
// with @loader_path run paths), leaves nothing loaded from outside the app.
func TestPlanLeavesNoLoadPathOutsideTheBundle(t *testing.T) {
	for _, c := range []struct {
		fixture, linked string
		want            []string
	}{
		{"homebrew-ffmpeg.otool", "@rpath/libavformat.62.dylib", []string{
			"auwatchd", "libavcodec.62.dylib", "libavformat.62.dylib", "libavutil.60.dylib", "libcrypto.3.dylib",
			"libdav1d.7.dylib", "libmp3lame.0.dylib", "libonnxruntime.dylib", "libopus.0.dylib", "libssl.3.dylib",
			"libswresample.6.dylib", "libswscale.9.dylib", "libvpx.11.dylib", "libx264.165.dylib", "libx265.215.dylib",
		}},
		{"homebrew-opencv@4.otool", "@rpath/libopencv_videoio.413.dylib", []string{
			"auwatchd", "libIex-3_4.33.dylib", "libIlmThread-3_4.33.dylib", "libImath-3_2.30.dylib",
			"libOpenEXR-3_4.33.dylib", "libOpenEXRCore-3_4.33.dylib", "libavcodec.62.dylib", "libavformat.62.dylib",
			"libavutil.60.dylib", "libcrypto.3.dylib", "libdav1d.7.dylib", "libdeflate.0.dylib", "libjpeg.8.dylib",
			"liblzma.5.dylib", "libmp3lame.0.dylib", "libonnxruntime.dylib", "libopencv_core.413.dylib",
			"libopencv_imgcodecs.413.dylib", "libopencv_imgproc.413.dylib", "libopencv_videoio.413.dylib",
			"libopenjp2.7.dylib", "libopus.0.dylib", "libpng16.16.dylib", "libsharpyuv.0.dylib", "libssl.3.dylib",
			"libswresample.6.dylib", "libswscale.9.dylib", "libtbb.12.dylib", "libtiff.6.dylib", "libvpx.11.dylib",
			"libwebp.7.dylib", "libx264.165.dylib", "libx265.215.dylib", "libzstd.1.dylib",
		}},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			checkPlan(t, c.fixture, c.linked, c.want)
		})
	}
}

func checkPlan(t *testing.T, fixture, linked string, want []string) {
	inspect, _ := fixtureFiles(t, fixture, "onnxruntime-1.24.1-darwin-arm64.otool")
	plan, err := PlanBundle(appRoots, inspect)
	if err != nil {
		t.Fatal(err)
	}
	var copied []string
	for _, c := range plan.Copies {
		copied = append(copied, path.Base(c.To))
	}
	slices.Sort(copied)
	if !slices.Equal(copied, want) {
		t.Errorf("copies\n got %q\nwant %q", copied, want)
	}
	for _, c := range plan.Copies {
		if c.To != "Contents/MacOS/auwatchd" && path.Dir(c.To) != FrameworksDir {
			t.Errorf("%s copied to %s, outside %s", c.From, c.To, FrameworksDir)
		}
	}

	const root = "/Applications/auwatchd.app"
	images := bundled(t, plan, inspect, root)
	if err := Check(root, images); err != nil {
		t.Fatal(err)
	}
	for _, img := range images {
		for _, name := range slices.Concat([]string{img.ID}, img.Deps, img.RPaths) {
			if strings.Contains(name, "/opt/homebrew") || strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "lib/") {
				t.Errorf("%s still names %s", img.Path, name)
			}
		}
	}
	exe := images[0]
	if !slices.Equal(exe.RPaths, []string{"@executable_path/../Frameworks"}) || !slices.Contains(exe.Deps, linked) {
		t.Errorf("the executable after the edit: %+v", exe)
	}
}

// The edits are install_name_tool's own options, one call per file.
func TestEditArgs(t *testing.T) {
	e := Edit{File: "Contents/Frameworks/libwebp.7.dylib", ID: "@rpath/libwebp.7.dylib",
		Changes:      []Change{{Old: "/opt/homebrew/opt/webp/lib/libsharpyuv.0.dylib", New: "@rpath/libsharpyuv.0.dylib"}},
		DeleteRPaths: []string{"@loader_path"}}
	got := e.Args("/A.app/Contents/Frameworks/libwebp.7.dylib")
	want := []string{"-id", "@rpath/libwebp.7.dylib", "-change", "/opt/homebrew/opt/webp/lib/libsharpyuv.0.dylib", "@rpath/libsharpyuv.0.dylib",
		"-delete_rpath", "@loader_path", "/A.app/Contents/Frameworks/libwebp.7.dylib"}
	if !slices.Equal(got, want) {
		t.Errorf("args\n got %q\nwant %q", got, want)
	}
}

// Check finds what a plan left out: a library still loaded from Homebrew,
// a run path outside the bundle, a library loaded by @rpath that the bundle
// does not hold.
func TestCheckRefusesPathsOutsideTheBundle(t *testing.T) {
	const root = "/A.app"
	exe := Image{Path: root + "/Contents/MacOS/auwatchd", Deps: []string{"@rpath/libopencv_core.413.dylib", "/usr/lib/libSystem.B.dylib"},
		RPaths: []string{bundleRPath}}
	core := Image{Path: root + "/Contents/Frameworks/libopencv_core.413.dylib", ID: "@rpath/libopencv_core.413.dylib"}
	if err := Check(root, []Image{exe, core}); err != nil {
		t.Fatalf("a complete bundle: %v", err)
	}
	tests := map[string][]Image{
		"/opt/homebrew/opt/tbb/lib/libtbb.12.dylib":               {exe, {Path: core.Path, ID: core.ID, Deps: []string{"/opt/homebrew/opt/tbb/lib/libtbb.12.dylib"}}},
		"/opt/homebrew/lib":                                       {exe, {Path: core.Path, ID: core.ID, RPaths: []string{"/opt/homebrew/lib"}}},
		"@rpath/libopencv_core.413.dylib":                         {exe},
		"/opt/homebrew/opt/opencv@4/lib/libopencv_core.413.dylib": {exe, {Path: core.Path, ID: "/opt/homebrew/opt/opencv@4/lib/libopencv_core.413.dylib"}},
	}
	for leftover, images := range tests {
		err := Check(root, images)
		if err == nil || !strings.Contains(err.Error(), leftover) {
			t.Errorf("with %s left: %v", leftover, err)
		}
	}
}

// Two different libraries that would take the same name in Frameworks
// cannot both be bundled.
func TestPlanRefusesTwoLibrariesOfOneName(t *testing.T) {
	images := map[string]Image{
		"bin/auwatchd":    {Path: "bin/auwatchd", Deps: []string{"/a/libz.1.dylib", "/b/libz.1.dylib"}},
		"/a/libz.1.dylib": {Path: "/a/libz.1.dylib", ID: "/a/libz.1.dylib"},
		"/b/libz.1.dylib": {Path: "/b/libz.1.dylib", ID: "/b/libz.1.dylib"},
	}
	inspect := func(p string) (Image, error) {
		if img, ok := images[p]; ok {
			return img, nil
		}
		return Image{}, fs.ErrNotExist
	}
	if _, err := PlanBundle(appRoots[:1], inspect); err == nil || !strings.Contains(err.Error(), "would both be") {
		t.Errorf("err %v, want the clash named", err)
	}
	delete(images, "/b/libz.1.dylib")
	if _, err := PlanBundle(appRoots[:1], inspect); err == nil || !strings.Contains(err.Error(), "/b/libz.1.dylib, which is not found") {
		t.Errorf("err %v, want the missing library named", err)
	}
}
