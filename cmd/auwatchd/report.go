package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	htmlreport "github.com/auwatchd/auwatchd/internal/report"
	"github.com/auwatchd/auwatchd/pipeline"
)

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "CSV", stderr)
	videoPath := fs.String("video", "", "the video the CSV describes, for face thumbnails (default: the video beside auwatchd's VIDEO.au.csv)")
	out := fs.String("o", "", "write the report to `FILE` instead of beside the CSV")
	noThumbs := fs.Bool("no-thumbnails", false, "leave the face thumbnails out")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one OpenFace-format CSV")
	}
	csv := fs.Arg(0)
	if *out == "" {
		*out = pipeline.ReportPath(csv)
	}
	if video, ok := strings.CutSuffix(csv, pipeline.OutputSuffix); ok && *videoPath == "" && fileExists(video) {
		*videoPath = video
	}
	opt := htmlreport.Options{Video: *videoPath, Thumbnails: !*noThumbs, Version: versionString(), Date: time.Now()}
	// The user named the output: it replaces what is there.
	if err := htmlreport.Write(csv, *out, opt, atomicfile.ReplaceAny); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "✓ %s → %s\n", csv, *out)
	return nil
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
