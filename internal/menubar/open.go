package menubar

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// openerPatience is how long an opener waits to hear that the desktop's tool
// failed; a tool still running then has opened what it was given.
const openerPatience = 5 * time.Second

// opener opens what menu lines point at with the desktop's own tools (open,
// xdg-open), and tells the user when that fails: a click must never do
// nothing in silence.
type opener struct {
	command  func(Target) []string // the tool's command line; nil when none is installed
	tell     func(notice)
	log      *slog.Logger
	patience time.Duration
}

func newOpener(tell func(notice), log *slog.Logger) opener {
	return opener{command: desktopCommand, tell: tell, log: log, patience: openerPatience}
}

// desktopCommand is the command that reveals or opens t.
func desktopCommand(t Target) []string {
	if t.Reveal {
		return revealArgs(t.Path)
	}
	return openArgs(t.Path)
}

// open opens the first of targets that exists, without holding up the menu.
func (o opener) open(targets []Target) {
	go func() {
		if err := o.run(targets); err != nil {
			o.log.Warn("menu bar: cannot open", "err", err)
			o.tell(notice{Title: "auwatchd: cannot open " + targetName(targets), Body: err.Error()})
		}
	}()
}

// run opens the first target that exists and waits, up to o.patience, for
// the tool to fail.
func (o opener) run(targets []Target) error {
	t, err := firstPresent(targets)
	if err != nil {
		return err
	}
	args := o.command(t)
	if args == nil {
		return errors.New("no tool to open files is installed here (xdg-open, from the package xdg-utils)")
	}
	var out bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	// An application the tool starts may keep its output open; its exit is what counts.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s could not start: %w", args[0], err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("%s could not open %s (%v) %s", args[0], t.Path, err, strings.TrimSpace(out.String()))
		}
	case <-time.After(o.patience):
	}
	return nil
}

// firstPresent is the first target that exists, or an error saying that the
// last one is gone.
func firstPresent(targets []Target) (Target, error) {
	if len(targets) == 0 {
		return Target{}, errors.New("this line points at nothing")
	}
	for _, t := range targets {
		if t.URL {
			return t, nil
		}
		if _, err := os.Stat(t.Path); err == nil {
			return t, nil
		}
	}
	last := targets[len(targets)-1]
	_, err := os.Stat(last.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Target{}, fmt.Errorf("%s is no longer there: it was moved or deleted", last.Path)
	}
	return Target{}, fmt.Errorf("%s cannot be reached: %w", last.Path, err)
}

// targetName names what a line opens, for a notice's title.
func targetName(targets []Target) string {
	if len(targets) == 0 || targets[len(targets)-1].URL {
		return "the settings"
	}
	return filepath.Base(targets[len(targets)-1].Path)
}
