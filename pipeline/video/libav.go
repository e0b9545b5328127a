package video

// #cgo pkg-config: libavformat libavcodec libavutil libswscale
// #include "libav.h"
// #include <libavutil/log.h>
// #include <stdlib.h>
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// decoder is FFmpeg's demuxer and decoder for one file's video stream.
type decoder struct {
	r    *C.avr_reader
	info C.avr_info
}

// errEnd says the decoder has given out every frame.
var errEnd = errors.New("end of video")

// quietLogs keeps FFmpeg's own messages to errors, as OpenCV's backend
// does: warnings about a file's quirks say nothing a user can act on.
var quietLogs = sync.OnceFunc(func() { C.av_log_set_level(C.AV_LOG_ERROR) })

func openDecoder(path string, threads int) (*decoder, error) {
	quietLogs()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	d := &decoder{}
	if err := C.avr_open(cpath, C.int(threads), &d.r, &d.info); err < 0 {
		return nil, avError(err)
	}
	return d, nil
}

// next decodes the next frame; errEnd at the end.
func (d *decoder) next() error {
	switch err := C.avr_next(d.r); {
	case err == C.avr_eof:
		return errEnd
	case err < 0:
		return avError(err)
	}
	return nil
}

// seek goes to the key frame at or before pts.
func (d *decoder) seek(pts int64) error {
	if err := C.avr_seek(d.r, C.int64_t(pts)); err < 0 {
		return avError(err)
	}
	return nil
}

// pts is the current frame's presentation time in the stream's time base;
// ok is false when the file gives none.
func (d *decoder) pts() (pts int64, ok bool) {
	var p C.int64_t
	ok = C.avr_frame_pts(d.r, &p) != 0
	return int64(p), ok
}

// yuvPlanes are a frame's Y, U and V planes, their rows strides apart.
type yuvPlanes struct {
	data    [3][]uint8
	strides [3]int
}

// yuv420 returns the current frame when it is 8-bit 4:2:0 planar YUV (with
// whether it is full range), with its planes as slices of FFmpeg's memory,
// valid until the next call of next or seek.
func (d *decoder) yuv420() (f yuvPlanes, fullRange, ok bool) {
	av := d.r.frame
	switch av.format {
	case C.AV_PIX_FMT_YUV420P, C.AV_PIX_FMT_YUVA420P:
	case C.AV_PIX_FMT_YUVJ420P:
		fullRange = true
	default:
		return f, false, false
	}
	// swscale converts pictures with an odd coded height otherwise.
	if d.r.codec.coded_height%2 != 0 {
		return f, false, false
	}
	for i := range 3 {
		stride, rows := int(av.linesize[i]), int(av.height)
		if i > 0 {
			rows = (rows + 1) / 2
		}
		if stride <= 0 || av.data[i] == nil {
			return f, false, false
		}
		f.strides[i] = stride
		f.data[i] = unsafe.Slice((*uint8)(unsafe.Pointer(av.data[i])), stride*rows)
	}
	return f, fullRange, true
}

// size is the current frame's width and height.
func (d *decoder) size() (w, h int) { return int(d.r.frame.width), int(d.r.frame.height) }

// scale converts the current frame to BGR with swscale, into img, which
// must have the frame's size.
func (d *decoder) scale(img *bgr.Image) error {
	if err := C.avr_scale(d.r, (*C.uint8_t)(unsafe.Pointer(&img.Pix[0])), C.int(img.W*3)); err < 0 {
		return avError(err)
	}
	return nil
}

func (d *decoder) close() {
	C.avr_close(d.r)
	d.r = nil
}

// avError turns an AVERROR code into FFmpeg's own sentence for it.
func avError(code C.int) error {
	if code == C.avr_no_stream {
		return errNoVideoStream
	}
	var buf [256]C.char
	C.av_strerror(code, &buf[0], C.size_t(len(buf)))
	return errors.New(C.GoString(&buf[0]))
}

var errNoVideoStream = errors.New("the file has no video stream")

// Versions names the FFmpeg libraries the decoder runs with.
func Versions() string {
	v := func(n C.uint) string { return fmt.Sprintf("%d.%d.%d", n>>16, n>>8&0xff, n&0xff) }
	return fmt.Sprintf("libavformat %s, libavcodec %s, libswscale %s",
		v(C.avformat_version()), v(C.avcodec_version()), v(C.swscale_version()))
}
