package menubar

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// pixmapPNG encodes img for fyne.io/systray on Linux, whose conversion to
// the StatusNotifierItem's ARGB32 pixmap (argbForImage, v1.12.2) keeps the
// low byte of each 16-bit premultiplied channel that color.Color.RGBA
// returns. That byte is right only for opaque and clear pixels: the
// anti-aliased edge of an 8-bit image comes out in stray colours, cyan or
// white. Handing it an 8-bit, non-premultiplied image does not help, since
// RGBA premultiplies whatever the image type. So each pixel is stored in 16
// bits, non-premultiplied, with values chosen so that the premultiplied value
// systray computes holds the pixel's 8-bit non-premultiplied channel, which
// the pixmap wants, in its low byte, and is within 1/256 of the exact value
// in its high byte: a decoder that reads all 16 bits sees the same picture.
func pixmapPNG(img *image.NRGBA) ([]byte, error) {
	b := img.Bounds()
	wide := image.NewNRGBA64(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			wide.SetNRGBA64(x, y, lowByteCarrier(img.NRGBAAt(x, y)))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, wide); err != nil {
		return nil, fmt.Errorf("encode the tray icon: %w", err)
	}
	return buf.Bytes(), nil
}

// lowByteCarrier is the 16-bit colour whose premultiplied channels end in c's
// 8-bit non-premultiplied ones.
func lowByteCarrier(c color.NRGBA) color.NRGBA64 {
	if c.A == 0 {
		return color.NRGBA64{}
	}
	a := uint32(c.A) * 0x101
	channel := func(v uint8) uint16 {
		exact := uint32(v) * 0x101 * a / 0xffff
		target := exact&^0xff | uint32(v)
		if target > a {
			target -= 0x100
		}
		// The smallest value that premultiplies to target: RGBA computes
		// value*a/0xffff, which steps by less than one.
		return uint16((target*0xffff + a - 1) / a)
	}
	return color.NRGBA64{R: channel(c.R), G: channel(c.G), B: channel(c.B), A: uint16(a)}
}
