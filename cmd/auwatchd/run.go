package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/auwatchd/auwatchd/internal/awake"
	"github.com/auwatchd/auwatchd/internal/daemon"
	"github.com/auwatchd/auwatchd/internal/menubar"
	"github.com/auwatchd/auwatchd/launchd"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/slurm"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
	"github.com/auwatchd/auwatchd/weights"
)

// The log is rotated at logMaxMB, keeping logBackups older files.
const (
	logName    = "auwatchd.log"
	logMaxMB   = 10
	logBackups = 3
)

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "", stderr)
	var home homeFlag
	home.register(fs)
	var setup setupFlags
	setup.register(fs)
	quiet := fs.Duration("quiet", watcher.DefaultQuiet, "how long a new file must stay unchanged before it is processed")
	rescan := fs.Duration("rescan", watcher.DefaultRescan, "how often every watched folder is scanned in full, beside file-system events")
	watchBudget := fs.Int("watch-budget", 0, "the most file-system watches (Linux) or descriptors (macOS) spent on watching folders; "+
		"folders past it are found by the rescans alone (0: half the open-files limit)")
	headless := fs.Bool("headless", false, "show no menu-bar icon (the default where there is no display or menu bar)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if *watchBudget < 0 {
		return fmt.Errorf("--watch-budget %d: want 0 or more", *watchBudget)
	}
	st, dir, err := home.open()
	if err != nil {
		return err
	}
	unlock, err := lockHome(dir)
	if err != nil {
		st.Close()
		return err
	}
	defer unlock()
	log, closeLog, err := openLog(dir, stderr)
	if err != nil {
		st.Close()
		return err
	}
	defer closeLog()
	defer func() {
		if err := st.Close(); err != nil {
			log.Warn("close the database", "err", err)
		}
	}()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	workers, err := st.Workers(ctx)
	if err != nil {
		return cannotStart(err, log)
	}
	engine, closeEngine, err := startEngine(setup, cmp.Or(workers, pipeline.AutoWorkers()), log)
	if err != nil {
		return cannotStart(err, log)
	}
	defer closeEngine()
	keeper := awake.New()
	defer keeper.Release()
	d := daemon.New(daemon.Config{
		Store:    st,
		Measurer: engine,
		NewWatcher: func() (daemon.Watcher, error) {
			return watcher.New(watcher.Config{Quiet: *quiet, Rescan: *rescan, WatchBudget: *watchBudget, Logger: log})
		},
		Log:           log,
		DefaultFolder: defaultFolder(),
		AutoWorkers:   pipeline.AutoWorkers(),
		Awake:         keeper,
		Version:       versionString(),
		Outputs:       slurm.Outputs{Store: st},
	})
	log.Info("started", "home", dir, "database", st.Path(), "watch_budget", cmp.Or(*watchBudget, watcher.DefaultWatchBudget()))
	// The menu bar, when there is one, needs the main goroutine; the daemon
	// runs beside it either way, and the menu's Quit stops it like a signal.
	stopped := make(chan struct{})
	var runErr error
	go func() {
		defer close(stopped)
		runErr = d.Run(ctx)
	}()
	if reason := menubar.Unavailable(*headless); reason != "" {
		log.Info("running headless, without a menu-bar icon", "reason", reason)
		<-stopped
	} else {
		mb := menubar.New(menubar.Config{Store: st, Home: dir, Log: log, Quit: stop, Stopped: stopped, Login: loginItemFor(dir),
			AutoWorkers: pipeline.AutoWorkers(), ReportPath: pipeline.ReportPath})
		if err := mb.Run(ctx); err != nil {
			log.Error("menu bar", "err", err)
		}
	}
	if runErr != nil {
		return cannotStart(runErr, log)
	}
	log.Info("stopped")
	return nil
}

// cannotStart says why the daemon cannot start, in the log and in a
// notification, and returns err: the error exit, unlike a crash, is not
// restarted by launchd or systemd, so it is said once.
func cannotStart(err error, log *slog.Logger) error {
	log.Error("cannot start", "err", err)
	menubar.NotifyNow("auwatchd cannot start", err.Error(), log)
	return err
}

// startEngine loads the models and starts ONNX Runtime, once for every video
// the daemon will measure, with workers to measure them.
func startEngine(setup setupFlags, workers int, log *slog.Logger) (*pipeline.Engine, func(), error) {
	modelDir, err := weights.LocateModels(setup.models)
	if err != nil {
		return nil, nil, err
	}
	rt, err := startRuntime(setup, io.Discard)
	if err != nil {
		return nil, nil, err
	}
	log.Info("ONNX Runtime", "version", rt.Version, "provider", rt.Provider, "fallback", rt.Fallback, "library", rt.LibraryPath)
	engine, err := pipeline.NewEngine(pipeline.Config{ModelDir: modelDir, Runtime: rt, Workers: workers})
	if err != nil {
		rt.Close()
		return nil, nil, err
	}
	return engine, func() {
		if err := engine.Close(); err != nil {
			log.Warn("close the engine", "err", err)
		}
		if err := rt.Close(); err != nil {
			log.Warn("close ONNX Runtime", "err", err)
		}
	}, nil
}

// defaultFolder is ~/AUWatch, watched when no folder is configured; "" when
// there is no home folder.
func defaultFolder() string {
	userHome, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(userHome, "AUWatch")
}

// openLog writes structured logs to auwatchd.log in the data folder, which
// only the user may read, rotated by size; and to stderr too when it is a
// terminal. Under launchd or systemd stderr goes to a file or the journal,
// which would hold every line a second time, so it keeps only what the log
// cannot: a crash's trace.
func openLog(dir string, stderr io.Writer) (*slog.Logger, func(), error) {
	path := filepath.Join(dir, logName)
	if err := privateFile(path); err != nil {
		return nil, nil, err
	}
	rotated := &lumberjack.Logger{Filename: path, MaxSize: logMaxMB, MaxBackups: logBackups}
	var out io.Writer = rotated
	if isTerminal(stderr) {
		out = io.MultiWriter(stderr, rotated)
	}
	return slog.New(slog.NewTextHandler(out, nil)), func() { rotated.Close() }, nil
}

// privateFile creates path for the user alone, or makes an existing one so;
// the rotated files keep its mode.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("open log %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("make log %s private: %w", path, err)
	}
	return nil
}

// lockHome makes sure one daemon at a time uses a home folder: two would
// each take the other's running job for one left by a crash.
func lockHome(dir string) (func(), error) {
	path := filepath.Join(dir, "auwatchd.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another auwatchd is already running with the data folder %s", dir)
	}
	return func() { f.Close() }, nil
}

// loginItemFor returns the login item that starts a daemon on the data
// folder home, or nil, which hides "Start at login", when this executable
// cannot be named for a service manager.
func loginItemFor(home string) menubar.LoginItem {
	agent, err := thisAgent()
	if err != nil {
		return nil
	}
	if agent.Env == nil {
		agent.Env = map[string]string{}
	}
	agent.Env[store.HomeEnv] = home
	return startAtLogin{agent: agent, target: launchd.Target()}
}

// startAtLogin registers the agent with launchd or systemd for the next
// login, without starting a second daemon beside the running one.
type startAtLogin struct {
	agent  launchd.Agent
	target string
}

func (s startAtLogin) Installed() bool  { return launchd.Installed(s.target, s.agent) }
func (s startAtLogin) Install() error   { return launchd.Register(s.target, s.agent, launchd.Exec) }
func (s startAtLogin) Uninstall() error { return launchd.Unregister(s.target, s.agent, launchd.Exec) }
