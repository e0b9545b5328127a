package video

import (
	"bytes"
	"errors"
	"hash/fnv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
)

// eachFrame decodes the rest of r's frames, handing each to frame.
func eachFrame(t *testing.T, r *Reader, frame func(ts float64, img *bgr.Image)) {
	t.Helper()
	var img bgr.Image
	for {
		ts, ok, err := r.Next(&img)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
		frame(ts, &img)
	}
}

func readAll(t *testing.T, path string) (frames int, stamps []float64, last bgr.Image, info Info) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	eachFrame(t, r, func(ts float64, img *bgr.Image) {
		frames++
		stamps = append(stamps, ts)
		last = *img
	})
	return frames, stamps, last, r.Info
}

func TestDecodesSampleVideos(t *testing.T) {
	for _, c := range []struct {
		rel        string
		frames     int
		w, h       int
		lastSecond float64
	}{
		{"videos/default.wmv", 288, 640, 480, 19.12},
		{"videos/subj01_timepoint01.mp4", 158, 1080, 720, 157.0 / 30},
	} {
		frames, stamps, img, info := readAll(t, testenv.TestdataPath(t, c.rel))
		if frames != c.frames || img.W != c.w || img.H != c.h || info.Width != c.w {
			t.Errorf("%s: %d frames of %d×%d, want %d of %d×%d", c.rel, frames, img.W, img.H, c.frames, c.w, c.h)
		}
		if stamps[0] != 0 || math.Abs(stamps[len(stamps)-1]-c.lastSecond) > 0.02 {
			t.Errorf("%s: timestamps run from %.3f to %.3f, want 0 to %.3f", c.rel, stamps[0], stamps[len(stamps)-1], c.lastSecond)
		}
		for i := 1; i < len(stamps); i++ {
			if stamps[i] <= stamps[i-1] {
				t.Fatalf("%s: timestamp %d (%.3f) does not follow %.3f", c.rel, i, stamps[i], stamps[i-1])
			}
		}
	}
}

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

func TestVariableFrameRateGetsTrueTimes(t *testing.T) {
	dir := t.TempDir()
	vfr := filepath.Join(dir, "vfr.mkv")
	// Frames at 0, 0.1, 0.2, then every 0.5 s: a frame-number clock would be wrong.
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=3",
		"-vf", "select='lt(t,0.25)+not(mod(n,5))',setpts=PTS", "-fps_mode", "vfr", "-c:v", "mpeg4", vfr)
	_, stamps, _, _ := readAll(t, vfr)
	want := []float64{0, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5}
	if len(stamps) != len(want) {
		t.Fatalf("got %d frames (%v), want %d", len(stamps), stamps, len(want))
	}
	for i := range want {
		if math.Abs(stamps[i]-want[i]) > 0.002 {
			t.Errorf("frame %d at %.3f s, want %.3f", i+1, stamps[i], want[i])
		}
	}
}

// A phone's portrait video is stored sideways with a display matrix; the
// reader turns it upright the way FFmpeg's own player does.
func TestRotationMetadataIsApplied(t *testing.T) {
	dir := t.TempDir()
	plain, rotated := filepath.Join(dir, "plain.mp4"), filepath.Join(dir, "rotated.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=0.5", "-c:v", "mpeg4", "-q:v", "2", plain)
	// FFmpeg 6 and later set the display matrix with -display_rotation;
	// older ones only with the stream's rotate tag.
	if err := exec.Command("ffmpeg", "-v", "error", "-y", "-display_rotation:v:0", "90", "-i", plain, "-c", "copy", rotated).Run(); err != nil {
		ffmpeg(t, "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated)
	}
	upright, info := firstFrame(t, rotated)
	if upright.W != 120 || upright.H != 160 || info.Width != 120 || info.Height != 160 {
		t.Fatalf("portrait video decoded as %d×%d (info %d×%d), want 120×160", upright.W, upright.H, info.Width, info.Height)
	}
	// The frame is the stored one turned losslessly, a quarter either way.
	sideways, _ := firstFrame(t, plain)
	var clockwise, anticlockwise bgr.Image
	turn(&clockwise, &sideways, 1)
	turn(&anticlockwise, &sideways, 3)
	if !bytes.Equal(upright.Pix, clockwise.Pix) && !bytes.Equal(upright.Pix, anticlockwise.Pix) {
		t.Error("the rotated video's frame is not the plain video's frame turned a quarter")
	}
	// FFmpeg's player turns it the same way: its frame differs from ours by
	// its own YUV conversion's rounding at most (the other way, by ~100).
	player := filepath.Join(dir, "player.bgr")
	ffmpeg(t, "-i", rotated, "-f", "rawvideo", "-pix_fmt", "bgr24", "-frames:v", "1", player)
	got, err := os.ReadFile(player)
	if err != nil {
		t.Fatal(err)
	}
	if d := meanAbsDiff(got, upright.Pix); d > 2 {
		t.Errorf("ffmpeg's upright frame differs from ours by %.1f levels on average", d)
	}
}

func firstFrame(t *testing.T, path string) (bgr.Image, Info) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var img bgr.Image
	if _, _, err := r.Next(&img); err != nil {
		t.Fatal(err)
	}
	return img, r.Info
}

func meanAbsDiff(a, b []uint8) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var sum int
	for i := range a {
		sum += max(int(a[i])-int(b[i]), int(b[i])-int(a[i]))
	}
	return float64(sum) / float64(len(a))
}

func TestRejectsNonVideos(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	audio := filepath.Join(dir, "audio.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio)
	for _, path := range []string{
		write("empty.mp4", nil),
		write("random.mp4", []byte("\x00\x01garbage that is not a container\xff\xfe")),
		audio,
	} {
		r, err := Open(path)
		if err == nil {
			var img bgr.Image
			_, _, err = r.Next(&img)
			r.Close()
		}
		if !errors.Is(err, ErrNotVideo) {
			t.Errorf("%s: got %v, want ErrNotVideo", filepath.Base(path), err)
		}
	}
	if _, err := Open(dir); err == nil {
		t.Error("a folder opened as a video")
	}
}

// A seek, near (decoding forward) or far (the decoder's own seek), backwards
// or forwards, lands on the very frame that decoding in order gives.
func TestSeekLandsOnTheFrame(t *testing.T) {
	for _, rel := range []string{"videos/default.wmv", "videos/subj01_timepoint01.mp4", "videos/2015-10-15-15-14.avi"} {
		path := testenv.TestdataPath(t, rel)
		var sums []uint64
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		eachFrame(t, r, func(_ float64, img *bgr.Image) { sums = append(sums, pixelSum(img.Pix)) })
		seekEach := func(r *Reader, targets ...int) {
			var img bgr.Image
			for _, target := range targets {
				if err := r.Seek(target); err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
				if _, ok, err := r.Next(&img); err != nil || !ok {
					t.Fatalf("%s: frame %d after a seek: %v, %v", rel, target, ok, err)
				}
				if pixelSum(img.Pix) != sums[target] {
					t.Errorf("%s: the seek to frame %d gave another frame", rel, target)
				}
			}
		}
		n := len(sums)
		seekEach(r, n-1, 3, 5, n/2, 0, n-2)
		if err := r.Seek(n + 5); err == nil {
			t.Errorf("%s: a seek past the end succeeded", rel)
		}
		r.Close()

		// Far ahead of anything decoded, in the order a report asks for
		// frames: found by the frame rate.
		r, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		seekEach(r, n/3, n/3+1, 2*n/3, n-1)
		r.Close()
	}
}

func pixelSum(pix []uint8) uint64 {
	h := fnv.New64a()
	h.Write(pix)
	return h.Sum64()
}
