package slurm

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestCollectLoadsDoneTasksOnce(t *testing.T) {
	jobDir, cluster := jobFixture(t)
	st := openStore(t)
	ctx := context.Background()
	_, statuses, err := Status(ctx, cluster, jobDir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Collect(ctx, st, statuses)
	if err != nil || c.Recorded != 1 || c.Unchanged != 0 {
		t.Fatalf("Collect = %+v, %v, want the one done task recorded", c, err)
	}
	video := statuses[0].Video
	job, err := st.JobByPath(ctx, video)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != store.Done || job.OutputPath != video+".au.csv" || job.OutputSHA256 != statuses[0].Record.CSVSHA256 {
		t.Errorf("job %+v, want done with the task's CSV", job)
	}
	if c, err := Collect(ctx, st, statuses); err != nil || c.Recorded != 0 || c.Unchanged != 1 {
		t.Errorf("a second Collect = %+v, %v, want the result left as it was", c, err)
	}
}

// A CSV that appears in a watched folder is loaded when its video is in a
// job's manifest and the CSV is current; any other CSV is not.
func TestCollectOutputTakesCSVsOfJobsOnly(t *testing.T) {
	jobDir, _ := jobFixture(t)
	top := filepath.Dir(filepath.Dir(jobDir))
	st := openStore(t)
	ctx := context.Background()
	folder, err := st.AddFolder(ctx, top)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(jobDir)
	if err != nil {
		t.Fatal(err)
	}
	old, now := time.Now().Add(-time.Hour), time.Now()
	inJob := m.Videos[6].Path
	writeFile(t, inJob, "video 6", old)
	writeFile(t, inJob+".au.csv", testCSV(4), now)
	stale := m.Videos[7].Path
	writeFile(t, stale, "video 7, changed after its CSV", now)
	writeFile(t, stale+".au.csv", testCSV(4), old)
	other := filepath.Join(top, "elsewhere.mp4")
	writeFile(t, other, "not in a job", old)
	writeFile(t, other+".au.csv", testCSV(4), now)
	tests := []struct {
		csv  string
		want bool
	}{{inJob + ".au.csv", true}, {stale + ".au.csv", false}, {other + ".au.csv", false}, {inJob + ".au.csv", false}}
	for _, tt := range tests {
		got, err := Outputs{st}.Collect(ctx, folder.ID, top, tt.csv)
		if err != nil || got != tt.want {
			t.Errorf("Collect(%s) = %v, %v, want %v", tt.csv, got, err, tt.want)
		}
	}
	job, err := st.JobByPath(ctx, inJob)
	if err != nil || job.FolderID != folder.ID || job.State != store.Done {
		t.Errorf("job of %s: %+v, %v, want done in the watched folder", inJob, job, err)
	}
}
