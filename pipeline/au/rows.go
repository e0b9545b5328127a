package au

// rowStore is a growable table of fixed-width rows kept in fixed-size chunks:
// memory grows with the rows actually added, nothing is copied when it grows,
// and reset keeps the chunks for the next video.
type rowStore[T float32 | float64] struct {
	width     int
	chunkRows int
	chunks    [][]T
	n         int
}

func newRowStore[T float32 | float64](width, chunkRows int) rowStore[T] {
	return rowStore[T]{width: width, chunkRows: chunkRows}
}

// add appends a row and returns it for the caller to fill; its previous
// content is undefined.
func (s *rowStore[T]) add() []T {
	c := s.n / s.chunkRows
	if c == len(s.chunks) {
		s.chunks = append(s.chunks, make([]T, s.width*s.chunkRows))
	}
	s.n++
	return s.row(s.n - 1)
}

// row returns row i (0 ≤ i < len) for reading or writing.
func (s *rowStore[T]) row(i int) []T {
	start := (i % s.chunkRows) * s.width
	return s.chunks[i/s.chunkRows][start : start+s.width : start+s.width]
}

func (s *rowStore[T]) len() int { return s.n }

func (s *rowStore[T]) reset() { s.n = 0 }
