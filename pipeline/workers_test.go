package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testvideo"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
)

// TestWorkersMatchOneAtATime measures three short videos on two workers at
// once and one after another on a single worker: every CSV must be the
// same byte for byte, and the third video waits for a free worker.
func TestWorkersMatchOneAtATime(t *testing.T) {
	videos := []string{"videos/changeLighting.wmv", "videos/subj01_timepoint01.mp4", "videos/subj02_timepoint01.mp4"}
	for i, v := range videos {
		videos[i] = testenv.TestdataPath(t, v)
	}
	models := filepath.Join(testenv.RepoRoot(t), "models")
	rt := testvideo.Runtime(t)

	one := newEngineForTest(t, Config{ModelDir: models, Runtime: rt})
	sequential := t.TempDir()
	for _, v := range videos {
		if _, err := one.Process(context.Background(), v, OutputPath(v, sequential), Options{}, nil); err != nil {
			t.Fatal(err)
		}
	}

	two := newEngineForTest(t, Config{ModelDir: models, Runtime: rt, Workers: 2})
	concurrent := t.TempDir()
	var wg sync.WaitGroup
	for _, v := range videos {
		wg.Go(func() {
			if _, err := two.Process(context.Background(), v, OutputPath(v, concurrent), Options{}, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, v := range videos {
		if !bytes.Equal(mustRead(t, OutputPath(v, sequential)), mustRead(t, OutputPath(v, concurrent))) {
			t.Errorf("%s: the CSV measured beside other videos differs from the one measured alone", filepath.Base(v))
		}
	}
}

// TestWaitingForAWorker holds the only worker busy: a call whose context
// ends while it waits fails with the context's error and writes nothing,
// and calls after Close fail with ErrClosed.
func TestWaitingForAWorker(t *testing.T) {
	e := newEngineForTest(t, Config{ModelDir: filepath.Join(testenv.RepoRoot(t), "models")})
	track, err := csvout.ReadTrack(testenv.TestdataPath(t, "reference/openface-2.2-clnf/changeLighting.csv"))
	if err != nil {
		t.Fatal(err)
	}
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	busy, release := make(chan struct{}), make(chan struct{})
	first := make(chan error)
	go func() {
		var once sync.Once
		_, err := e.Process(context.Background(), video, OutputPath(video, t.TempDir()), Options{Track: track}, func(Progress) {
			once.Do(func() {
				close(busy)
				<-release
			})
		})
		first <- err
	}()
	<-busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err = e.Process(ctx, video, OutputPath(video, dir), Options{Track: track}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want the context's error while waiting for a worker, got %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left by a call that never started: %v", left)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	e.Close()
	if _, err := e.Process(context.Background(), video, OutputPath(video, dir), Options{Track: track}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("want ErrClosed after Close, got %v", err)
	}
}

func newEngineForTest(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
