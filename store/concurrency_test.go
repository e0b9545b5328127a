package store

import (
	"fmt"
	"sync"
	"testing"
)

// Two Store values stand for the daemon and the CLI (or two processes): the
// file's locks, not a mutex in Go, must keep them apart.
func TestConcurrentClaimsNeverShareAJob(t *testing.T) {
	const jobs, workers = 200, 8
	f := newFixture(t)
	stores := []*Store{f.s, openStore(t, f.dbPath)}
	for i := range jobs {
		f.enqueue(f.video(fmt.Sprintf("v%03d.mp4", i), fmt.Sprint(i)))
	}

	var mu sync.Mutex
	claimedBy := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for {
				j, err := s.Claim(f.ctx)
				if err != nil || j == nil {
					errs <- err
					return
				}
				mu.Lock()
				claimedBy[j.ID]++
				mu.Unlock()
				if err := s.Complete(f.ctx, j.ID, testResult(j.ID, 3, testAUNames[:2])); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(claimedBy) != jobs {
		t.Fatalf("%d jobs claimed, want %d", len(claimedBy), jobs)
	}
	for id, n := range claimedBy {
		if n != 1 {
			t.Errorf("job %d claimed %d times", id, n)
		}
	}
	st, err := f.s.Status(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts != (Counts{Done: jobs}) {
		t.Fatalf("counts %+v, want %d done", st.Counts, jobs)
	}
}

func TestConcurrentEnqueueCreatesOneJob(t *testing.T) {
	const workers = 8
	f := newFixture(t)
	stores := []*Store{f.s, openStore(t, f.dbPath)}
	v := f.video("a.mp4", "frames")
	var wg sync.WaitGroup
	created := make(chan bool, workers)
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			_, c, err := s.Enqueue(f.ctx, f.folder.ID, v)
			if err != nil {
				t.Error(err)
			}
			created <- c
		})
	}
	wg.Wait()
	close(created)
	n := 0
	for c := range created {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d enqueues created the job, want 1", n)
	}
}
