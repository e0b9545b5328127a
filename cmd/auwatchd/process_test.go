package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/aucompare"
	"github.com/auwatchd/auwatchd/internal/testenv"
)

func TestProcessWithLandmarksFromOpenFace(t *testing.T) {
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	ref := testenv.TestdataPath(t, "reference/openface-2.2-clnf/changeLighting.csv")
	dir := t.TempDir()
	code, out, errOut := runBinary(t, nil, "process", "--models", setupArgs(t)[3], "--landmarks-from", ref, "-o", dir, video)
	if code != 0 {
		t.Fatalf("process failed (%d): %s%s", code, out, errOut)
	}
	csv := filepath.Join(dir, "changeLighting.wmv.au.csv")
	if !strings.Contains(out, "✓ "+video+" → "+csv+": 88 frames, 88 with a face") ||
		!strings.Contains(out, "; eye landmarks fitted to the given CSV's 68 landmarks\n") {
		t.Errorf("summary line missing or not saying where the eyes come from: %q", out)
	}
	rep, err := aucompare.Files(csv, ref)
	if err != nil {
		t.Fatal(err)
	}
	if rep.MeanR < 0.99 {
		t.Errorf("mean r %.3f:\n%s", rep.MeanR, rep)
	}
	testenv.WantEntries(t, dir, "changeLighting.wmv.au.csv", "changeLighting.wmv.au.html")
}

// TestProcessWithOpenFaceEyes: a CSV with OpenFace's eye landmarks gives
// them back, and its gaze through the gaze stage.
func TestProcessWithOpenFaceEyes(t *testing.T) {
	video := testenv.TestdataPath(t, "videos/subj01_timepoint01.mp4")
	ref := testenv.TestdataPath(t, "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv")
	dir := t.TempDir()
	code, out, errOut := runBinary(t, nil, "process", "--models", setupArgs(t)[3], "--landmarks-from", ref, "-o", dir, video)
	if code != 0 || !strings.Contains(out, "; eye landmarks from the given CSV\n") {
		t.Fatalf("process (%d): %s%s, want the summary to say the eyes come from the CSV", code, out, errOut)
	}
	rep, err := aucompare.Files(filepath.Join(dir, "subj01_timepoint01.mp4.au.csv"), ref)
	if err != nil {
		t.Fatal(err)
	}
	if g := rep.Gaze; g == nil || g.EyeLandmarkPx != 0 || max(g.VectorDegrees[0], g.VectorDegrees[1]) > 0.4 {
		t.Errorf("gaze against the CSV's own: %+v, want its eye landmarks and its gaze within 0.4°", g)
	}
}

func TestProcessRejectsBadLandmarkFiles(t *testing.T) {
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	refText, err := os.ReadFile(testenv.TestdataPath(t, "reference/openface-2.2-clnf/changeLighting.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(refText), "\n"), "\n")
	withNaN := append([]string{}, lines...)
	fields := strings.Split(withNaN[5], ",")
	fields[20] = " nan"
	withNaN[5] = strings.Join(fields, ",")
	noLandmarks := strings.Join(strings.Split(lines[0], ",")[:11], ",") + "\n1, 0, 0.0, 0.9, 1, 1, 2, 3, 4, 5, 6\n"
	cases := map[string]struct{ text, want string }{
		"short track": {strings.Join(lines[:41], "\n") + "\n", "more frames than the 40 of the landmarks track"},
		"long track":  {strings.Join(lines, "\n") + "\n" + strings.Replace(lines[88], "88,", "89,", 1) + "\n", "the video has 88 frames but the landmarks track 89"},
		"NaN":         {strings.Join(withNaN, "\n") + "\n", `line 6: value "nan" is not a finite number`},
		"no x_ y_":    {noLandmarks, "lacks the columns x_0, y_0, x_1, y_1 and 132 more"},
	}
	for name, c := range cases {
		dir := t.TempDir()
		track := filepath.Join(dir, "track.csv")
		if err := os.WriteFile(track, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runBinary(t, nil, "process", "--models", setupArgs(t)[3], "--landmarks-from", track, "-o", dir, video)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: code %d, stderr %q, want it to say %q", name, code, errOut, c.want)
		}
		if left, _ := os.ReadDir(dir); len(left) != 1 {
			t.Errorf("%s: files left behind: %v", name, left)
		}
	}
}

func TestProcessNamesAMissingVideo(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent.mp4")
	ref := testenv.TestdataPath(t, "reference/openface-2.2-clnf/changeLighting.csv")
	code, _, errOut := runBinary(t, nil, "process", "--models", setupArgs(t)[3], "--landmarks-from", ref, missing)
	if code == 0 || !strings.Contains(errOut, missing) {
		t.Fatalf("code %d, stderr %q", code, errOut)
	}
}

// The compute units are all or cpu, from the flag or the environment; CoreML
// uses them on macOS, and every platform checks them.
func TestProcessRejectsUnknownComputeUnits(t *testing.T) {
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	out := t.TempDir()
	for _, env := range [][]string{nil, {"AUWATCHD_COMPUTE=gpu"}} {
		args := append([]string{"process", "-o", out}, setupArgs(t)...)
		if env == nil {
			args = append(args, "--compute", "gpu")
		}
		code, _, errOut := runBinary(t, env, append(args, video)...)
		if code == 0 || !strings.Contains(errOut, `compute "gpu": give all or cpu`) {
			t.Errorf("env %q: code %d, stderr %q", env, code, errOut)
		}
	}
	testenv.WantEntries(t, out)
}

// TestProcessSeveralAtOnce measures three videos one at a time and two at
// once with the real binary: the CSVs must be the same byte for byte.
func TestProcessSeveralAtOnce(t *testing.T) {
	var videos []string
	for _, v := range []string{"changeLighting.wmv", "subj01_timepoint01.mp4", "subj02_timepoint01.mp4"} {
		videos = append(videos, testenv.TestdataPath(t, "videos/"+v))
	}
	dirs := map[string]string{"1": t.TempDir(), "2": t.TempDir()}
	for jobs, dir := range dirs {
		args := append(append([]string{"process", "-j", jobs, "-o", dir}, setupArgs(t)...), videos...)
		code, out, errOut := runBinary(t, nil, args...)
		if code != 0 {
			t.Fatalf("process -j %s failed (%d): %s%s", jobs, code, out, errOut)
		}
		if n := strings.Count(out, "✓ "); n != len(videos) {
			t.Errorf("process -j %s: %d summary lines, want %d:\n%s", jobs, n, len(videos), out)
		}
	}
	for _, v := range videos {
		name := filepath.Base(v) + ".au.csv"
		one, err := os.ReadFile(filepath.Join(dirs["1"], name))
		if err != nil {
			t.Fatal(err)
		}
		two, err := os.ReadFile(filepath.Join(dirs["2"], name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one, two) {
			t.Errorf("%s: -j 2 wrote a different CSV from -j 1", name)
		}
	}
}
