package landmarks

import (
	"fmt"
	"math"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/detect"
	"github.com/auwatchd/auwatchd/pipeline/resample"
)

// cropFactor enlarges the box's longer side into the crop's side (spec §2.1;
// erratum 7 finds 1.0 to 1.2 equally good).
const cropFactor = 1.1

// maxCoordinate bounds the box corners accepted, far beyond any video frame,
// so that the integer crop arithmetic cannot overflow.
const maxCoordinate = 1 << 24

// crop is the square part of the frame the network sees: its top-left
// corner and side in frame pixels. It may reach outside the frame, where it
// is black.
type crop struct {
	x1, y1, size int
}

// squareCrop returns the square crop around a face box (spec §2.1): the box
// corners truncated to integers, the longer side enlarged by the crop
// factor, centred on the truncated centre of the box.
func squareCrop(b detect.Box) (crop, error) {
	for _, v := range []float64{b.X1, b.Y1, b.X2, b.Y2} {
		if math.IsNaN(v) || math.Abs(v) > maxCoordinate {
			return crop{}, fmt.Errorf("locate landmarks: the face box %+v has a corner that is not a pixel position", b)
		}
	}
	x1, y1, x2, y2 := int(b.X1), int(b.Y1), int(b.X2), int(b.Y2)
	w, h := x2-x1, y2-y1
	if w <= 0 || h <= 0 {
		return crop{}, fmt.Errorf("locate landmarks: the face box %+v is empty", b)
	}
	size := int(float64(max(w, h)) * cropFactor)
	cx := int(float64(x1) + float64(w)/2)
	cy := int(float64(y1) + float64(h)/2)
	return crop{x1: cx - size/2, y1: cy - size/2, size: size}, nil
}

// fillInput writes the crop, scaled to 112×112, as RGB in [0, 1] into the
// direct session's input and its mirror image into the mirror session's
// (spec §2.2, erratum 7). The crop is scaled as OpenCV's INTER_LINEAR scales
// the crop once padded with black to its full size.
func (l *Locator) fillInput(img *bgr.Image, c crop) {
	const plane = InputSize * InputSize
	scale := float64(c.size) / InputSize
	resample.LinearTaps(l.xTaps[:], c.size, scale, resample.Columns)
	resample.LinearTaps(l.yTaps[:], c.size, scale, resample.Rows)
	for x, tx := range l.xTaps {
		l.columns[x] = [2]int{byteOffset(c.x1+tx.Index0, img.W), byteOffset(c.x1+tx.Index1, img.W)}
	}
	direct, mirror := l.direct.Input(0)[:3*plane], l.mirror.Input(0)[:3*plane]
	for y, ty := range l.yTaps {
		top, bottom := frameRow(img, c.y1+ty.Index0), frameRow(img, c.y1+ty.Index1)
		for x := range l.xTaps {
			tx := l.xTaps[x] // ranging over the array by value would copy it for every row
			left, right := l.columns[x][0], l.columns[x][1]
			tl, tr := pixel(top, left), pixel(top, right)
			bl, br := pixel(bottom, left), pixel(bottom, right)
			at, mirrored := y*InputSize+x, y*InputSize+InputSize-1-x
			for ch := range 3 {
				src := 2 - ch // RGB from BGR
				upper := resample.BlendColumns(tl[src], tr[src], tx)
				lower := resample.BlendColumns(bl[src], br[src], tx)
				v := float32(resample.BlendRows(upper, lower, ty)) / 255
				direct[ch*plane+at] = v
				mirror[ch*plane+mirrored] = v
			}
		}
	}
}

// byteOffset returns where column x starts in a row w pixels wide, or −1
// outside the frame.
func byteOffset(x, w int) int {
	if x < 0 || x >= w {
		return -1
	}
	return 3 * x
}

// frameRow returns row y of the frame, or nil outside it.
func frameRow(img *bgr.Image, y int) []uint8 {
	if y < 0 || y >= img.H {
		return nil
	}
	return img.Pix[y*img.W*3 : (y+1)*img.W*3]
}

// pixel returns the BGR values at a byte offset of a row, black outside the frame.
func pixel(row []uint8, offset int) [3]uint8 {
	if row == nil || offset < 0 {
		return [3]uint8{}
	}
	return [3]uint8(row[offset : offset+3])
}
