package slurm

import (
	"fmt"
	"io"
	"strings"
)

// WriteStatus prints a job's tasks for a person: a count per state, then
// one line per task that is not done, with its reason.
func WriteStatus(w io.Writer, jobDir string, m *Manifest, statuses []TaskStatus) {
	counts := map[State]int{}
	for _, s := range statuses {
		counts[s.State]++
	}
	var parts []string
	for _, st := range []State{Done, Running, Queued, Failed, Missing} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(w, "job %s: %d tasks: %s\n", strings.Join(m.jobIDs(), ", "), len(statuses), strings.Join(parts, ", "))
	for _, s := range statuses {
		line := fmt.Sprintf("%4d %-7s %s", s.Index, s.State, s.Video)
		switch {
		case s.State == Done && s.Record != nil:
			r := s.Record
			line += fmt.Sprintf(" → %s (%d frames, %.0f s, peak %.0f MB)", r.CSV, r.Frames, r.WallSeconds, r.PeakRSSMB)
		case s.Reason != "":
			line += ": " + s.Reason
		}
		fmt.Fprintln(w, line)
	}
	if counts[Failed]+counts[Missing] > 0 {
		fmt.Fprintf(w, "resubmit the failed and missing tasks: auwatchd slurm resubmit %s\n", jobDir)
	}
}
