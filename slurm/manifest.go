package slurm

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
)

// JobsFolder is the folder beside the inputs that holds the job folders.
const JobsFolder = ".auwatchd-slurm"

const manifestName = "manifest.json"

// Manifest is what a job measures and how: its videos in task order, the
// options every task runs with, and each submission of its tasks.
type Manifest struct {
	Videos      []Video      `json:"videos"`
	EveryFrame  bool         `json:"every_frame"`
	Executable  string       `json:"executable"`
	Models      string       `json:"models,omitzero"`
	ONNXRuntime string       `json:"onnxruntime,omitzero"`
	ArrayLimit  int          `json:"array_limit,omitzero"`
	SbatchArgs  []string     `json:"sbatch_args,omitzero"`
	Submissions []Submission `json:"submissions"`
}

// Video is one video of a manifest, as it was when the job was submitted.
type Video struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	MtimeNs int64  `json:"mtime_ns"`
}

// Submission is one job array submitted for some of a manifest's tasks.
type Submission struct {
	JobID string    `json:"job_id"`
	Tasks []int     `json:"tasks"`
	At    time.Time `json:"at"`
}

// ManifestPath returns the path of the manifest in jobDir.
func ManifestPath(jobDir string) string { return filepath.Join(jobDir, manifestName) }

// ReadManifest reads the manifest of the job folder jobDir.
func ReadManifest(jobDir string) (*Manifest, error) {
	data, err := os.ReadFile(ManifestPath(jobDir))
	if err != nil {
		return nil, fmt.Errorf("read the job's manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read the job's manifest %s: %w", ManifestPath(jobDir), err)
	}
	return &m, nil
}

// write puts the manifest in jobDir, replacing the one there.
func (m *Manifest) write(jobDir string) error {
	return writeJSON(ManifestPath(jobDir), m)
}

// writeJSON writes v as indented JSON to path, atomically, replacing any
// file there.
func writeJSON(path string, v any) error {
	return atomicfile.Write(path, 0o600, atomicfile.ReplaceAny, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// lastSubmission returns the latest submission that ran task i.
func (m *Manifest) lastSubmission(i int) (Submission, bool) {
	for _, s := range slices.Backward(m.Submissions) {
		if slices.Contains(s.Tasks, i) {
			return s, true
		}
	}
	return Submission{}, false
}

// jobIDs returns the job id of every submission.
func (m *Manifest) jobIDs() []string {
	ids := make([]string, len(m.Submissions))
	for i, s := range m.Submissions {
		ids[i] = s.JobID
	}
	return ids
}

// FindJob returns the job folder that job names: a job folder's path, or a
// job id whose folder is in jobsDir (JobsFolder in the working folder when
// jobsDir is "").
func FindJob(job, jobsDir string) (string, error) {
	candidates := []string{job}
	if jobsDir == "" {
		jobsDir = JobsFolder
	}
	if _, err := strconv.ParseUint(job, 10, 64); err == nil {
		candidates = []string{filepath.Join(jobsDir, job), job}
	}
	for _, dir := range candidates {
		if _, err := os.Stat(ManifestPath(dir)); err == nil {
			return filepath.Abs(dir)
		}
	}
	return "", fmt.Errorf("no job folder %s: give the job folder that `auwatchd slurm submit` printed, or run this in the folder holding %s (or pass --job-dir)", strings.Join(candidates, " or "), JobsFolder)
}
