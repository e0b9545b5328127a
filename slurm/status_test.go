package slurm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/digest"
)

// jobFixture is a job folder of eight videos, submitted as job 10 (tasks
// 0-6) and resubmitted as job 11 (tasks 3 and 4), in every state a task
// can be in, and a cluster that says what Slurm would of them.
func jobFixture(t *testing.T) (string, *fakeCluster) {
	t.Helper()
	dir := t.TempDir()
	jobDir := filepath.Join(dir, JobsFolder, "10")
	m := &Manifest{Executable: "/shared/auwatchd", Submissions: []Submission{
		{JobID: "10", Tasks: []int{0, 1, 2, 3, 4, 5, 6}, At: time.Now()},
		{JobID: "11", Tasks: []int{3, 4}, At: time.Now()},
	}}
	for i := range 8 {
		path := filepath.Join(dir, "v"+strconv.Itoa(i)+".mp4")
		writeFile(t, path, "video "+strconv.Itoa(i), time.Now().Add(-time.Hour))
		m.Videos = append(m.Videos, Video{Path: path})
	}
	if err := os.MkdirAll(jobDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := m.write(jobDir); err != nil {
		t.Fatal(err)
	}
	save := func(i int, jobID string, r Record) {
		t.Setenv(JobIDEnv, jobID)
		if err := (Task{JobDir: jobDir, Index: i, Video: m.Videos[i].Path}).Save(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []int{0, 5} {
		csv := m.Videos[i].Path + ".au.csv"
		writeFile(t, csv, testCSV(3), time.Now())
		save(i, "10", Record{CSV: csv, Frames: 3})
	}
	writeFile(t, m.Videos[5].Path+".au.csv", "changed by hand", time.Now())
	save(3, "10", Record{Error: "an earlier failure"})
	save(4, "11", Record{Error: "process v4.mp4: context canceled"})
	writeFile(t, logPath(jobDir, "10", 2), "✓ started\nslurmstepd: error: Detected 1 oom_kill event\n", time.Now())
	cluster := &fakeCluster{answer: func(name string, args []string) (string, error) {
		switch {
		case name == "sacct":
			return "", errors.New("sacct: Slurm accounting storage is disabled")
		case name == "scontrol" && slices.Contains(args, "10"):
			return "JobId=12 ArrayJobId=10 ArrayTaskId=2 JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125\n" +
				"JobId=10 ArrayJobId=10 ArrayTaskId=0 JobState=COMPLETED Reason=None ExitCode=0:0\n", nil
		case name == "scontrol" && slices.Contains(args, "11"):
			return "JobId=14 ArrayJobId=11 ArrayTaskId=4 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15\n", nil
		case name == "scontrol":
			return "", errUnknownJob
		case name == "squeue":
			return "11|3|PENDING|Resources\n10|1|RUNNING|None\n", nil
		case name == "sbatch":
			return "12\n", nil
		}
		return "", nil
	}}
	return jobDir, cluster
}

func TestStatusTellsEachTaskFromSlurmRecordsAndLogs(t *testing.T) {
	jobDir, cluster := jobFixture(t)
	_, statuses, err := Status(context.Background(), cluster, jobDir)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		state  State
		reason string
	}{
		{Done, ""},
		{Running, ""},
		{Failed, "Slurm: OUT_OF_MEMORY, OutOfMemory, exit code 0:125; log: slurmstepd: error: Detected 1 oom_kill event"},
		{Queued, "Resources"},
		{Failed, "Slurm: TIMEOUT, TimeLimit, exit code 0:15; process v4.mp4: context canceled"},
		{Missing, "was changed after the task wrote it"},
		{Missing, "Slurm no longer knows the task and it left nothing"},
		{Missing, "never submitted"},
	}
	for i, w := range want {
		s := statuses[i]
		if s.State != w.state || !strings.Contains(s.Reason, w.reason) || (w.reason == "" && s.Reason != "") {
			t.Errorf("task %d: %s (%q), want %s (%q)", i, s.State, s.Reason, w.state, w.reason)
		}
	}
	if statuses[3].JobID != "11" || statuses[2].JobID != "10" {
		t.Errorf("tasks 3 and 2 ran last in jobs %s and %s, want 11 and 10", statuses[3].JobID, statuses[2].JobID)
	}
	if sq := cluster.called("squeue"); len(sq) != 1 || !slices.Contains(sq[0], "--jobs=10,11") {
		t.Errorf("squeue calls %q, want one for jobs 10 and 11", sq)
	}
}

func TestResubmitSubmitsTheFailedAndMissingTasksOnly(t *testing.T) {
	jobDir, cluster := jobFixture(t)
	sub, err := Resubmit(context.Background(), cluster, jobDir)
	if err != nil {
		t.Fatal(err)
	}
	if sub.JobID != "12" || !slices.Equal(sub.Tasks, []int{2, 4, 5, 6, 7}) {
		t.Errorf("Resubmit = %+v, want job 12 of tasks 2, 4-7", sub)
	}
	sbatch := cluster.called("sbatch")
	wantArgs := []string{"--parsable", "--array=2,4-7", "--output=" + filepath.Join(jobDir, "%A_%a.log"), "--chdir=" + jobDir}
	if len(sbatch) != 1 || !slices.Equal(sbatch[0][:len(wantArgs)], wantArgs) || slices.Contains(sbatch[0], "--hold") {
		t.Errorf("sbatch %q, want %q and the script, not held", sbatch, wantArgs)
	}
	m, err := ReadManifest(jobDir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Submissions); n != 3 || m.Submissions[2].JobID != "12" {
		t.Errorf("the manifest records %d submissions, want job 12 as the third", n)
	}
	if left, _ := filepath.Glob(filepath.Join(jobDir, ".resubmit-*")); len(left) != 0 {
		t.Errorf("scripts left in the job folder: %q", left)
	}
}

func TestTaskRecordsItsCSV(t *testing.T) {
	jobDir, _ := jobFixture(t)
	task, err := OpenTask(ManifestPath(jobDir), 0)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := readRecord(jobDir, 0)
	if err != nil || rec == nil {
		t.Fatalf("record of task 0: %v, %v", rec, err)
	}
	sum, _ := digest.File(task.Video + ".au.csv")
	if rec.Video != task.Video || rec.CSVSHA256 != sum || rec.JobID != "10" || rec.Finished.IsZero() {
		t.Errorf("record %+v, want the video, its CSV's sha256 %s, job 10 and a time", rec, sum)
	}
	if _, err := OpenTask(ManifestPath(jobDir), 8); err == nil || !strings.Contains(err.Error(), "0 to 7") {
		t.Errorf("OpenTask of a task past the end: %v", err)
	}
}

func TestWriteStatusCountsAndExplains(t *testing.T) {
	jobDir, cluster := jobFixture(t)
	m, statuses, err := Status(context.Background(), cluster, jobDir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteStatus(&b, jobDir, m, statuses)
	out := b.String()
	for _, want := range []string{
		"job 10, 11: 8 tasks: 1 done, 1 running, 1 queued, 2 failed, 3 missing\n",
		"   0 done    " + statuses[0].Video + " → " + statuses[0].Video + ".au.csv (3 frames",
		"   4 failed  " + statuses[4].Video + ": Slurm: TIMEOUT, TimeLimit, exit code 0:15; process v4.mp4: context canceled\n",
		"   3 queued  " + statuses[3].Video + ": Resources\n",
		"auwatchd slurm resubmit " + jobDir + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}
