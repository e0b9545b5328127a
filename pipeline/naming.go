package pipeline

import (
	"path/filepath"
	"strings"
)

// OutputSuffix ends the name of every CSV auwatchd writes, ReportSuffix the
// name of the report beside it.
const (
	OutputSuffix = ".au.csv"
	ReportSuffix = ".au.html"
)

// OutputName returns the CSV file name for a video: the video's whole file
// name plus ".au.csv" (interview.mp4 → interview.mp4.au.csv), so that two
// videos with the same stem, such as interview.mp4 and interview.mov, never
// share an output.
func OutputName(videoPath string) string {
	return filepath.Base(videoPath) + OutputSuffix
}

// OutputPath returns where the CSV of videoPath goes: beside the video, or
// into dir when dir is not empty.
func OutputPath(videoPath, dir string) string {
	if dir == "" {
		dir = filepath.Dir(videoPath)
	}
	return filepath.Join(dir, OutputName(videoPath))
}

// ReportPath returns where the report of the CSV at csvPath goes: beside it,
// named like it (interview.mp4.au.csv → interview.mp4.au.html); a CSV named
// otherwise, such as OpenFace's interview.csv, gives interview.au.html.
func ReportPath(csvPath string) string {
	stem, ok := strings.CutSuffix(csvPath, OutputSuffix)
	if !ok {
		stem = strings.TrimSuffix(csvPath, filepath.Ext(csvPath))
	}
	return stem + ReportSuffix
}

// ModeName names the mode that Options.EveryFrame chooses, as commands and
// logs say it: "default" or "every-frame".
func ModeName(everyFrame bool) string {
	if everyFrame {
		return "every-frame"
	}
	return "default"
}
