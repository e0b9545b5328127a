// Package video decodes video files into BGR frames with their presentation
// times, through OpenCV's FFmpeg backend, which also applies the rotation a
// phone records in the file's metadata. It checks up front that a file is a
// video it can decode, so a bad file fails with a plain reason, not garbage.
package video

import (
	"errors"
	"fmt"
	"os"

	"gocv.io/x/gocv"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// Info describes an opened video.
type Info struct {
	Width, Height int
	FPS           float64 // from the container; 30 when it does not say
	Frames        int     // as the container reports it; 0 when unknown
}

// Reader yields the frames of one video in order.
type Reader struct {
	path  string
	cap   *gocv.VideoCapture
	mat   gocv.Mat
	Info  Info
	index int
	// origin is the first frame's presentation time; last the previous
	// frame's timestamp, relative to it.
	origin, last float64
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
	c, err := gocv.VideoCaptureFileWithAPI(path, gocv.VideoCaptureFFmpeg)
	if err != nil || !c.IsOpened() {
		if c != nil {
			c.Close()
		}
		return nil, fmt.Errorf("open video %s: %w", path, ErrNotVideo)
	}
	r := &Reader{path: path, cap: c, mat: gocv.NewMat()}
	r.Info = Info{
		Width:  int(c.Get(gocv.VideoCaptureFrameWidth)),
		Height: int(c.Get(gocv.VideoCaptureFrameHeight)),
		FPS:    c.Get(gocv.VideoCaptureFPS),
		Frames: int(c.Get(gocv.VideoCaptureFrameCount)),
	}
	if r.Info.FPS <= 0 || r.Info.FPS > 1000 {
		r.Info.FPS = 30
	}
	if r.Info.Frames < 0 {
		r.Info.Frames = 0
	}
	if r.Info.Width <= 0 || r.Info.Height <= 0 {
		r.Close()
		return nil, fmt.Errorf("open video %s: no video stream: %w", path, ErrNotVideo)
	}
	return r, nil
}

// Next decodes the next frame into img (resized as needed) and returns its
// timestamp in seconds. It returns false at the end of the video.
func (r *Reader) Next(img *bgr.Image) (float64, bool, error) {
	if !r.cap.Read(&r.mat) || r.mat.Empty() {
		if r.index == 0 {
			return 0, false, fmt.Errorf("decode %s: no frame could be decoded: %w", r.path, ErrNotVideo)
		}
		return 0, false, nil
	}
	if r.mat.Type() != gocv.MatTypeCV8UC3 {
		return 0, false, fmt.Errorf("decode %s: frame %d has pixel type %v, want 8-bit BGR", r.path, r.index+1, r.mat.Type())
	}
	ts := r.timestamp()
	r.index++
	w, h := r.mat.Cols(), r.mat.Rows()
	if img.W != w || img.H != h || len(img.Pix) != w*h*3 {
		pix := img.Pix[:0]
		if cap(pix) < w*h*3 {
			pix = make([]uint8, w*h*3)
		}
		*img = bgr.Image{W: w, H: h, Pix: pix[:w*h*3]}
	}
	data, err := r.mat.DataPtrUint8()
	if err != nil {
		return 0, false, fmt.Errorf("decode %s: frame %d: %w", r.path, r.index, err)
	}
	copyFrame(img.Pix, data, r.mat, w, h)
	return ts, true, nil
}

// timestamp returns the presentation time of the frame just read, relative
// to the first frame's, so variable-frame-rate videos get their true times.
// Containers without usable times fall back to frame number / fps.
func (r *Reader) timestamp() float64 {
	pts := r.cap.Get(gocv.VideoCapturePosMsec) / 1000
	if r.index == 0 {
		r.origin, r.last = pts, 0
		return 0
	}
	ts := pts - r.origin
	if !(ts > r.last) {
		ts = r.last + 1/r.Info.FPS
	}
	r.last = ts
	return ts
}

// Seek makes frame n, counted from 0, the next one Next decodes. A frame
// less than seekAhead frames ahead is reached by decoding forward; farther
// ones by OpenCV's FFmpeg seek, which goes to the key frame before and
// decodes forward from there, so that a far seek costs up to a key-frame
// interval of decoding. Timestamps after a seek are the container's
// presentation times.
func (r *Reader) Seek(n int) error {
	if n < 0 || (r.Info.Frames > 0 && n >= r.Info.Frames) {
		return fmt.Errorf("seek in %s: frame %d is outside the video's %d frames", r.path, n+1, r.Info.Frames)
	}
	if n >= r.index && n-r.index < seekAhead {
		r.cap.Grab(n - r.index)
	} else {
		r.cap.Set(gocv.VideoCapturePosFrames, float64(n))
	}
	if got := int(r.cap.Get(gocv.VideoCapturePosFrames)); got != n {
		return fmt.Errorf("seek in %s: reached frame %d instead of %d", r.path, got+1, n+1)
	}
	r.index, r.last = n, 0
	return nil
}

// seekAhead is how far ahead decoding forward beats seeking: x264's default
// key-frame interval is 250 frames.
const seekAhead = 250

func copyFrame(dst, src []uint8, m gocv.Mat, w, h int) {
	if m.IsContinuous() {
		copy(dst, src)
		return
	}
	stride := int(m.Step())
	for y := 0; y < h; y++ {
		copy(dst[y*w*3:(y+1)*w*3], src[y*stride:y*stride+w*3])
	}
}

// Close releases the decoder.
func (r *Reader) Close() {
	r.mat.Close()
	r.cap.Close()
}
