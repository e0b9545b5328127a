package icon

import (
	"image"
	"image/color"
	"math"
)

// Template draws the face for s as a macOS template image: black, its shape
// in the alpha channel alone, which macOS paints in the menu bar's own
// colour, dark on a light bar and light on a dark one. Colour cannot carry
// the state there, so shape does: the mouth as in Image, and a badge in the
// lower right corner, a play sign while working, a pause sign when paused and
// an exclamation mark when a video needs attention, cut out of a disc and set
// apart from the face by a clear ring.
func Template(s State, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := sampled(x, y, size, func(u, v float64) bool { return inTemplate(s, u, v) })
			if c > 0 {
				img.SetNRGBA(x, y, color.NRGBA{A: uint8(math.Round(c * 0xff))})
			}
		}
	}
	return img
}

// hasBadge reports whether Template draws a badge for s.
func hasBadge(s State) bool { return s != Idle }

// Badge geometry in unit coordinates: a disc in the lower right corner,
// and the face, when badged, drawn smaller towards the upper left.
const (
	badgeX, badgeY = 0.56, 0.56
	badgeRadius    = 0.42
	badgeGap       = 0.12 // the clear ring between the badge and the face
	badgedScale    = 0.76
	badgedShift    = -0.22
)

func inTemplate(s State, u, v float64) bool {
	if !hasBadge(s) {
		return inFace(s, u, v)
	}
	d := math.Hypot(u-badgeX, v-badgeY)
	if d < badgeRadius {
		return !inBadgeSign(s, u-badgeX, v-badgeY)
	}
	if d < badgeRadius+badgeGap {
		return false
	}
	return inFace(s, (u-badgedShift)/badgedScale, (v-badgedShift)/badgedScale)
}

// inBadgeSign is the sign cut out of the badge, in coordinates centred on it.
func inBadgeSign(s State, u, v float64) bool {
	switch s {
	case Working:
		// A triangle pointing right.
		return u > -0.11 && u < 0.21 && math.Abs(v) < 0.21*(0.21-u)/0.32
	case Paused:
		// Two bars.
		return math.Abs(v) < 0.22 && math.Abs(math.Abs(u)-0.11) < 0.06
	}
	// An exclamation mark: a bar and a dot.
	return (math.Abs(u) < 0.065 && v > -0.27 && v < 0.07) || math.Hypot(u, v-0.19) < 0.075
}

// sampled is the fraction of pixel (x, y) inside a shape given in unit
// coordinates.
func sampled(x, y, size int, inside func(u, v float64) bool) float64 {
	n := 0
	for sy := range samples {
		for sx := range samples {
			// Unit coordinates: the disc is centred at 0 with radius 1.
			u := (float64(x)+(float64(sx)+0.5)/samples)/float64(size)*2 - 1
			v := (float64(y)+(float64(sy)+0.5)/samples)/float64(size)*2 - 1
			if inside(u, v) {
				n++
			}
		}
	}
	return float64(n) / (samples * samples)
}
