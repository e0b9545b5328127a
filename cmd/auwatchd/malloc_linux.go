package main

/*
#include <malloc.h>

// ONNX Runtime and FFmpeg allocate from several threads, and glibc
// gives each thread a malloc arena of its own, which keeps freed memory
// resident apart from the others. Two arenas lower the peak resident memory
// by some 10 to 20 MB at the same speed (measured on the 1080x720 sample
// videos). glibc fixes the limit when a second thread first allocates, so
// it is set in a constructor, before the Go runtime starts any thread.
static void __attribute__((constructor)) limitMallocArenas(void) {
	mallopt(M_ARENA_MAX, 2);
}
*/
import "C"
