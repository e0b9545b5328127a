package yuv

import "golang.org/x/sys/cpu"

// yuvRowsSSSE3 converts blocks·8 pixels of a row with SSSE3: the same
// arithmetic as convertRow, eight pixels at a time.
//
//go:noescape
func yuvRowsSSSE3(dst, y, u, v *uint8, blocks int, lanes *[laneConsts][8]int16, shuffles *[4][16]uint8)

// bgrShuffles interleave eight B, G (one register) and R values (another)
// into 24 bytes: the first 16 from each, then the last 8.
var bgrShuffles = func() (m [4][16]uint8) {
	for i := range 24 {
		k, lo := i/3, i < 16
		bg, r := &m[2], &m[3]
		if lo {
			bg, r = &m[0], &m[1]
		}
		j := i % 16
		bg[j], r[j] = 0x80, 0x80 // PSHUFB writes 0 for indexes with the top bit set
		switch i % 3 {
		case 0:
			bg[j] = uint8(k)
		case 1:
			bg[j] = uint8(8 + k)
		default:
			r[j] = uint8(k)
		}
	}
	for i := 8; i < 16; i++ {
		m[2][i], m[3][i] = 0x80, 0x80
	}
	return m
}()

// convertRowVector converts as many whole blocks of eight pixels of the
// row as it can and returns how many pixels it did.
func (t *Converter) convertRowVector(dst, y, u, v []uint8) int {
	blocks := len(y) / 8
	if !cpu.X86.HasSSSE3 || blocks == 0 {
		return 0
	}
	_, _, _ = dst[blocks*24-1], u[blocks*4-1], v[blocks*4-1]
	yuvRowsSSSE3(&dst[0], &y[0], &u[0], &v[0], blocks, &t.lanes, &bgrShuffles)
	return blocks * 8
}
