package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

func TestDoctorPasses(t *testing.T) {
	video := testenv.TestdataPath(t, "videos/changeLighting.wmv")
	args := append([]string{"doctor"}, setupArgs(t)...)
	code, out, errOut := runBinary(t, nil, append(args, "--video", video)...)
	if code != 0 {
		t.Fatalf("doctor failed (%d):\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"ONNX Runtime 1.24.1", "execution provider", "all 96 present",
		"retinaface_mnet025.onnx: input0[1 3 640 640]", "pfld_68.onnx: input[1 3 112 112] → output[1 136]",
		"FFmpeg: libavformat ", "changeLighting.wmv: 88 frames, 15.00 fps, 640×480"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "; nodes on CPU: all "); n != 2 {
		t.Errorf("doctor says where the nodes run for %d networks, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "✗") {
		t.Errorf("doctor reported a failure:\n%s", out)
	}
}

func TestDoctorNamesACorruptedModelFile(t *testing.T) {
	models := filepath.Join(t.TempDir(), "models")
	copyTree(t, filepath.Join(testenv.RepoRoot(t), "models"), models)
	victim := filepath.Join(models, "openface", "AU_predictors", "svr_combined", "AU_12_static_intensity_comb.dat")
	data, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(victim, data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := setupArgs(t)
	code, out, _ := runBinary(t, nil, "doctor", "--onnxruntime", args[1], "--models", models,
		"--video", testenv.TestdataPath(t, "videos/changeLighting.wmv"))
	if code == 0 {
		t.Fatalf("doctor passed with a corrupted model file:\n%s", out)
	}
	if !strings.Contains(out, "✗ "+victim+" has sha256") || !strings.Contains(out, "make weights") {
		t.Fatalf("doctor did not name the corrupted file and its fix:\n%s", out)
	}
}

func TestDoctorSaysWhereItLookedForTheRuntime(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	code, out, _ := runBinary(t, []string{"AUWATCHD_ONNXRUNTIME="}, "doctor", "--onnxruntime", missing,
		"--models", setupArgs(t)[3], "--video", testenv.TestdataPath(t, "videos/changeLighting.wmv"))
	if code == 0 {
		t.Fatalf("doctor passed without the runtime library:\n%s", out)
	}
	if !strings.Contains(out, "✗ ONNX Runtime library not found; tried "+missing) || !strings.Contains(out, "make deps") {
		t.Fatalf("doctor did not list the paths tried and the fix:\n%s", out)
	}
}

func TestDoctorRejectsANonVideo(t *testing.T) {
	notVideo := filepath.Join(t.TempDir(), "notes.mp4")
	if err := os.WriteFile(notVideo, []byte("these are meeting notes, not a video\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runBinary(t, nil, append(append([]string{"doctor"}, setupArgs(t)...), "--video", notVideo)...)
	if code == 0 {
		t.Fatalf("doctor passed on a text file:\n%s", out)
	}
	if !strings.Contains(out, "✗ FFmpeg decoder: open video "+notVideo+": not a video that can be decoded") {
		t.Fatalf("doctor did not name the file and the reason:\n%s", out)
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
