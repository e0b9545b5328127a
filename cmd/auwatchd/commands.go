package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
)

// storeCommand is a command that works on the store with positional
// arguments only: fn gets the parsed flag set.
func storeCommand(name, argsUsage string, fn func(context.Context, *store.Store, *flag.FlagSet, io.Writer) error) func(args []string, stdout, stderr io.Writer) error {
	return func(args []string, stdout, stderr io.Writer) error {
		fs := newFlagSet(name, argsUsage, stderr)
		return withStore(fs, args, func(ctx context.Context, st *store.Store) error {
			return fn(ctx, st, fs, stdout)
		})
	}
}

func folders(ctx context.Context, st *store.Store, fs *flag.FlagSet, stdout io.Writer) error {
	verb, rest := fs.Arg(0), fs.Args()
	if verb == "" {
		verb = "list"
	} else {
		rest = rest[1:]
	}
	switch {
	case verb == "list" && len(rest) == 0:
		folders, err := st.Folders(ctx)
		if err != nil {
			return err
		}
		for _, f := range folders {
			fmt.Fprintln(stdout, f.Path)
		}
		return nil
	case (verb == "add" || verb == "remove") && len(rest) == 1:
		path, err := filepath.Abs(rest[0])
		if err != nil {
			return err
		}
		if verb == "remove" {
			return st.RemoveFolder(ctx, path)
		}
		if info, err := os.Stat(path); err != nil || !info.IsDir() {
			return fmt.Errorf("%s is not a folder", path)
		}
		_, err = st.AddFolder(ctx, path)
		if err == nil {
			fmt.Fprintf(stdout, "watching %s\n", path)
		}
		return err
	default:
		fs.Usage()
		return errors.New("want: folders list | folders add PATH | folders remove PATH")
	}
}

func runStatus(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("status", "", stderr)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	return withStore(fs, args, func(ctx context.Context, st *store.Store) error {
		s, err := st.Status(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(s)
		}
		printStatus(stdout, s)
		return nil
	})
}

func printStatus(w io.Writer, s store.Status) {
	state := "running"
	if s.Paused {
		state = "paused"
	}
	if s.EveryFrame {
		state += " in the every-frame mode"
	}
	fmt.Fprintf(w, "%s with %s: %d queued, %d running, %d done, %d failed\n",
		state, workersName(s.Workers), s.Counts.Queued, s.Counts.Running, s.Counts.Done, s.Counts.Failed)
	for _, f := range s.Folders {
		line := "watching " + f.Path
		if f.Health != "" {
			line += " — " + f.Health
		}
		if f.Rescanned > 0 {
			line += fmt.Sprintf(" — folders in it rescanned, not watched: %d (over the watch budget; see run --watch-budget)", f.Rescanned)
		}
		fmt.Fprintln(w, line)
	}
	if s.DiskFull {
		fmt.Fprintln(w, "the data folder's disk is full: finished videos wait to be recorded until there is room")
	}
	if s.Watcher != "" {
		fmt.Fprintf(w, "not watching everything: %s; rescans still look for new videos\n", s.Watcher)
	}
	for _, p := range s.Waiting {
		fmt.Fprintf(w, "waiting for %s to stop changing\n", p)
	}
	if more := s.WaitingCount - len(s.Waiting); more > 0 {
		fmt.Fprintf(w, "waiting for %d more files to stop changing\n", more)
	}
	for _, j := range s.Running {
		fmt.Fprintf(w, "now: %s — %.0f%%\n", j.Path, 100*j.Progress)
	}
	for _, j := range s.RecentDone {
		fmt.Fprintf(w, "done   #%d %s → %s (%s)\n", j.ID, j.Path, j.OutputPath, j.FinishedAt.Local().Format(time.DateTime))
	}
	for _, j := range s.RecentFailed {
		fmt.Fprintf(w, "failed #%d %s: %s\n", j.ID, j.Path, j.Error)
	}
}

func runRetry(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("retry", "JOB | --failed", stderr)
	all := fs.Bool("failed", false, "retry every failed job")
	return withStore(fs, args, func(ctx context.Context, st *store.Store) error {
		return retry(ctx, st, fs, *all, stdout)
	})
}

func retry(ctx context.Context, st *store.Store, fs *flag.FlagSet, all bool, stdout io.Writer) error {
	if all {
		n, unchanged, err := st.RetryFailed(ctx)
		if err == nil {
			fmt.Fprintf(stdout, "%d failed jobs queued again\n", n)
		}
		for _, j := range unchanged {
			fmt.Fprintf(stdout, "left #%d %s: %v\n", j.ID, j.Path, store.ErrUnchanged)
		}
		return err
	}
	id, err := jobArg(fs)
	if err != nil {
		return fmt.Errorf("%w, or --failed", err)
	}
	return st.Retry(ctx, id)
}

// clearFailure takes a failed job off the lists of failures, as the menu's
// Clear does.
func clearFailure(ctx context.Context, st *store.Store, fs *flag.FlagSet, stdout io.Writer) error {
	id, err := jobArg(fs)
	if err != nil {
		return err
	}
	return st.ClearFailure(ctx, id)
}

// jobArg is the one argument, a job number.
func jobArg(fs *flag.FlagSet) (int64, error) {
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || fs.NArg() != 1 {
		fs.Usage()
		return 0, errors.New("give a job number (see `auwatchd status`)")
	}
	return id, nil
}

func pauseCommand(paused bool) func(args []string, stdout, stderr io.Writer) error {
	name := map[bool]string{true: "pause", false: "resume"}[paused]
	return func(args []string, stdout, stderr io.Writer) error {
		fs := newFlagSet(name, "", stderr)
		return withStore(fs, args, func(ctx context.Context, st *store.Store) error {
			return st.SetPaused(ctx, paused)
		})
	}
}

// mode prints the daemon's mode, or sets it from the one argument. The
// every-frame mode runs PFLD on every frame, as process --every-frame does.
func mode(ctx context.Context, st *store.Store, fs *flag.FlagSet, stdout io.Writer) error {
	if fs.NArg() == 0 {
		everyFrame, err := st.EveryFrame(ctx)
		if err == nil {
			fmt.Fprintln(stdout, pipeline.ModeName(everyFrame))
		}
		return err
	}
	if fs.NArg() > 1 || (fs.Arg(0) != pipeline.ModeName(false) && fs.Arg(0) != pipeline.ModeName(true)) {
		fs.Usage()
		return fmt.Errorf("unknown mode %q: give %s or %s", strings.Join(fs.Args(), " "), pipeline.ModeName(false), pipeline.ModeName(true))
	}
	return st.SetEveryFrame(ctx, fs.Arg(0) == pipeline.ModeName(true))
}

// workers prints how many videos the daemon measures at once, or sets it
// from the one argument.
func workers(ctx context.Context, st *store.Store, fs *flag.FlagSet, stdout io.Writer) error {
	if fs.NArg() == 0 {
		n, err := st.Workers(ctx)
		if err == nil {
			fmt.Fprintln(stdout, workersName(n))
		}
		return err
	}
	n, err := strconv.Atoi(fs.Arg(0))
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "auto":
		n, err = store.AutoWorkers, nil
	case err == nil && n < 1:
		err = errors.New("fewer than one")
	}
	if err != nil || fs.NArg() > 1 {
		fs.Usage()
		return fmt.Errorf("%q is not a number of workers: give a count of 1 or more, or auto", strings.Join(fs.Args(), " "))
	}
	return st.SetWorkers(ctx, n)
}

// workersName says the workers setting as the user gives it, with what auto
// stands for on this machine.
func workersName(n int) string {
	if n == store.AutoWorkers {
		return "auto (" + workersName(pipeline.AutoWorkers()) + " here)"
	}
	if n == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", n)
}

// withStore adds --home to a command's flags, parses args and runs fn on
// the store of that home folder.
func withStore(fs *flag.FlagSet, args []string, fn func(context.Context, *store.Store) error) error {
	var home homeFlag
	home.register(fs)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	st, _, err := home.open()
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(context.Background(), st)
}

// onOff makes a command that prints a true/false setting as on or off, or
// sets it from the one argument.
func onOff(get func(*store.Store, context.Context) (bool, error), set func(*store.Store, context.Context, bool) error) func(context.Context, *store.Store, *flag.FlagSet, io.Writer) error {
	return func(ctx context.Context, st *store.Store, fs *flag.FlagSet, stdout io.Writer) error {
		if fs.NArg() == 0 {
			on, err := get(st, ctx)
			if err == nil {
				fmt.Fprintln(stdout, map[bool]string{true: "on", false: "off"}[on])
			}
			return err
		}
		if fs.NArg() > 1 || (fs.Arg(0) != "on" && fs.Arg(0) != "off") {
			fs.Usage()
			return fmt.Errorf("%q: give on or off", strings.Join(fs.Args(), " "))
		}
		return set(st, ctx, fs.Arg(0) == "on")
	}
}
