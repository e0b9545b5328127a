package report

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

const ceclmCSV = "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv"

func TestReadsOpenFaceCSV(t *testing.T) {
	tr, err := ReadTrack(testenv.TestdataPath(t, ceclmCSV))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Frames() != 158 || tr.Successful() != 158 || len(tr.AUs) != 17 || tr.Gaze == nil || tr.Pose == nil {
		t.Fatalf("%d frames, %d with a face, %d AUs, gaze %v, pose %v", tr.Frames(), tr.Successful(), len(tr.AUs), tr.Gaze != nil, tr.Pose != nil)
	}
	if r := tr.FrameRate(); r < 29.9 || r > 30.1 {
		t.Errorf("frame rate %.2f, want 30", r)
	}
	moved := tr.ByMovement()
	if moved[0].Mean < moved[len(moved)-1].Mean || moved[0].Present != moved[0].Present {
		t.Errorf("AUs not sorted by movement, or without their share present: %+v", moved[0])
	}
}

func TestFailedSpans(t *testing.T) {
	ok, no := true, false
	got := failedSpans([]bool{no, ok, ok, no, no, no, ok, no})
	if want := []Span{{1, 1}, {4, 6}, {8, 8}}; !slices.Equal(got, want) {
		t.Errorf("spans %v, want %v", got, want)
	}
}

// The strip has eight frames: five evenly spaced, and the lowest-confidence
// ones, one per run of failures.
func TestThumbFrames(t *testing.T) {
	n := 1000
	tr := &Track{Time: make([]float64, n), Success: make([]bool, n), Confidence: make([]float64, n)}
	for i := range n {
		tr.Success[i], tr.Confidence[i] = true, 0.95
	}
	for i := 400; i < 460; i++ {
		tr.Success[i] = false
	}
	tr.Failed = failedSpans(tr.Success)
	tr.Confidence[800] = 0.3
	frames, lowest := tr.thumbFrames()
	if len(frames) != thumbCount || !slices.IsSorted(frames) {
		t.Fatalf("frames %v", frames)
	}
	inFailure := slices.IndexFunc(frames, func(f int) bool { return f >= 400 && f < 460 })
	if inFailure < 0 || !lowest[frames[inFailure]] || !slices.Contains(frames, 800) {
		t.Errorf("frames %v lack a failed frame or the low-confidence frame 800", frames)
	}
	if runs := slices.DeleteFunc(slices.Clone(frames), func(f int) bool { return f < 400 || f >= 460 }); len(runs) != 1 {
		t.Errorf("frames %v show one failure %d times", frames, len(runs))
	}
}

// A one-hour video's report, 108 000 frames at 30 frames/s, stays under
// 2 MB: the time axes are cut into bins.
func TestHourLongReportIsSmall(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "hour.csv")
	loopCSV(t, testenv.TestdataPath(t, ceclmCSV), csv, 108000, func(c string) bool {
		return slices.Contains(columns, c) || c == "frame" || auColumn.MatchString(c)
	})
	out := filepath.Join(t.TempDir(), "hour.au.html")
	if err := Write(csv, out, Options{Version: "test", Date: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) > 2<<20 {
		t.Errorf("the report of an hour is %d bytes, want at most 2 MB", len(page))
	}
	if !strings.Contains(string(page), "108000") {
		t.Error("the report does not count the hour's frames")
	}
}

// BenchmarkTenMinuteReport writes the report, thumbnails included, of the
// 10-minute bench video (default.wmv looped, built by make bench), from the
// CSV of default.wmv looped the same way. The page must stay under 2 MB.
func BenchmarkTenMinuteReport(b *testing.B) {
	video := testenv.TestdataPath(b, "bench/default-10min.wmv")
	dir := b.TempDir()
	csv := filepath.Join(dir, "default-10min.wmv.au.csv")
	loopCSV(b, testenv.TestdataPath(b, "reference/openface-2.2-clnf/default.csv"), csv, 32*288, func(string) bool { return true })
	out := filepath.Join(dir, "default-10min.wmv.au.html")
	opt := Options{Video: video, Thumbnails: true, Version: "bench", Date: time.Now()}
	b.ResetTimer()
	for b.Loop() {
		if err := Write(csv, out, opt, ReplaceOwn); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	info, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size()), "bytes/report")
	if info.Size() > 2<<20 {
		b.Errorf("the report is %d bytes, want at most 2 MB", info.Size())
	}
}

// loopCSV writes to dst the columns of src that keep accepts, its rows
// repeated until there are frames of them, numbered on and timed on as one
// long video.
func loopCSV(tb testing.TB, src, dst string, frames int, keep func(string) bool) {
	tb.Helper()
	text, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	header := strings.Split(lines[0], ",")
	var cols []int
	frameCol, timeCol := -1, -1
	for i, h := range header {
		h = strings.TrimSpace(h)
		if keep(h) {
			cols = append(cols, i)
		}
		switch h {
		case "frame":
			frameCol = i
		case "timestamp":
			timeCol = i
		}
	}
	rows := make([][]string, len(lines)-1)
	for i, l := range lines[1:] {
		rows[i] = strings.Split(l, ",")
	}
	last, _ := strconv.ParseFloat(strings.TrimSpace(rows[len(rows)-1][timeCol]), 64)
	period := last * float64(len(rows)) / float64(len(rows)-1)
	f, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	writeRow := func(cells []string) {
		for k, c := range cols {
			if k > 0 {
				w.WriteByte(',')
			}
			w.WriteString(strings.TrimSpace(cells[c]))
		}
		w.WriteByte('\n')
	}
	writeRow(header)
	for n := range frames {
		row := slices.Clone(rows[n%len(rows)])
		ts, _ := strconv.ParseFloat(strings.TrimSpace(row[timeCol]), 64)
		row[frameCol] = strconv.Itoa(n + 1)
		row[timeCol] = fmt.Sprintf("%.3f", ts+float64(n/len(rows))*period)
		writeRow(row)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// A video that does not match the CSV still gets its plots, and the page
// says why its faces are missing.
func TestVideoShorterThanCSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mismatch.au.html")
	opt := Options{Video: testenv.TestdataPath(t, "videos/changeLighting.wmv"), Thumbnails: true, Version: "test", Date: time.Now()}
	if err := Write(testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv"), out, opt, nil); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "The face thumbnails could not be made") || !strings.Contains(string(page), `<section id="heatmap">`) {
		t.Error("the page should have its plots and say why it has no faces")
	}
}
