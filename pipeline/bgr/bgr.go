// Package bgr holds the 8-bit, 3-channel image type that the pipeline stages
// pass between them. Pixels are stored in BGR order (OpenCV's, which OpenFace
// reads frames in), row-major, with no padding between rows.
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

// Reshape makes m a W×H image, keeping its pixel memory when it is large
// enough; the pixels' values are then undefined.
func (m *Image) Reshape(w, h int) {
	n := w * h * 3
	if cap(m.Pix) < n {
		m.Pix = make([]uint8, n)
	}
	m.W, m.H, m.Pix = w, h, m.Pix[:n]
}

// At returns the blue, green and red values of pixel (x, y).
func (m *Image) At(x, y int) (b, g, r uint8) {
	i := (y*m.W + x) * 3
	return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
}
