// Package store is auwatchd's memory: the watched folders, one job per video
// with its state machine, and each video's AU results, in a private SQLite
// file. The daemon and the command line share that file at once, so every
// change is a short transaction and nothing is lost or done twice across
// crashes and reboots.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Permissions of the store's folder (when the store creates it) and files.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// busyTimeoutMs is how long a statement waits for another process's write
// transaction before giving up; every write transaction is short.
const busyTimeoutMs = 5000

// Store is an open auwatchd database. Its methods are safe for concurrent use,
// and other processes may use the same file at the same time.
type Store struct {
	path string
	// db runs every write; its transactions are BEGIN IMMEDIATE, so a read
	// followed by a write can never be overtaken by another process.
	db *sql.DB
	// rdb runs reads in deferred transactions, which a writer never blocks
	// in WAL mode.
	rdb *sql.DB
	// versionConn is the one connection PRAGMA data_version is asked on: the
	// pragma's value only means something compared with an earlier value
	// from the same connection.
	versionMu   sync.Mutex
	versionConn *sql.Conn
	now         func() time.Time
}

// ErrNotAuwatchd is returned by Open for an SQLite file that some other
// program made.
var ErrNotAuwatchd = errors.New("the file is an SQLite database of another program")

// ErrSchemaTooNew is returned by Open for a database written by a newer auwatchd.
var ErrSchemaTooNew = errors.New("the database was written by a newer auwatchd")

// Open opens the database at path, creating it (and its folder) when missing
// and bringing its schema up to date. The folder is created 0700 and the
// database file and its -wal and -shm companions are kept 0600.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := preparePrivateFiles(abs); err != nil {
		return nil, err
	}
	ctx := context.Background()
	s := &Store{path: abs, now: time.Now}
	if s.db, err = sql.Open(driverName, dataSourceName(abs, writerParams)); err != nil {
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	if err := migrate(ctx, s.db, migrations); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	if s.rdb, err = sql.Open(driverName, dataSourceName(abs, readerParams)); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	if s.versionConn, err = s.rdb.Conn(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	return s, nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.versionConn != nil {
		errs = append(errs, s.versionConn.Close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	errs = append(errs, s.db.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// DataVersion returns a number that changes whenever any connection, in this
// process or another, has committed a change since the previous call. A
// daemon polls it every second or so to notice commands from the CLI.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	s.versionMu.Lock()
	defer s.versionMu.Unlock()
	var v int64
	if err := s.versionConn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read the data version of %s: %w", s.path, err)
	}
	return v, nil
}

// Connection parameters, given in the DSN so that every pooled connection
// gets them. journal_mode=WAL is persistent in the file, so readers, which
// open after the writer, do not set it.
const (
	writerParams = "_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate"
	readerParams = "_synchronous=NORMAL&_foreign_keys=on&_txlock=deferred&_query_only=on"
)

// dataSourceName returns an SQLite URI for path. Only '%', '?' and '#' need
// escaping in the path of an SQLite URI.
func dataSourceName(path, params string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?%s&_busy_timeout=%d", escaped, params, busyTimeoutMs)
}

// preparePrivateFiles creates the database's folder (0700) and an empty
// database file (0600) before SQLite opens it, because SQLite gives the -wal
// and -shm files the permissions of the database file. Files left wider by
// an older install are narrowed.
func preparePrivateFiles(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return fmt.Errorf("create the folder of %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		err := os.Chmod(p, fileMode)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make %s private: %w", p, err)
		}
	}
	return nil
}

// write runs fn in one BEGIN IMMEDIATE transaction.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return inTx(ctx, s.db, fn)
}

// txStarter is a pool or a single connection.
type txStarter interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}

// inTx runs fn in a transaction on b, committing only if fn succeeds.
func inTx(ctx context.Context, b txStarter, fn func(*sql.Tx) error) error {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// writeDurable is write with the commit synced to disk. In WAL mode with
// synchronous=NORMAL a power cut may undo the last commits; for a finished
// video that would mean running it twice and finding a CSV the store has
// no record of, so its commit is worth one fsync.
func (s *Store) writeDurable(ctx context.Context, fn func(*sql.Tx) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
	return inTx(ctx, conn, fn)
}

// read runs fn in one deferred transaction, so that it sees one snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// stampLayout is how times are stored: UTC ISO 8601 with milliseconds, which
// sorts as text and which SQLite's date functions understand.
const stampLayout = "2006-01-02T15:04:05.000Z07:00"

func (s *Store) stamp() string { return s.now().UTC().Format(stampLayout) }

// parseStamp reads a stored time; NULL or empty is the zero time.
func parseStamp(v sql.NullString) (time.Time, error) {
	if !v.Valid || v.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(stampLayout, v.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", v.String, err)
	}
	return t, nil
}
