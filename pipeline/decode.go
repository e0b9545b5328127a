package pipeline

import (
	"context"
	"runtime"
	"time"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/video"
)

// queueDepth is how many decoded frames may wait for the worker: enough to
// keep both busy, few enough that memory does not grow with the video.
const queueDepth = 1

// decodedFrame is one frame handed from the decoder to the worker. The
// worker calls release once it no longer needs img, returning the buffer.
type decodedFrame struct {
	img       *bgr.Image
	timestamp float64
	decoding  time.Duration // time spent decoding this frame
	err       error
	pool      chan *bgr.Image
}

func (f decodedFrame) release() { f.pool <- f.img }

// frameBuffers is how many decoded frames can be in flight: one being
// decoded, the decoder's queue, and one waiting and one in work at each of
// the finder's two steps and the AU stages.
const frameBuffers = 1 + queueDepth + 3*(stageDepth+1)

// spareFrames keeps frame buffers from one video for the next, so that
// decoding video after video reuses the same memory. Each worker has its
// own, used by one video at a time.
type spareFrames struct {
	imgs []*bgr.Image
}

// newPool fills a pool with frameBuffers buffers, spare ones first.
func (s *spareFrames) newPool() chan *bgr.Image {
	pool := make(chan *bgr.Image, frameBuffers)
	for range frameBuffers {
		img := &bgr.Image{}
		if n := len(s.imgs); n > 0 {
			img, s.imgs = s.imgs[n-1], s.imgs[:n-1]
		}
		pool <- img
	}
	return pool
}

// keep moves the buffers back in pool to the spares.
func (s *spareFrames) keep(pool chan *bgr.Image) {
	for len(s.imgs) < frameBuffers {
		select {
		case img := <-pool:
			s.imgs = append(s.imgs, img)
		default:
			return
		}
	}
}

// startDecoder opens the video and decodes it in its own goroutine, on one
// locked OS thread, into a bounded channel. The channel closes at the end of
// the video, after an error, or when ctx is cancelled. Once every frame is
// released, recycle keeps the buffers in spares for the next video.
func startDecoder(ctx context.Context, path string, spares *spareFrames) (frames <-chan decodedFrame, info video.Info, recycle func(), err error) {
	opened := make(chan error, 1)
	out := make(chan decodedFrame, queueDepth)
	pool := spares.newPool()
	recycle = func() { spares.keep(pool) }
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(out)
		rd, err := video.Open(path)
		if err != nil {
			opened <- err
			return
		}
		defer rd.Close()
		info = rd.Info
		opened <- nil
		decodeAll(ctx, rd, out, pool)
	}()
	if err := <-opened; err != nil {
		recycle()
		return nil, info, nil, err
	}
	return out, info, recycle, nil
}

func decodeAll(ctx context.Context, rd *video.Reader, frames chan<- decodedFrame, pool chan *bgr.Image) {
	for {
		var img *bgr.Image
		select {
		case img = <-pool:
		case <-ctx.Done():
			return
		}
		start := time.Now()
		ts, ok, err := rd.Next(img)
		if !ok && err == nil {
			return
		}
		select {
		case frames <- decodedFrame{img: img, timestamp: ts, decoding: time.Since(start), err: err, pool: pool}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// DecodeOnly decodes every frame of a video and nothing else: the ceiling
// no full pass over the same file can beat.
func DecodeOnly(ctx context.Context, path string) (frames int, wall time.Duration, err error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, _, recycle, err := startDecoder(ctx, path, &spareFrames{})
	if err != nil {
		return 0, 0, err
	}
	defer recycle()
	for f := range ch {
		if f.err != nil {
			return frames, time.Since(start), f.err
		}
		frames++
		f.release()
	}
	return frames, time.Since(start), ctx.Err()
}
