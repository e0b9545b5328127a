package weights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
)

// Fetch makes every entry present and verified under dest. A file that is
// already there with the right sha256 is left alone; otherwise it is copied
// from the folder from (when not empty) or downloaded from its URL. Each file
// is written under a temporary name and renamed only once its sha256 matches,
// so a failed or interrupted fetch never leaves a partial file behind.
func Fetch(ctx context.Context, entries []Entry, dest, from string, log io.Writer) error {
	copied := 0
	for _, e := range entries {
		if Check(dest, e) == nil {
			continue
		}
		if err := fetchOne(ctx, e, dest, from, log); err != nil {
			return err
		}
		copied++
	}
	if from != "" && copied > 0 {
		fmt.Fprintf(log, "copied %d files from %s\n", copied, from)
	}
	return nil
}

// fetchOne copies or downloads e into dest and puts it in place only once
// its sha256 matches; it replaces the missing or different file there.
func fetchOne(ctx context.Context, e Entry, dest, from string, log io.Writer) error {
	final := filepath.Join(dest, filepath.FromSlash(e.Path))
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", final, err)
	}
	return atomicfile.Write(final, 0o644, atomicfile.ReplaceAny, func(out io.Writer) error {
		h := sha256.New()
		w := io.MultiWriter(out, h)
		var err error
		if from != "" {
			err = copyFrom(filepath.Join(from, filepath.FromSlash(e.Path)), w)
		} else {
			err = download(ctx, e, w, log)
		}
		if err != nil {
			return err
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != e.SHA256 {
			return fmt.Errorf("got sha256 %s, want %s; the source copy is corrupted or a different version", sum, e.SHA256)
		}
		return nil
	})
}

func copyFrom(src string, w io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy from local folder: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	return nil
}

func download(ctx context.Context, e Entry, w io.Writer, log io.Writer) error {
	if e.URL == "" || e.URL == "-" {
		return fmt.Errorf("%s has no public upstream copy; make it (the OpenFace references: scripts/openface-reference.sh OPENFACE_DIR) or point the matching *_FROM variable at a folder that holds it", e.Path)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", e.Path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("download %s from %s: %w", e.Path, e.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s from %s: %s", e.Path, e.URL, resp.Status)
	}
	p := &progress{name: e.Path, total: e.Size, out: log}
	_, err = io.Copy(io.MultiWriter(w, p), resp.Body)
	p.finish()
	if err != nil {
		return fmt.Errorf("download %s from %s: %w", e.Path, e.URL, err)
	}
	return nil
}

// progress prints one line per file, rewritten at most a few times a second.
type progress struct {
	name  string
	total int64
	done  int64
	last  time.Time
	out   io.Writer
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if time.Since(p.last) > 250*time.Millisecond {
		p.last = time.Now()
		fmt.Fprintf(p.out, "\rdownloading %s  %d/%d KB", p.name, p.done/1024, p.total/1024)
	}
	return len(b), nil
}

func (p *progress) finish() {
	fmt.Fprintf(p.out, "\rdownloaded %s  %d KB\n", p.name, p.done/1024)
}
