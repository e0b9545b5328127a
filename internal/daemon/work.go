package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
	"github.com/auwatchd/auwatchd/internal/digest"
	"github.com/auwatchd/auwatchd/internal/report"
	"github.com/auwatchd/auwatchd/internal/results"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/pipeline/csvout"
	"github.com/auwatchd/auwatchd/pipeline/video"
	"github.com/auwatchd/auwatchd/store"
)

// How often an idle worker looks at the queue without being woken, how often
// a running video's progress is recorded, and how long the first retry of
// recording a result waits.
const (
	idlePoll      = 2 * time.Second
	progressEvery = 500 * time.Millisecond
	firstRecord   = 500 * time.Millisecond
	longestRecord = 30 * time.Second
)

// runWorkers keeps as many workers as the setting allows; a worker beyond
// the setting idles until it is raised again.
func (d *Daemon) runWorkers(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	started := int64(0)
	for {
		for ; started < d.workers.Load(); started++ {
			wg.Add(1)
			go func(n int64) {
				defer wg.Done()
				d.work(ctx, n)
			}(started + 1)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake.wait():
		}
	}
}

// work is worker n's loop: claim the oldest queued job, measure it, repeat.
func (d *Daemon) work(ctx context.Context, n int64) {
	var failing onceLog
	for ctx.Err() == nil {
		var job *store.Job
		if n <= d.workers.Load() {
			var err error
			job, err = d.next(ctx)
			if err != nil && ctx.Err() == nil {
				failing.warn(d.log, "cannot take the next job; retrying", err)
			} else {
				failing.recovered(d.log, "jobs can be taken again")
			}
		}
		if job == nil {
			select {
			case <-ctx.Done():
			case <-d.wake.wait():
			case <-time.After(idlePoll):
			}
			continue
		}
		d.measure(ctx, job)
	}
}

func (d *Daemon) next(ctx context.Context) (*store.Job, error) {
	paused, err := d.cfg.Store.Paused(ctx)
	if err != nil || paused {
		return nil, err
	}
	return d.cfg.Store.Claim(ctx)
}

// measure runs one job to its end: done, failed, or back in the queue when
// the daemon stops. Once the CSV is in place its result is recorded, even
// while the daemon is stopping.
func (d *Daemon) measure(ctx context.Context, job *store.Job) {
	log := d.log.With("job", job.ID, "video", job.Path)
	d.busy(1)
	defer d.busy(-1)
	out := pipeline.OutputPath(job.Path, "")
	record := context.WithoutCancel(ctx)
	csvout.RemoveStale(out)
	everyFrame, err := d.cfg.Store.EveryFrame(ctx)
	if err != nil {
		log.Warn("measuring in the default mode", "err", err)
	}
	log.Info("processing", "attempt", job.Attempts, "mode", pipeline.ModeName(everyFrame))
	opt := pipeline.Options{EveryFrame: everyFrame, Replace: ownCSV(job)}
	sum, err := d.cfg.Measurer.Process(ctx, job.Path, out, opt, d.progress(ctx, log, job.ID))
	switch {
	case err == nil:
		d.report(record, log, job.Path, out, sum, pipeline.ModeName(everyFrame))
		d.complete(ctx, record, log, job, results.FromSummary(out, sum, everyFrame))
	case ctx.Err() != nil:
		log.Info("stopped mid-video; queued again")
		if err := d.cfg.Store.Requeue(record, job.ID); err != nil {
			log.Error("queue again", "err", err)
		}
	default:
		d.fail(record, log, job, err, failure(err))
	}
}

// report writes the HTML report beside a finished CSV when the setting
// asks for one. A report that cannot be written is logged; the CSV stands.
func (d *Daemon) report(ctx context.Context, log *slog.Logger, video, csv string, sum pipeline.Summary, mode string) {
	on, err := d.cfg.Store.Report(ctx)
	if err != nil || !on {
		return
	}
	faces, err := d.cfg.Store.Thumbnails(ctx)
	if err != nil {
		log.Warn("leaving the face thumbnails out of the report", "err", err)
	}
	opt := report.Options{Video: video, Thumbnails: faces, Mode: mode, Took: sum.Wall, Version: d.cfg.Version, Date: time.Now()}
	html := pipeline.ReportPath(csv)
	if err := report.Write(csv, html, opt, report.ReplaceOwn); err != nil {
		log.Warn("no report", "err", err)
		return
	}
	log.Info("report written", "report", html)
}

// busy counts the videos being measured, holding the computer awake while
// there are any: an overnight batch must not stall when the screen locks.
func (d *Daemon) busy(delta int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.measuring += delta
	if d.cfg.Awake == nil {
		return
	}
	switch {
	case delta > 0 && d.measuring == 1:
		if err := d.cfg.Awake.Hold(); err != nil {
			d.log.Warn("the computer may sleep while videos are measured", "err", err)
		}
	case delta < 0 && d.measuring == 0:
		d.cfg.Awake.Release()
	}
}

// ownCSV allows replacing the CSV the store records for job (same sha256),
// or a CSV identical to the new one: what a run left whose result a crash
// kept from being recorded. Before the new CSV exists, a job interrupted
// before is let go on, for the comparison at the end to decide.
func ownCSV(job *store.Job) atomicfile.Replace {
	recorded := atomicfile.ReplaceIfSHA256(job.OutputSHA256)
	return func(existing, replacement string) error {
		err := recorded(existing, replacement)
		switch {
		case err == nil:
			return nil
		case replacement == "" && job.Attempts > 1:
			return nil
		case replacement != "" && sameContent(existing, replacement):
			return nil
		}
		return err
	}
}

func sameContent(a, b string) bool {
	shaA, errA := digest.File(a)
	shaB, errB := digest.File(b)
	return errA == nil && errB == nil && shaA == shaB
}

// progress records a running video's progress every progressEvery, and
// at once when every frame is measured, so that 100% shows while the CSV
// is finished.
func (d *Daemon) progress(ctx context.Context, log *slog.Logger, id int64) func(pipeline.Progress) {
	var last time.Time
	recorded := -1.0
	var failing onceLog
	return func(p pipeline.Progress) {
		if p.Total <= 0 {
			return
		}
		fraction := math.Min(1, float64(p.Frame)/float64(p.Total))
		if fraction == recorded || (fraction < 1 && time.Since(last) < progressEvery) {
			return
		}
		last, recorded = time.Now(), fraction
		err := d.cfg.Store.Progress(ctx, id, fraction)
		if err != nil && ctx.Err() == nil {
			failing.warn(log, "cannot record progress", err)
		}
	}
}

// complete records a finished video's result. The CSV is in place, so the
// result is kept until the store takes it: a store that cannot be written
// for a passing reason (its disk full) is retried with growing pauses while
// the daemon runs; any other refusal fails the job with the reason.
func (d *Daemon) complete(ctx, record context.Context, log *slog.Logger, job *store.Job, r store.Result) {
	sha, err := digest.File(r.OutputPath)
	if err != nil {
		d.fail(record, log, job, fmt.Errorf("read back %s: %w", r.OutputPath, err), store.Passing)
		return
	}
	r.OutputSHA256 = sha
	refused := 0
	for wait := firstRecord; ; wait = min(2*wait, longestRecord) {
		err = d.cfg.Store.Complete(record, job.ID, r)
		if err == nil || errors.Is(err, store.ErrWrongState) {
			break
		}
		if !store.Transient(err) {
			d.fail(record, log, job, err, store.Passing)
			return
		}
		refused++
		log.Error("cannot record the result; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			log.Warn("stopping with the result unrecorded; the video will be measured again at the next start", "csv", r.OutputPath)
			return
		case <-time.After(wait):
		}
	}
	if errors.Is(err, store.ErrWrongState) {
		log.Info("the video changed while it was processed; it will run again")
		return
	}
	if refused > 0 {
		log.Info("result recorded after the database refused it", "times", refused)
	}
	s := r.Summary
	log.Info("done", "csv", r.OutputPath, "frames", s.Frames, "with_face", s.Successful, "fps", math.Round(s.FPS))
}

func (d *Daemon) fail(ctx context.Context, log *slog.Logger, job *store.Job, err error, kind store.Failure) {
	j, ferr := d.cfg.Store.Fail(ctx, job.ID, err.Error(), kind)
	if ferr != nil {
		log.Error("record failure", "err", ferr, "failure", err)
		return
	}
	log.Warn("failed", "err", err, "state", j.State, "attempts", j.Attempts)
}

// failure tells failures worth another attempt (a passing fault, a full
// disk) from those that will fail the same way again: in the file itself (not
// a video), or until something outside it changes (a folder the daemon may
// not write to, a file it must not replace).
func failure(err error) store.Failure {
	switch {
	case errors.Is(err, video.ErrNotVideo) || errors.Is(err, pipeline.ErrNoFrames):
		return store.InFile
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist):
		return store.Final
	}
	return store.Passing
}
