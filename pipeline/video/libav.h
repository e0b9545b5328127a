// The small C side of package video: FFmpeg's demuxer and decoder behind a
// handful of calls that Go can make without touching FFmpeg's structs.
#ifndef AUWATCHD_LIBAV_H
#define AUWATCHD_LIBAV_H

#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

typedef struct {
	AVFormatContext *format;
	AVCodecContext *codec;
	AVStream *stream;
	AVFrame *frame;
	AVPacket *packet;
	struct SwsContext *scaler;
	int flushing; // the demuxer is done; the decoder is giving out what it holds
} avr_reader;

// What the container says about the video stream.
typedef struct {
	int width, height;
	int64_t frames;         // as the container counts them; 0 when it does not
	int fps_num, fps_den;   // average frame rate; 0/0 when unknown
	int tb_num, tb_den;     // the stream's time base
	int64_t start_time;     // in the time base; 0 when unknown
	double duration;        // seconds; 0 when unknown
	double rotation;        // degrees counter-clockwise from the display matrix
} avr_info;

// avr_open opens path and the decoder of the video stream FFmpeg deems best. On failure it
// returns a negative AVERROR and *reader is NULL; AVERROR_STREAM_NOT_FOUND
// says there is no video stream.
int avr_open(const char *path, int threads, avr_reader **reader, avr_info *info);

// avr_next decodes the next frame into reader->frame: 0, AVERROR_EOF at the
// end, another negative AVERROR when decoding failed for good.
int avr_next(avr_reader *r);

// avr_seek moves to the key frame at or before pts (in the stream's time base).
int avr_seek(avr_reader *r, int64_t pts);

// avr_frame_pts sets *pts to the presentation time of reader->frame, in
// the stream's time base, as FFmpeg best estimates it; it returns 0 when the
// file gives none.
int avr_frame_pts(const avr_reader *r, int64_t *pts);

// The AVERROR codes Go tells apart (cgo cannot expand FFmpeg's macros).
enum { avr_eof = AVERROR_EOF, avr_no_stream = AVERROR_STREAM_NOT_FOUND };

// avr_scale converts reader->frame, whatever its pixel format, to BGR24
// with swscale (bicubic), into dst with the given row stride.
int avr_scale(avr_reader *r, uint8_t *dst, int stride);

void avr_close(avr_reader *r);

#endif
