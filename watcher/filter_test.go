package watcher

import "testing"

func TestAcceptsFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"clip.mp4", true},
		{"CLIP.MOV", true},
		{"session 3.MkV", true},
		{"a.m2ts", true},
		{"tape.dv", true},
		{"archive.3gp", true},
		{".hidden.mp4", false},
		{"._clip.mp4", false},
		{".DS_Store", false},
		{".clip.mp4.au.tmp", false},
		{"clip.mp4.part", false},
		{"clip.mp4.PARTIAL", false},
		{"clip.mp4.crdownload", false},
		{"clip.mp4.download", false},
		{"clip.tmp", false},
		{"clip.au.csv", false},
		{"clip.AU.CSV", false},
		{"notes.txt", false},
		{"clip", false},
		{"clip.mp4.jpg", false},
		{"clip.MPEG", true},
		{"clip.mxf", true},
	}
	for _, tt := range tests {
		if got := acceptsFile(tt.name); got != tt.want {
			t.Errorf("acceptsFile(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSkipsDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"day1", false},
		{"clips.mp4", false},
		{".git", true},
		{".Trashes", true},
		{"clip.mp4.download", true},
		{"clip.part", true},
	}
	for _, tt := range tests {
		if got := skipsDir(tt.name); got != tt.want {
			t.Errorf("skipsDir(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
