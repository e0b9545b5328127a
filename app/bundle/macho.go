package bundle

import (
	"debug/macho"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Load commands that name a library but that debug/macho leaves as raw bytes.
const (
	loadCmdIDDylib       macho.LoadCmd = 0xd
	loadCmdLoadWeakDylib macho.LoadCmd = 0x80000018
	loadCmdReexportDylib macho.LoadCmd = 0x8000001f
	loadCmdLazyLoadDylib macho.LoadCmd = 0x20
)

// ReadImage reads the load commands of the Mach-O file at path: its install
// name, the libraries it loads and its run-path search list. Of a universal
// file it reads the first architecture; install_name_tool edits them all alike.
// The Image's Path has symbolic links resolved, so that a library reached by
// two names (Homebrew's opt and Cellar paths) is one library.
func ReadImage(path string) (Image, error) {
	path, err := filepath.EvalSymlinks(path)
	if err != nil {
		return Image{}, fmt.Errorf("read %w", err)
	}
	f, closeFile, err := openMachO(path)
	if err != nil {
		return Image{}, err
	}
	defer closeFile()
	img := Image{Path: path}
	for _, load := range f.Loads {
		switch l := load.(type) {
		case *macho.Dylib:
			img.Deps = append(img.Deps, l.Name)
		case *macho.Rpath:
			img.RPaths = append(img.RPaths, l.Path)
		case macho.LoadBytes:
			if err := img.addRaw(l, f.ByteOrder); err != nil {
				return Image{}, fmt.Errorf("read %s: %w", path, err)
			}
		}
	}
	return img, nil
}

// openMachO opens a thin Mach-O file, or the first architecture of a
// universal one, and returns how to close it.
func openMachO(path string) (*macho.File, func() error, error) {
	f, err := macho.Open(path)
	if err == nil {
		return f, f.Close, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	fat, fatErr := macho.OpenFat(path)
	if fatErr != nil {
		return nil, nil, fmt.Errorf("read %s: not a Mach-O file: %w", path, err)
	}
	return fat.Arches[0].File, fat.Close, nil
}

// addRaw records the library named by one of the dylib load commands that
// debug/macho does not decode: the file's own install name, weak, lazy and
// re-exported libraries.
func (img *Image) addRaw(raw macho.LoadBytes, order binary.ByteOrder) error {
	if len(raw) < 12 {
		return nil
	}
	cmd := macho.LoadCmd(order.Uint32(raw))
	if cmd != loadCmdIDDylib && cmd != loadCmdLoadWeakDylib && cmd != loadCmdReexportDylib && cmd != loadCmdLazyLoadDylib {
		return nil
	}
	offset := order.Uint32(raw[8:])
	if offset >= uint32(len(raw)) {
		return fmt.Errorf("load command %#x names a library outside itself", uint32(cmd))
	}
	name := cString(raw[offset:])
	if cmd == loadCmdIDDylib {
		img.ID = name
	} else {
		img.Deps = append(img.Deps, name)
	}
	return nil
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
