package pipeline

import (
	"context"
	"sync"
)

// maxWorkers bounds Config.Workers and SetWorkers: beyond it the cores, not
// the workers, are what a machine runs short of.
const maxWorkers = 64

// pool holds an Engine's workers. It makes them as they are needed, up to
// its limit, and lets go of those over the limit as they come back, so the
// limit can change while videos are measured.
type pool struct {
	make func(workers int) (*engine, error) // a new worker, sized for a limit of workers
	idle chan *engine                       // the workers not measuring a video
	done chan struct{}                      // closed by close
	gone chan struct{}                      // a token each time a worker is let go

	mu     sync.Mutex
	made   int // workers in existence, idle or measuring
	limit  int
	closed bool
}

func newPool(limit int, makeWorker func(workers int) (*engine, error)) *pool {
	return &pool{make: makeWorker, idle: make(chan *engine, maxWorkers), done: make(chan struct{}),
		gone: make(chan struct{}, maxWorkers), limit: clampWorkers(limit)}
}

func clampWorkers(n int) int { return min(max(1, n), maxWorkers) }

// fill makes workers up to the limit, so that a model or network that
// cannot load fails at once rather than at the first video.
func (p *pool) fill() error {
	for {
		w, err := p.grow()
		if w == nil || err != nil {
			return err
		}
		p.idle <- w
	}
}

// setLimit changes how many workers may exist; those over a lower limit
// are let go once idle.
func (p *pool) setLimit(n int) {
	p.mu.Lock()
	p.limit = clampWorkers(n)
	p.mu.Unlock()
	for {
		select {
		case w := <-p.idle:
			if !p.retire(w) {
				p.idle <- w
				return
			}
		default:
			return
		}
	}
}

// acquire takes an idle worker, or makes one while there are fewer than
// the limit, or waits for one while ctx allows.
func (p *pool) acquire(ctx context.Context) (*engine, error) {
	for {
		select {
		case w := <-p.idle:
			if p.retire(w) {
				continue
			}
			return w, nil
		default:
		}
		if w, err := p.grow(); w != nil || err != nil {
			return w, err
		}
		select {
		case w := <-p.idle:
			if p.retire(w) {
				continue
			}
			return w, nil
		case <-p.done:
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release hands a worker back after its video.
func (p *pool) release(w *engine) { p.idle <- w }

// grow makes a worker when fewer than the limit exist; nil when not.
func (p *pool) grow() (*engine, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if p.made >= p.limit {
		p.mu.Unlock()
		return nil, nil
	}
	p.made++
	limit := p.limit
	p.mu.Unlock()
	w, err := p.make(limit)
	if err != nil {
		p.mu.Lock()
		p.made--
		p.mu.Unlock()
		return nil, err
	}
	return w, nil
}

// retire closes w when it is one too many, or the pool is closed, and says
// whether it did.
func (p *pool) retire(w *engine) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && p.made <= p.limit {
		return false
	}
	w.close()
	p.made--
	select {
	case p.gone <- struct{}{}:
	default: // tokens are waiting already; close wakes for them
	}
	return true
}

// close stops new videos and waits for the running ones, closing every
// worker as it comes back. A worker an acquire took meanwhile is let go
// there, which gone tells.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	for {
		p.mu.Lock()
		left := p.made
		p.mu.Unlock()
		if left == 0 {
			return
		}
		select {
		case w := <-p.idle:
			p.retire(w)
		case <-p.gone:
		}
	}
}
