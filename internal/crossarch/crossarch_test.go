package crossarch

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/aucompare"
	"github.com/auwatchd/auwatchd/internal/testenv"
)

// The emulated build is described by the environment, as the Makefile sets it:
const (
	// binaryEnv is the path of auwatchd built for the other processor;
	// the test is skipped when it is unset.
	binaryEnv = "AUWATCHD_EMULATED_BINARY"
	// emulatorEnv is the command, split on spaces, that runs it, e.g.
	// "qemu-aarch64-static -L SYSROOT".
	emulatorEnv = "AUWATCHD_EMULATOR"
	// runtimeEnv is ONNX Runtime's library built for the other processor.
	runtimeEnv = "AUWATCHD_EMULATED_ONNXRUNTIME"
	// videosEnv names the test videos to measure, separated by commas.
	videosEnv = "AUWATCHD_EMULATED_VIDEOS"
)

// maxMeanRDifference is how far the emulated build's mean AU r may be from
// the host build's, against the same OpenFace reference.
const maxMeanRDifference = 0.005

// references maps each test video to its OpenFace reference CSV.
var references = map[string]string{
	"default.wmv":            "reference/openface-2.2-clnf/default.csv",
	"changeLighting.wmv":     "reference/openface-2.2-clnf/changeLighting.csv",
	"subj01_timepoint01.mp4": "reference/openface-2.2-ceclm/subj01_timepoint01_openface.csv",
	"subj02_timepoint01.mp4": "reference/openface-2.2-ceclm/subj02_timepoint01_openface.csv",
}

// TestEmulatedProcessAgreesWithHost runs `auwatchd process` on each video
// twice, built for this processor and built for the emulated one, compares
// both CSVs with the video's OpenFace reference, and wants the two mean AU r
// within maxMeanRDifference. The emulated run's time is logged; it says
// nothing about speed on the real processor.
func TestEmulatedProcessAgreesWithHost(t *testing.T) {
	emulated := os.Getenv(binaryEnv)
	if emulated == "" {
		t.Skipf("%s is not set; `make test-arm64` sets it", binaryEnv)
	}
	emulator := strings.Fields(os.Getenv(emulatorEnv))
	if len(emulator) == 0 {
		t.Fatalf("%s is set but %s is not", binaryEnv, emulatorEnv)
	}
	emulatedRuntime := os.Getenv(runtimeEnv)
	if emulatedRuntime == "" {
		t.Fatalf("%s is set but %s is not", binaryEnv, runtimeEnv)
	}
	testenv.ONNXRuntimePath(t) // the host's, which the host build uses
	if _, err := os.Stat(emulatedRuntime); err != nil {
		t.Fatalf("%v (run `make deps`)", err)
	}
	videos := strings.Split(os.Getenv(videosEnv), ",")
	if os.Getenv(videosEnv) == "" {
		videos = []string{"default.wmv", "subj01_timepoint01.mp4"}
	}

	root := testenv.RepoRoot(t)
	host := filepath.Join(t.TempDir(), "auwatchd")
	build := exec.Command("go", "build", "-o", host, "./cmd/auwatchd")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build auwatchd for this processor: %v\n%s", err, out)
	}
	models := testenv.ModelPath(t, ".")
	hostRuntime := filepath.Join(root, "lib", "libonnxruntime.so.1")

	for _, name := range videos {
		t.Run(name, func(t *testing.T) {
			ref, ok := references[name]
			if !ok {
				t.Fatalf("no OpenFace reference is known for %s", name)
			}
			video := testenv.TestdataPath(t, "videos/"+name)
			refCSV := testenv.TestdataPath(t, ref)

			hostRep, hostTime := process(t, []string{host}, hostRuntime, models, video, refCSV)
			emuRep, emuTime := process(t, append(append([]string{}, emulator...), emulated), emulatedRuntime, models, video, refCSV)
			t.Logf("%s: mean AU r %.4f emulated, %.4f on this processor (difference %+.4f); landmark NME %.4f and %.4f; %d and %d frames compared; %.0f s emulated, %.1f s here (emulated time is no speed figure)",
				name, emuRep.MeanR, hostRep.MeanR, emuRep.MeanR-hostRep.MeanR, emuRep.LandmarkNME, hostRep.LandmarkNME,
				emuRep.Frames, hostRep.Frames, emuTime.Seconds(), hostTime.Seconds())
			if d := math.Abs(emuRep.MeanR - hostRep.MeanR); d > maxMeanRDifference {
				t.Errorf("mean AU r %.4f emulated against %.4f on this processor: they differ by %.4f, want ≤ %g\nemulated:\n%s\nthis processor:\n%s",
					emuRep.MeanR, hostRep.MeanR, d, maxMeanRDifference, emuRep, hostRep)
			}
			if emuRep.Frames != hostRep.Frames {
				t.Errorf("%d frames compared for the emulated build, %d for this processor's", emuRep.Frames, hostRep.Frames)
			}
		})
	}
}

// process runs `auwatchd process` through argv (the binary, after any
// emulator) on video and compares its CSV with the reference.
func process(t *testing.T, argv []string, runtime, models, video, ref string) (*aucompare.Report, time.Duration) {
	t.Helper()
	out := t.TempDir()
	args := append(argv[1:], "process", "--onnxruntime", runtime, "--models", models, "-o", out, video)
	cmd := exec.Command(argv[0], args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	took := time.Since(start)
	rep, err := aucompare.Files(filepath.Join(out, filepath.Base(video)+".au.csv"), ref)
	if err != nil {
		t.Fatal(err)
	}
	return rep, took
}
