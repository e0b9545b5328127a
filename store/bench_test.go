package store

import (
	"fmt"
	"os"
	"slices"
	"testing"
)

// benchFrames and the 17 AUs of testAUNames are the brief's load for one
// Claim+Complete.
const benchFrames = 300

func BenchmarkClaimComplete(b *testing.B) {
	f := newBenchFixture(b)
	for i := range b.N {
		enqueueBench(b, f, i)
	}
	frames := testFrames(1, benchFrames, len(testAUNames))
	r := testResult(1, benchFrames, testAUNames)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		j, err := f.s.Claim(f.ctx)
		if err != nil || j == nil {
			b.Fatal(j, err)
		}
		r.Frames = slices.Values(frames)
		if err := f.s.Complete(f.ctx, j.ID, r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(benchFrames*float64(len(testAUNames))/perOp, "values/s")
	f.s.Close()
	info, err := os.Stat(f.dbPath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size())/float64(b.N*benchFrames), "dbbytes/frame")
}

func BenchmarkProgress(b *testing.B) {
	f := newBenchFixture(b)
	enqueueBench(b, f, 0)
	j, err := f.s.Claim(f.ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := f.s.Progress(f.ctx, j.ID, float64(i%100)/100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnqueueUnchanged is a rescan finding a video it already knows.
func BenchmarkEnqueueUnchanged(b *testing.B) {
	f := newBenchFixture(b)
	v := enqueueBench(b, f, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, created, err := f.s.Enqueue(f.ctx, f.folder.ID, v); err != nil || created {
			b.Fatal(created, err)
		}
	}
}

func BenchmarkStatus(b *testing.B) {
	f := newBenchFixture(b)
	for i := range 200 {
		enqueueBench(b, f, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := f.s.Status(f.ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDataVersion(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := f.s.DataVersion(f.ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func newBenchFixture(b *testing.B) *fixture {
	b.Helper()
	return newFixture(b)
}

func enqueueBench(b *testing.B, f *fixture, i int) VideoFile {
	b.Helper()
	v := f.video(fmt.Sprintf("v%06d.mp4", i), fmt.Sprint(i))
	f.enqueue(v)
	return v
}
