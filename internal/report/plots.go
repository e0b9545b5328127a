package report

import (
	"bytes"
	"html/template"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// maxIntensity tops OpenFace's AU intensity scale.
const maxIntensity = 5

const plotWidth = 10 * vg.Inch

// labelRoom ends the heat map's AU labels: the plot places each label by
// its width in the font it measured with, and a browser that lacks that font
// draws a wider one, which these spaces keep off the heat map.
const labelRoom = "\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0"

// legendRoom raises a plot's top by this share of its range, so that the
// legend in the corner covers no line.
const legendRoom = 0.35

var (
	failColor   = color.RGBA{R: 220, G: 40, B: 40, A: 255}
	seriesColor = []color.Color{
		color.RGBA{R: 31, G: 119, B: 180, A: 255},
		color.RGBA{R: 255, G: 127, B: 14, A: 255},
		color.RGBA{R: 44, G: 160, B: 44, A: 255},
	}
)

// svg renders p as an SVG element to put inside the page.
func svg(p *plot.Plot, w, h vg.Length) (template.HTML, error) {
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:] // the XML declaration has no place inside HTML
	}
	// A raster (the heat map, the colour bar) must fill the box the plot
	// gives it; SVG's default would keep its pixels square and centre it.
	s = strings.ReplaceAll(s, "<image ", `<image preserveAspectRatio="none" `)
	return template.HTML(s), nil // made by the plotting library from numbers and the report's own labels
}

func newPlot(ylabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = ylabel
	return p
}

// timeline plots each bin's lowest face-tracking confidence, with the
// frames without a face shaded red.
func (t *Track) timeline(edges []int) (template.HTML, error) {
	p := newPlot("confidence")
	p.Add(plotter.NewGrid())
	p.Y.Min, p.Y.Max = 0, 1
	times := t.binTimes(edges)
	for _, s := range t.failedBins(edges) {
		x0, x1 := t.Time[edges[s.First]], t.Time[edges[s.Last+1]-1]
		if x1-x0 < t.minBinWidth(edges) {
			x1 = x0 + t.minBinWidth(edges)
		}
		band, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: 1}, {X: x0, Y: 1}})
		if err != nil {
			return "", err
		}
		band.Color, band.LineStyle.Width = failColor, 0
		p.Add(band)
	}
	if err := addSeries(p, "", seriesColor[0], times, t.binLowest(edges)); err != nil {
		return "", err
	}
	p.X.Min, p.X.Max = 0, t.Duration()
	return svg(p, plotWidth, 2.2*vg.Inch)
}

// failedBins returns the runs of bins, by index, holding a frame without a face.
func (t *Track) failedBins(edges []int) []Span {
	var spans []Span
	for b := 0; b+1 < len(edges); b++ {
		failed := false
		for i := edges[b]; i < edges[b+1] && !failed; i++ {
			failed = !t.Success[i]
		}
		switch {
		case !failed:
		case len(spans) > 0 && spans[len(spans)-1].Last == b-1:
			spans[len(spans)-1].Last = b
		default:
			spans = append(spans, Span{b, b})
		}
	}
	return spans
}

// minBinWidth is the narrowest band drawn, so a single failed frame shows.
func (t *Track) minBinWidth(edges []int) float64 {
	return t.Duration() / float64(len(edges)-1)
}

// binLowest returns each bin's lowest confidence, 0 where a frame has no face.
func (t *Track) binLowest(edges []int) []float64 {
	out := make([]float64, len(edges)-1)
	for b := range out {
		out[b] = math.Inf(1)
		for i := edges[b]; i < edges[b+1]; i++ {
			out[b] = min(out[b], t.confidence(i))
		}
	}
	return out
}

// angles plots series in degrees, one line each, broken where no frame has a face.
func (t *Track) angles(edges []int, ylabel string, names []string, series [][]float64) (template.HTML, error) {
	p := newPlot(ylabel)
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	times := t.binTimes(edges)
	for i, s := range series {
		if err := addSeries(p, names[i], seriesColor[i%len(seriesColor)], times, t.binMeans(s, edges)); err != nil {
			return "", err
		}
	}
	p.Y.Max += legendRoom * (p.Y.Max - p.Y.Min)
	p.X.Min, p.X.Max = 0, t.Duration()
	return svg(p, plotWidth, 2.4*vg.Inch)
}

// addSeries draws ys against xs as lines broken at NaN, named once in the
// legend unless the name is empty.
func addSeries(p *plot.Plot, name string, c color.Color, xs, ys []float64) error {
	named := false
	var run plotter.XYs
	flush := func() error {
		defer func() { run = nil }()
		if len(run) == 0 {
			return nil
		}
		l, err := plotter.NewLine(run)
		if err != nil {
			return err
		}
		l.Color = c
		l.Width = vg.Points(1.2)
		p.Add(l)
		if !named && name != "" {
			p.Legend.Add(name, l)
			named = true
		}
		return nil
	}
	for i, y := range ys {
		if math.IsNaN(y) {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		run = append(run, plotter.XY{X: xs[i], Y: y})
	}
	return flush()
}

// auGrid is the heat map's grid: a row per AU, the first at the top, a
// column per time bin.
type auGrid struct {
	rows  [][]float64
	times []float64
}

func (g auGrid) Dims() (c, r int)   { return len(g.times), len(g.rows) }
func (g auGrid) Z(c, r int) float64 { return g.rows[len(g.rows)-1-r][c] }
func (g auGrid) X(c int) float64    { return g.times[c] }
func (g auGrid) Y(r int) float64    { return float64(r) }
func (g auGrid) Min() float64       { return 0 }
func (g auGrid) Max() float64       { return maxIntensity }

// intensityScale runs from white (0) through red and yellow to black (5),
// so a face at rest leaves the page light.
func intensityScale() palette.ColorMap {
	m := moreland.ExtendedBlackBody()
	m.SetMin(0)
	m.SetMax(maxIntensity)
	return palette.Reverse(m)
}

// heatMap plots every intensity AU against time on OpenFace's 0–5 scale,
// each bin the mean over its frames with a face; a bin without one is grey.
func (t *Track) heatMap(edges []int) (template.HTML, error) {
	g := auGrid{times: t.binTimes(edges)}
	ticks := make([]plot.Tick, len(t.AUs))
	for i, au := range t.AUs {
		g.rows = append(g.rows, t.binMeans(au.Intensity, edges))
		ticks[i] = plot.Tick{Value: float64(len(t.AUs) - 1 - i), Label: auLabel(au.Name) + labelRoom}
	}
	h := plotter.NewHeatMap(g, intensityScale().Palette(64))
	h.Rasterized = true
	h.NaN = color.RGBA{R: 200, G: 200, B: 200, A: 255}
	h.Min, h.Max = 0, maxIntensity
	p := newPlot("")
	p.Add(h)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.X.Min, p.X.Max = 0, t.Duration()
	p.Y.Min, p.Y.Max = -0.5, float64(len(t.AUs))-0.5
	return svg(p, plotWidth, vg.Length(len(t.AUs))*14+50)
}

// colorScale plots the heat map's colours against intensity.
func colorScale() (template.HTML, error) {
	p := plot.New()
	p.X.Label.Text = "AU intensity (OpenFace 0–5)"
	p.HideY()
	p.Add(&plotter.ColorBar{ColorMap: intensityScale()})
	ticks := make([]plot.Tick, maxIntensity+1)
	for i := range ticks {
		ticks[i] = plot.Tick{Value: float64(i), Label: strconv.Itoa(i)}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	return svg(p, 4*vg.Inch, 0.8*vg.Inch)
}
