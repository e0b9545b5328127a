// Package csvout writes and reads OpenFace 2.2 FeatureExtraction CSV files:
// the same column names, order, separators and number formats, so that tools
// written for OpenFace read auwatchd's output unchanged.
package csvout

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/auwatchd/auwatchd/internal/atomicfile"
)

const landmarkCount = 68

// EyeLandmarkCount is the number of eye landmarks: OpenFace's 28-point
// model of each eye, eye 0's points first.
const EyeLandmarkCount = 56

// Frame is one row's worth of per-frame values, known as the frame is processed.
type Frame struct {
	Number     int // 1-based
	Timestamp  float64
	Confidence float64
	Success    bool
	// Gaze is each eye's unit gaze vector in the camera frame and
	// GazeAngle the horizontal and vertical angle of their mean, radians.
	Gaze      [2][3]float64
	GazeAngle [2]float64
	// EyeLandmarks: 112 values, x0..x55, y0..y55 (px); EyeCamera: 168,
	// X0..X55, Y0..Y55, Z0..Z55 (mm, camera frame).
	EyeLandmarks []float64
	EyeCamera    []float64
	PoseT        [3]float64 // mm, camera frame
	PoseR        [3]float64 // radians
	Landmarks    []float64  // 136: x0..x67, y0..y67
	Camera3D     []float64  // 204: X0..X67, Y0..Y67, Z0..Z67
	Global       [6]float64 // p_scale, p_rx, p_ry, p_rz, p_tx, p_ty
	Local        []float64  // 34: p_0..p_33
}

// Writer streams frames to a spill file beside the output, then, once the
// AU values are final (they need the whole video), puts the CSV in place
// with atomicfile, so no partial CSV ever exists under the final name.
type Writer struct {
	path      string
	replace   atomicfile.Replace
	intensity []string
	occurs    []string
	spill     *os.File
	buf       *bufio.Writer
	line      []byte
	frames    int
}

// Create starts a CSV at path whose AU columns are named by intensity
// (e.g. "AU01") and occurrence names, in the order their values will come.
// A file already at path is replaced only if replace allows it, asked now,
// so as not to measure a video for nothing, and again by Finish.
func Create(path string, intensity, occurrence []string, replace atomicfile.Replace) (*Writer, error) {
	if err := atomicfile.MayWrite(path, replace); err != nil {
		return nil, err
	}
	spill, err := os.CreateTemp(filepath.Dir(path), spillPrefix(path)+"*")
	if err != nil {
		return nil, fmt.Errorf("create output beside %s: %w", path, err)
	}
	os.Remove(spill.Name()) // unlinked: it vanishes with the process, whatever happens
	return &Writer{path: path, replace: replace, intensity: intensity, occurs: occurrence, spill: spill,
		buf: bufio.NewWriterSize(spill, 1<<16)}, nil
}

// Add appends a frame. Failed frames are written with zeros, as the
// columns of a frame without a face have no meaning.
func (w *Writer) Add(f *Frame) error {
	if f.Success && (len(f.Landmarks) != 2*landmarkCount || len(f.Camera3D) != 3*landmarkCount || len(f.Local) != 34 ||
		len(f.EyeLandmarks) != 2*EyeLandmarkCount || len(f.EyeCamera) != 3*EyeLandmarkCount) {
		return fmt.Errorf("write rows for %s: frame %d has %d/%d/%d/%d/%d landmark, 3-D, parameter, eye landmark and eye 3-D values, want 136/204/34/112/168",
			w.path, f.Number, len(f.Landmarks), len(f.Camera3D), len(f.Local), len(f.EyeLandmarks), len(f.EyeCamera))
	}
	w.line = appendFrame(w.line[:0], f)
	w.line = append(w.line, '\n')
	w.frames++
	if _, err := w.buf.Write(w.line); err != nil {
		return fmt.Errorf("write rows for %s: %w", w.path, err)
	}
	return nil
}

// Finish writes the CSV with the final AU values, one row per added frame
// (intensity[i] and occurrence[i] belong to frame i), and closes the writer.
func (w *Writer) Finish(intensity, occurrence [][]float64, perm os.FileMode) error {
	defer w.spill.Close()
	if len(intensity) != w.frames || len(occurrence) != w.frames {
		return fmt.Errorf("write %s: %d frames but %d/%d AU rows", w.path, w.frames, len(intensity), len(occurrence))
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("write rows for %s: %w", w.path, err)
	}
	if _, err := w.spill.Seek(0, 0); err != nil {
		return fmt.Errorf("read back rows for %s: %w", w.path, err)
	}
	return atomicfile.Write(w.path, perm, w.replace, func(out io.Writer) error {
		if _, err := io.WriteString(out, w.header()); err != nil {
			return err
		}
		rows := bufio.NewScanner(w.spill)
		rows.Buffer(make([]byte, 1<<16), 1<<20)
		for i := 0; rows.Scan(); i++ {
			line := append(w.line[:0], rows.Bytes()...)
			line = appendAUs(line, intensity[i], occurrence[i])
			line = append(line, '\n')
			if _, err := out.Write(line); err != nil {
				return err
			}
			w.line = line
		}
		return rows.Err()
	})
}

// Abort discards everything written so far.
func (w *Writer) Abort() {
	w.spill.Close()
}

// RemoveStale deletes the temporary files a killed process may have left
// while writing path; they are hidden, but they take space.
func RemoveStale(path string) {
	atomicfile.RemoveStale(path)
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), spillPrefix(path)+"*"))
	for _, f := range stale {
		os.Remove(f)
	}
}

// spillPrefix starts the name of the file the rows wait in, hidden and
// derived from path so that RemoveStale finds it.
func spillPrefix(path string) string { return "." + filepath.Base(path) + ".rows-" }

func (w *Writer) header() string {
	cols := []string{"frame", "face_id", "timestamp", "confidence", "success"}
	cols = append(cols, gazeColumnNames...)
	cols = append(cols, eyeColumnNames...)
	cols = append(cols, "pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz")
	for _, axis := range []string{"x", "y", "X", "Y", "Z"} {
		for i := 0; i < landmarkCount; i++ {
			cols = append(cols, axis+"_"+strconv.Itoa(i))
		}
	}
	cols = append(cols, "p_scale", "p_rx", "p_ry", "p_rz", "p_tx", "p_ty")
	for i := 0; i < 34; i++ {
		cols = append(cols, "p_"+strconv.Itoa(i))
	}
	for _, n := range w.intensity {
		cols = append(cols, n+"_r")
	}
	for _, n := range w.occurs {
		cols = append(cols, n+"_c")
	}
	var b []byte
	for i, c := range cols {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, c...)
	}
	return string(append(b, '\n'))
}

// gazeColumnNames are OpenFace's gaze vector and angle columns.
var gazeColumnNames = []string{"gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z", "gaze_angle_x", "gaze_angle_y"}

// eyeColumnNames are OpenFace's eye landmark columns, 2-D then 3-D.
var eyeColumnNames = func() []string {
	var names []string
	for _, axis := range []string{"x", "y", "X", "Y", "Z"} {
		for i := range EyeLandmarkCount {
			names = append(names, "eye_lmk_"+axis+"_"+strconv.Itoa(i))
		}
	}
	return names
}()

// OpenFace 2.2 rewrites its CSV after post-processing: the tokens it copies
// keep their leading space and gain another from the ", " separator, while
// the AU values it writes afresh have one. Matching that keeps the files
// byte-compatible with OpenFace's.
const (
	copiedSep = ",  "
	auSep     = ", "
)

func appendFrame(b []byte, f *Frame) []byte {
	b = strconv.AppendInt(b, int64(f.Number), 10)
	b = append(b, copiedSep...)
	b = append(b, '0')
	b = appendNum(b, f.Timestamp, 3)
	if !f.Success {
		b = appendNum(b, 0, 2)
		b = append(b, copiedSep...)
		b = append(b, '0')
		for i := 0; i < zeroColumns; i++ {
			b = appendNum(b, 0, precisionOfZero(i))
		}
		return b
	}
	b = appendNum(b, f.Confidence, 2)
	b = append(b, copiedSep...)
	b = append(b, '1')
	for _, g := range f.Gaze {
		b = appendNums(b, g[:], 6)
	}
	b = appendNums(b, f.GazeAngle[:], 3)
	b = appendNums(b, f.EyeLandmarks, 1)
	b = appendNums(b, f.EyeCamera, 1)
	b = appendNums(b, f.PoseT[:], 1)
	b = appendNums(b, f.PoseR[:], 3)
	b = appendNums(b, f.Landmarks, 1)
	b = appendNums(b, f.Camera3D, 1)
	b = appendNums(b, f.Global[:], 3)
	b = appendNums(b, f.Local, 3)
	return b
}

// appendNums appends each value as a column with prec decimals.
func appendNums(b []byte, vs []float64, prec int) []byte {
	for _, v := range vs {
		b = appendNum(b, v, prec)
	}
	return b
}

// Column counts after success, up to the AUs.
const (
	gazeColumns   = 6 + 2
	eyeColumns    = 5 * EyeLandmarkCount
	poseColumns   = 6
	landmarkCols  = 5 * landmarkCount
	zeroColumns   = gazeColumns + eyeColumns + poseColumns + landmarkCols + 6 + 34
	poseColumnsAt = gazeColumns + eyeColumns
)

// precisionOfZero gives the decimals of the i-th column after success for a
// failed frame: gaze vectors (6), gaze angles (3), eye landmarks (1), pose T
// (1), pose R (3), landmarks (1), parameters (3).
func precisionOfZero(i int) int {
	switch {
	case i < 6:
		return 6
	case i < gazeColumns:
		return 3
	case i < poseColumnsAt+3:
		return 1
	case i < poseColumnsAt+poseColumns:
		return 3
	case i < poseColumnsAt+poseColumns+landmarkCols:
		return 1
	default:
		return 3
	}
}

func appendNum(b []byte, v float64, decimals int) []byte {
	b = append(b, copiedSep...)
	return strconv.AppendFloat(b, v, 'f', decimals, 64)
}

func appendAUs(b []byte, intensity, occurrence []float64) []byte {
	for _, v := range intensity {
		b = append(b, auSep...)
		b = strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	for _, v := range occurrence {
		b = append(b, auSep...)
		b = strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	return b
}
