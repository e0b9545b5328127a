package slurm_test

// The cluster test runs the real auwatchd against a real one-node Slurm. It
// lives here rather than beside the command so that its two minutes count
// against a test binary of their own.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/internal/testslurm"
	"github.com/auwatchd/auwatchd/slurm"
	"github.com/auwatchd/auwatchd/store"
)

// sampleVideos are the six sample videos the cluster test measures.
var sampleVideos = []string{"multi_face.avi", "default.wmv", "changeLighting.wmv", "2015-10-15-15-14.avi",
	"subj01_timepoint01.mp4", "subj02_timepoint01.mp4"}

// A backlog on a real one-node Slurm: doctor passes on the compute node;
// the six sample videos and a corrupt one go in one job array; six CSVs come out byte-identical to `auwatchd
// process` and one task fails with its reason; after the corrupt file is
// replaced, resubmit measures that one only; collect loads every result
// into the store, where SQL finds each video's frames. Nothing is left
// running.
func TestSlurmBacklog(t *testing.T) {
	binary := buildBinary(t)
	folder, reference, home := t.TempDir(), t.TempDir(), t.TempDir()
	// Registered before the cluster, so it runs after the cluster stopped.
	t.Cleanup(func() {
		if out, err := exec.Command("pgrep", "-a", "-f", folder).Output(); err == nil {
			t.Errorf("task processes left behind:\n%s", out)
		}
	})
	var sources []string
	for _, v := range sampleVideos {
		src := testenv.TestdataPath(t, "videos/"+v)
		sources = append(sources, src)
		copyFile(t, src, filepath.Join(folder, v))
	}
	corrupt := filepath.Join(folder, "broken.wmv")
	writeTruncated(t, filepath.Join(folder, "default.wmv"), corrupt, 4096)

	cluster := testslurm.Start(t, 2)
	env := []string{"SLURM_CONF=" + cluster.Conf, store.HomeEnv + "=" + home}

	// The shared install, checked on a compute node as the README says.
	doctor := exec.Command("srun", append([]string{"--cpus-per-task=2", binary, "doctor"}, setupArgs(t)...)...)
	doctor.Env = cluster.Env()
	if out, err := doctor.CombinedOutput(); err != nil || !strings.Contains(string(out), "all checks passed") {
		t.Fatalf("srun auwatchd doctor: %v\n%s", err, out)
	}

	// The reference CSVs, from `auwatchd process` on the same videos,
	// measured while the cluster measures the backlog.
	processDone := make(chan string, 1)
	go func() {
		args := append(append([]string{"process", "-j", "1", "-o", reference}, setupArgs(t)...), sources...)
		cmd := exec.Command(binary, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			processDone <- string(out) + err.Error()
		}
		close(processDone)
	}()

	args := append(append([]string{"slurm", "submit", "--array-limit", "2"}, setupArgs(t)...), folder)
	code, out, errOut := run(t, binary, env, args...)
	if code != 0 {
		t.Fatalf("slurm submit failed (%d): %s%s\n%s", code, out, errOut, cluster.Logs())
	}
	jobDir := regexp.MustCompile(`job folder: (.*)`).FindStringSubmatch(out)
	if jobDir == nil || !strings.Contains(out, "7 videos") {
		t.Fatalf("slurm submit printed %q, want 7 videos and the job folder", out)
	}
	status := waitForTasks(t, binary, cluster, env, jobDir[1])
	failed := regexp.MustCompile(`(\d+) failed +` + regexp.QuoteMeta(corrupt) + `: .*broken\.wmv: not a video`).FindStringSubmatch(status)
	if !strings.Contains(status, "6 done, 1 failed") || failed == nil {
		t.Fatalf("status after the first run:\n%s\nwant 6 done and broken.wmv failed with its reason", status)
	}
	if msg, failed := <-processDone; failed {
		t.Fatalf("auwatchd process: %s", msg)
	}
	for _, v := range sampleVideos {
		sameBytes(t, filepath.Join(folder, v+".au.csv"), filepath.Join(reference, v+".au.csv"))
	}

	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), corrupt)
	code, out, errOut = run(t, binary, env, "slurm", "resubmit", jobDir[1])
	if code != 0 || !strings.Contains(out, "for tasks "+failed[1]+"\n") {
		t.Fatalf("slurm resubmit (%d): %s%s, want task %s alone", code, out, errOut, failed[1])
	}
	if status := waitForTasks(t, binary, cluster, env, jobDir[1]); !strings.Contains(status, "7 tasks: 7 done") {
		t.Fatalf("status after the resubmission:\n%s", status)
	}
	sameBytes(t, corrupt+".au.csv", filepath.Join(reference, "changeLighting.wmv.au.csv"))
	reportTaskFigures(t, jobDir[1])

	code, out, errOut = run(t, binary, env, "slurm", "collect", jobDir[1])
	if code != 0 || !strings.Contains(out, "recorded 7 results") {
		t.Fatalf("slurm collect (%d): %s%s", code, out, errOut)
	}
	queryCollected(t, home, folder)
	if code, out, _ = run(t, binary, env, "slurm", "collect", jobDir[1]); code != 0 || !strings.Contains(out, "recorded 0 results") || !strings.Contains(out, "7 already there") {
		t.Errorf("a second collect printed %q, want nothing new", out)
	}
}

// writeTruncated writes the first n bytes of src to dst: a video cut short
// before its index.
func writeTruncated(t *testing.T, src, dst string, n int) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data[:n], 0o640); err != nil {
		t.Fatal(err)
	}
}

// waitForTasks follows the job with `slurm status` until no task is queued
// or running, and returns the last status.
func waitForTasks(t *testing.T, binary string, cluster *testslurm.Cluster, env []string, jobDir string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for {
		code, out, errOut := run(t, binary, env, "slurm", "status", jobDir)
		if code != 0 {
			t.Fatalf("slurm status (%d): %s%s", code, out, errOut)
		}
		if !regexp.MustCompile(` (queued|running) `).MatchString(out) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not end:\n%s\n%s", out, cluster.Logs())
		}
		time.Sleep(time.Second)
	}
}

func sameBytes(t *testing.T, got, want string) {
	t.Helper()
	a, errA := os.ReadFile(got)
	b, errB := os.ReadFile(want)
	if errA != nil || errB != nil {
		t.Fatalf("read the CSVs: %v, %v", errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("%s differs from %s, which auwatchd process wrote", got, want)
	}
}

// reportTaskFigures logs each task's peak memory and frames per processor
// second, as the tasks recorded them: what a task should ask the cluster
// for.
func reportTaskFigures(t *testing.T, jobDir string) {
	t.Helper()
	records, err := filepath.Glob(filepath.Join(jobDir, "tasks", "*.json"))
	if err != nil || len(records) != len(sampleVideos)+1 {
		t.Fatalf("task records %q (%v), want one per task", records, err)
	}
	for _, path := range records {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var r slurm.Record
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		if r.Frames == 0 || r.PeakRSSMB == 0 || r.ProcessorSeconds == 0 {
			t.Errorf("%s: record %+v lacks its figures", path, r)
			continue
		}
		t.Logf("%s: %d frames, %.1f s, peak RSS %.0f MB, processor time %.2f s (%.1f frames per processor second, start-up included)",
			filepath.Base(r.Video), r.Frames, r.WallSeconds, r.PeakRSSMB, r.ProcessorSeconds, float64(r.Frames)/r.ProcessorSeconds)
	}
}

// queryCollected checks the collected results with SQL: every video done,
// with as many frames in the store as rows in its CSV.
func queryCollected(t *testing.T, home, folder string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+store.DBPath(home)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT j.path, s.frames, count(DISTINCT v.frame)
		FROM jobs j JOIN summaries s ON s.job_id = j.id JOIN frame_au_values v ON v.job_id = j.id
		WHERE j.state = 'done' AND v.au = 'AU12_r' GROUP BY j.id ORDER BY j.path`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var path string
		var frames, withAU12 int
		if err := rows.Scan(&path, &frames, &withAU12); err != nil {
			t.Fatal(err)
		}
		if csvRows := countRows(t, path+".au.csv"); frames != csvRows || withAU12 != csvRows {
			t.Errorf("%s: %d frames and %d AU12 values in the store, %d rows in its CSV", path, frames, withAU12, csvRows)
		}
		n++
	}
	if err := rows.Err(); err != nil || n != len(sampleVideos)+1 {
		t.Errorf("%d videos done in the store (%v), want %d", n, err, len(sampleVideos)+1)
	}
}

// buildBinary builds auwatchd into a folder of the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "auwatchd")
	out, err := exec.Command("go", "build", "-o", exe, "github.com/auwatchd/auwatchd/cmd/auwatchd").CombinedOutput()
	if err != nil {
		t.Fatalf("build auwatchd: %v\n%s", err, out)
	}
	return exe
}

// run runs the binary with args, env added to the test's environment, and
// returns its exit code and output.
func run(t *testing.T, binary string, env []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = append(os.Environ(), env...), &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return 0, stdout.String(), stderr.String()
}

// setupArgs points the binary at the repository's runtime library and models.
func setupArgs(t *testing.T) []string {
	return []string{"--onnxruntime", testenv.ONNXRuntimePath(t), "--models", filepath.Join(testenv.RepoRoot(t), "models")}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

// countRows returns the frames of a CSV: its lines but the header.
func countRows(t *testing.T, csv string) int {
	t.Helper()
	data, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n")) - 1
}
