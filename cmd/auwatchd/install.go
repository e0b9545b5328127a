package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/auwatchd/auwatchd/launchd"
	"github.com/auwatchd/auwatchd/pipeline/onnx"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/weights"
)

func runInstall(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("install", "", stderr)
	target := targetFlag(fs)
	printOnly := fs.Bool("print", false, "write the LaunchAgent plist or systemd unit to stdout instead of installing it")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errors.New("install takes no arguments")
	}
	agent, err := thisAgent()
	if err != nil {
		return err
	}
	if *printOnly {
		data, err := launchd.Render(*target, agent)
		if err != nil {
			return err
		}
		_, err = stdout.Write(data)
		return err
	}
	path, err := launchd.Install(*target, agent, launchd.Exec)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	if agent.App != "" {
		fmt.Fprintf(stdout, "it starts %s; keep the app where it is, or install again after moving it\n", agent.App)
	}
	fmt.Fprintln(stdout, "auwatchd is running and will start at every login")
	if *target == launchd.Launchd {
		fmt.Fprintf(stdout, "its output goes to %s\n", agent.LogDir)
	} else {
		fmt.Fprintln(stdout, "its output goes to: journalctl --user -u "+launchd.UnitName)
	}
	fmt.Fprintf(stdout, "undo with: auwatchd uninstall%s\n", targetSuffix(*target))
	return nil
}

func runUninstall(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("uninstall", "", stderr)
	target := targetFlag(fs)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errors.New("uninstall takes no arguments")
	}
	agent, err := thisAgent()
	if err != nil {
		return err
	}
	path, err := launchd.Path(*target, agent)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(path)
	if _, err := launchd.Uninstall(*target, agent, launchd.Exec); err != nil {
		return err
	}
	if statErr != nil {
		fmt.Fprintf(stdout, "auwatchd was not set to start at login (no %s)\n", path)
		return nil
	}
	fmt.Fprintf(stdout, "removed %s: auwatchd is stopped and no longer starts at login\n", path)
	fmt.Fprintln(stdout, "the database, logs and CSVs are kept")
	return nil
}

func targetFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("target", launchd.Target(), "service manager: "+launchd.Launchd+" (macOS) or "+launchd.Systemd+" (Linux)")
}

// targetSuffix repeats --target in advice when it is not this platform's.
func targetSuffix(target string) string {
	if target == launchd.Target() {
		return ""
	}
	return " --target " + target
}

// thisAgent is the agent that starts this executable for the current user.
// The executable is named through any symlink, as the file itself, beside
// which the daemon finds its runtime library and models: run from a link
// on the PATH to auwatchd.app's binary, it registers the app's binary. The service manager
// starts the daemon without the login shell's environment, so the variables
// that say where its data, runtime and models are travel with the agent,
// made absolute (the daemon's working folder is /).
func thisAgent() (launchd.Agent, error) {
	exe, err := os.Executable()
	if err != nil {
		return launchd.Agent{}, fmt.Errorf("find this executable: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return launchd.Agent{}, fmt.Errorf("resolve %s: %w", exe, err)
	}
	agent, err := launchd.ForCurrentUser(exe)
	if err != nil {
		return launchd.Agent{}, err
	}
	for _, name := range []string{store.HomeEnv, onnx.LibraryEnv, weights.ModelsEnv} {
		value := os.Getenv(name)
		if value == "" {
			continue
		}
		abs, err := filepath.Abs(value)
		if err != nil {
			return launchd.Agent{}, fmt.Errorf("%s=%s: %w", name, value, err)
		}
		if agent.Env == nil {
			agent.Env = map[string]string{}
		}
		agent.Env[name] = abs
	}
	return agent, nil
}
