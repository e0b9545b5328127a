package pipeline

import "path/filepath"

// OutputSuffix ends the name of every CSV auwatchd writes.
const OutputSuffix = ".au.csv"

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

// ModeName names the mode that Options.EveryFrame chooses, as commands and
// logs say it: "default" or "every-frame".
func ModeName(everyFrame bool) string {
	if everyFrame {
		return "every-frame"
	}
	return "default"
}
