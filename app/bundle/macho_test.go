package bundle

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// dylibCommand is a dylib load command naming name.
func dylibCommand(cmd macho.LoadCmd, name string) []byte {
	return loadCommand(cmd, 24, name, func(b []byte) {
		binary.LittleEndian.PutUint32(b[16:], 0x0a0d00) // current version 10.13.0
		binary.LittleEndian.PutUint32(b[20:], 0x010000) // compatibility version 1.0.0
	})
}

// loadCommand lays out a load command whose string starts at offset,
// padded to 8 bytes as the linker does; fill writes the fields before it.
func loadCommand(cmd macho.LoadCmd, offset int, s string, fill func([]byte)) []byte {
	size := (offset + len(s) + 1 + 7) &^ 7
	b := make([]byte, size)
	binary.LittleEndian.PutUint32(b, uint32(cmd))
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	binary.LittleEndian.PutUint32(b[8:], uint32(offset))
	if fill != nil {
		fill(b)
	}
	copy(b[offset:], s)
	return b
}

// writeDylib writes a 64-bit arm64 Mach-O library holding only cmds.
func writeDylib(t *testing.T, cmds ...[]byte) string {
	t.Helper()
	var body bytes.Buffer
	for _, c := range cmds {
		body.Write(c)
	}
	hdr := make([]byte, 32)
	for i, v := range []uint32{macho.Magic64, uint32(macho.CpuArm64), 0, uint32(macho.TypeDylib), uint32(len(cmds)), uint32(body.Len()), 0, 0} {
		binary.LittleEndian.PutUint32(hdr[4*i:], v)
	}
	path := filepath.Join(t.TempDir(), "libexample.1.dylib")
	if err := os.WriteFile(path, append(hdr, body.Bytes()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadImage(t *testing.T) {
	path := writeDylib(t,
		dylibCommand(loadCmdIDDylib, "/opt/homebrew/opt/example/lib/libexample.1.dylib"),
		dylibCommand(macho.LoadCmdDylib, "@rpath/libopencv_core.413.dylib"),
		dylibCommand(loadCmdLoadWeakDylib, "/opt/homebrew/opt/webp/lib/libwebp.7.dylib"),
		dylibCommand(loadCmdReexportDylib, "/usr/lib/libc++.1.dylib"),
		loadCommand(macho.LoadCmdRpath, 12, "@loader_path/../lib", nil),
	)
	link := filepath.Join(t.TempDir(), "libexample.dylib")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	img, err := ReadImage(link)
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(path)
	want := Image{Path: real, ID: "/opt/homebrew/opt/example/lib/libexample.1.dylib",
		Deps:   []string{"@rpath/libopencv_core.413.dylib", "/opt/homebrew/opt/webp/lib/libwebp.7.dylib", "/usr/lib/libc++.1.dylib"},
		RPaths: []string{"@loader_path/../lib"}}
	if img.Path != want.Path || img.ID != want.ID || !slices.Equal(img.Deps, want.Deps) || !slices.Equal(img.RPaths, want.RPaths) {
		t.Errorf("ReadImage\n got %+v\nwant %+v", img, want)
	}
	if _, err := ReadImage(filepath.Join(t.TempDir(), "none.dylib")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want it not to exist", err)
	}
	if _, err := ReadImage("bundle.go"); err == nil {
		t.Error("a file that is not Mach-O was read")
	}
}
