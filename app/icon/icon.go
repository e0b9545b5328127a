// Package icon draws auwatchd's face glyph, the menu-bar icon and the app
// icon alike, as PNG images made in code. The face's colour and mouth tell the
// daemon's state at a glance: idle, working, paused, or needing attention.
package icon

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// State is what the icon shows.
type State int

// The states, in increasing order of urgency.
const (
	Idle State = iota
	Working
	Paused
	Attention
)

func (s State) String() string {
	switch s {
	case Idle:
		return "idle"
	case Working:
		return "working"
	case Paused:
		return "paused"
	case Attention:
		return "attention"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Colour is the face's fill for a state: grey at rest, blue at work, amber
// when paused, red when a video failed.
func Colour(s State) color.NRGBA {
	switch s {
	case Working:
		return color.NRGBA{R: 0x25, G: 0x63, B: 0xeb, A: 0xff}
	case Paused:
		return color.NRGBA{R: 0xd9, G: 0x77, B: 0x06, A: 0xff}
	case Attention:
		return color.NRGBA{R: 0xdc, G: 0x26, B: 0x26, A: 0xff}
	}
	return color.NRGBA{R: 0x6b, G: 0x72, B: 0x80, A: 0xff}
}

// samples is how many sub-pixel samples per axis smooth the glyph's edges.
const samples = 4

// Image draws the face for s in a size×size square with a transparent
// background; the eyes and mouth are cut out of the disc.
func Image(s State, size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	fill := Colour(s)
	for y := range size {
		for x := range size {
			c := coverage(s, x, y, size)
			if c > 0 {
				img.SetNRGBA(x, y, color.NRGBA{R: fill.R, G: fill.G, B: fill.B, A: uint8(math.Round(c * float64(fill.A)))})
			}
		}
	}
	return img
}

// PNG returns Image(s, size) encoded as PNG.
func PNG(s State, size int) ([]byte, error) {
	return encode(s, Image(s, size))
}

// TemplatePNG returns Template(s, size) encoded as PNG.
func TemplatePNG(s State, size int) ([]byte, error) {
	return encode(s, Template(s, size))
}

func encode(s State, img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode the %s icon: %w", s, err)
	}
	return buf.Bytes(), nil
}

// coverage is the fraction of pixel (x, y) that the glyph covers.
func coverage(s State, x, y, size int) float64 {
	return sampled(x, y, size, func(u, v float64) bool { return inFace(s, u, v) })
}

// Glyph geometry in unit coordinates (y grows downwards).
const (
	faceRadius  = 0.94
	eyeX, eyeY  = 0.34, -0.28
	eyeRadius   = 0.14
	mouthHalf   = 0.42 // half the mouth's width
	mouthY      = 0.30
	mouthStroke = 0.09 // half the stroke's thickness
	mouthBend   = 0.22 // how far a smile's middle dips below its corners
)

func inFace(s State, u, v float64) bool {
	if math.Hypot(u, v) > faceRadius {
		return false
	}
	if math.Hypot(math.Abs(u)-eyeX, v-eyeY) < eyeRadius {
		return false
	}
	return !inMouth(s, u, v)
}

// inMouth draws a smile, a straight mouth when paused, and a frown when a
// video needs attention, as a parabola stroke with round ends.
func inMouth(s State, u, v float64) bool {
	bend := mouthBend
	switch s {
	case Paused:
		bend = 0
	case Attention:
		bend = -mouthBend
	}
	centre := func(t float64) float64 { return mouthY + bend*(1-(t/mouthHalf)*(t/mouthHalf)) - bend/2 }
	t := math.Max(-mouthHalf, math.Min(mouthHalf, u))
	return math.Hypot(u-t, v-centre(t)) < mouthStroke
}
