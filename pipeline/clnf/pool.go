package clnf

import (
	"sync"
	"sync/atomic"
)

// responsePool computes the landmarks' response maps on a fixed set of
// goroutines: the caller and workers−1 helpers started once per Fitter.
// Landmarks are handed out one at a time through an atomic counter, so the
// maps are the same whatever the number of workers.
type responsePool struct {
	gray    grayFrame
	scratch []*patchScratch // [0] is the caller's, the rest one per helper
	wake    chan struct{}
	done    sync.WaitGroup
	next    atomic.Int64
	job     responseJob
	count   int // landmarks in job

	closeOnce sync.Once
	closed    bool
}

// responseJob is one part model's responses at one scale.
type responseJob struct {
	fitter                 *partFitter
	scale, viewIdx, window int
	a1, b1                 float32 // the reference-to-image similarity's first row
}

func newResponsePool(workers int) *responsePool {
	p := &responsePool{wake: make(chan struct{})}
	for i := range max(workers, 1) {
		s := newPatchScratch()
		p.scratch = append(p.scratch, s)
		if i > 0 {
			go p.help(s)
		}
	}
	return p
}

// run computes the responses of landmarks 0..count−1 for job and returns
// when all are done.
func (p *responsePool) run(job responseJob, count int) {
	p.job, p.count = job, count
	p.next.Store(0)
	helpers := len(p.scratch) - 1
	if p.closed {
		helpers = 0
	}
	p.done.Add(helpers)
	for range helpers {
		p.wake <- struct{}{}
	}
	p.drain(p.scratch[0])
	p.done.Wait()
}

// help is a helper goroutine's loop: one drain per wake-up until close.
func (p *responsePool) help(s *patchScratch) {
	for range p.wake {
		p.drain(s)
		p.done.Done()
	}
}

// drain takes landmarks from the counter until the job has none left.
func (p *responsePool) drain(s *patchScratch) {
	for {
		i := int(p.next.Add(1)) - 1
		if i >= p.count {
			return
		}
		p.job.fitter.landmarkResponse(i, &p.job, s)
	}
}

// close stops the helpers; later runs use the calling goroutine alone.
func (p *responsePool) close() {
	p.closeOnce.Do(func() {
		p.closed = true
		close(p.wake)
	})
}
