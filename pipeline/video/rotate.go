package video

import "github.com/auwatchd/auwatchd/pipeline/bgr"

// turn writes src turned clockwise by the given number of quarter turns
// (1–3) into dst.
func turn(dst, src *bgr.Image, quarters int) {
	w, h := src.W, src.H
	if quarters%2 == 1 {
		dst.Reshape(h, w)
	} else {
		dst.Reshape(w, h)
	}
	for y := range h {
		for x := range w {
			var dx, dy int
			switch quarters {
			case 1:
				dx, dy = h-1-y, x
			case 2:
				dx, dy = w-1-x, h-1-y
			default:
				dx, dy = y, w-1-x
			}
			s, d := (y*w+x)*3, (dy*dst.W+dx)*3
			copy(dst.Pix[d:d+3], src.Pix[s:s+3])
		}
	}
}
