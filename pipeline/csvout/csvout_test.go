package csvout

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/internal/testenv"
)

var (
	testIntensity  = []string{"AU01", "AU02"}
	testOccurrence = []string{"AU01", "AU02", "AU28"}
)

func sampleFrame(n int, success bool) *Frame {
	f := &Frame{Number: n, Timestamp: float64(n-1) / 30, Confidence: 0.98, Success: success,
		PoseT: [3]float64{-59.31, 17.04, 377.46}, PoseR: [3]float64{-0.0431, -0.1204, -0.0166},
		Landmarks: make([]float64, 136), Camera3D: make([]float64, 204), Local: make([]float64, 34),
		Global: [6]float64{2.4332, 0.148, 0.141, -0.06, 344.5253, 723.984},
		Gaze:   [2][3]float64{{0.0390664, 0.2900455, -0.956215}, {-0.045492, 0.286795, -0.956911}}, GazeAngle: [2]float64{-0.0034, 0.2934},
		EyeLandmarks: make([]float64, 112), EyeCamera: make([]float64, 168)}
	for i := range f.EyeLandmarks {
		f.EyeLandmarks[i] = 500 + float64(i) + 0.25
	}
	for i := range f.EyeCamera {
		f.EyeCamera[i] = float64(i) - 0.25
	}
	for i := range f.Landmarks {
		f.Landmarks[i] = 100 + float64(i) + 0.25
	}
	for i := range f.Local {
		f.Local[i] = float64(i) - 17.5
	}
	return f
}

// startSample creates a writer for path and adds three frames, the second
// without a face.
func startSample(t *testing.T, path string, replace atomicfile.Replace) *Writer {
	t.Helper()
	w, err := Create(path, testIntensity, testOccurrence, replace)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 3; n++ {
		if err := w.Add(sampleFrame(n, n != 2)); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func finishSample(w *Writer) error {
	return w.Finish([][]float64{{0.05, 1.234}, {0, 0}, {5, 0.005}}, [][]float64{{1, 0, 0}, {0, 0, 0}, {1, 1, 0}}, 0o640)
}

func writeSample(t *testing.T, path string) {
	t.Helper()
	w := startSample(t, path, nil)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("%s exists before Finish", path)
	}
	if err := finishSample(w); err != nil {
		t.Fatal(err)
	}
}

func TestWriterMatchesOpenFaceLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.au.csv")
	writeSample(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) != 5 || lines[4] != "" {
		t.Fatalf("want a header, 3 rows and a final newline, got %d lines", len(lines))
	}
	if !strings.HasPrefix(lines[0], "frame, face_id, timestamp, confidence, success, gaze_0_x, gaze_0_y, gaze_0_z, gaze_1_x, gaze_1_y, gaze_1_z, gaze_angle_x, gaze_angle_y, eye_lmk_x_0, eye_lmk_x_1") ||
		!strings.Contains(lines[0], "eye_lmk_Z_55, pose_Tx, pose_Ty, pose_Tz, pose_Rx, pose_Ry, pose_Rz, x_0, x_1") ||
		!strings.HasSuffix(lines[0], "p_33, AU01_r, AU02_r, AU01_c, AU02_c, AU28_c") {
		t.Errorf("header: %q", lines[0])
	}
	if got := len(strings.Split(lines[0], ", ")); got != 5+8+280+6+136+204+40+5 {
		t.Errorf("header has %d columns", got)
	}
	want := "1,  0,  0.000,  0.98,  1,  0.039066,  0.290046,  -0.956215,  -0.045492,  0.286795,  -0.956911,  -0.003,  0.293,  500.2,  501.2,"
	if !strings.HasPrefix(lines[1], want) {
		t.Errorf("row 1 starts %q, want %q", lines[1][:len(want)], want)
	}
	if !strings.Contains(lines[1], ",  166.8,  -59.3,  17.0,  377.5,  -0.043,  -0.120,  -0.017,  100.2,  101.2,") {
		t.Errorf("row 1's eye landmarks do not end where the pose starts: %q", lines[1])
	}
	if !strings.Contains(lines[1], ",  2.433,  0.148,  0.141,  -0.060,  344.525,  723.984,  -17.500,") {
		t.Errorf("row 1 parameters not in OpenFace's format: %q", lines[1])
	}
	if !strings.HasSuffix(lines[1], ",  15.500, 0.05, 1.23, 1.00, 0.00, 0.00") {
		t.Errorf("row 1 ends %q", lines[1][len(lines[1])-60:])
	}
	if !strings.HasPrefix(lines[2], "2,  0,  0.033,  0.00,  0,  0.000000,  0.000000,  0.000000,  0.000000,  0.000000,  0.000000,  0.000,  0.000,  0.0,") ||
		!strings.Contains(lines[2], ",  0.0,  0.0,  0.0,  0.000,  0.000,  0.000,  0.0,") ||
		!strings.HasSuffix(lines[2], ",  0.000, 0.00, 0.00, 0.00, 0.00, 0.00") {
		t.Errorf("failed frame row: %q", lines[2])
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("permissions %v, want 0640", info.Mode().Perm())
	}
	left, _ := os.ReadDir(filepath.Dir(path))
	if len(left) != 1 {
		t.Errorf("temporary files left beside the CSV: %v", left)
	}
}

// TestHeaderIsOpenFaces compares the columns before the AUs with those of a
// CSV written by OpenFace 2.2's FeatureExtraction.
func TestHeaderIsOpenFaces(t *testing.T) {
	ref, err := os.ReadFile(testenv.TestdataPath(t, "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv"))
	if err != nil {
		t.Fatal(err)
	}
	refHeader, _, _ := strings.Cut(string(ref), "\n")
	w := &Writer{}
	want, _, _ := strings.Cut(refHeader, ", AU")
	got, _, _ := strings.Cut(w.header(), "\n")
	if got != want {
		t.Errorf("header differs from OpenFace's before the AUs:\n got %.200s…\nwant %.200s…", got, want)
	}
}

func TestWriterOutputReadsBackAsATrack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.au.csv")
	writeSample(t, path)
	tr, err := ReadTrack(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Frames) != 3 || !tr.HasParams || tr.Frames[1].Success || !tr.Frames[2].Success {
		t.Fatalf("track: %d frames, params %v", len(tr.Frames), tr.HasParams)
	}
	if got := tr.Frames[0].Landmarks[135]; got != 235.2 {
		t.Errorf("y_67 = %v, want 235.2", got)
	}
	if got := tr.Frames[2].Global[4]; got != 344.525 {
		t.Errorf("p_tx = %v, want 344.525", got)
	}
	if !tr.HasEyes || !tr.HasEyes3D || tr.Frames[0].EyeLandmarks[111] != 611.2 || tr.Frames[0].EyeCamera[167] != 166.8 {
		t.Errorf("eye landmarks read back as %v %v: y_55 %v, Z_55 %v, want 611.2 and 166.8",
			tr.HasEyes, tr.HasEyes3D, tr.Frames[0].EyeLandmarks[111], tr.Frames[0].EyeCamera[167])
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "v.au.csv"), testIntensity, testOccurrence, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(sampleFrame(1, true)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("files left after Abort: %v", left)
	}
}

// A user may put a file at the output path while the video is measured;
// the finished CSV must not replace it.
func TestFinishLeavesAFileCreatedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.au.csv")
	w := startSample(t, path, nil)
	if err := os.WriteFile(path, []byte("the user's"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := finishSample(w)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want an error naming %s that matches fs.ErrExist", err, path)
	}
	if data, _ := os.ReadFile(path); string(data) != "the user's" {
		t.Errorf("%s now holds %.40q", path, data)
	}
	testenv.WantEntries(t, dir, "v.au.csv")
}

func TestCreateRefusesAnExistingFileUnlessAllowed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.au.csv")
	if err := os.WriteFile(path, []byte("from before"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, testIntensity, testOccurrence, nil); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("got %v, want fs.ErrExist", err)
	}
	if err := finishSample(startSample(t, path, atomicfile.ReplaceAny)); err != nil {
		t.Fatal(err)
	}
	if tr, err := ReadTrack(path); err != nil || len(tr.Frames) != 3 {
		t.Fatalf("replaced CSV: %v", err)
	}
}

func TestReadTrackOfReferences(t *testing.T) {
	for _, c := range []struct {
		rel    string
		frames int
		eyes   bool
	}{
		{"reference/openface-2.2-clnf/default.csv", 288, false},
		{"reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv", 158, true},
	} {
		tr, err := ReadTrack(testenv.TestdataPath(t, c.rel))
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Frames) != c.frames || !tr.HasParams || tr.HasEyes != c.eyes || tr.HasEyes3D != c.eyes {
			t.Errorf("%s: %d frames, params %v, eyes %v %v", c.rel, len(tr.Frames), tr.HasParams, tr.HasEyes, tr.HasEyes3D)
		}
		if c.eyes && tr.Frames[0].EyeLandmarks[0] != 503.8 {
			t.Errorf("%s: eye_lmk_x_0 of frame 1 is %v, want 503.8", c.rel, tr.Frames[0].EyeLandmarks[0])
		}
	}
}

func TestReadTrackRejects(t *testing.T) {
	header := func(drop string) string {
		var b bytes.Buffer
		b.WriteString("frame, success")
		for _, a := range []string{"x", "y"} {
			for i := 0; i < 68; i++ {
				name := a + "_" + strconv.Itoa(i)
				if name != drop {
					b.WriteString(", " + name)
				}
			}
		}
		return b.String() + "\n"
	}
	row := func(frame, success, value string) string {
		return frame + ", " + success + strings.Repeat(", "+value, 136) + "\n"
	}
	cases := map[string]struct{ text, want string }{
		"empty":        {"", "empty"},
		"no rows":      {header(""), "no frames"},
		"no y_3":       {header("y_3") + row("1", "1", "5"), "lacks the columns y_3"},
		"NaN":          {header("") + row("1", "1", "nan"), `"nan" is not a finite number`},
		"short row":    {header("") + "1, 1, 3\n", "has 3 columns"},
		"bad success":  {header("") + row("1", "yes", "5"), "neither 0 nor 1"},
		"frame gap":    {header("") + row("1", "1", "5") + row("3", "1", "5"), "consecutive"},
		"text in cell": {header("") + row("1", "1", "abc"), "not a finite number"},
	}
	for name, c := range cases {
		path := filepath.Join(t.TempDir(), "bad.csv")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadTrack(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got %v, want an error naming the file and saying %q", name, err, c.want)
		}
	}
	if tr, err := ReadTrack(writeTemp(t, header("")+row("1", "0", "nan")+row("2", "1", "7"))); err != nil || tr.HasParams {
		t.Errorf("a failed frame's NaN must be accepted: %v", err)
	}
}

func writeTemp(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func FuzzParseTrack(f *testing.F) {
	f.Add("frame, success, x_0\n1, 1, 2\n")
	f.Add("frame,success\n")
	f.Fuzz(func(t *testing.T, text string) {
		tr, err := parseTrack(strings.NewReader(text))
		if err == nil && len(tr.Frames) == 0 {
			t.Fatal("no error and no frames")
		}
	})
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "v.mp4.au.csv")
	for _, name := range []string{".v.mp4.au.csv.tmp-123", ".v.mp4.au.csv.rows-9", "v.mp4.au.csv", ".other.au.csv.tmp-1"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	RemoveStale(out)
	left, _ := os.ReadDir(dir)
	if len(left) != 2 || left[0].Name() != ".other.au.csv.tmp-1" || left[1].Name() != "v.mp4.au.csv" {
		t.Fatalf("left: %v", left)
	}
}
