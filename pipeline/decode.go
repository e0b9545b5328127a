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
const queueDepth = 2

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

// startDecoder opens the video and decodes it in its own goroutine, on one
// locked OS thread, into a bounded channel. The channel closes at the end of
// the video, after an error, or when ctx is cancelled.
func startDecoder(ctx context.Context, path string) (<-chan decodedFrame, video.Info, error) {
	opened := make(chan error, 1)
	frames := make(chan decodedFrame, queueDepth)
	pool := make(chan *bgr.Image, queueDepth+3*stageDepth+3)
	for i := 0; i < cap(pool); i++ {
		pool <- &bgr.Image{}
	}
	var info video.Info
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(frames)
		rd, err := video.Open(path)
		if err != nil {
			opened <- err
			return
		}
		defer rd.Close()
		info = rd.Info
		opened <- nil
		decodeAll(ctx, rd, frames, pool)
	}()
	if err := <-opened; err != nil {
		return nil, info, err
	}
	return frames, info, nil
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
	ch, _, err := startDecoder(ctx, path)
	if err != nil {
		return 0, 0, err
	}
	for f := range ch {
		if f.err != nil {
			return frames, time.Since(start), f.err
		}
		frames++
		f.release()
	}
	return frames, time.Since(start), ctx.Err()
}
