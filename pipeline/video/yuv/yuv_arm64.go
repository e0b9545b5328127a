package yuv

// yuvRowsNEON converts blocks·16 pixels of a row with NEON: the same
// arithmetic as convertRow, sixteen pixels at a time.
//
//go:noescape
func yuvRowsNEON(dst, y, u, v *uint8, blocks int, lanes *[laneConsts][8]int16)

// convertRowVector converts as many whole blocks of sixteen pixels of the
// row as it can and returns how many pixels it did.
func (t *Converter) convertRowVector(dst, y, u, v []uint8) int {
	blocks := len(y) / 16
	if blocks == 0 {
		return 0
	}
	_, _, _ = dst[blocks*48-1], u[blocks*8-1], v[blocks*8-1]
	yuvRowsNEON(&dst[0], &y[0], &u[0], &v[0], blocks, &t.lanes)
	return blocks * 16
}
