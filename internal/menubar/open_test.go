package menubar

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tool writes an executable script named name into dir.
func tool(t *testing.T, dir, name, script string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenerOpensTheFirstTargetThatExists(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "interview.mp4.au.csv")
	if err := os.WriteFile(csv, []byte("frame\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	called := filepath.Join(dir, "called")
	ok := tool(t, dir, "ok", `echo "$@" > `+called)
	failing := tool(t, dir, "failing", `echo "no application knows this file" >&2; exit 4`)
	slow := tool(t, dir, "slow", `sleep 5`)
	report := filepath.Join(dir, "interview.mp4.report.html")
	tests := []struct {
		name    string
		tool    string
		targets []Target
		opened  string // what the tool was given; "" for nothing
		err     string // a part of the error; "" for none
	}{
		{"a richer target that is not there gives way", ok, []Target{{Path: report}, {Path: csv, Reveal: true}}, csv, ""},
		{"the CSV is gone", ok, []Target{{Path: csv + ".old", Reveal: true}}, "", "is no longer there: it was moved or deleted"},
		{"the tool fails", failing, []Target{{Path: csv}}, "", "no application knows this file"},
		{"a URL needs no file", ok, []Target{{Path: "x-apple.systempreferences:x", URL: true}}, "x-apple.systempreferences:x", ""},
		{"a tool still running has opened it", slow, []Target{{Path: csv}}, "", ""},
		{"no tool", "", []Target{{Path: csv}}, "", "no tool to open files"},
		{"nothing to open", ok, nil, "", "points at nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(called)
			o := opener{patience: 300 * time.Millisecond, command: func(t Target) []string {
				if tt.tool == "" {
					return nil
				}
				return []string{tt.tool, t.Path}
			}}
			err := o.run(tt.targets)
			if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
			got, _ := os.ReadFile(called)
			if strings.TrimSpace(string(got)) != tt.opened {
				t.Errorf("the tool was given %q, want %q", got, tt.opened)
			}
		})
	}
}

// A failure to open is told to the user, naming what could not be opened.
func TestOpenerTellsWhenOpeningFails(t *testing.T) {
	told := make(chan notice, 1)
	o := opener{patience: time.Second, log: slog.New(slog.DiscardHandler), tell: func(n notice) { told <- n },
		command: func(Target) []string { return []string{"true"} }}
	o.open([]Target{{Path: "/nowhere/interview.mp4.au.csv", Reveal: true}})
	select {
	case n := <-told:
		if n.Title != "auwatchd: cannot open interview.mp4.au.csv" || !strings.Contains(n.Body, "no longer there") {
			t.Errorf("notice %+v", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice after a failure to open")
	}
}
