package watcher

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// IsVideoName reports whether a file named name counts as a video by the
// watcher's rules: a video extension, and not hidden, a partial download or
// auwatchd's own output.
func IsVideoName(name string) bool { return acceptsFile(name) }

// ListVideos returns, in lexical order, every file below dir that the
// watcher would report: the same names count, hidden folders and download
// bundles are not entered, symbolic links are skipped and cloud
// placeholders not downloaded are left out. It is the one-shot form of a
// scan, for commands that take a folder of videos.
func ListVideos(dir string) ([]string, error) {
	var videos []string
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case entry.Type()&fs.ModeSymlink != 0:
			return nil
		case entry.IsDir():
			if path != dir && skipsDir(entry.Name()) {
				return filepath.SkipDir
			}
			return nil
		case !entry.Type().IsRegular() || !acceptsFile(entry.Name()):
			return nil
		}
		info, err := entry.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil && !isDataless(info) {
			videos = append(videos, path)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the videos in %s: %w", dir, err)
	}
	return videos, nil
}
