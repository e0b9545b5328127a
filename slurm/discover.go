package slurm

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/watcher"
)

// findVideos returns the videos the inputs name, each once, in order: a
// video file itself, and every video below a folder, by the watcher's
// rules. Videos whose CSV is current are left out and counted.
func findVideos(inputs []string) (videos []Video, current int, err error) {
	seen := map[string]bool{}
	for _, in := range inputs {
		paths, err := videosOf(in)
		if err != nil {
			return nil, 0, err
		}
		for _, p := range paths {
			if seen[p] {
				continue
			}
			seen[p] = true
			v, fresh, err := describe(p)
			switch {
			case err != nil:
				return nil, 0, err
			case fresh:
				current++
			default:
				videos = append(videos, v)
			}
		}
	}
	return videos, current, nil
}

// videosOf returns the absolute paths of the videos one input names.
func videosOf(input string) ([]string, error) {
	path, err := filepath.Abs(input)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", input, err)
	case info.IsDir():
		return watcher.ListVideos(path)
	case !watcher.IsVideoName(filepath.Base(path)):
		return nil, fmt.Errorf("%s is not taken for a video: auwatchd measures files with a video extension that are not hidden, partial downloads or its own CSVs", input)
	}
	return []string{path}, nil
}

// describe returns the video at path as the manifest keeps it, and whether
// its CSV is current: there, and not older than the video.
func describe(path string) (Video, bool, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Video{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	v := Video{Path: path, Size: info.Size(), MtimeNs: info.ModTime().UnixNano()}
	csv, err := os.Stat(pipeline.OutputPath(path, ""))
	return v, err == nil && !csv.ModTime().Before(info.ModTime()), nil
}
