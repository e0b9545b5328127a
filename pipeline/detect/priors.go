package detect

import "sync"

// InputSize is the side of RetinaFace's square input (erratum 1).
const InputSize = 640

// The anchor layout of the "mobilenet0.25" configuration (spec §1.3).
var (
	priorSteps    = [3]int{8, 16, 32}
	priorMinSizes = [3][2]float64{{16, 32}, {64, 128}, {256, 512}}
)

// numPriors is the anchor count for a 640×640 input: (80² + 40² + 20²)·2.
const numPriors = 16800

// prior is one anchor box in input pixels: its centre and its size.
type prior struct {
	cx, cy, w, h float64
}

// inputPriors are the anchors of the network's input, which every Detector
// reads and none writes.
var inputPriors = sync.OnceValue(func() []prior { return makePriors(InputSize) })

// makePriors generates the anchors of a side×side input in the order of the
// network's outputs: level, row, column, then the level's two sizes (spec
// §1.3). They are kept in input pixels rather than normalised to [0, 1],
// which spares the multiplication by the input size when decoding.
func makePriors(side int) []prior {
	var priors []prior
	for level, step := range priorSteps {
		cells := (side + step - 1) / step
		for row := range cells {
			for col := range cells {
				for _, size := range priorMinSizes[level] {
					priors = append(priors, prior{
						cx: (float64(col) + 0.5) * float64(step),
						cy: (float64(row) + 0.5) * float64(step),
						w:  size,
						h:  size,
					})
				}
			}
		}
	}
	return priors
}
