package slurm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/auwatchd/auwatchd/internal/digest"
)

// JobIDEnv is the variable in which Slurm gives an array task its array's
// job id; a task records it so that status knows which submission ran it.
const JobIDEnv = "SLURM_ARRAY_JOB_ID"

const tasksFolder = "tasks"

// Task is one array task: the video at Index of the manifest in JobDir.
type Task struct {
	JobDir string
	Index  int
	Video  string
}

// OpenTask reads the manifest at manifestPath and returns its task index.
func OpenTask(manifestPath string, index int) (Task, error) {
	jobDir := filepath.Dir(manifestPath)
	m, err := ReadManifest(jobDir)
	if err != nil {
		return Task{}, err
	}
	if index < 0 || index >= len(m.Videos) {
		return Task{}, fmt.Errorf("task %d is not in %s, whose tasks are 0 to %d", index, manifestPath, len(m.Videos)-1)
	}
	return Task{JobDir: jobDir, Index: index, Video: m.Videos[index].Path}, nil
}

// Record is what a task leaves in the job folder: its CSV and figures, or
// why it failed.
type Record struct {
	JobID            string    `json:"job_id,omitzero"` // the array's job id; "" outside Slurm
	Video            string    `json:"video"`
	CSV              string    `json:"csv,omitzero"`
	CSVSHA256        string    `json:"csv_sha256,omitzero"`
	EveryFrame       bool      `json:"every_frame"`
	Frames           int       `json:"frames,omitzero"`
	Successful       int       `json:"successful_frames,omitzero"`
	WallSeconds      float64   `json:"wall_seconds,omitzero"`
	ProcessorSeconds float64   `json:"processor_seconds,omitzero"` // user and system time of the whole task
	PeakRSSMB        float64   `json:"peak_rss_mb,omitzero"`
	Error            string    `json:"error,omitzero"`
	Finished         time.Time `json:"finished"`
}

// Save writes the task's record into the job folder, with the CSV's sha256
// when it names a CSV and the array's job id from the environment.
func (t Task) Save(r Record) error {
	r.Video, r.JobID, r.Finished = t.Video, os.Getenv(JobIDEnv), time.Now().UTC()
	if r.CSV != "" {
		sum, err := digest.File(r.CSV)
		if err != nil {
			return fmt.Errorf("read back %s: %w", r.CSV, err)
		}
		r.CSVSHA256 = sum
	}
	dir := filepath.Join(t.JobDir, tasksFolder)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the task records' folder: %w", err)
	}
	return writeJSON(recordPath(t.JobDir, t.Index), r)
}

func recordPath(jobDir string, index int) string {
	return filepath.Join(jobDir, tasksFolder, strconv.Itoa(index)+".json")
}

// readRecord returns task index's record, or nil when it has none.
func readRecord(jobDir string, index int) (*Record, error) {
	data, err := os.ReadFile(recordPath(jobDir, index))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the record of task %d: %w", index, err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read the record of task %d in %s: %w", index, recordPath(jobDir, index), err)
	}
	return &r, nil
}
