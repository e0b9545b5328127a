package pipeline

import (
	"context"
	"runtime"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/video"
)

// queueDepth is how many decoded frames may wait for the worker: enough to
// keep both busy, few enough that memory does not grow with the video.
const queueDepth = 4

// decodedFrame is one frame handed from the decoder to the worker. The
// worker calls release once it no longer needs img, returning the buffer.
type decodedFrame struct {
	img       *bgr.Image
	timestamp float64
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
	pool := make(chan *bgr.Image, queueDepth+2)
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
		ts, ok, err := rd.Next(img)
		if !ok && err == nil {
			return
		}
		select {
		case frames <- decodedFrame{img: img, timestamp: ts, err: err, pool: pool}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}
