package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/pipeline"
)

// progressBar draws a one-line bar on a terminal, and otherwise prints a
// plain line every few seconds, so logs stay readable.
type progressBar struct {
	w        io.Writer
	name     string
	terminal bool
	last     time.Time
	drawn    bool
}

func newProgressBar(w io.Writer, video string) *progressBar {
	return &progressBar{w: w, name: filepath.Base(video), terminal: isTerminal(w)}
}

// newProgressLines prints plain lines even on a terminal, for videos
// measured side by side, whose bars would overwrite one another.
func newProgressLines(w io.Writer, video string) *progressBar {
	return &progressBar{w: w, name: filepath.Base(video)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) update(p pipeline.Progress) {
	interval := 5 * time.Second
	if b.terminal {
		interval = 100 * time.Millisecond
	}
	if time.Since(b.last) < interval {
		return
	}
	b.last = time.Now()
	if !b.terminal {
		fmt.Fprintf(b.w, "%s: frame %s\n", b.name, frameCount(p))
		return
	}
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = min(width, width*p.Frame/p.Total)
	}
	fmt.Fprintf(b.w, "\r%s [%s%s] %s ", b.name, strings.Repeat("█", filled), strings.Repeat("·", width-filled), frameCount(p))
	b.drawn = true
}

func frameCount(p pipeline.Progress) string {
	if p.Total > 0 {
		return fmt.Sprintf("%d/%d (%d%%)", p.Frame, p.Total, min(100, 100*p.Frame/p.Total))
	}
	return fmt.Sprintf("%d", p.Frame)
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
