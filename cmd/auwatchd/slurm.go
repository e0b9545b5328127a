package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/slurm"
	"github.com/auwatchd/auwatchd/weights"
)

// slurmUsage lists the slurm command's subcommands.
const slurmUsage = `submit [--array-limit K] [--sbatch-arg ARG]... [--every-frame] VIDEO|FOLDER...
       auwatchd slurm status | resubmit | collect JOB`

func runSlurm(args []string, stdout, stderr io.Writer) error {
	sub := map[string]func([]string, io.Writer, io.Writer) error{
		"submit": slurmSubmit, "status": slurmStatus, "resubmit": slurmResubmit, "collect": slurmCollect,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		fmt.Fprintf(stderr, "Usage: auwatchd slurm %s\n", slurmUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return flag.ErrHelp
		}
		return errors.New("give submit, status, resubmit or collect")
	}
	return sub[args[0]](args[1:], stdout, stderr)
}

func slurmSubmit(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("slurm submit", "VIDEO|FOLDER...", stderr)
	var setup setupFlags
	setup.register(fs)
	limit := fs.Int("array-limit", 0, "run at most `K` tasks at once (0: as the cluster allows)")
	var sbatchArgs []string
	fs.Func("sbatch-arg", "pass `ARG` to sbatch, e.g. --sbatch-arg=--partition=short (repeatable)", func(s string) error {
		sbatchArgs = append(sbatchArgs, s)
		return nil
	})
	everyFrame := fs.Bool("every-frame", false, everyFrameUsage)
	jobsDir := fs.String("job-dir", "", "put the job folder in this folder instead of "+slurm.JobsFolder+" beside the first input")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no video or folder given")
	}
	if *limit < 0 {
		return fmt.Errorf("--array-limit %d: give 0 or more", *limit)
	}
	req, err := sharedInstall(setup)
	if err != nil {
		return err
	}
	req.Inputs, req.JobsDir, req.ArrayLimit, req.SbatchArgs, req.EveryFrame = fs.Args(), *jobsDir, *limit, sbatchArgs, *everyFrame
	job, err := slurm.Submit(context.Background(), slurm.Commands{}, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "submitted job %s: %d videos, one array task each", job.JobID, job.Tasks)
	if job.Current > 0 {
		fmt.Fprintf(stdout, " (%d left out: their CSV is current)", job.Current)
	}
	fmt.Fprintf(stdout, "\njob folder: %s\nfollow it:  auwatchd slurm status %s\ncollect:    auwatchd slurm collect %s\n",
		job.JobDir, job.JobDir, job.JobDir)
	return nil
}

// sharedInstall finds what every task runs: this executable, the model
// folder and the ONNX Runtime library, so that a missing one fails the
// submission rather than every task.
func sharedInstall(setup setupFlags) (slurm.SubmitRequest, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return slurm.SubmitRequest{}, fmt.Errorf("find the auwatchd executable: %w", err)
	}
	models, err := weights.LocateModels(setup.models)
	if err != nil {
		return slurm.SubmitRequest{}, err
	}
	lib, err := onnx.Locate(setup.onnxruntime)
	if err != nil {
		return slurm.SubmitRequest{}, err
	}
	req := slurm.SubmitRequest{Executable: exe}
	if req.Models, err = filepath.Abs(models); err == nil {
		req.ONNXRuntime, err = filepath.Abs(lib)
	}
	return req, err
}

// jobCommand parses the flags of a command on one job and returns its job
// folder.
func jobCommand(fs *flag.FlagSet, args []string) (string, error) {
	jobsDir := fs.String("job-dir", "", "the folder holding the job folders, for a JOB given as a job id (default: "+slurm.JobsFolder+" here)")
	if err := parseArgs(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", errors.New("give one job: its folder, or its job id")
	}
	return slurm.FindJob(fs.Arg(0), *jobsDir)
}

func slurmStatus(args []string, stdout, stderr io.Writer) error {
	jobDir, err := jobCommand(newFlagSet("slurm status", "JOB", stderr), args)
	if err != nil {
		return err
	}
	m, statuses, err := slurm.Status(context.Background(), slurm.Commands{}, jobDir)
	if err != nil {
		return err
	}
	slurm.WriteStatus(stdout, jobDir, m, statuses)
	return nil
}

func slurmResubmit(args []string, stdout, stderr io.Writer) error {
	jobDir, err := jobCommand(newFlagSet("slurm resubmit", "JOB", stderr), args)
	if err != nil {
		return err
	}
	sub, err := slurm.Resubmit(context.Background(), slurm.Commands{}, jobDir)
	if err != nil {
		return err
	}
	tasks := make([]string, len(sub.Tasks))
	for i, t := range sub.Tasks {
		tasks[i] = fmt.Sprint(t)
	}
	fmt.Fprintf(stdout, "submitted job %s for tasks %s\nfollow it: auwatchd slurm status %s\n", sub.JobID, strings.Join(tasks, ", "), jobDir)
	return nil
}

func slurmCollect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("slurm collect", "JOB", stderr)
	var home homeFlag
	home.register(fs)
	jobDir, err := jobCommand(fs, args)
	if err != nil {
		return err
	}
	ctx := context.Background()
	_, statuses, err := slurm.Status(ctx, slurm.Commands{}, jobDir)
	if err != nil {
		return err
	}
	st, _, err := home.open()
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := slurm.Collect(ctx, st, statuses)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "recorded %d results in %s", c.Recorded, st.Path())
	if c.Unchanged > 0 {
		fmt.Fprintf(stdout, " (%d already there)", c.Unchanged)
	}
	fmt.Fprintln(stdout)
	if left := len(statuses) - c.Recorded - c.Unchanged; left > 0 {
		fmt.Fprintf(stdout, "%d tasks are not done: auwatchd slurm status %s\n", left, jobDir)
	}
	return nil
}
