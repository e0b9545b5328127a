// Command auwatchd measures facial Action Units in videos, OpenFace 2.2-style:
// as a one-shot CLI (`auwatchd process`) and as a daemon that watches folders.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/auwatchd/auwatchd/store"
)

// command is one subcommand: its name, a one-line summary, and its entry point.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"run", "watch folders and measure every video dropped into them", runRun},
		{"process", "measure AUs in videos and write OpenFace-format CSVs", runProcess},
		{"report", "write the HTML report of an OpenFace-format CSV: tracking, AUs, pose, faces", runReport},
		{"folders", "list, add or remove watched folders", storeCommand("folders", "add|remove|list [PATH]", folders)},
		{"status", "show queued, running, done and failed videos", runStatus},
		{"retry", "queue failed videos again", runRetry},
		{"clear", "take a failed video off the lists of failures", storeCommand("clear", "JOB", clearFailure)},
		{"pause", "stop taking new videos (the current one finishes)", pauseCommand(true)},
		{"resume", "take new videos again", pauseCommand(false)},
		{"mode", "show or choose the mode new videos are measured in: default or every-frame", storeCommand("mode", "[default | every-frame]", mode)},
		{"reports", "show or choose whether the daemon writes an HTML report beside each CSV: on or off",
			storeCommand("reports", "[on | off]", onOff((*store.Store).Report, (*store.Store).SetReport))},
		{"thumbnails", "show or choose whether reports show face thumbnails: on or off",
			storeCommand("thumbnails", "[on | off]", onOff((*store.Store).Thumbnails, (*store.Store).SetThumbnails))},
		{"workers", "show or choose how many videos the daemon measures at once: N or auto", storeCommand("workers", "[N | auto]", workers)},
		{"slurm", "measure a backlog on a Slurm cluster: submit, status, resubmit, collect", runSlurm},
		{"bench", "measure speed, per stage, and memory on videos", runBench},
		{"install", "start the daemon at every login (launchd or systemd)", runInstall},
		{"uninstall", "stop starting the daemon at login", runUninstall},
		{"doctor", "check that the runtime, model files, and decoder work here", runDoctor},
		{"version", "print the version", runVersion},
	}
}

// errSilent marks an error whose message has already been printed.
var errSilent = errors.New("failed")

// gcPercent replaces Go's default of 100. The engine's heap is some 70 MB
// of models and tables that live as long as the process, and a frame
// allocates next to nothing, so letting the heap grow to twice its live size
// between collections would only add to the resident memory.
const gcPercent = 25

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errSilent):
			return 1
		default:
			fmt.Fprintf(stderr, "auwatchd %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "auwatchd: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "auwatchd measures facial Action Units in videos, compatible with OpenFace 2.2.")
	fmt.Fprintln(w, "\nUsage:\n  auwatchd <command> [flags] [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `auwatchd <command> -h` for a command's flags.")
}

// parseArgs parses flags wherever they stand among the arguments, as users
// type `auwatchd process video.mp4 -o out`; the positional arguments are
// left in fs.Args().
func parseArgs(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name, argsUsage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: auwatchd %s [flags] %s\n\nFlags:\n", name, argsUsage)
		fs.PrintDefaults()
	}
	return fs
}
