package pipeline

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// testPool is a pool of bare workers that counts how many it made and let go.
func testPool(t *testing.T, limit int) (*pool, *atomic.Int32) {
	t.Helper()
	var made atomic.Int32
	p := newPool(limit, func(int) (*engine, error) {
		made.Add(1)
		return &engine{finder: &finder{}}, nil
	})
	t.Cleanup(p.close)
	return p, &made
}

func acquireOrFail(t *testing.T, p *pool) *engine {
	t.Helper()
	w, err := p.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// cannotAcquire checks that no worker is free within a short wait.
func cannotAcquire(t *testing.T, p *pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if w, err := p.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquired %v (%v) beyond the limit", w, err)
	}
}

func TestPoolMakesWorkersAsNeededUpToItsLimit(t *testing.T) {
	p, made := testPool(t, 2)
	a := acquireOrFail(t, p)
	if made.Load() != 1 {
		t.Fatalf("%d workers made for one video", made.Load())
	}
	b := acquireOrFail(t, p)
	cannotAcquire(t, p)
	p.release(a)
	if c := acquireOrFail(t, p); c != a || made.Load() != 2 {
		t.Errorf("a free worker was not reused: %d made", made.Load())
	}
	p.release(a)
	p.release(b)
}

func TestPoolLimitChangesWhileVideosRun(t *testing.T) {
	p, made := testPool(t, 2)
	a, b := acquireOrFail(t, p), acquireOrFail(t, p)
	p.setLimit(1)
	p.release(a)
	cannotAcquire(t, p) // a was let go: one worker, b, is busy
	p.release(b)
	acquired := acquireOrFail(t, p)
	if acquired != b || p.made != 1 {
		t.Errorf("after lowering the limit to 1: %d workers", p.made)
	}
	p.setLimit(3)
	c, d := acquireOrFail(t, p), acquireOrFail(t, p)
	cannotAcquire(t, p)
	if made.Load() != 4 {
		t.Errorf("%d workers made, want 4 (2, then 2 more after raising the limit)", made.Load())
	}
	for _, w := range []*engine{acquired, c, d} {
		p.release(w)
	}
}

func TestPoolCloseWaitsForRunningVideos(t *testing.T) {
	p, _ := testPool(t, 2)
	if err := p.fill(); err != nil || p.made != 2 {
		t.Fatalf("fill: %d workers, %v", p.made, err)
	}
	busy := acquireOrFail(t, p)
	closed := make(chan struct{})
	go func() {
		p.close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("close returned while a video was running")
	case <-time.After(50 * time.Millisecond):
	}
	p.release(busy)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("close did not return after the video ended")
	}
	if _, err := p.acquire(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("acquire after close: %v, want ErrClosed", err)
	}
}
