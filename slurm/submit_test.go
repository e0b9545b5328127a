package slurm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestArraySpec(t *testing.T) {
	tests := []struct {
		tasks []int
		limit int
		want  string
	}{
		{[]int{0}, 0, "0"},
		{[]int{0, 1, 2, 3}, 2, "0-3%2"},
		{[]int{0, 1, 2, 3, 7, 9, 10}, 4, "0-3,7,9-10%4"},
		{[]int{1, 3, 5}, 0, "1,3,5"},
	}
	for _, tt := range tests {
		if got := arraySpec(tt.tasks, tt.limit); got != tt.want {
			t.Errorf("arraySpec(%v, %d) = %q, want %q", tt.tasks, tt.limit, got, tt.want)
		}
	}
}

// backlog makes a folder of videos as a lab would have it: two to measure,
// one whose CSV is current, one whose CSV is older than the video, and
// files the watcher would not take.
func backlog(t *testing.T) (dir string, want []string) {
	t.Helper()
	dir = t.TempDir()
	old, now := time.Now().Add(-time.Hour), time.Now()
	writeFile(t, filepath.Join(dir, "a.mp4"), "video a", old)
	writeFile(t, filepath.Join(dir, "day 2", "b'quote.MOV"), "video b", old)
	writeFile(t, filepath.Join(dir, "done.avi"), "video done", old)
	writeFile(t, filepath.Join(dir, "done.avi.au.csv"), "csv", now)
	writeFile(t, filepath.Join(dir, "redone.wmv"), "video changed since", now)
	writeFile(t, filepath.Join(dir, "redone.wmv.au.csv"), "csv", old)
	writeFile(t, filepath.Join(dir, ".hidden.mp4"), "hidden", old)
	writeFile(t, filepath.Join(dir, "notes.txt"), "notes", old)
	writeFile(t, filepath.Join(dir, "c.mp4.part"), "partial", old)
	return dir, []string{filepath.Join(dir, "a.mp4"), filepath.Join(dir, "day 2", "b'quote.MOV"), filepath.Join(dir, "redone.wmv")}
}

func TestSubmitWritesTheJobFolderAndReleasesTheArrayOnceItIsThere(t *testing.T) {
	dir, want := backlog(t)
	jobsDir := filepath.Join(dir, JobsFolder)
	cluster := &fakeCluster{}
	cluster.answer = func(name string, args []string) (string, error) {
		switch name {
		case "sbatch":
			script := args[len(args)-1]
			if _, err := ReadManifest(filepath.Dir(script)); err != nil {
				t.Errorf("at sbatch, the script's folder holds no manifest: %v", err)
			}
			return "42;cluster\n", nil
		case "scontrol":
			if _, err := ReadManifest(filepath.Join(jobsDir, "42")); err != nil {
				t.Errorf("at the release, the job folder is not in place: %v", err)
			}
		}
		return "", nil
	}
	req := SubmitRequest{Inputs: []string{dir}, ArrayLimit: 2, SbatchArgs: []string{"--partition=short"}, EveryFrame: true,
		Executable: "/shared/auwatchd", Models: "/shared/models", ONNXRuntime: "/shared/lib/libonnxruntime.so.1"}
	job, err := Submit(context.Background(), cluster, req)
	if err != nil {
		t.Fatal(err)
	}
	jobDir := filepath.Join(jobsDir, "42")
	if job.JobID != "42" || job.JobDir != jobDir || job.Tasks != 3 || job.Current != 1 {
		t.Errorf("Submit = %+v, want job 42 in %s with 3 tasks and 1 current", job, jobDir)
	}
	sbatch := cluster.called("sbatch")
	wantArgs := []string{"--parsable", "--array=0-2%2", "--output=" + filepath.Join(jobsDir, "%A", "%A_%a.log"),
		"--chdir=" + jobsDir, "--partition=short", "--hold"}
	if len(sbatch) != 1 || !slices.Equal(sbatch[0][:len(wantArgs)], wantArgs) {
		t.Errorf("sbatch %q, want %q and the script", sbatch, wantArgs)
	}
	if release := cluster.called("scontrol"); len(release) != 1 || !slices.Equal(release[0], []string{"release", "42"}) {
		t.Errorf("scontrol calls %q, want one release of 42", release)
	}
	m, err := ReadManifest(jobDir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, v := range m.Videos {
		paths = append(paths, v.Path)
	}
	if !slices.Equal(paths, want) || !m.EveryFrame || len(m.Submissions) != 1 || m.Submissions[0].JobID != "42" ||
		!slices.Equal(m.Submissions[0].Tasks, []int{0, 1, 2}) {
		t.Errorf("manifest %+v, want videos %q in the every-frame mode and submission 42 of tasks 0-2", m, want)
	}
	script, err := os.ReadFile(filepath.Join(jobDir, scriptName))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"job_dir='" + jobsDir + `'/"$SLURM_ARRAY_JOB_ID"`,
		`exec '/shared/auwatchd' process --manifest "$job_dir/manifest.json" --index "$SLURM_ARRAY_TASK_ID" --models '/shared/models' --onnxruntime '/shared/lib/libonnxruntime.so.1' --every-frame`,
		"#SBATCH --cpus-per-task=2",
	} {
		if !strings.Contains(string(script), line+"\n") {
			t.Errorf("the batch script lacks %q:\n%s", line, script)
		}
	}
	if staged, _ := filepath.Glob(filepath.Join(jobsDir, ".new-*")); len(staged) != 0 {
		t.Errorf("staging folders left: %q", staged)
	}
}

func TestSubmitCancelsAHeldArrayItCannotRelease(t *testing.T) {
	dir, _ := backlog(t)
	cluster := &fakeCluster{answer: func(name string, _ []string) (string, error) {
		switch name {
		case "sbatch":
			return "7\n", nil
		case "scontrol":
			return "", errors.New("scontrol: release refused")
		}
		return "", nil
	}}
	_, err := Submit(context.Background(), cluster, SubmitRequest{Inputs: []string{filepath.Join(dir, "a.mp4")}, Executable: "/x"})
	if err == nil || !strings.Contains(err.Error(), "release refused") {
		t.Fatalf("Submit: %v, want the release's refusal", err)
	}
	if cancelled := cluster.called("scancel"); len(cancelled) != 1 || cancelled[0][0] != "7" {
		t.Errorf("scancel calls %q, want job 7 cancelled", cancelled)
	}
}

func TestSubmitRefusesWhatIsNoVideoAndNothingToDo(t *testing.T) {
	dir, _ := backlog(t)
	for _, inputs := range [][]string{{filepath.Join(dir, "notes.txt")}, {filepath.Join(dir, "missing.mp4")}, {filepath.Join(dir, "done.avi")}} {
		if _, err := Submit(context.Background(), &fakeCluster{}, SubmitRequest{Inputs: inputs, Executable: "/x"}); err == nil {
			t.Errorf("Submit(%q) gave no error", inputs)
		}
	}
}
