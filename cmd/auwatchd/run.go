package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/auwatchd/auwatchd/internal/digest"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/video"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
	"github.com/auwatchd/auwatchd/weights"
)

// How often the daemon looks at the store for work and for commands given
// by other auwatchd processes, and how often it records progress.
const (
	idlePoll      = 2 * time.Second
	progressEvery = 500 * time.Millisecond
)

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "", stderr)
	var home homeFlag
	home.register(fs)
	var setup setupFlags
	setup.register(fs)
	quiet := fs.Duration("quiet", watcher.DefaultQuiet, "how long a new file must stay unchanged before it is processed")
	rescan := fs.Duration("rescan", watcher.DefaultRescan, "how often every watched folder is scanned in full, beside file-system events")
	headless := fs.Bool("headless", false, "show no menu-bar icon (the default where there is no display or menu bar)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	st, dir, err := home.open()
	if err != nil {
		return err
	}
	defer st.Close()
	unlock, err := lockHome(dir)
	if err != nil {
		return err
	}
	defer unlock()
	log, closeLog, err := openLog(dir, stderr)
	if err != nil {
		return err
	}
	defer closeLog()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := newDaemon(ctx, st, setup, watcher.Config{Quiet: *quiet, Rescan: *rescan, Logger: log})
	if err != nil {
		log.Error("cannot start", "err", err)
		return err
	}
	defer d.close()
	log.Info("started", "home", dir, "database", st.Path())
	// The menu bar, when there is one, needs the main goroutine; the daemon
	// runs beside it either way, and the menu's Quit stops it like a signal.
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		d.run(ctx)
	}()
	if reason := menuBarUnavailable(*headless); reason != "" {
		log.Info("running headless, without a menu-bar icon", "reason", reason)
		<-stopped
	} else {
		mb := &menuBar{store: st, home: dir, log: log, quit: stop, stopped: stopped, login: loginItemFor(dir)}
		mb.run(ctx)
	}
	log.Info("stopped")
	return nil
}

// openLog writes structured logs to stderr and to auwatchd.log in the home
// folder, which only the user may read.
func openLog(dir string, stderr io.Writer) (*slog.Logger, func(), error) {
	path := filepath.Join(dir, "auwatchd.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log %s: %w", path, err)
	}
	h := slog.NewTextHandler(io.MultiWriter(stderr, f), nil)
	return slog.New(h), func() { f.Close() }, nil
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

// measurer is what the daemon needs of the engine: one video at a time.
type measurer interface {
	Process(ctx context.Context, video, out string, opt pipeline.Options, progress func(pipeline.Progress)) (pipeline.Summary, error)
}

// daemon ties the watcher, the store and the warm engine together.
type daemon struct {
	store   *store.Store
	engine  measurer
	watcher *watcher.Watcher
	log     *slog.Logger
	closers []func() error
	wake    chan struct{}

	mu      sync.Mutex
	folders map[string]int64 // watched folder path → id
}

func newDaemon(ctx context.Context, st *store.Store, setup setupFlags, watch watcher.Config) (*daemon, error) {
	log := watch.Logger
	d := &daemon{store: st, log: log, wake: make(chan struct{}, 1)}
	if n, err := st.RecoverInterrupted(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("queued again the jobs a stop interrupted", "jobs", n)
	}
	if err := ensureDefaultFolder(ctx, st, log); err != nil {
		return nil, err
	}
	modelDir, err := weights.LocateModels(setup.models)
	if err != nil {
		return nil, err
	}
	rt, err := startRuntime(setup.onnxruntime, io.Discard)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, rt.Close)
	log.Info("ONNX Runtime", "version", rt.Version, "provider", rt.Provider, "fallback", rt.Fallback, "library", rt.LibraryPath)
	engine, err := pipeline.NewEngine(pipeline.Config{ModelDir: modelDir, Runtime: rt})
	if err != nil {
		d.close()
		return nil, err
	}
	d.engine = engine
	d.closers = append([]func() error{engine.Close}, d.closers...)
	// Every complete file with a video extension becomes a job: one that does
	// not decode fails with the reason, where the user will see it.
	d.watcher, err = watcher.New(watch)
	if err != nil {
		d.close()
		return nil, err
	}
	d.closers = append([]func() error{d.watcher.Close}, d.closers...)
	return d, nil
}

func (d *daemon) close() {
	for _, c := range d.closers {
		c()
	}
}

// ensureDefaultFolder watches ~/AUWatch when no folder is configured.
func ensureDefaultFolder(ctx context.Context, st *store.Store, log *slog.Logger) error {
	folders, err := st.Folders(ctx)
	if err != nil || len(folders) > 0 {
		return err
	}
	userHome, err := os.UserHomeDir()
	if err != nil {
		return fmt.Errorf("no folder to watch and no home folder: %w", err)
	}
	dir := filepath.Join(userHome, "AUWatch")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	log.Info("no folder configured; watching the default one", "folder", dir)
	_, err = st.AddFolder(ctx, dir)
	return err
}

func (d *daemon) run(ctx context.Context) {
	var wg sync.WaitGroup
	d.syncFolders(ctx)
	wg.Add(3)
	go func() { defer wg.Done(); d.watcher.Run(ctx) }()
	go func() { defer wg.Done(); d.intake(ctx) }()
	go func() { defer wg.Done(); d.followStore(ctx) }()
	d.work(ctx)
	wg.Wait()
}

// followStore notices changes other processes make to the store (folders
// added, retries, pause and resume) within a couple of seconds.
func (d *daemon) followStore(ctx context.Context) {
	var seen int64 = -1
	t := time.NewTicker(idlePoll / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := d.store.DataVersion(ctx)
		if err != nil || v == seen {
			continue
		}
		seen = v
		d.syncFolders(ctx)
		d.nudge()
	}
}

func (d *daemon) syncFolders(ctx context.Context) {
	folders, err := d.store.Folders(ctx)
	if err != nil {
		d.log.Error("read folders", "err", err)
		return
	}
	byPath := make(map[string]int64, len(folders))
	paths := make([]string, 0, len(folders))
	for _, f := range folders {
		byPath[f.Path] = f.ID
		paths = append(paths, f.Path)
	}
	d.mu.Lock()
	d.folders = byPath
	d.mu.Unlock()
	d.watcher.SetFolders(paths)
}

func (d *daemon) nudge() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// intake turns the watcher's complete files into jobs.
func (d *daemon) intake(ctx context.Context) {
	for c := range d.watcher.Candidates() {
		d.enqueue(ctx, c)
	}
}

func (d *daemon) enqueue(ctx context.Context, c watcher.Candidate) {
	d.mu.Lock()
	folderID, ok := d.folders[c.Folder]
	d.mu.Unlock()
	if !ok {
		return
	}
	fp, err := watcher.Fingerprint(c.Path)
	if err != nil {
		d.log.Warn("cannot read new file", "path", c.Path, "err", err)
		return
	}
	job, created, err := d.store.Enqueue(ctx, folderID, store.VideoFile{Path: c.Path, Size: c.Size, MtimeNs: c.ModTime.UnixNano(), Fingerprint: fp})
	if err != nil {
		d.log.Error("queue video", "path", c.Path, "err", err)
		return
	}
	if created {
		d.log.Info("queued", "job", job.ID, "path", c.Path)
		d.nudge()
		return
	}
	d.followMove(ctx, job)
}

// followMove renames a finished video's CSV after the video was renamed or
// moved inside a watched folder, instead of measuring it again.
func (d *daemon) followMove(ctx context.Context, job store.Job) {
	want := pipeline.OutputPath(job.Path, "")
	if job.State != store.Done || job.OutputPath == "" || job.OutputPath == want {
		return
	}
	if _, err := os.Stat(want); err == nil {
		return // never overwrite a file there
	}
	if err := os.Rename(job.OutputPath, want); err != nil {
		d.log.Warn("cannot move CSV after its video moved", "from", job.OutputPath, "to", want, "err", err)
		return
	}
	if err := d.store.SetOutput(ctx, job.ID, want, job.OutputSHA256); err != nil {
		d.log.Error("record moved CSV", "path", want, "err", err)
		return
	}
	d.log.Info("video moved; CSV moved with it", "video", job.Path, "csv", want)
}

// work processes queued jobs one at a time, in arrival order.
func (d *daemon) work(ctx context.Context) {
	for ctx.Err() == nil {
		job, err := d.next(ctx)
		if err != nil {
			d.log.Error("take next job", "err", err)
		}
		if job == nil {
			select {
			case <-ctx.Done():
			case <-d.wake:
			case <-time.After(idlePoll):
			}
			continue
		}
		d.process(ctx, job)
	}
}

func (d *daemon) next(ctx context.Context) (*store.Job, error) {
	paused, err := d.store.Paused(ctx)
	if err != nil || paused {
		return nil, err
	}
	return d.store.Claim(ctx)
}

func (d *daemon) process(ctx context.Context, job *store.Job) {
	log := d.log.With("job", job.ID, "video", job.Path)
	out := pipeline.OutputPath(job.Path, "")
	if err := checkOverwrite(out, job.OutputSHA256); err != nil {
		d.fail(ctx, log, job, err, false)
		return
	}
	csvout.RemoveStale(out)
	fast, err := d.store.Fast(ctx)
	if err != nil {
		log.Warn("measuring in the default mode", "err", err)
	}
	log.Info("processing", "attempt", job.Attempts, "mode", modeName(fast))
	var last time.Time
	sum, err := d.engine.Process(ctx, job.Path, out, pipeline.Options{Fast: fast}, func(p pipeline.Progress) {
		if p.Total > 0 && time.Since(last) >= progressEvery {
			last = time.Now()
			d.store.Progress(ctx, job.ID, math.Min(1, float64(p.Frame)/float64(p.Total)))
		}
	})
	if ctx.Err() != nil {
		log.Info("stopped mid-video; queued again")
		if err := d.store.Requeue(context.Background(), job.ID); err != nil {
			log.Error("queue again", "err", err)
		}
		return
	}
	if err != nil {
		d.fail(ctx, log, job, err, retryable(err))
		return
	}
	sha, err := digest.File(out)
	if err == nil {
		err = d.store.Complete(ctx, job.ID, result(out, sha, sum, fast))
	}
	if errors.Is(err, store.ErrWrongState) {
		log.Info("the video changed while it was processed; it will run again")
		return
	}
	if err != nil {
		log.Error("record result", "err", err)
		return
	}
	log.Info("done", "csv", out, "frames", sum.Frames, "with_face", sum.Successful, "fps", math.Round(sum.FPS()))
}

func (d *daemon) fail(ctx context.Context, log *slog.Logger, job *store.Job, err error, retry bool) {
	j, ferr := d.store.Fail(ctx, job.ID, err.Error(), retry)
	if ferr != nil {
		log.Error("record failure", "err", ferr, "failure", err)
		return
	}
	log.Warn("failed", "err", err, "state", j.State, "attempts", j.Attempts)
}

// retryable tells failures worth another attempt (a passing fault) from
// those that will fail the same way again (a file that is not a video, a
// folder the daemon may not write to).
func retryable(err error) bool {
	return !errors.Is(err, video.ErrNotVideo) && !errors.Is(err, pipeline.ErrNoFrames) &&
		!errors.Is(err, fs.ErrPermission) && !errors.Is(err, fs.ErrNotExist)
}

// checkOverwrite refuses to replace a file at out unless it is the CSV this
// job wrote before (same sha256).
func checkOverwrite(out, ownSHA string) error {
	if _, err := os.Lstat(out); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if ownSHA != "" {
		if sha, err := digest.File(out); err == nil && sha == ownSHA {
			return nil
		}
	}
	return fmt.Errorf("%s already exists and auwatchd did not write it; move it away and retry", out)
}

// result converts an engine summary into what the store keeps.
func result(out, sha string, sum pipeline.Summary, fast bool) store.Result {
	r := sum.Results
	names := make([]string, 0, len(r.IntensityNames)+len(r.OccurrenceNames))
	for _, n := range r.IntensityNames {
		names = append(names, n+"_r")
	}
	for _, n := range r.OccurrenceNames {
		names = append(names, n+"_c")
	}
	stats := make([]store.AUStat, len(r.IntensityNames))
	for a, n := range r.IntensityNames {
		stats[a].Name = n + "_r"
		count := 0
		for i, ok := range r.Success {
			if ok {
				v := r.Intensity[i][a]
				stats[a].Mean += v
				stats[a].Max = math.Max(stats[a].Max, v)
				count++
			}
		}
		if count > 0 {
			stats[a].Mean /= float64(count)
		}
	}
	return store.Result{
		OutputPath: out, OutputSHA256: sha, AUNames: names,
		Summary: store.Summary{Frames: sum.Frames, Successful: sum.Successful, FPS: sum.FPS(), WallSeconds: sum.Wall.Seconds(), Fast: fast, AUs: stats},
		Frames:  frameRows(r),
	}
}

func frameRows(r pipeline.Results) iter.Seq[store.FrameAUs] {
	return func(yield func(store.FrameAUs) bool) {
		values := make([]float64, 0, len(r.IntensityNames)+len(r.OccurrenceNames))
		for i := range r.Timestamps {
			values = append(append(values[:0], r.Intensity[i]...), r.Occurrence[i]...)
			if !yield(store.FrameAUs{Frame: i + 1, Timestamp: r.Timestamps[i], Success: r.Success[i], Values: values}) {
				return
			}
		}
	}
}
