package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/lookup"
	"github.com/auwatchd/auwatchd/pipeline/bgr"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/pipeline/video"
	"github.com/auwatchd/auwatchd/weights"
)

// setupFlags are the flags that say where the runtime library and models
// are, and how the networks run.
type setupFlags struct {
	onnxruntime string
	models      string
	compute     string
}

func (s *setupFlags) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&s.onnxruntime, "onnxruntime", "", "path of the ONNX Runtime shared library (else $"+onnx.LibraryEnv+", then beside the executable)")
	fs.StringVar(&s.models, "models", "", "folder holding the model files (else $"+weights.ModelsEnv+", then ../models beside the executable)")
	fs.StringVar(&s.compute, "compute", os.Getenv(onnx.ComputeEnv), "on macOS, where CoreML runs the networks: all (Neural Engine, GPU, CPU) or cpu, for figures that repeat exactly (else $"+onnx.ComputeEnv+", then all)")
}

// coreML reads the compute flag into CoreML's settings, with the model cache.
func (s setupFlags) coreML() (onnx.CoreMLSettings, error) {
	c, err := onnx.ParseCompute(s.compute)
	return onnx.CoreMLSettings{Compute: c, CacheDir: onnx.DefaultCoreMLCache()}, err
}

// report prints one ✓/✗ line per check and remembers whether any failed.
type report struct {
	w      io.Writer
	failed bool
}

func (r *report) pass(format string, a ...any) {
	fmt.Fprintf(r.w, "✓ %s\n", fmt.Sprintf(format, a...))
}

func (r *report) fail(fix, format string, a ...any) {
	r.failed = true
	fmt.Fprintf(r.w, "✗ %s\n    fix: %s\n", fmt.Sprintf(format, a...), fix)
}

func runDoctor(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("doctor", "", stderr)
	var setup setupFlags
	setup.register(fs)
	videoPath := fs.String("video", "", "video to decode as a check (default: a sample video when the test data is present, else a generated clip)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	r := &report{w: stdout}
	rt := checkRuntime(r, setup)
	if rt != nil {
		defer rt.Close()
	}
	modelDir := checkModelFiles(r, setup.models)
	if rt != nil && modelDir != "" {
		checkNetwork(r, rt, filepath.Join(modelDir, weights.DetectorFile))
		checkNetwork(r, rt, filepath.Join(modelDir, weights.LocatorFile))
	}
	checkDecoder(r, *videoPath)
	if r.failed {
		return errSilent
	}
	fmt.Fprintln(stdout, "all checks passed")
	return nil
}

func checkRuntime(r *report, setup setupFlags) *onnx.Runtime {
	coreML, err := setup.coreML()
	if err != nil {
		r.fail("give --compute all or --compute cpu", "%v", err)
		return nil
	}
	path, err := onnx.Locate(setup.onnxruntime)
	if err != nil {
		r.fail("run `make deps`, or pass --onnxruntime PATH", "%v", err)
		return nil
	}
	rt, err := onnx.Start(path)
	if err != nil {
		r.fail("run `make deps` to reinstall the library", "%v", err)
		return nil
	}
	rt.CoreML = coreML
	r.pass("ONNX Runtime %s at %s", rt.Version, path)
	switch {
	case rt.Fallback != "":
		r.pass("execution provider: %s (fallback: %s)", rt.Provider, rt.Fallback)
	case rt.Provider == "CPU":
		r.pass("execution provider: CPU (CoreML is used on macOS only)")
	default:
		r.pass("execution provider: %s on %s units, ML Program, compiled models kept in %s (falls back to CPU if a model cannot run on it)",
			rt.Provider, coreML.Compute, coreML.CacheDir)
	}
	return rt
}

func checkModelFiles(r *report, explicit string) string {
	dir, err := weights.LocateModels(explicit)
	if err != nil {
		r.fail("run `make weights`", "%v", err)
		return ""
	}
	entries := weights.Models()
	bad := 0
	for _, e := range entries {
		if err := weights.Check(dir, e); err != nil {
			bad++
			r.fail("run `make weights` to fetch it again", "%v", err)
		}
	}
	if bad == 0 {
		r.pass("model files: all %d present with matching sha256 in %s", len(entries), dir)
		return dir
	}
	return ""
}

// checkNetwork loads a model and runs it once on a blank input.
func checkNetwork(r *report, rt *onnx.Runtime, path string) {
	name := filepath.Base(path)
	fix := "run `make weights` to fetch the model again"
	in, out, err := onnx.ModelInfo(path)
	if err != nil {
		r.fail(fix, "%s: %v", name, err)
		return
	}
	onnx.FixBatch(in)
	onnx.FixBatch(out)
	start := time.Now()
	s, err := rt.NewSession(path, in, out, onnx.SessionOptions{ReportPlacement: true})
	if err != nil {
		r.fail(fix, "%s: %v", name, err)
		return
	}
	defer s.Close()
	loaded := time.Since(start)
	start = time.Now()
	if err := s.Run(); err != nil {
		r.fail(fix, "%s: inference failed: %v", name, err)
		return
	}
	r.pass("%s: %s → %s; loaded in %v, one run on %s in %v; %s", name, specString(in), specString(out),
		loaded.Round(time.Millisecond), s.Provider, time.Since(start).Round(time.Millisecond), s.Placement)
}

func specString(specs []onnx.TensorSpec) string {
	parts := make([]string, len(specs))
	for i, sp := range specs {
		parts[i] = fmt.Sprintf("%s%v", sp.Name, sp.Shape)
	}
	return strings.Join(parts, " ")
}

func checkDecoder(r *report, path string) {
	r.pass("FFmpeg: %s", video.Versions())
	if path == "" {
		var cleanup func()
		var err error
		path, cleanup, err = doctorVideo()
		if err != nil {
			r.fail("install FFmpeg's libraries (`make deps`)", "cannot make a test clip: %v", err)
			return
		}
		defer cleanup()
	}
	start := time.Now()
	rd, err := video.Open(path)
	if err != nil {
		r.fail("check the file, or install FFmpeg's libraries (`make deps`)", "FFmpeg decoder: %v", err)
		return
	}
	defer rd.Close()
	var img bgr.Image
	frames := 0
	for {
		_, ok, err := rd.Next(&img)
		if err != nil {
			r.fail("check the file, or install FFmpeg's libraries (`make deps`)", "FFmpeg decoder: %v", err)
			return
		}
		if !ok {
			break
		}
		frames++
	}
	r.pass("FFmpeg decoder: %s: %d frames, %.2f fps, %d×%d, decoded in %v", filepath.Base(path),
		frames, rd.Info.FPS, rd.Info.Width, rd.Info.Height, time.Since(start).Round(time.Millisecond))
}

// doctorVideo returns a sample video from the repository's test data when
// present, else writes a short generated clip to a temporary folder.
func doctorVideo() (string, func(), error) {
	sample := lookup.Candidates("", "", filepath.Join("..", "testdata", "videos", "changeLighting.wmv"))
	if path, ok := lookup.First(sample, false); ok {
		return path, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "auwatchd-doctor-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, "clip.y4m")
	if err := writeClip(path); err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

// writeClip writes ten 64×48 frames of a colour ramp as a YUV4MPEG2 file,
// which FFmpeg reads without any codec library.
func writeClip(path string) error {
	const w, h = 64, 48
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	for i := range 10 {
		buf.WriteString("FRAME\n")
		buf.Write(bytes.Repeat([]byte{uint8(20 * i)}, w*h))
		buf.Write(bytes.Repeat([]byte{100}, w*h/4))
		buf.Write(bytes.Repeat([]byte{200}, w*h/4))
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
