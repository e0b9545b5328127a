package detect

import "testing"

func TestMakePriors(t *testing.T) {
	priors := makePriors(InputSize)
	if len(priors) != numPriors {
		t.Fatalf("got %d priors for 640×640, want %d", len(priors), numPriors)
	}
	tests := []struct {
		name  string
		index int
		want  prior
	}{
		{"first: level 0, cell (0,0), size 16", 0, prior{4, 4, 16, 16}},
		{"second: same cell, size 32", 1, prior{4, 4, 32, 32}},
		{"level 0, row 0, column 1", 2, prior{12, 4, 16, 16}},
		{"level 0, row 1, column 0", 160, prior{4, 12, 16, 16}},
		{"first of level 1", 2 * 80 * 80, prior{8, 8, 64, 64}},
		{"first of level 2", 2 * (80*80 + 40*40), prior{16, 16, 256, 256}},
		{"last: level 2, cell (19,19), size 512", numPriors - 1, prior{624, 624, 512, 512}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := priors[tc.index]; got != tc.want {
				t.Errorf("prior %d = %+v, want %+v", tc.index, got, tc.want)
			}
		})
	}
}
