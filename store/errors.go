package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// Transient reports whether err is a failure of the database's file rather
// than of the request: its disk full, its file locked or unreadable for a
// moment. The same request may succeed later.
func Transient(err error) bool {
	var e sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCantOpen, sqlite3.ErrNomem:
		return true
	}
	return false
}
