package video

import "github.com/auwatchd/auwatchd/pipeline/bgr"

// turn writes src turned clockwise by the given number of quarter turns
// (1–3) into dst. Pixel (x, y) of src lands at pixel c + x·ax + y·ay of
// dst. The copy goes tile by tile, so that the pixels of one destination
// row that a tile holds are written together while their cache lines are
// at hand.
func turn(dst, src *bgr.Image, quarters int) {
	w, h := src.W, src.H
	var c, ax, ay int
	switch quarters {
	case 1: // (x, y) → (h-1-y, x)
		dst.Reshape(h, w)
		c, ax, ay = h-1, h, -1
	case 2: // → (w-1-x, h-1-y)
		dst.Reshape(w, h)
		c, ax, ay = h*w-1, -1, -w
	default: // → (y, w-1-x)
		dst.Reshape(h, w)
		c, ax, ay = (w-1)*h, -h, 1
	}
	for y0 := 0; y0 < h; y0 += turnTile {
		y1 := min(y0+turnTile, h)
		for x0 := 0; x0 < w; x0 += turnTile {
			x1 := min(x0+turnTile, w)
			for y := y0; y < y1; y++ {
				row := src.Pix[y*w*3 : (y+1)*w*3]
				for x, d := x0, c+x0*ax+y*ay; x < x1; x, d = x+1, d+ax {
					p := dst.Pix[3*d : 3*d+3 : 3*d+3]
					p[0], p[1], p[2] = row[3*x], row[3*x+1], row[3*x+2]
				}
			}
		}
	}
}

const turnTile = 16
