package detect

import (
	"cmp"
	"math"
	"slices"
)

const (
	// scoreThreshold is the face probability a candidate must exceed (spec §1.5).
	scoreThreshold = 0.5
	// overlapThreshold is the IoU above which a less confident box is dropped (spec §1.5).
	overlapThreshold = 0.4
	// The regression variances of the "mobilenet0.25" configuration (spec §1.3).
	centreVariance = 0.1
	sizeVariance   = 0.2
)

// decodeFaces appends to faces every anchor whose face probability exceeds the
// threshold, with its box and five points decoded into input pixels (spec
// §1.4), most confident first. The probabilities are already softmaxed by the
// network (erratum 1), so column 1 is used as it is.
func decodeFaces(faces []Face, priors []prior, loc, conf, points []float32) []Face {
	for i, p := range priors {
		score := float64(conf[2*i+1])
		if score <= scoreThreshold {
			continue
		}
		faces = append(faces, Face{
			Box:    decodeBox(p, loc[4*i:4*i+4]),
			Score:  score,
			Points: decodePoints(p, points[10*i:10*i+10]),
		})
	}
	slices.SortStableFunc(faces, func(a, b Face) int { return cmp.Compare(b.Score, a.Score) })
	return faces
}

// decodeBox turns an anchor's regression into box corners (spec §1.4).
func decodeBox(p prior, r []float32) Box {
	cx := p.cx + float64(r[0])*centreVariance*p.w
	cy := p.cy + float64(r[1])*centreVariance*p.h
	w := p.w * math.Exp(float64(r[2])*sizeVariance)
	h := p.h * math.Exp(float64(r[3])*sizeVariance)
	x1, y1 := cx-w/2, cy-h/2
	return Box{X1: x1, Y1: y1, X2: x1 + w, Y2: y1 + h}
}

// decodePoints turns an anchor's five-point regression into points (spec §1.4).
func decodePoints(p prior, r []float32) [5][2]float64 {
	var pts [5][2]float64
	for q := range pts {
		pts[q][0] = p.cx + float64(r[2*q])*centreVariance*p.w
		pts[q][1] = p.cy + float64(r[2*q+1])*centreVariance*p.h
	}
	return pts
}

// toFramePixels maps boxes and points from the letterboxed input back to the
// frame: the padding is right and bottom only, so dividing by the resize
// factor is the whole mapping (erratum 1).
func toFramePixels(faces []Face, scale float64) {
	for i := range faces {
		f := &faces[i]
		f.Box = Box{X1: f.Box.X1 / scale, Y1: f.Box.Y1 / scale, X2: f.Box.X2 / scale, Y2: f.Box.Y2 / scale}
		for q := range f.Points {
			f.Points[q][0] /= scale
			f.Points[q][1] /= scale
		}
	}
}

// suppressOverlaps keeps, in descending score order, each face whose IoU with
// every face kept before it is at most the threshold (greedy NMS, spec §1.5).
// It works in place on faces, which must be sorted most confident first. It
// runs on frame pixels, where the "+1" of the convention refers to the
// frame's pixels as it did when the detector was fed whole frames.
func suppressOverlaps(faces []Face) []Face {
	kept := faces[:0]
	for _, f := range faces {
		if !overlapsAny(kept, f.Box) {
			kept = append(kept, f)
		}
	}
	return kept
}

func overlapsAny(kept []Face, b Box) bool {
	for _, k := range kept {
		if overlap(k.Box, b) > overlapThreshold {
			return true
		}
	}
	return false
}

// overlap is the intersection over union of two boxes with the Fast R-CNN
// "+1" convention: a box covers the pixels X1..X2 inclusive (spec §1.5).
func overlap(a, b Box) float64 {
	iw := max(0, min(a.X2, b.X2)-max(a.X1, b.X1)+1)
	ih := max(0, min(a.Y2, b.Y2)-max(a.Y1, b.Y1)+1)
	inter := iw * ih
	areaA := (a.X2 - a.X1 + 1) * (a.Y2 - a.Y1 + 1)
	areaB := (b.X2 - b.X1 + 1) * (b.Y2 - b.Y1 + 1)
	return inter / (areaA + areaB - inter)
}
