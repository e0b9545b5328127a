package pipeline

import (
	"context"

	"github.com/auwatchd/auwatchd/pipeline/pdm"
)

// stageDepth is how many frames may wait between two of the finder's
// goroutines and the AU stages.
const stageDepth = 1

// foundFrame is a decoded frame on its way through the finder to the AU
// stages. release returns both its buffers.
type foundFrame struct {
	decodedFrame
	face    foundFace
	findErr error
	lms     chan []float64
}

func (f foundFrame) release() {
	f.decodedFrame.release()
	f.lms <- f.face.lm
}

// failed reports whether the frame ends the video: a decoding or finding error.
func (f *foundFrame) failed() bool { return f.err != nil || f.findErr != nil }

// startFinder runs the finder's two steps on the decoded frames, each in its
// own goroutine: while the AU stages measure frame n, CLNF refines frame n+1
// and the tracker locates frame n+2. Each step sees the frames in order, so
// the results are those of doing everything on one goroutine. The channel
// closes after the last frame, after an error, or when ctx is cancelled;
// done closes when both goroutines have returned.
func (e *engine) startFinder(ctx context.Context, frames <-chan decodedFrame, opt Options) (found <-chan foundFrame, done <-chan struct{}) {
	lms := make(chan []float64, 3*stageDepth+3)
	for range cap(lms) {
		lms <- make([]float64, pdm.LandmarksLen)
	}
	located := make(chan foundFrame, stageDepth)
	locateDone := make(chan struct{})
	go func() {
		defer close(locateDone)
		defer close(located)
		i := 0
		for f := range frames {
			ff := foundFrame{decodedFrame: f, lms: lms}
			select {
			case ff.face.lm = <-lms:
			case <-ctx.Done():
				f.release()
				return
			}
			if f.err == nil {
				ff.findErr = e.locate(f.img, i, opt, &ff.face)
			}
			i++
			if !send(ctx, located, ff) || ff.failed() {
				return
			}
		}
	}()
	refined := make(chan foundFrame, stageDepth)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer func() { <-locateDone }()
		defer close(refined)
		for ff := range located {
			if !ff.failed() {
				ff.findErr = e.finder.refine(ff.img, &ff.face)
			}
			if !send(ctx, refined, ff) || ff.failed() {
				return
			}
		}
	}()
	return refined, finished
}

// send hands f on, or releases it and reports false once ctx is cancelled.
func send(ctx context.Context, ch chan<- foundFrame, f foundFrame) bool {
	select {
	case ch <- f:
		return true
	case <-ctx.Done():
		f.release()
		return false
	}
}
