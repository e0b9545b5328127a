package daemon

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
	"github.com/auwatchd/auwatchd/watcher"
)

// fakeMeasurer "measures" a video by writing a CSV that names it, through
// the same overwrite rule the engine honours. Its hook, when set, runs
// before the CSV is written and may fail the video.
type fakeMeasurer struct {
	mu      sync.Mutex
	calls   int
	active  int
	maxSeen int // most videos measured at once
	workers int // as SetWorkers last said
	hook    func(ctx context.Context, video, out string) error
	after   func(ctx context.Context, video, out string) // runs once the CSV is in place
}

func (m *fakeMeasurer) Process(ctx context.Context, video, out string, opt pipeline.Options, progress func(pipeline.Progress)) (pipeline.Summary, error) {
	m.mu.Lock()
	m.calls++
	m.active++
	m.maxSeen = max(m.maxSeen, m.active)
	hook, after := m.hook, m.after
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.active--
		m.mu.Unlock()
	}()
	if err := atomicfile.MayWrite(out, opt.Replace); err != nil {
		return pipeline.Summary{}, err
	}
	progress(pipeline.Progress{Frame: 1, Total: 2})
	if hook != nil {
		if err := hook(ctx, video, out); err != nil {
			return pipeline.Summary{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return pipeline.Summary{}, err
	}
	err := atomicfile.Write(out, 0o644, opt.Replace, func(w io.Writer) error {
		_, err := io.WriteString(w, "csv of "+filepath.Base(video)+"\n")
		return err
	})
	if err != nil {
		return pipeline.Summary{}, err
	}
	progress(pipeline.Progress{Frame: 2, Total: 2})
	if after != nil {
		after(ctx, video, out)
	}
	return pipeline.Summary{Video: video, Output: out, Frames: 2, Successful: 2, Wall: time.Millisecond,
		Results: pipeline.Results{IntensityNames: []string{"AU12"}, OccurrenceNames: []string{"AU12"},
			Timestamps: []float64{0, 0.04}, Success: []bool{true, true},
			Intensity: [][]float64{{0.5}, {1.5}}, Occurrence: [][]float64{{0}, {1}},
			GazeAngles: [][2]float64{{0.1, -0.2}, {0.3, 0}}}}, nil
}

func (m *fakeMeasurer) SetWorkers(n int) {
	m.mu.Lock()
	m.workers = n
	m.mu.Unlock()
}

func (m *fakeMeasurer) stats() (calls, maxSeen int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls, m.maxSeen
}

// fakeWatcher delivers the candidates a test sends it.
type fakeWatcher struct {
	candidates chan watcher.Candidate
	runErr     error // returned by Run at once when set
	mu         sync.Mutex
	folders    []string
	problems   []watcher.Problem
	rescanned  map[string]int
	waiting    []string
}

func newFakeWatcher() *fakeWatcher {
	return &fakeWatcher{candidates: make(chan watcher.Candidate, 16)}
}

func (w *fakeWatcher) SetFolders(paths []string) {
	w.mu.Lock()
	w.folders = paths
	w.mu.Unlock()
}

func (w *fakeWatcher) Candidates() <-chan watcher.Candidate { return w.candidates }

func (w *fakeWatcher) Problems() []watcher.Problem {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.problems
}

func (w *fakeWatcher) Rescanned() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rescanned
}

func (w *fakeWatcher) Waiting() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waiting
}

func (w *fakeWatcher) Run(ctx context.Context) error {
	defer close(w.candidates)
	if w.runErr != nil {
		return w.runErr
	}
	<-ctx.Done()
	return nil
}

func (w *fakeWatcher) Close() error { return nil }

// fakeOutputs records the CSVs the daemon hands on, and records them all.
type fakeOutputs struct {
	mu    sync.Mutex
	calls []outputCall
}

type outputCall struct {
	folderID     int64
	folder, path string
}

func (o *fakeOutputs) Collect(_ context.Context, folderID int64, folder, csv string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, outputCall{folderID, folder, csv})
	return true, nil
}

func (o *fakeOutputs) collected() []outputCall {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]outputCall(nil), o.calls...)
}

// fakeAwake records when the computer would be held awake.
type fakeAwake struct {
	mu    sync.Mutex
	held  bool
	holds int
}

func (a *fakeAwake) Hold() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.held {
		return errors.New("held twice")
	}
	a.held = true
	a.holds++
	return nil
}

func (a *fakeAwake) Release() {
	a.mu.Lock()
	a.held = false
	a.mu.Unlock()
}

func (a *fakeAwake) state() (held bool, holds int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.held, a.holds
}

// harness is a daemon on a real store in a temporary folder, with a fake
// engine and watchers.
type harness struct {
	t     *testing.T
	ctx   context.Context
	store *store.Store
	// daemonStore is the store the daemon is given; h.store unless a test
	// puts a faulty one in front of it.
	daemonStore Store
	folder      string
	measurer    *fakeMeasurer
	watchers    chan *fakeWatcher // the watchers the daemon will be given, in order
	log         testenv.SyncBuffer
	awake       fakeAwake
	outputs     fakeOutputs
	cancel      context.CancelFunc
	done        chan error
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, ctx: context.Background(), store: st, folder: t.TempDir(),
		measurer: &fakeMeasurer{}, watchers: make(chan *fakeWatcher, 8)}
	if _, err := st.AddFolder(h.ctx, h.folder); err != nil {
		t.Fatal(err)
	}
	return h
}

// start runs the daemon until the test ends or stop is called.
func (h *harness) start() {
	h.t.Helper()
	if h.daemonStore == nil {
		h.daemonStore = h.store
	}
	d := New(Config{
		Store:    h.daemonStore,
		Measurer: h.measurer,
		NewWatcher: func() (Watcher, error) {
			select {
			case w := <-h.watchers:
				return w, nil
			default:
				return nil, errors.New("no more watchers")
			}
		},
		Log:         slog.New(slog.NewTextHandler(&h.log, nil)),
		AutoWorkers: 1,
		Poll:        20 * time.Millisecond,
		Awake:       &h.awake,
		Outputs:     &h.outputs,
	})
	ctx, cancel := context.WithCancel(h.ctx)
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- d.Run(ctx) }()
	h.t.Cleanup(func() { h.stop() })
}

// startWatching starts the daemon with a fake watcher and returns it.
func (h *harness) startWatching() *fakeWatcher {
	h.t.Helper()
	w := newFakeWatcher()
	h.watchers <- w
	h.start()
	return w
}

// measureOne starts the daemon with a fake watcher, has it find one video
// and waits until the video is done.
func (h *harness) measureOne(name string) (*fakeWatcher, watcher.Candidate) {
	h.t.Helper()
	w := h.startWatching()
	c := h.video(name, "video "+name)
	w.candidates <- c
	h.waitFor("the video done", func(s store.Status) bool { return s.Counts.Done == 1 })
	return w, c
}

// stop stops the daemon and waits for Run to return.
func (h *harness) stop() {
	h.t.Helper()
	if h.done == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatalf("Run did not return after the stop; log:\n%s", h.log.String())
	}
	h.done = nil
}

// video writes a file in the watched folder and returns its candidate.
func (h *harness) video(name, content string) watcher.Candidate {
	h.t.Helper()
	path := filepath.Join(h.folder, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		h.t.Fatal(err)
	}
	return watcher.Candidate{Path: path, Folder: h.folder, Size: info.Size(), ModTime: info.ModTime()}
}

// waitFor polls the store's status until cond holds.
func (h *harness) waitFor(what string, cond func(store.Status) bool) store.Status {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := h.store.Status(h.ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; status %+v; log:\n%s", what, s.Counts, h.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) folderID() int64 {
	h.t.Helper()
	folders, err := h.store.Folders(h.ctx)
	if err != nil || len(folders) != 1 {
		h.t.Fatalf("folders %v, %v", folders, err)
	}
	return folders[0].ID
}

// state returns the state of path's job, or "" when it has none.
func (h *harness) state(path string) store.State {
	h.t.Helper()
	j, err := h.store.JobByPath(h.ctx, path)
	if errors.Is(err, store.ErrNotFound) {
		return ""
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return j.State
}

// job returns the job of path.
func (h *harness) job(path string) store.Job {
	h.t.Helper()
	j, err := h.store.JobByPath(h.ctx, path)
	if err != nil {
		h.t.Fatal(err)
	}
	return j
}
