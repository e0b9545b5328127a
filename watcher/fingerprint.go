package watcher

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
)

// fingerprintSpan is how much of each end of a file Fingerprint reads.
const fingerprintSpan = 1 << 20

// Fingerprint returns a cheap content fingerprint of the file at path: the hex SHA-256 of the
// file size (8 bytes, big-endian), then its first MiB, then its last MiB (in a file shorter
// than 2 MiB the two ranges overlap, and in one under 1 MiB both are the whole file). It reads
// at most 2 MiB whatever the size, so it recognises a moved or copied video and notices an
// appended or truncated one, but a change confined to the middle of a large file leaves it
// unchanged.
func Fingerprint(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	size := info.Size()
	h := sha256.New()
	var sizeField [8]byte
	binary.BigEndian.PutUint64(sizeField[:], uint64(size))
	h.Write(sizeField[:])
	span := min(size, fingerprintSpan)
	buf := make([]byte, 64<<10)
	if err := hashRange(h, f, 0, span, buf); err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	if err := hashRange(h, f, size-span, span, buf); err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashRange feeds n bytes of f from offset off into h through buf; a file that shrank meanwhile is an error.
func hashRange(h hash.Hash, f *os.File, off, n int64, buf []byte) error {
	copied, err := io.CopyBuffer(h, io.NewSectionReader(f, off, n), buf)
	if err == nil && copied != n {
		err = io.ErrUnexpectedEOF
	}
	return err
}
