package icon

import (
	"bytes"
	"image/png"
	"testing"
)

func TestImageDrawsAFaceInTheStateColour(t *testing.T) {
	const size = 64
	for _, s := range []State{Idle, Working, Paused, Attention} {
		t.Run(s.String(), func(t *testing.T) {
			img := Image(s, size)
			want := Colour(s)
			pixel := func(unit float64) int { return int((unit + 1) / 2 * size) }
			checks := []struct {
				name  string
				x, y  int
				alpha uint8
			}{
				{"corner is transparent", 0, 0, 0},
				{"cheek is the state colour", size / 2, size / 8, 0xff},
				{"left eye is cut out", pixel(-eyeX), pixel(eyeY), 0},
				{"right eye is cut out", pixel(eyeX), pixel(eyeY), 0},
			}
			for _, c := range checks {
				got := img.NRGBAAt(c.x, c.y)
				if got.A != c.alpha {
					t.Errorf("%s: alpha %d at (%d,%d), want %d", c.name, got.A, c.x, c.y, c.alpha)
				}
				if got.A != 0 && (got.R != want.R || got.G != want.G || got.B != want.B) {
					t.Errorf("%s: colour %v, want %v", c.name, got, want)
				}
			}
		})
	}
}

func TestMouthShowsTheState(t *testing.T) {
	const size = 200
	// Where the mouth's stroke crosses the centre line, per state: a smile
	// dips, a frown rises, a paused face is straight.
	mouthRow := func(s State) int {
		img := Image(s, size)
		for y := size / 2; y < size; y++ {
			if img.NRGBAAt(size/2, y).A == 0 {
				return y
			}
		}
		t.Fatalf("%s: no mouth on the centre line", s)
		return 0
	}
	smile, straight, frown := mouthRow(Idle), mouthRow(Paused), mouthRow(Attention)
	if !(frown < straight && straight < smile) {
		t.Errorf("mouth rows: frown %d, straight %d, smile %d; want frown above straight above smile", frown, straight, smile)
	}
}

func TestPNGDecodesAtTheAskedSize(t *testing.T) {
	for _, size := range []int{16, 32, 1024} {
		data, err := PNG(Working, size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("size %d: got %v", size, b)
		}
	}
}

func TestStatesHaveDistinctColours(t *testing.T) {
	seen := map[[3]uint8]State{}
	for _, s := range []State{Idle, Working, Paused, Attention} {
		c := Colour(s)
		key := [3]uint8{c.R, c.G, c.B}
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s share the colour %v", s, other, c)
		}
		seen[key] = s
	}
}
