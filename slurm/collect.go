package slurm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/digest"
	"github.com/auwatchd/auwatchd/internal/results"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
)

// Store is what collecting needs of the store.
type Store interface {
	JobByPath(ctx context.Context, path string) (store.Job, error)
	Import(ctx context.Context, folderID int64, v store.VideoFile, r store.Result) (store.Job, error)
}

// Collected counts what a collection did.
type Collected struct {
	Recorded  int // results loaded into the store
	Unchanged int // results the store already held
}

// Collect loads the CSV of every done task into the store. Results the
// store already holds, for the same video and CSV, are left as they are.
func Collect(ctx context.Context, st Store, statuses []TaskStatus) (Collected, error) {
	var c Collected
	for _, s := range statuses {
		if s.State != Done {
			continue
		}
		recorded, err := collectCSV(ctx, st, 0, s.Video, s.Record.CSV, s.Record)
		if err != nil {
			return c, err
		}
		if recorded {
			c.Recorded++
		} else {
			c.Unchanged++
		}
	}
	return c, nil
}

// Outputs records, for the daemon, the CSVs of cluster jobs that appear in
// its watched folders.
type Outputs struct{ Store Store }

// Collect loads a CSV that appeared in the watched folder folderID into the
// store when its video is in the manifest of a job folder in the video's
// folder or a folder above it, up to folder, and the CSV is current (not
// older than the video). It reports whether it recorded the result.
func (o Outputs) Collect(ctx context.Context, folderID int64, folder, csv string) (bool, error) {
	video, ok := strings.CutSuffix(csv, pipeline.OutputSuffix)
	if !ok {
		return false, nil
	}
	jobDir, index, ok := findManifest(folder, video)
	if !ok {
		return false, nil
	}
	if _, current, err := describe(video); err != nil || !current {
		return false, err
	}
	rec, err := readRecord(jobDir, index)
	if err != nil {
		return false, err
	}
	return collectCSV(ctx, o.Store, folderID, video, csv, rec)
}

// findManifest looks for a job whose manifest lists video, in the job
// folders from the video's folder up to top.
func findManifest(top, video string) (jobDir string, index int, ok bool) {
	for dir := filepath.Dir(video); ; dir = filepath.Dir(dir) {
		jobs, _ := filepath.Glob(filepath.Join(dir, JobsFolder, "*", manifestName))
		for _, path := range jobs {
			m, err := ReadManifest(filepath.Dir(path))
			if err != nil {
				continue
			}
			if i := slices.IndexFunc(m.Videos, func(v Video) bool { return v.Path == video }); i >= 0 {
				return filepath.Dir(path), i, true
			}
		}
		if dir == top || dir == filepath.Dir(dir) {
			return "", 0, false
		}
	}
}

// collectCSV records video's CSV in the store, unless the store holds it
// already; rec, when there is one, gives the task's mode and times.
func collectCSV(ctx context.Context, st Store, folderID int64, video, csv string, rec *Record) (bool, error) {
	v, err := videoFile(video)
	if err != nil {
		return false, err
	}
	sum, err := digest.File(csv)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", csv, err)
	}
	job, err := st.JobByPath(ctx, video)
	if err == nil && job.State == store.Running {
		return false, nil // the daemon measures it, and records its own result
	}
	if err == nil && job.State == store.Done && job.OutputSHA256 == sum && job.OutputPath == csv &&
		job.Size == v.Size && job.MtimeNs == v.MtimeNs && job.Fingerprint == v.Fingerprint {
		return false, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	aus, err := csvout.ReadAUs(csv)
	if err != nil {
		return false, err
	}
	r := results.FromSummary(csv, summaryOf(aus, rec), rec != nil && rec.EveryFrame)
	r.OutputSHA256 = sum
	if _, err := st.Import(ctx, folderID, v, r); err != nil {
		return false, err
	}
	return true, nil
}

// videoFile describes the video as the store keeps it, with the same
// fingerprint the daemon takes, so that it knows the video when it meets it.
func videoFile(path string) (store.VideoFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return store.VideoFile{}, fmt.Errorf("read %s: %w", path, err)
	}
	fp, err := watcher.Fingerprint(path)
	if err != nil {
		return store.VideoFile{}, err
	}
	return store.VideoFile{Path: path, Size: info.Size(), MtimeNs: info.ModTime().UnixNano(), Fingerprint: fp}, nil
}

// summaryOf is the engine summary a CSV and the task's record describe.
func summaryOf(aus *csvout.AUs, rec *Record) pipeline.Summary {
	sum := pipeline.Summary{Frames: len(aus.Timestamps), Results: pipeline.Results{
		IntensityNames: aus.IntensityNames, OccurrenceNames: aus.OccurrenceNames, Timestamps: aus.Timestamps,
		Success: aus.Success, Intensity: aus.Intensity, Occurrence: aus.Occurrence}}
	for _, ok := range aus.Success {
		if ok {
			sum.Successful++
		}
	}
	if rec != nil {
		sum.Wall = time.Duration(rec.WallSeconds * float64(time.Second))
	}
	return sum
}
