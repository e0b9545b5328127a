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

	"github.com/auwatchd/auwatchd/store"
)

func runFolders(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("folders", "add|remove|list [PATH]", stderr)
	return withStore(fs, args, func(ctx context.Context, st *store.Store) error {
		return folders(ctx, st, fs, stdout)
	})
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
	if s.Fast {
		state += " in the fast mode"
	}
	fmt.Fprintf(w, "%s: %d queued, %d running, %d done, %d failed, %d skipped\n",
		state, s.Counts.Queued, s.Counts.Running, s.Counts.Done, s.Counts.Failed, s.Counts.Skipped)
	for _, f := range s.Folders {
		fmt.Fprintf(w, "watching %s\n", f.Path)
	}
	if s.Running != nil {
		fmt.Fprintf(w, "now: %s — %.0f%%\n", s.Running.Path, 100*s.Running.Progress)
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
		n, err := st.RetryFailed(ctx)
		if err == nil {
			fmt.Fprintf(stdout, "%d failed jobs queued again\n", n)
		}
		return err
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give a job number (see `auwatchd status`) or --failed")
	}
	return st.Retry(ctx, id)
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

func runMode(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("mode", "[default | fast]", stderr)
	return withStore(fs, args, func(ctx context.Context, st *store.Store) error {
		return mode(ctx, st, fs, stdout)
	})
}

// mode prints the daemon's mode, or sets it from the one argument. The fast
// mode runs PFLD on every other frame only, as process --fast does.
func mode(ctx context.Context, st *store.Store, fs *flag.FlagSet, stdout io.Writer) error {
	if fs.NArg() == 0 {
		fast, err := st.Fast(ctx)
		if err == nil {
			fmt.Fprintln(stdout, modeName(fast))
		}
		return err
	}
	if fs.NArg() > 1 || (fs.Arg(0) != modeName(false) && fs.Arg(0) != modeName(true)) {
		fs.Usage()
		return fmt.Errorf("unknown mode %q: give default or fast", strings.Join(fs.Args(), " "))
	}
	return st.SetFast(ctx, fs.Arg(0) == modeName(true))
}

func modeName(fast bool) string {
	if fast {
		return "fast"
	}
	return "default"
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
