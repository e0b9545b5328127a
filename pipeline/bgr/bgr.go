// Package bgr holds the 8-bit, 3-channel image type that the pipeline stages
// pass between them. Pixels are stored in OpenCV's BGR order, row-major, with
// no padding between rows, so a decoded gocv.Mat can be viewed without copying.
package bgr

// Image is a W×H BGR image; the pixel (x, y) starts at Pix[(y*W+x)*3].
type Image struct {
	W, H int
	Pix  []uint8
}

// New allocates a black W×H image.
func New(w, h int) *Image {
	return &Image{W: w, H: h, Pix: make([]uint8, w*h*3)}
}

// At returns the blue, green and red values of pixel (x, y).
func (m *Image) At(x, y int) (b, g, r uint8) {
	i := (y*m.W + x) * 3
	return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
}
