package slurm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/auwatchd/auwatchd/internal/digest"
)

// State is where a task is.
type State string

// A task is queued or running while Slurm has it, done once its CSV is in
// place as its record says, failed when it ended otherwise, and missing
// when it never ran or its CSV is gone.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
	Missing State = "missing"
)

// TaskStatus is one task's state, with why it failed or waits.
type TaskStatus struct {
	Index  int
	Video  string
	State  State
	Reason string
	JobID  string  // the submission that ran it last; "" when none did
	Record *Record // what the task left; nil when nothing
}

// Status returns the job's manifest and each task's state, from Slurm's
// queue, its memory of ended tasks (scontrol, and sacct where the cluster
// keeps accounting), and the records and logs the tasks left.
func Status(ctx context.Context, run Runner, jobDir string) (*Manifest, []TaskStatus, error) {
	m, err := ReadManifest(jobDir)
	if err != nil {
		return nil, nil, err
	}
	sched := schedulerView(ctx, run, m.jobIDs())
	statuses := make([]TaskStatus, len(m.Videos))
	for i, v := range m.Videos {
		statuses[i], err = taskStatus(jobDir, m, sched, i, v.Path)
		if err != nil {
			return nil, nil, err
		}
	}
	return m, statuses, nil
}

// taskStatus works out task i's state.
func taskStatus(jobDir string, m *Manifest, sched map[taskKey]slurmState, i int, video string) (TaskStatus, error) {
	s := TaskStatus{Index: i, Video: video, State: Missing}
	sub, ok := m.lastSubmission(i)
	if !ok {
		s.Reason = "never submitted"
		return s, nil
	}
	s.JobID = sub.JobID
	rec, err := readRecord(jobDir, i)
	if err != nil {
		return s, err
	}
	if rec != nil && rec.JobID != "" && rec.JobID != sub.JobID {
		rec = nil // left by an earlier submission
	}
	s.Record = rec
	st, known := sched[taskKey{sub.JobID, i}]
	switch {
	case known && st.waiting():
		s.State, s.Reason = Queued, st.reason
	case known && st.active():
		s.State = Running
	case rec != nil && rec.Error != "" && known && st.interrupted():
		s.State, s.Reason = Failed, st.explain()+"; "+rec.Error
	case rec != nil && rec.Error != "":
		s.State, s.Reason = Failed, rec.Error
	case rec != nil:
		s.State, s.Reason = csvState(rec)
	case known && st.state != "COMPLETED":
		s.State, s.Reason = Failed, st.explain()+logTail(jobDir, sub.JobID, i)
	case known || hasLog(jobDir, sub.JobID, i):
		s.State, s.Reason = Failed, "ended without a record"+logTail(jobDir, sub.JobID, i)
	default:
		s.Reason = "Slurm no longer knows the task and it left nothing"
	}
	return s, nil
}

// csvState checks that the CSV a task recorded is still the one it wrote.
func csvState(rec *Record) (State, string) {
	sum, err := digest.File(rec.CSV)
	switch {
	case err != nil:
		return Missing, fmt.Sprintf("its CSV %s cannot be read: %v", rec.CSV, err)
	case sum != rec.CSVSHA256:
		return Missing, fmt.Sprintf("its CSV %s was changed after the task wrote it", rec.CSV)
	}
	return Done, ""
}

// logPath is task i's output in submission jobID.
func logPath(jobDir, jobID string, i int) string {
	return filepath.Join(jobDir, jobID+"_"+strconv.Itoa(i)+".log")
}

func hasLog(jobDir, jobID string, i int) bool {
	_, err := os.Stat(logPath(jobDir, jobID, i))
	return err == nil
}

// logTail returns the last line task i printed, as "; log: LINE", or "".
func logTail(jobDir, jobID string, i int) string {
	data, err := os.ReadFile(logPath(jobDir, jobID, i))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		return ""
	}
	const most = 300
	if len(last) > most {
		last = last[:most] + "…"
	}
	return "; log: " + last
}

// taskKey names one array task: its array's job id and its index.
type taskKey struct {
	jobID string
	index int
}

// slurmState is what Slurm says of one task.
type slurmState struct {
	state, reason, exitCode string
}

func (s slurmState) waiting() bool {
	return s.state == "PENDING" || s.state == "REQUEUED" || s.state == "REQUEUE_HOLD" || s.state == "RESV_DEL_HOLD"
}

func (s slurmState) active() bool {
	switch s.state {
	case "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING":
		return true
	}
	return false
}

// interrupted reports whether Slurm ended the task (a time limit, a
// cancellation, memory, a node's failure) rather than the task ending by
// itself, well or not.
func (s slurmState) interrupted() bool {
	return s.state != "" && s.state != "COMPLETED" && s.state != "FAILED" && !s.waiting() && !s.active()
}

// explain says how Slurm saw an ended task end.
func (s slurmState) explain() string {
	parts := []string{"Slurm: " + s.state}
	if s.reason != "" && s.reason != "None" {
		parts = append(parts, s.reason)
	}
	if s.exitCode != "" && s.exitCode != "0:0" {
		parts = append(parts, "exit code "+s.exitCode)
	}
	return strings.Join(parts, ", ")
}

// schedulerView gathers what Slurm says of the job arrays' tasks: sacct
// first (when the cluster keeps accounting), then scontrol's memory of
// recent tasks, then the queue, each later source overriding the earlier.
// A command that fails (a job Slurm forgot, accounting disabled) adds
// nothing.
func schedulerView(ctx context.Context, run Runner, jobIDs []string) map[taskKey]slurmState {
	view := map[taskKey]slurmState{}
	if len(jobIDs) == 0 {
		return view
	}
	ids := strings.Join(jobIDs, ",")
	if out, err := run.Run(ctx, "sacct", "--noheader", "--parsable2", "--allocations", "--jobs="+ids,
		"--format=JobID,State,ExitCode"); err == nil {
		parseSacct(out, view)
	}
	for _, id := range jobIDs {
		if out, err := run.Run(ctx, "scontrol", "--oneliner", "show", "job", id); err == nil {
			parseScontrol(out, view)
		}
	}
	if out, err := run.Run(ctx, "squeue", "--noheader", "--array", "--jobs="+ids, "--format=%F|%K|%T|%r"); err == nil {
		parseSqueue(out, view)
	}
	return view
}

// parseSacct reads lines "JOB_INDEX|STATE|EXIT" of array tasks; a state
// may carry a suffix ("CANCELLED by 0").
func parseSacct(out []byte, view map[taskKey]slurmState) {
	for line := range lines(out) {
		f := strings.Split(line, "|")
		if len(f) != 3 {
			continue
		}
		job, index, ok := strings.Cut(f[0], "_")
		n, err := strconv.Atoi(index)
		if !ok || err != nil {
			continue
		}
		state, _, _ := strings.Cut(f[1], " ")
		view[taskKey{job, n}] = slurmState{state: state, exitCode: f[2]}
	}
}

// parseScontrol reads `scontrol --oneliner show job`: one line per task
// with fields KEY=VALUE; tasks still pending together share a line whose
// ArrayTaskId is a range, which the queue reports one by one instead.
func parseScontrol(out []byte, view map[taskKey]slurmState) {
	for line := range lines(out) {
		f := map[string]string{}
		for _, field := range strings.Fields(line) {
			if k, v, ok := strings.Cut(field, "="); ok {
				f[k] = v
			}
		}
		n, err := strconv.Atoi(f["ArrayTaskId"])
		if err != nil || f["ArrayJobId"] == "" {
			continue
		}
		view[taskKey{f["ArrayJobId"], n}] = slurmState{state: f["JobState"], reason: f["Reason"], exitCode: f["ExitCode"]}
	}
}

// parseSqueue reads lines "ARRAYJOB|INDEX|STATE|REASON".
func parseSqueue(out []byte, view map[taskKey]slurmState) {
	for line := range lines(out) {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		view[taskKey{f[0], n}] = slurmState{state: f[2], reason: f[3]}
	}
}

// lines yields the non-empty lines of out, trimmed.
func lines(out []byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !yield(line) {
				return
			}
		}
	}
}
