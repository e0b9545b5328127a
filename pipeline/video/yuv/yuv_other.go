//go:build !amd64 && !arm64

package yuv

// convertRowVector has no vector code on this processor: convertRow does
// every pixel.
func (t *Converter) convertRowVector(dst, y, u, v []uint8) int { return 0 }
