package icon

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// menuBar is a menu bar's background and the colour macOS paints a template
// image in on it: the label colour, black or white at 85%.
type menuBar struct {
	name string
	bg   color.NRGBA
	fg   color.NRGBA
}

var menuBars = []menuBar{
	{"light", color.NRGBA{0xf6, 0xf6, 0xf6, 0xff}, color.NRGBA{0, 0, 0, 0xd9}},
	{"light-tinted", color.NRGBA{0xd2, 0xd4, 0xd8, 0xff}, color.NRGBA{0, 0, 0, 0xd9}},
	{"dark", color.NRGBA{0x1e, 0x1e, 0x1e, 0xff}, color.NRGBA{0xff, 0xff, 0xff, 0xd9}},
	{"dark-tinted", color.NRGBA{0x3c, 0x3e, 0x44, 0xff}, color.NRGBA{0xff, 0xff, 0xff, 0xd9}},
}

var states = []State{Idle, Working, Paused, Attention}

// composite paints a template image on bar as macOS does: the bar's label
// colour, through the image's alpha.
func composite(tmpl *image.NRGBA, bar menuBar) *image.NRGBA {
	out := image.NewNRGBA(tmpl.Bounds())
	for y := range tmpl.Bounds().Dy() {
		for x := range tmpl.Bounds().Dx() {
			a := float64(tmpl.NRGBAAt(x, y).A) / 0xff * float64(bar.fg.A) / 0xff
			mix := func(f, b uint8) uint8 { return uint8(math.Round(a*float64(f) + (1-a)*float64(b))) }
			out.SetNRGBA(x, y, color.NRGBA{mix(bar.fg.R, bar.bg.R), mix(bar.fg.G, bar.bg.G), mix(bar.fg.B, bar.bg.B), 0xff})
		}
	}
	return out
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.NRGBA) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 0xff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

func TestTemplateIsBlackAndAlpha(t *testing.T) {
	for _, s := range states {
		img := Template(s, 32)
		opaque := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i] != 0 || img.Pix[i+1] != 0 || img.Pix[i+2] != 0 {
				t.Fatalf("%s: pixel %d is %v, not black", s, i/4, img.Pix[i:i+4])
			}
			if img.Pix[i+3] == 0xff {
				opaque++
			}
		}
		if opaque < 32*32/5 {
			t.Errorf("%s: only %d opaque pixels of %d", s, opaque, 32*32)
		}
	}
}

// TestTemplateReadsOnLightAndDarkBars composites each state's template on
// light and dark menu bars and checks the contrast of the glyph against the
// bar, and of the badge's sign against the badge. With
// AUWATCHD_ICON_PREVIEW=DIR it writes the composites there, to look at.
func TestTemplateReadsOnLightAndDarkBars(t *testing.T) {
	const size = 32 // the menu-bar icon: 16 points at twice the pixels
	at := func(u, v float64) (int, int) { return int((u + 1) / 2 * size), int((v + 1) / 2 * size) }
	preview := os.Getenv("AUWATCHD_ICON_PREVIEW")
	for _, s := range states {
		tmpl := Template(s, size)
		for _, bar := range menuBars {
			img := composite(tmpl, bar)
			bg := img.NRGBAAt(0, 0)
			// The cheek: face, clear of the eyes and mouth.
			cx, cy := at(-0.1, -0.6)
			if hasBadge(s) {
				cx, cy = at(badgedShift-0.1*badgedScale, badgedShift-0.6*badgedScale)
			}
			if c := contrast(img.NRGBAAt(cx, cy), bg); c < 4.5 {
				t.Errorf("%s on the %s bar: the face contrasts %.2f with the bar, want 4.5 or more", s, bar.name, c)
			}
			if hasBadge(s) {
				sign := img.NRGBAAt(at(badgeX+signProbe(s), badgeY))
				disc := img.NRGBAAt(at(badgeX, badgeY+badgeRadius-0.08))
				gap := img.NRGBAAt(at(badgeX-badgeRadius-badgeGap/2, badgeY))
				if c := contrast(sign, disc); c < 4.5 {
					t.Errorf("%s on the %s bar: the badge's sign contrasts %.2f with its disc, want 4.5 or more", s, bar.name, c)
				}
				if c := contrast(disc, gap); c < 4.5 {
					t.Errorf("%s on the %s bar: the badge contrasts %.2f with the ring around it, want 4.5 or more", s, bar.name, c)
				}
			}
			if preview != "" {
				writePreview(t, filepath.Join(preview, fmt.Sprintf("template-%s-%s.png", s, bar.name)), img)
			}
		}
	}
}

// signProbe is where, right of the badge's centre, its sign is cut out.
func signProbe(s State) float64 {
	if s == Paused {
		return 0.11
	}
	return 0
}

// TestTemplateStatesDiffer checks that no two states draw the same shape.
func TestTemplateStatesDiffer(t *testing.T) {
	for i, a := range states {
		for _, b := range states[i+1:] {
			x, y := Template(a, 32), Template(b, 32)
			differ := 0
			for p := 3; p < len(x.Pix); p += 4 {
				if math.Abs(float64(x.Pix[p])-float64(y.Pix[p])) > 0x80 {
					differ++
				}
			}
			if differ < 8 {
				t.Errorf("%s and %s differ in %d pixels only", a, b, differ)
			}
		}
	}
}

func writePreview(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
