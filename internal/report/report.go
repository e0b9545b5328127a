// Package report turns an OpenFace-format AU CSV (auwatchd's or OpenFace's
// own) into one self-contained HTML page that shows at a glance whether the
// face tracking held and which AUs moved when: a tracking timeline, an AU
// heat map with each AU's summary, head pose and gaze over time, and face
// thumbnails with their landmarks.
//
// The page needs no network, script or font from elsewhere, so it opens
// offline years from now; plots are inline SVG and thumbnails JPEG data
// URIs. The time axes are cut into at most maxBins bins, so a one-hour
// video's page is as small as a ten-minute one's.
package report

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
)

// generator marks a page as auwatchd's report, so that the daemon replaces
// its own reports and nothing else.
const generator = `<meta name="generator" content="auwatchd report">`

//go:embed page.html
var pageText string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"percent": func(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) },
	"label":   auLabel,
}).Parse(pageText))

// Options say what the report knows beyond the CSV.
type Options struct {
	Video      string        // the video the CSV describes; "" when unknown
	Thumbnails bool          // decode face thumbnails from Video
	Mode       string        // the mode the CSV was measured in; "" when unknown
	Took       time.Duration // how long measuring took; 0 when unknown
	Version    string        // auwatchd's version
	Date       time.Time     // when the report is made
}

// view is what the page template shows.
type view struct {
	Options
	Generator template.HTML
	Title     string
	Track     *Track
	ByMove    []AU
	FaceShare float64 // of frames with a face
	// FailedFrames counts the frames without a face; FailedRuns describes
	// the first runs of them, MoreFails counts the runs not described.
	FailedFrames int
	FailedRuns   []string
	MoreFails    int
	Timeline     template.HTML
	HeatMap      template.HTML
	Scale        template.HTML
	Pose         template.HTML
	Gaze         template.HTML
	Thumbs       []Thumb
	NoThumbs     string // why there are no thumbnails
}

// Write puts the report of the CSV at csvPath at out, with the CSV's
// permissions: a report shows what the CSV holds, and faces too. A file
// already at out is replaced only if replace allows it.
func Write(csvPath, out string, opt Options, replace atomicfile.Replace) error {
	info, err := os.Stat(csvPath)
	if err != nil {
		return fmt.Errorf("report on %s: %w", csvPath, err)
	}
	v, err := build(csvPath, opt)
	if err != nil {
		return err
	}
	err = atomicfile.Write(out, info.Mode().Perm(), replace, func(w io.Writer) error { return page.Execute(w, v) })
	if err != nil {
		return fmt.Errorf("write the report %s: %w", out, err)
	}
	return nil
}

// shownFailures is how many runs of failed frames the page lists by number.
const shownFailures = 12

func build(csvPath string, opt Options) (*view, error) {
	t, err := ReadTrack(csvPath)
	if err != nil {
		return nil, err
	}
	v := &view{Options: opt, Generator: generator, Track: t, ByMove: t.ByMovement(),
		FaceShare: float64(t.Successful()) / float64(t.Frames()), FailedFrames: t.Frames() - t.Successful()}
	v.Title = filepath.Base(opt.Video)
	if opt.Video == "" {
		v.Title = filepath.Base(csvPath)
	}
	for i, s := range t.Failed {
		if i == shownFailures {
			v.MoreFails = len(t.Failed) - shownFailures
			break
		}
		v.FailedRuns = append(v.FailedRuns, t.describe(s))
	}
	if err := v.plot(); err != nil {
		return nil, fmt.Errorf("plot %s: %w", csvPath, err)
	}
	switch {
	case !opt.Thumbnails:
		v.NoThumbs = "Face thumbnails are turned off."
	case opt.Video == "":
		v.NoThumbs = "No video was given, so there are no face thumbnails."
	default:
		// A video that cannot be sought in still gets its plots.
		if v.Thumbs, err = t.thumbs(csvPath, opt.Video); err != nil {
			v.NoThumbs = "The face thumbnails could not be made: " + err.Error()
		}
	}
	return v, nil
}

// plot draws the page's plots; a track of one frame has no time axis.
func (v *view) plot() error {
	t := v.Track
	if t.Frames() < 2 {
		return nil
	}
	edges := bins(t.Frames())
	var err error
	if v.Timeline, err = t.timeline(edges); err != nil {
		return err
	}
	if len(t.AUs) > 0 {
		if v.HeatMap, err = t.heatMap(edges); err != nil {
			return err
		}
		if v.Scale, err = colorScale(); err != nil {
			return err
		}
	}
	if t.Pose != nil {
		if v.Pose, err = t.angles(edges, "head rotation (°)", []string{"pitch", "yaw", "roll"}, t.Pose); err != nil {
			return err
		}
	}
	if t.Gaze != nil {
		if v.Gaze, err = t.angles(edges, "gaze angle (°)", []string{"horizontal", "vertical"}, t.Gaze); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceOwn allows replacing a file only when it is an auwatchd report.
func ReplaceOwn(existing, _ string) error {
	f, err := os.Open(existing)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read %s: %w", existing, err)
	}
	if !strings.Contains(string(head[:n]), generator) {
		return fmt.Errorf("%s is not a report auwatchd wrote; it is left as it is: %w", existing, fs.ErrExist)
	}
	return nil
}
