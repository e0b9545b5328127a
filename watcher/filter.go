package watcher

import (
	"path/filepath"
	"strings"
)

// acceptsFile reports whether a file named name may be a video to report. Hidden files
// (which covers AppleDouble "._*", ".DS_Store" and the daemon's own temp files), partial
// downloads and the daemon's CSV outputs are refused by name, before any stat.
func acceptsFile(name string) bool {
	if strings.HasPrefix(name, ".") || isPartialDownload(name) || isOwnOutput(name) {
		return false
	}
	return hasVideoExtension(name)
}

// reportsFile reports whether a file named name is reported at all: a video, or a CSV of
// auwatchd's that is not hidden, reported as an output so that CSVs measured elsewhere (on a
// cluster) can be recorded.
func reportsFile(name string) bool {
	return acceptsFile(name) || (isOwnOutput(name) && !strings.HasPrefix(name, "."))
}

// hasVideoExtension reports whether name ends in the extension of a video container, in any
// case. Whether the file really decodes is for the pipeline to find out.
func hasVideoExtension(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".wmv", ".webm", ".mpg", ".mpeg",
		".mts", ".m2ts", ".3gp", ".flv", ".ogv", ".mxf", ".dv":
		return true
	}
	return false
}

// skipsDir reports whether a directory named name is never watched or scanned: hidden
// folders and download bundles still in progress (Safari downloads into "name.download/").
func skipsDir(name string) bool {
	return strings.HasPrefix(name, ".") || isPartialDownload(name)
}

// isPartialDownload reports whether name carries the extension of a download or copy in progress.
func isPartialDownload(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".part", ".partial", ".crdownload", ".download", ".tmp":
		return true
	}
	return false
}

// isOwnOutput reports whether name is a CSV the daemon writes beside a video.
func isOwnOutput(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".au.csv")
}
