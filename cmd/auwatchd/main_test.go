package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

// binary is the real auwatchd, built once for the tests of this package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "auwatchd-test-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "auwatchd")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs auwatchd with args and returns its exit code and output.
func runBinary(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	return runBinaryAs(t, binary, env, args...)
}

// runAsUser runs auwatchd through the command user (which switches to
// another user; nil for none) and returns its exit code and output.
func runAsUser(t *testing.T, user []string, args ...string) (int, string, string) {
	t.Helper()
	argv := append(append(append([]string{}, user...), binary), args...)
	return runCommand(t, exec.Command(argv[0], argv[1:]...))
}

func runCommand(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return code, stdout.String(), stderr.String()
}

// setupArgs points the binary at the repository's runtime library and models.
func setupArgs(t *testing.T) []string {
	root := testenv.RepoRoot(t)
	lib := filepath.Join(root, "lib", "libonnxruntime.so.1")
	if _, err := os.Stat(lib); err != nil {
		lib = filepath.Join(root, "lib", "libonnxruntime.dylib")
	}
	return []string{"--onnxruntime", lib, "--models", filepath.Join(root, "models")}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runBinary(t, nil, "help")
	if code != 0 || !bytes.Contains([]byte(out), []byte("doctor")) {
		t.Fatalf("help: code %d, output %q", code, out)
	}
	code, out, _ = runBinary(t, nil, "version")
	if code != 0 || !bytes.HasPrefix([]byte(out), []byte("auwatchd ")) {
		t.Fatalf("version: code %d, output %q", code, out)
	}
	code, _, errOut := runBinary(t, nil, "frobnicate")
	if code != 2 || !bytes.Contains([]byte(errOut), []byte(`unknown command "frobnicate"`)) {
		t.Fatalf("unknown command: code %d, stderr %q", code, errOut)
	}
}
