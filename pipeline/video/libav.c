#include "libav.h"

#include <libavutil/display.h>

// Decoding gives up after this many consecutive packets the decoder refuses.
enum { max_bad_packets = 512 };

static int open_decoder(avr_reader *r, int threads) {
	const AVCodec *codec = avcodec_find_decoder(r->stream->codecpar->codec_id);
	if (!codec) return AVERROR_DECODER_NOT_FOUND;
	r->codec = avcodec_alloc_context3(codec);
	if (!r->codec) return AVERROR(ENOMEM);
	int err = avcodec_parameters_to_context(r->codec, r->stream->codecpar);
	if (err < 0) return err;
	r->codec->thread_count = threads;
	r->codec->pkt_timebase = r->stream->time_base;
	// Without this FFmpeg's x86 code takes shortcuts that round half-pel
	// motion otherwise than every other processor's (MPEG-4 part 2 B-frames).
	r->codec->flags |= AV_CODEC_FLAG_BITEXACT;
#if !defined(__x86_64__)
	// FFmpeg's NEON IDCT (MPEG-4 part 2, MJPEG, MPEG-1/2) rounds otherwise
	// than its C one, which x86-64's SIMD one matches bit for bit; ask for
	// the C one. (Streams that XviD wrote, for which FFmpeg picks the XviD
	// IDCT on x86-64, still decode otherwise here.)
	r->codec->idct_algo = FF_IDCT_SIMPLE;
#endif
	return avcodec_open2(r->codec, codec, NULL);
}

// display_matrix is the stream's display matrix, or NULL. FFmpeg 6.1 moved
// it from the stream to the codec parameters, and 8 dropped the old place.
static const int32_t *display_matrix(const AVStream *st) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61
	const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
		st->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
	return sd ? (const int32_t *)sd->data : NULL;
#else
	return (const int32_t *)av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
#endif
}

static void describe(const avr_reader *r, avr_info *info) {
	const AVStream *st = r->stream;
	info->width = st->codecpar->width;
	info->height = st->codecpar->height;
	info->frames = st->nb_frames;
	info->fps_num = st->avg_frame_rate.num;
	info->fps_den = st->avg_frame_rate.den;
	info->tb_num = st->time_base.num;
	info->tb_den = st->time_base.den;
	info->start_time = st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time;
	info->duration = 0;
	if (r->format->duration > 0) {
		info->duration = (double)r->format->duration / AV_TIME_BASE;
	} else if (st->duration > 0) {
		info->duration = (double)st->duration * av_q2d(st->time_base);
	}
	info->rotation = 0;
	const int32_t *matrix = display_matrix(st);
	if (matrix) info->rotation = av_display_rotation_get(matrix);
}

int avr_open(const char *path, int threads, avr_reader **reader, avr_info *info) {
	*reader = NULL;
	avr_reader *r = av_mallocz(sizeof *r);
	if (!r) return AVERROR(ENOMEM);
	int err = avformat_open_input(&r->format, path, NULL, NULL);
	if (err >= 0) err = avformat_find_stream_info(r->format, NULL);
	if (err >= 0) err = av_find_best_stream(r->format, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (err >= 0) {
		r->stream = r->format->streams[err];
		err = open_decoder(r, threads);
	}
	if (err >= 0) {
		r->frame = av_frame_alloc();
		r->packet = av_packet_alloc();
		if (!r->frame || !r->packet) err = AVERROR(ENOMEM);
	}
	if (err < 0) {
		avr_close(r);
		return err;
	}
	describe(r, info);
	*reader = r;
	return 0;
}

// feed gives the decoder the next packet of the video stream, or, once the
// file is read, the empty packet that makes it give out what it holds.
static int feed(avr_reader *r) {
	for (;;) {
		int err = av_read_frame(r->format, r->packet);
		if (err == AVERROR(EAGAIN)) continue;
		if (err < 0) {
			r->flushing = 1;
			return avcodec_send_packet(r->codec, NULL);
		}
		if (r->packet->stream_index != r->stream->index) {
			av_packet_unref(r->packet);
			continue;
		}
		err = avcodec_send_packet(r->codec, r->packet);
		av_packet_unref(r->packet);
		return err;
	}
}

int avr_next(avr_reader *r) {
	int bad = 0;
	for (;;) {
		int err = avcodec_receive_frame(r->codec, r->frame);
		if (err >= 0 || err == AVERROR_EOF) return err;
		if (err != AVERROR(EAGAIN) && ++bad > max_bad_packets) return err;
		if (r->flushing) return AVERROR_EOF;
		err = feed(r);
		if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_EOF && ++bad > max_bad_packets) return err;
	}
}

int avr_seek(avr_reader *r, int64_t pts) {
	int err = av_seek_frame(r->format, r->stream->index, pts, AVSEEK_FLAG_BACKWARD);
	if (err < 0) return err;
	avcodec_flush_buffers(r->codec);
	r->flushing = 0;
	return 0;
}

int avr_frame_pts(const avr_reader *r, int64_t *pts) {
	*pts = r->frame->best_effort_timestamp;
	return *pts != AV_NOPTS_VALUE;
}

int avr_scale(avr_reader *r, uint8_t *dst, int stride) {
	const AVFrame *f = r->frame;
	r->scaler = sws_getCachedContext(r->scaler, f->width, f->height, f->format,
		f->width, f->height, AV_PIX_FMT_BGR24, SWS_BICUBIC, NULL, NULL, NULL);
	if (!r->scaler) return AVERROR(EINVAL);
	uint8_t *planes[4] = {dst};
	int strides[4] = {stride};
	int rows = sws_scale(r->scaler, (const uint8_t *const *)f->data, f->linesize, 0, f->height, planes, strides);
	return rows == f->height ? 0 : AVERROR(EINVAL);
}

void avr_close(avr_reader *r) {
	if (!r) return;
	sws_freeContext(r->scaler);
	av_packet_free(&r->packet);
	av_frame_free(&r->frame);
	avcodec_free_context(&r->codec);
	avformat_close_input(&r->format);
	av_free(r);
}
