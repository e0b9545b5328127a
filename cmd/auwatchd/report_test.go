package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/store"
)

// The report of a video measured by process, and that of an OpenFace CE-CLM
// CSV (which has gaze angles) made by the report command, load in a real
// browser without a console message, draw a page that is not blank, and
// have the timeline, the heat map and eight face thumbnails.
func TestReportsInABrowser(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "default.wmv")
	copyFile(t, testenv.TestdataPath(t, "videos/default.wmv"), video)
	code, out, errOut := runBinary(t, nil, append([]string{"process"}, append(setupArgs(t), video)...)...)
	if code != 0 {
		t.Fatalf("process failed (%d): %s%s", code, out, errOut)
	}
	html := filepath.Join(dir, "default.wmv.au.html")
	if !strings.Contains(out, "report: "+html) {
		t.Errorf("process does not say where the report is: %q", out)
	}
	wantSameMode(t, html, filepath.Join(dir, "default.wmv.au.csv"))
	dom := loadInBrowser(t, html)
	wantSections(t, dom, "timeline", "heatmap", "pose")

	ref := testenv.TestdataPath(t, "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv")
	refHTML := filepath.Join(dir, "subj01.html")
	code, out, errOut = runBinary(t, nil, "report", "--video", testenv.TestdataPath(t, "videos/subj01_timepoint01.mp4"), "-o", refHTML, ref)
	if code != 0 {
		t.Fatalf("report failed (%d): %s%s", code, out, errOut)
	}
	dom = loadInBrowser(t, refHTML)
	wantSections(t, dom, "timeline", "heatmap", "pose", "gaze")
	if !strings.Contains(dom, "AU12 lip corner puller") {
		t.Error("the AUs are not named with their FACS names")
	}
}

// A face blacked out for 20 frames shows as 20 failed frames: named under
// the timeline, shaded in it, and among the thumbnails.
func TestReportShowsFramesWithoutAFace(t *testing.T) {
	dir := t.TempDir()
	clip := filepath.Join(dir, "away.mp4")
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-i", testenv.TestdataPath(t, "videos/changeLighting.wmv"),
		"-vf", "drawbox=enable='between(n,30,49)':color=black:t=fill", "-c:v", "mpeg4", "-q:v", "2", clip)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	code, out, errOut := runBinary(t, nil, append([]string{"process"}, append(setupArgs(t), clip)...)...)
	if code != 0 {
		t.Fatalf("process failed (%d): %s%s", code, out, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "away.mp4.au.html"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(page)
	m := regexp.MustCompile(`No face in 20 frames:\nframes (\d+)–(\d+) \(`).FindStringSubmatch(text)
	if m == nil || atoi(t, m[2])-atoi(t, m[1]) != 19 {
		t.Errorf("the report does not name the 20 frames without a face:\n%s", section(text, "timeline"))
	}
	if !strings.Contains(section(text, "timeline"), "fill:#DC2828") {
		t.Errorf("the timeline shades no frame red:\n%s", section(text, "timeline"))
	}
	if !strings.Contains(text, `class="thumb failed"`) {
		t.Error("no thumbnail shows a frame without a face")
	}
}

// A report of an OpenFace CSV without the video has no thumbnails, says
// why, and goes beside the CSV under the report's name.
func TestReportWithoutVideo(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "default.csv")
	copyFile(t, testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv"), csv)
	if err := os.Chmod(csv, 0o604); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runBinary(t, nil, "report", csv)
	if code != 0 {
		t.Fatalf("report failed (%d): %s%s", code, out, errOut)
	}
	html := filepath.Join(dir, "default.au.html")
	wantSameMode(t, html, csv)
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(page), "<img") || !strings.Contains(string(page), "No video was given") {
		t.Error("a report without a video should say there are no thumbnails, and have none")
	}
	code, _, errOut = runBinary(t, nil, "report", filepath.Join(dir, "missing.csv"))
	if code == 0 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("a missing CSV: exit %d, %q", code, errOut)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantSameMode(t *testing.T, html, csv string) {
	t.Helper()
	h, err := os.Stat(html)
	if err != nil {
		t.Fatal(err)
	}
	c, err := os.Stat(csv)
	if err != nil {
		t.Fatal(err)
	}
	if h.Mode().Perm() != c.Mode().Perm() {
		t.Errorf("the report has mode %v, the CSV %v", h.Mode().Perm(), c.Mode().Perm())
	}
}

var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// loadInBrowser opens the page in headless Chromium, fails the test on any
// console message (the page has no script, so any is an error) or a blank
// screenshot, and returns the page's DOM as the browser built it.
func loadInBrowser(t *testing.T, page string) string {
	t.Helper()
	browser := findBrowser(t)
	shot := filepath.Join(t.TempDir(), "shot.png")
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--window-size=1100,3000", "--screenshot="+shot,
		"--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, stderr.String())
	}
	if msgs := consoleLine.FindAllString(stderr.String(), -1); len(msgs) > 0 {
		t.Errorf("%s: console messages:\n%s", page, strings.Join(msgs, "\n"))
	}
	wantPicture(t, shot)
	return stdout.String()
}

// findBrowser returns the Chromium that make deps installs on Linux, or a
// Chromium or Chrome installed on macOS.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome",
		"/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found: run make deps")
	return ""
}

// wantPicture fails unless the screenshot's brightness varies as a page of
// text and plots does.
func wantPicture(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	var sum, sq, n float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			v := float64(r+g+bl) / 3 / 257
			sum, sq, n = sum+v, sq+v*v, n+1
		}
	}
	mean := sum / n
	if sd := sq/n - mean*mean; sd < 100 {
		t.Errorf("the screenshot is blank: brightness variance %.1f", sd)
	}
}

// wantSections checks that each named section is in the page with a plot,
// and that the thumbnail strip holds eight decodable JPEG faces.
func wantSections(t *testing.T, dom string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if !strings.Contains(section(dom, id), "<svg") {
			t.Errorf("the page has no %s plot", id)
		}
	}
	if !strings.Contains(section(dom, "heatmap"), "<image") {
		t.Error("the heat map has no raster")
	}
	thumbs := regexp.MustCompile(`src="data:image/jpeg;base64,([^"]+)"`).FindAllStringSubmatch(section(dom, "thumbnails"), -1)
	if len(thumbs) != 8 {
		t.Fatalf("%d thumbnails, want 8", len(thumbs))
	}
	for i, m := range thumbs {
		b, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatalf("thumbnail %d: %v", i+1, err)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("thumbnail %d is not a JPEG: %v", i+1, err)
		}
	}
}

// section returns the page's section with the given id.
func section(page, id string) string {
	start := strings.Index(page, `<section id="`+id+`"`)
	if start < 0 {
		return ""
	}
	end := strings.Index(page[start:], "</section>")
	if end < 0 {
		return page[start:]
	}
	return page[start : start+end]
}

// The daemon writes a report beside each CSV, with faces or without as the
// thumbnails setting says, none when reports are off, never over a file it
// did not write, and moves it with its video.
func TestDaemonWritesReports(t *testing.T) {
	home, folder := t.TempDir(), t.TempDir()
	sample := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	foreign := filepath.Join(folder, "kept.wmv.au.html")
	if err := os.WriteFile(foreign, []byte("a researcher's notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, home, folder)
	setting := func(args ...string) {
		t.Helper()
		if code, _, errOut := runBinary(t, nil, append(args, "--home", home)...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	measure := func(name string, done int) string {
		t.Helper()
		copyFile(t, sample, filepath.Join(folder, name))
		d.waitFor(name+" done", func(s store.Status) bool { return s.Counts.Done == done })
		page, err := os.ReadFile(filepath.Join(folder, name+".au.html"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return string(page)
	}
	if page := measure("faces.wmv", 1); strings.Count(page, `<figure class="thumb`) != 8 || !strings.Contains(page, "88 frames (100 %)") {
		t.Errorf("the first report lacks its 8 thumbnails or its frame count:\n%s", page)
	}
	setting("thumbnails", "off")
	if page := measure("nofaces.wmv", 2); page == "" || strings.Contains(page, "<img") {
		t.Errorf("with thumbnails off, want a report without faces, got %d bytes", len(page))
	}
	if page := measure("kept.wmv", 3); page != "a researcher's notes\n" {
		t.Error("the daemon replaced a file it did not write")
	}
	setting("reports", "off")
	if page := measure("none.wmv", 4); page != "" {
		t.Error("with reports off, a report was written")
	}
	if err := os.Rename(filepath.Join(folder, "faces.wmv"), filepath.Join(folder, "renamed.wmv")); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the CSV moved", func(store.Status) bool {
		_, err := os.Stat(filepath.Join(folder, "renamed.wmv.au.html"))
		return err == nil
	})
	d.stop()
	if _, err := os.Stat(filepath.Join(folder, "faces.wmv.au.html")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the report stayed under the old name: %v", err)
	}
}

// process --no-report writes the CSV alone; report on auwatchd's CSV finds
// the video beside it for the thumbnails.
func TestNoReportThenReportOfOwnCSV(t *testing.T) {
	dir := t.TempDir()
	video := filepath.Join(dir, "clip.wmv")
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), video)
	ref := testenv.TestdataPath(t, "reference/openface-2.2-clnf/changeLighting.csv")
	code, out, errOut := runBinary(t, nil, "process", "--models", setupArgs(t)[3], "--landmarks-from", ref, "--no-report", video)
	if code != 0 {
		t.Fatalf("process failed (%d): %s%s", code, out, errOut)
	}
	testenv.WantEntries(t, dir, "clip.wmv", "clip.wmv.au.csv")
	if code, out, errOut = runBinary(t, nil, "report", filepath.Join(dir, "clip.wmv.au.csv")); code != 0 {
		t.Fatalf("report failed (%d): %s%s", code, out, errOut)
	}
	page, err := os.ReadFile(filepath.Join(dir, "clip.wmv.au.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), `<figure class="thumb`); n != 8 {
		t.Errorf("%d thumbnails from the video beside the CSV, want 8", n)
	}
}
