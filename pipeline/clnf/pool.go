package clnf

import (
	"sync"
	"sync/atomic"
)

// workPool runs a job's tasks on a fixed set of goroutines: the caller and
// workers−1 helpers started once per Fitter. Tasks are handed out one at a
// time through an atomic counter and each gets the buffers of the goroutine
// running it, so the results are the same whatever the number of workers.
// The tasks are the landmarks' patch responses of one fit, or the part
// models' fits.
type workPool struct {
	scratch []*patchScratch // [0] is the caller's, the rest one per helper
	wake    chan struct{}
	done    sync.WaitGroup
	next    atomic.Int64
	task    func(i int, s *patchScratch)
	count   int

	closeOnce sync.Once
	closed    bool
}

func newWorkPool(workers int) *workPool {
	p := &workPool{wake: make(chan struct{})}
	for i := range max(workers, 1) {
		s := newPatchScratch()
		p.scratch = append(p.scratch, s)
		if i > 0 {
			go p.help(s)
		}
	}
	return p
}

// run calls task for 0..count−1 and returns when all calls are done. task
// must not call run.
func (p *workPool) run(count int, task func(i int, s *patchScratch)) {
	p.task, p.count = task, count
	p.next.Store(0)
	helpers := min(len(p.scratch)-1, count-1)
	if p.closed {
		helpers = 0
	}
	p.done.Add(helpers)
	for range helpers {
		p.wake <- struct{}{}
	}
	p.drain(p.scratch[0])
	p.done.Wait()
	p.task = nil // the helpers outlive a dropped Fitter; keep them from holding it
}

// help is a helper goroutine's loop: one drain per wake-up until close.
func (p *workPool) help(s *patchScratch) {
	for range p.wake {
		p.drain(s)
		p.done.Done()
	}
}

// drain takes tasks from the counter until the job has none left.
func (p *workPool) drain(s *patchScratch) {
	for {
		i := int(p.next.Add(1)) - 1
		if i >= p.count {
			return
		}
		p.task(i, s)
	}
}

// close stops the helpers; later runs use the calling goroutine alone.
func (p *workPool) close() {
	p.closeOnce.Do(func() {
		p.closed = true
		close(p.wake)
	})
}
