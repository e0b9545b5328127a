package slurm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SubmitRequest is what a submission of new videos asks for.
type SubmitRequest struct {
	Inputs     []string // videos and folders of videos
	JobsDir    string   // where the job folder goes; "" for JobsFolder beside the first input
	ArrayLimit int      // most tasks running at once; 0 leaves it to the cluster
	SbatchArgs []string // passed to sbatch as they are, after auwatchd's own
	EveryFrame bool
	// The shared install every task runs: the executable, and the model
	// folder and ONNX Runtime library it is given ("" to let it look).
	Executable, Models, ONNXRuntime string
}

// Submitted is the job a submission made.
type Submitted struct {
	JobID   string
	JobDir  string
	Tasks   int
	Current int // videos left out because their CSV is current
}

// scriptName is the first submission's batch script in the job folder.
const scriptName = "task.sh"

// Submit finds the videos, writes the job folder and submits one job array
// with a task per video. The array is submitted held and released once the
// job folder carries its job id, so no task starts before its manifest is
// where the batch script looks for it.
func Submit(ctx context.Context, run Runner, req SubmitRequest) (Submitted, error) {
	videos, current, err := findVideos(req.Inputs)
	if err != nil {
		return Submitted{}, err
	}
	if len(videos) == 0 {
		return Submitted{Current: current}, fmt.Errorf("nothing to measure: no video found that has no current CSV (%d have one)", current)
	}
	jobsDir, err := jobsFolder(req)
	if err != nil {
		return Submitted{}, err
	}
	m := &Manifest{Videos: videos, EveryFrame: req.EveryFrame, Executable: req.Executable, Models: req.Models,
		ONNXRuntime: req.ONNXRuntime, ArrayLimit: req.ArrayLimit, SbatchArgs: req.SbatchArgs}
	staging, err := os.MkdirTemp(jobsDir, ".new-")
	if err != nil {
		return Submitted{}, fmt.Errorf("create a job folder in %s: %w", jobsDir, err)
	}
	defer os.RemoveAll(staging) // gone already once it became the job folder
	script := filepath.Join(staging, scriptName)
	if err := stage(m, staging, script, shellQuote(jobsDir)+`/"$SLURM_ARRAY_JOB_ID"`); err != nil {
		return Submitted{}, err
	}
	tasks := make([]int, len(videos))
	for i := range tasks {
		tasks[i] = i
	}
	id, err := sbatch(ctx, run, m, tasks, jobsDir, filepath.Join(jobsDir, "%A"), script, "--hold")
	if err != nil {
		return Submitted{}, err
	}
	jobDir := filepath.Join(jobsDir, id)
	if err := release(ctx, run, m, staging, jobDir, id, tasks); err != nil {
		return Submitted{}, errors.Join(fmt.Errorf("submit job %s: %w", id, err), cancel(ctx, run, id))
	}
	return Submitted{JobID: id, JobDir: jobDir, Tasks: len(tasks), Current: current}, nil
}

// release puts the staged job folder in place under the held job's id,
// records the submission and lets the job run.
func release(ctx context.Context, run Runner, m *Manifest, staging, jobDir, id string, tasks []int) error {
	if err := os.Rename(staging, jobDir); err != nil {
		return fmt.Errorf("name the job folder: %w", err)
	}
	if err := m.record(jobDir, id, tasks); err != nil {
		return err
	}
	_, err := run.Run(ctx, "scontrol", "release", id)
	return err
}

// jobsFolder returns the folder the job folder goes into, created.
func jobsFolder(req SubmitRequest) (string, error) {
	dir := req.JobsDir
	if dir == "" {
		first, err := filepath.Abs(req.Inputs[0])
		if err != nil {
			return "", err
		}
		if info, err := os.Stat(first); err != nil || !info.IsDir() {
			first = filepath.Dir(first)
		}
		dir = filepath.Join(first, JobsFolder)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create the jobs folder: %w", err)
	}
	return dir, nil
}

// stage writes the manifest into dir and the batch script to script.
func stage(m *Manifest, dir, script, jobDirExpr string) error {
	if err := m.write(dir); err != nil {
		return err
	}
	if err := os.WriteFile(script, []byte(batchScript(m, jobDirExpr)), 0o700); err != nil {
		return fmt.Errorf("write the batch script: %w", err)
	}
	return nil
}

// record adds a submission to the manifest in jobDir.
func (m *Manifest) record(jobDir, id string, tasks []int) error {
	m.Submissions = append(m.Submissions, Submission{JobID: id, Tasks: tasks, At: time.Now().UTC()})
	return m.write(jobDir)
}

// Resubmit submits the job's failed and missing tasks as a new job array
// with the job's options, and returns the submission.
func Resubmit(ctx context.Context, run Runner, jobDir string) (Submission, error) {
	m, statuses, err := Status(ctx, run, jobDir)
	if err != nil {
		return Submission{}, err
	}
	var tasks []int
	for _, s := range statuses {
		if s.State == Failed || s.State == Missing {
			tasks = append(tasks, s.Index)
		}
	}
	if len(tasks) == 0 {
		return Submission{}, errors.New("nothing to resubmit: every task is done, queued or running")
	}
	script, err := os.CreateTemp(jobDir, ".resubmit-*.sh")
	if err != nil {
		return Submission{}, fmt.Errorf("write the batch script: %w", err)
	}
	defer os.Remove(script.Name())
	_, err = script.WriteString(batchScript(m, shellQuote(jobDir)))
	if err = errors.Join(err, script.Close()); err != nil {
		return Submission{}, fmt.Errorf("write the batch script %s: %w", script.Name(), err)
	}
	id, err := sbatch(ctx, run, m, tasks, jobDir, jobDir, script.Name())
	if err != nil {
		return Submission{}, err
	}
	if err := m.record(jobDir, id, tasks); err != nil {
		return Submission{}, fmt.Errorf("job %s is submitted but not recorded in the manifest: %w", id, err)
	}
	return m.Submissions[len(m.Submissions)-1], nil
}

// sbatch submits the tasks of m as one job array running script, with its
// logs in logDir, and returns the job id.
func sbatch(ctx context.Context, run Runner, m *Manifest, tasks []int, workDir, logDir, script string, extra ...string) (string, error) {
	args := []string{"--parsable", "--array=" + arraySpec(tasks, m.ArrayLimit),
		"--output=" + filepath.Join(logDir, "%A_%a.log"), "--chdir=" + workDir}
	args = append(append(append(args, m.SbatchArgs...), extra...), script)
	out, err := run.Run(ctx, "sbatch", args...)
	if err != nil {
		return "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";") // "ID" or "ID;CLUSTER"
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("sbatch printed %q, not a job id", out)
	}
	return id, nil
}

// cancel cancels a job a failed submission left.
func cancel(ctx context.Context, run Runner, id string) error {
	if _, err := run.Run(context.WithoutCancel(ctx), "scancel", id); err != nil {
		return fmt.Errorf("cancel job %s, which is left held: %w", id, err)
	}
	return nil
}

// arraySpec writes the task indices as sbatch's --array takes them, in
// ranges, with the limit of tasks at once when there is one: 0-3,7,9-10%4.
func arraySpec(tasks []int, limit int) string {
	var parts []string
	for i := 0; i < len(tasks); {
		j := i
		for j+1 < len(tasks) && tasks[j+1] == tasks[j]+1 {
			j++
		}
		part := strconv.Itoa(tasks[i])
		if j > i {
			part += "-" + strconv.Itoa(tasks[j])
		}
		parts = append(parts, part)
		i = j + 1
	}
	spec := strings.Join(parts, ",")
	if limit > 0 {
		spec += "%" + strconv.Itoa(limit)
	}
	return spec
}

// batchScript is the script every task of m runs; jobDirExpr is a shell
// expression for the job folder.
func batchScript(m *Manifest, jobDirExpr string) string {
	cmd := []string{shellQuote(m.Executable), "process", "--manifest", `"$job_dir/` + manifestName + `"`,
		"--index", `"$SLURM_ARRAY_TASK_ID"`}
	if m.Models != "" {
		cmd = append(cmd, "--models", shellQuote(m.Models))
	}
	if m.ONNXRuntime != "" {
		cmd = append(cmd, "--onnxruntime", shellQuote(m.ONNXRuntime))
	}
	if m.EveryFrame {
		cmd = append(cmd, "--every-frame")
	}
	return `#!/bin/sh
#SBATCH --job-name=auwatchd
#SBATCH --cpus-per-task=` + strconv.Itoa(defaultCPUs) + `
#SBATCH --mem=` + defaultMemory + `
# One video of the job's manifest per array task: auwatchd writes its CSV
# beside the video and the task's record into the job folder.
job_dir=` + jobDirExpr + `
# The engine sizes its threads to the processors it may use; not every
# cluster confines a task to the processors it asked for.
export GOMAXPROCS="${SLURM_CPUS_PER_TASK:-` + strconv.Itoa(defaultCPUs) + `}"
exec ` + strings.Join(cmd, " ") + "\n"
}

// What a task asks for unless sbatch arguments say otherwise: one video
// keeps about two cores busy, and its peak resident memory stays under
// 300 MB whatever the video's length.
const (
	defaultCPUs   = 2
	defaultMemory = "1G"
)

// shellQuote quotes s for the shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
