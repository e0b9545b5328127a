package watcher

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestFingerprint(t *testing.T) {
	t.Parallel()
	large := patterned(3*fingerprintSpan + 17)
	small := patterned(1000)
	tests := []struct {
		name      string
		a, b      []byte
		wantEqual bool
	}{
		{"copy of a large file", large, bytes.Clone(large), true},
		{"copy of a small file", small, bytes.Clone(small), true},
		{"last byte changed", large, withByte(large, len(large)-1), false},
		{"first byte changed", large, withByte(large, 0), false},
		{"small file last byte changed", small, withByte(small, len(small)-1), false},
		{"one byte appended", large, append(bytes.Clone(large), 0), false},
		{"middle byte changed is not seen", large, withByte(large, len(large)/2), true},
		{"empty files", nil, []byte{}, true},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		pathA := writeTemp(t, dir, "a.mp4", tt.a)
		pathB := writeTemp(t, dir, "b.mp4", tt.b)
		fpA, err := Fingerprint(pathA)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		fpB, err := Fingerprint(pathB)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(fpA) != 64 {
			t.Errorf("%s: fingerprint %q is not 64 hex digits", tt.name, fpA)
		}
		if (fpA == fpB) != tt.wantEqual {
			t.Errorf("%s: fingerprints %s and %s, want equal %v", tt.name, fpA, fpB, tt.wantEqual)
		}
	}
}

func TestFingerprintMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "absent.mp4")
	_, err := Fingerprint(path)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(path)) {
		t.Fatalf("error %v, want one naming %s", err, path)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	path := writeTemp(b, b.TempDir(), "v.mp4", patterned(8*fingerprintSpan))
	b.ReportAllocs()
	b.SetBytes(2 * fingerprintSpan)
	for b.Loop() {
		if _, err := Fingerprint(path); err != nil {
			b.Fatal(err)
		}
	}
}

// patterned returns n bytes that differ from their neighbours, so any one-byte edit shows.
func patterned(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + i/251)
	}
	return data
}

func withByte(data []byte, i int) []byte {
	changed := bytes.Clone(data)
	changed[i] ^= 0xff
	return changed
}

func writeTemp(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
