// Package video decodes video files into BGR frames with their presentation
// times, with FFmpeg's libraries, and turns frames that a phone recorded on
// its side upright as players show them. It converts 4:2:0 YUV to BGR
// itself, with the arithmetic that OpenCV's FFmpeg backend (and so OpenFace)
// gets on x86-64, so that every processor sees the same frames. It checks up
// front that a file is a video it can decode, so a bad file fails with a
// plain reason, not garbage.
package video

import (
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/video/yuv"
)

// Info describes an opened video.
type Info struct {
	Width, Height int     // of the frames Next gives, upright
	FPS           float64 // from the container; 30 when it does not say
	Frames        int     // as the container reports it; 0 when unknown
}

// Reader yields the frames of one video in order.
type Reader struct {
	path     string
	dec      *decoder
	Info     Info
	timeBase float64   // seconds per unit of the stream's timestamps
	turns    int       // quarter turns clockwise that make a frame upright
	sideways bgr.Image // a frame before it is turned upright

	index   int  // the frame the next call of Next gives, from 0
	pending bool // the decoder holds that frame already (after a seek)
	// inOrder holds the presentation times of frames 0, 1, … as decoded in
	// order from the first, up to the first without one; ordered says the
	// decoder is still on that path (a seek far ahead leaves it).
	inOrder []int64
	ordered bool
	last    float64 // the previous frame's timestamp
}

// ErrNotVideo is wrapped by Open's error when the file holds no decodable video.
var ErrNotVideo = errors.New("not a video that can be decoded")

// Open opens path and reads nothing yet beyond the container's header.
func Open(path string) (*Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open video %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("open video %s: it is a folder, not a file", path)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("open video %s: the file is empty: %w", path, ErrNotVideo)
	}
	dec, err := openDecoder(path, 0)
	if err != nil {
		return nil, fmt.Errorf("open video %s: %w (FFmpeg: %v)", path, ErrNotVideo, err)
	}
	r := &Reader{path: path, dec: dec, ordered: true}
	r.describe()
	if r.Info.Width <= 0 || r.Info.Height <= 0 {
		r.Close()
		return nil, fmt.Errorf("open video %s: the video stream has no picture size: %w", path, ErrNotVideo)
	}
	return r, nil
}

// describe fills Info the way OpenCV's FFmpeg backend reports a video.
func (r *Reader) describe() {
	in := r.dec.info
	r.timeBase = ratio(int(in.tb_num), int(in.tb_den))
	fps := ratio(int(in.fps_num), int(in.fps_den))
	if fps <= 0 && r.timeBase > 0 {
		fps = 1 / r.timeBase
	}
	frames := int(in.frames)
	if frames <= 0 {
		frames = int(math.Floor(float64(in.duration)*fps + 0.5))
	}
	if fps <= 0 || fps > 1000 {
		fps = 30
	}
	r.turns = quarterTurns(float64(in.rotation))
	w, h := int(in.width), int(in.height)
	if r.turns%2 == 1 {
		w, h = h, w
	}
	r.Info = Info{Width: w, Height: h, FPS: fps, Frames: max(frames, 0)}
}

func ratio(num, den int) float64 {
	if num == 0 || den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// quarterTurns is how many quarter turns clockwise undo a display matrix's
// counter-clockwise rotation, as FFmpeg's own player does; angles that are
// not a multiple of 90° are left alone.
func quarterTurns(degrees float64) int {
	a := int(math.Round(-degrees))
	a = (a%360 + 360) % 360
	if a%90 != 0 {
		return 0
	}
	return a / 90
}

// Next decodes the next frame into img (resized as needed) and returns its
// timestamp in seconds. It returns false at the end of the video.
func (r *Reader) Next(img *bgr.Image) (float64, bool, error) {
	if err := r.advance(); err != nil {
		switch {
		case err == errEnd && r.index == 0:
			return 0, false, fmt.Errorf("decode %s: no frame could be decoded: %w", r.path, ErrNotVideo)
		case err == errEnd:
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("decode %s: frame %d: %v", r.path, r.index+1, err)
	}
	ts := r.timestamp()
	r.index++
	if err := r.convert(img); err != nil {
		return 0, false, fmt.Errorf("decode %s: frame %d: %v", r.path, r.index, err)
	}
	return ts, true, nil
}

// advance makes the decoder hold frame r.index.
func (r *Reader) advance() error {
	if r.pending {
		r.pending = false
		return nil
	}
	if err := r.dec.next(); err != nil {
		return err
	}
	if r.ordered && r.index == len(r.inOrder) {
		pts, ok := r.dec.pts()
		if r.ordered = ok; ok {
			r.inOrder = append(r.inOrder, pts)
		}
	}
	return nil
}

// timestamp returns the presentation time of the frame the decoder holds,
// relative to the first frame's, so variable-frame-rate videos get their
// true times. Frames without a usable time follow the previous one by 1/fps.
func (r *Reader) timestamp() float64 {
	if r.index == 0 {
		r.last = 0
		return 0
	}
	ts := math.Inf(-1)
	if pts, ok := r.dec.pts(); ok && len(r.inOrder) > 0 && r.timeBase > 0 {
		ts = float64(pts-r.inOrder[0]) * r.timeBase
	}
	if !(ts > r.last) {
		ts = r.last + 1/r.Info.FPS
	}
	r.last = ts
	return ts
}

// convert writes the frame the decoder holds into img, upright.
func (r *Reader) convert(img *bgr.Image) error {
	dst := img
	if r.turns != 0 {
		dst = &r.sideways
	}
	dst.Reshape(r.dec.size())
	if f, fullRange, ok := r.dec.yuv420(); ok {
		conv := yuv.Limited
		if fullRange {
			conv = yuv.Full
		}
		conv.Convert(dst, f.data[0], f.data[1], f.data[2], f.strides[0], f.strides[1])
	} else if err := r.dec.scale(dst); err != nil {
		return err
	}
	if r.turns != 0 {
		turn(img, dst, r.turns)
	}
	return nil
}

// Seek makes frame n, counted from 0, the next one Next decodes. A frame
// less than seekAhead frames ahead is reached by decoding forward. Any
// other frame already decoded in order is found by its presentation time:
// FFmpeg seeks to the key frame before it and decodes forward from there.
// A frame farther ahead than any decoded is found the same way, its time
// estimated from the frame rate, which in a variable-frame-rate video can
// land on a neighbouring frame.
func (r *Reader) Seek(n int) error {
	if n < 0 || (r.Info.Frames > 0 && n >= r.Info.Frames) {
		return fmt.Errorf("seek in %s: frame %d is outside the video's %d frames", r.path, n+1, r.Info.Frames)
	}
	var err error
	switch {
	case n >= r.index && n-r.index < seekAhead:
		err = r.skipTo(n)
	case n < len(r.inOrder):
		err = r.seekKnown(n)
	default:
		err = r.seekEstimated(n)
	}
	if err != nil {
		return fmt.Errorf("seek in %s to frame %d: %v", r.path, n+1, err)
	}
	r.last = r.timeBefore(n)
	return nil
}

// timeBefore is frame n-1's timestamp, for the check that timestamps rise:
// exact when that frame was decoded in order, else by the frame rate.
func (r *Reader) timeBefore(n int) float64 {
	if n > 0 && n <= len(r.inOrder) && r.timeBase > 0 {
		return float64(r.inOrder[n-1]-r.inOrder[0]) * r.timeBase
	}
	return float64(n-1) / r.Info.FPS
}

// seekAhead is how far ahead decoding forward beats seeking: x264's default
// key-frame interval is 250 frames.
const seekAhead = 250

// skipTo decodes forward until the decoder holds frame n.
func (r *Reader) skipTo(n int) error {
	for {
		if err := r.advance(); err != nil {
			return r.pastEnd(err)
		}
		if r.index == n {
			r.pending = true
			return nil
		}
		r.index++
	}
}

func (r *Reader) pastEnd(err error) error {
	if err == errEnd {
		return errors.New("the video ends before it")
	}
	return err
}

// seekKnown seeks to a frame whose presentation time is known.
func (r *Reader) seekKnown(n int) error {
	target := r.inOrder[n]
	if err := r.dec.seek(target); err != nil {
		return err
	}
	for {
		if err := r.dec.next(); err != nil {
			return r.pastEnd(err)
		}
		if pts, ok := r.dec.pts(); ok && pts >= target {
			r.index, r.pending, r.ordered = n, true, true
			return nil
		}
	}
}

// seekEstimated seeks to a frame ahead of those decoded, by the frame rate:
// to a key frame some frames before the estimate, farther back while that
// key frame turns out to lie past frame n, then decoding forward.
func (r *Reader) seekEstimated(n int) error {
	if r.index == 0 && !r.pending {
		if err := r.skipTo(0); err != nil {
			return err
		}
	}
	if len(r.inOrder) == 0 || r.timeBase <= 0 {
		return r.rewindTo(n)
	}
	origin := r.inOrder[0]
	r.ordered = false
	for back := 16; ; back *= 2 {
		from := max(n-back, 0)
		if err := r.dec.seek(origin + int64(math.Round(float64(from)/r.Info.FPS/r.timeBase))); err != nil {
			return err
		}
		if err := r.dec.next(); err != nil {
			return r.pastEnd(err)
		}
		pts, ok := r.dec.pts()
		if !ok {
			return r.rewindTo(n)
		}
		if at := int(math.Round(float64(pts-origin) * r.timeBase * r.Info.FPS)); at <= n || from == 0 {
			r.index, r.pending = min(at, n), true
			return r.skipTo(n)
		}
	}
}

// rewindTo decodes from the first frame to frame n, for videos whose
// frames lack the presentation times a seek needs.
func (r *Reader) rewindTo(n int) error {
	if err := r.dec.seek(int64(r.dec.info.start_time)); err != nil {
		return err
	}
	r.index, r.pending, r.ordered = 0, false, true
	return r.skipTo(n)
}

// Close releases the decoder.
func (r *Reader) Close() {
	r.dec.close()
}
