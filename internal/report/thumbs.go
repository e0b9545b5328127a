package report

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"slices"
	"strconv"

	xdraw "golang.org/x/image/draw"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/video"
)

// The strip shows thumbCount faces: evenly spaced ones and, of the rest,
// those of lowest confidence.
const (
	thumbCount  = 8
	lowestCount = 3
	thumbHeight = 128
	jpegQuality = 75
	landmarks   = 68
)

// Thumb is one picture of the strip.
type Thumb struct {
	Frame   int     // from 1
	Time    float64 // seconds
	Lowest  bool    // chosen for its low confidence
	Success bool
	Conf    float64
	Image   template.URL // a JPEG data URI
}

// thumbFrames chooses the frames of the strip, counted from 0, in order:
// evenly spaced ones, then the frames of lowest confidence that are not
// close to one chosen already, so that one long failure yields one picture.
func (t *Track) thumbFrames() (frames []int, lowest map[int]bool) {
	n := t.Frames()
	if n <= thumbCount {
		frames = make([]int, n)
		for i := range frames {
			frames[i] = i
		}
		return frames, map[int]bool{}
	}
	even := thumbCount - lowestCount
	for i := range even {
		frames = append(frames, (2*i+1)*n/(2*even))
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(t.confidence(a), t.confidence(b)) })
	lowest = map[int]bool{}
	gap := n / (4 * thumbCount)
	run := t.failedRuns()
	near := func(i int) bool {
		return slices.ContainsFunc(frames, func(f int) bool { return abs(f-i) <= gap || (run[f] > 0 && run[f] == run[i]) })
	}
	for _, i := range order {
		if len(frames) == thumbCount {
			break
		}
		if !near(i) {
			frames = append(frames, i)
			lowest[i] = true
		}
	}
	slices.Sort(frames)
	return frames, lowest
}

// failedRuns numbers each frame without a face by its run of such frames,
// from 1; a frame with a face is 0.
func (t *Track) failedRuns() []int {
	run := make([]int, t.Frames())
	for k, s := range t.Failed {
		for i := s.First - 1; i < s.Last; i++ {
			run[i] = k + 1
		}
	}
	return run
}

// confidence is frame i's tracking confidence: 0 without a face.
func (t *Track) confidence(i int) float64 {
	switch {
	case !t.Success[i]:
		return 0
	case t.Confidence == nil:
		return 1
	}
	return t.Confidence[i]
}

func abs(x int) int { return max(x, -x) }

// thumbs decodes the strip's frames from the video and draws on each the
// landmarks the CSV gives it.
func (t *Track) thumbs(csvPath, videoPath string) ([]Thumb, error) {
	frames, lowest := t.thumbFrames()
	points, err := readLandmarks(csvPath, frames)
	if err != nil {
		return nil, err
	}
	r, err := video.Open(videoPath)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var img bgr.Image
	var out []Thumb
	for k, f := range frames {
		if err := r.Seek(f); err != nil {
			return nil, err
		}
		_, ok, err := r.Next(&img)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("decode %s: the video ends before frame %d, which the CSV has", videoPath, f+1)
		}
		th := Thumb{Frame: f + 1, Time: t.Time[f], Lowest: lowest[f], Success: t.Success[f], Conf: t.confidence(f)}
		var pts [][2]float64
		if points != nil && t.Success[f] {
			pts = points[k]
		}
		if th.Image, err = thumbnail(&img, pts); err != nil {
			return nil, err
		}
		out = append(out, th)
	}
	return out, nil
}

// readLandmarks reads the 68 landmarks of the given frames (in order), or
// nil when the CSV has no 2-D landmarks.
func readLandmarks(csvPath string, frames []int) ([][][2]float64, error) {
	isLandmark := func(c string) bool {
		if len(c) < 3 || (c[:2] != "x_" && c[:2] != "y_") {
			return false
		}
		i, err := strconv.Atoi(c[2:])
		return err == nil && i < landmarks
	}
	cols, err := csvout.ReadColumns(csvPath, isLandmark, func(row int) bool { return slices.Contains(frames, row) })
	if err != nil {
		return nil, err
	}
	if len(cols.Values) != 2*landmarks || cols.Rows != len(frames) {
		return nil, nil
	}
	out := make([][][2]float64, len(frames))
	for k := range frames {
		out[k] = make([][2]float64, landmarks)
		for i := range landmarks {
			out[k][i] = [2]float64{cols.Values["x_"+strconv.Itoa(i)][k], cols.Values["y_"+strconv.Itoa(i)][k]}
		}
	}
	return out, nil
}

// thumbnail crops the face the landmarks outline (the whole frame without
// them), scales it to thumbHeight, marks the landmarks and encodes it as a
// JPEG data URI.
func thumbnail(img *bgr.Image, pts [][2]float64) (template.URL, error) {
	crop := faceBox(img, pts)
	scale := float64(thumbHeight) / float64(crop.Dy())
	dst := image.NewRGBA(image.Rect(0, 0, int(math.Round(float64(crop.Dx())*scale)), thumbHeight))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), rgbView{img}, crop, xdraw.Src, nil)
	for _, p := range pts {
		x := int((p[0] - float64(crop.Min.X)) * scale)
		y := int((p[1] - float64(crop.Min.Y)) * scale)
		dot(dst, x, y)
	}
	var b bytes.Buffer
	b.WriteString("data:image/jpeg;base64,")
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	if err := jpeg.Encode(enc, dst, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return template.URL(b.String()), nil // a data URI the report made itself
}

// faceBox is a square around the landmarks with a margin, kept inside the
// frame; the whole frame when there are none.
func faceBox(img *bgr.Image, pts [][2]float64) image.Rectangle {
	frame := image.Rect(0, 0, img.W, img.H)
	if len(pts) == 0 {
		return frame
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		x0, y0, x1, y1 = min(x0, p[0]), min(y0, p[1]), max(x1, p[0]), max(y1, p[1])
	}
	side := 1.4 * max(x1-x0, y1-y0)
	cx, cy := (x0+x1)/2, (y0+y1)/2
	box := image.Rect(int(cx-side/2), int(cy-side/2), int(cx+side/2), int(cy+side/2)).Intersect(frame)
	if box.Dx() < 8 || box.Dy() < 8 {
		return frame
	}
	return box
}

var landmarkColor = color.RGBA{R: 0, G: 255, B: 90, A: 255}

// dot marks a landmark with a 2×2 square.
func dot(m *image.RGBA, x, y int) {
	for dy := range 2 {
		for dx := range 2 {
			if image.Pt(x+dx, y+dy).In(m.Rect) {
				m.SetRGBA(x+dx, y+dy, landmarkColor)
			}
		}
	}
}

// rgbView shows a BGR image to the image package without copying it.
type rgbView struct{ m *bgr.Image }

func (v rgbView) ColorModel() color.Model { return color.RGBAModel }
func (v rgbView) Bounds() image.Rectangle { return image.Rect(0, 0, v.m.W, v.m.H) }
func (v rgbView) At(x, y int) color.Color {
	b, g, r := v.m.At(x, y)
	return color.RGBA{R: r, G: g, B: b, A: 255}
}
