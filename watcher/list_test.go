package watcher

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestListVideosFollowsTheWatcherRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.mp4", "day 2/b.MOV", "a.mp4.au.csv", ".hidden.mp4", "._a.mp4", "c.mp4.part",
		"notes.txt", ".git/d.mp4", "e.mp4.download/e.mp4", "day 2/f.avi.crdownload"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "a.mp4"), filepath.Join(dir, "link.mp4")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "day 2"), filepath.Join(dir, "linked day")); err != nil {
		t.Fatal(err)
	}
	got, err := ListVideos(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.mp4"), filepath.Join(dir, "day 2", "b.MOV")}
	if !slices.Equal(got, want) {
		t.Errorf("ListVideos = %q, want %q", got, want)
	}
	if _, err := ListVideos(filepath.Join(dir, "missing")); err == nil {
		t.Error("ListVideos of a missing folder gave no error")
	}
}
