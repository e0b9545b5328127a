package menubar

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"github.com/auwatchd/auwatchd/app/icon"
	"github.com/auwatchd/auwatchd/internal/testenv"
)

// TestTrayIconEdgesSurviveSystray hands fyne.io/systray the icon on a
// private session bus and reads the pixmap back as a panel does: every
// pixel, the anti-aliased edge included, is the face's own colour and
// coverage. The plain 8-bit PNG of the same face shows the library's fault,
// which the encoding works around; when a version of systray converts it
// right, this test says the workaround may go. With AUWATCHD_ICON_PREVIEW=DIR
// it writes both pixmaps, composited on a light and a dark panel, there.
func TestTrayIconEdgesSurviveSystray(t *testing.T) {
	preview := os.Getenv("AUWATCHD_ICON_PREVIEW")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", testenv.StartSessionBus(t))
	start, end := systray.RunWithExternalLoop(nil, nil)
	start()
	defer end()
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	item := conn.Object(fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid()), "/StatusNotifierItem")
	pixmap := func(png []byte) []byte {
		t.Helper()
		systray.SetIcon(png)
		var pixmaps []struct {
			W, H int32
			ARGB []byte
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			v, err := item.GetProperty("org.kde.StatusNotifierItem.IconPixmap")
			if err == nil {
				err = dbus.Store([]any{v.Value()}, &pixmaps)
			}
			if err == nil && len(pixmaps) == 1 && pixmaps[0].W == IconSize && pixmaps[0].H == IconSize {
				return pixmaps[0].ARGB
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %d-pixel icon pixmap on the bus: %v, %v", IconSize, pixmaps, err)
			}
		}
	}
	for _, s := range []icon.State{icon.Idle, icon.Attention} {
		face := icon.Image(s, IconSize)
		edge := edgePixels(face)
		if edge == 0 {
			t.Fatalf("%s: the face has no anti-aliased edge to check", s)
		}
		data, err := trayIcon(s)
		if err != nil {
			t.Fatal(err)
		}
		encoded := pixmap(data)
		if bad := pixmapErrors(face, encoded); len(bad) > 0 {
			t.Errorf("%s: %d of %d pixels differ from the face through systray (%d at the edge), e.g. %s",
				s, len(bad), IconSize*IconSize, edge, bad[0])
		}
		plain, err := icon.PNG(s, IconSize)
		if err != nil {
			t.Fatal(err)
		}
		plainPixmap := pixmap(plain)
		if bad := pixmapErrors(face, plainPixmap); len(bad) == 0 {
			t.Errorf("%s: systray converts a plain 8-bit PNG right: the workaround in pixmapPNG is no longer needed", s)
		}
		if preview != "" {
			for name, argb := range map[string][]byte{"plain": plainPixmap, "encoded": encoded} {
				for panel, bg := range map[string]uint8{"light": 0xf6, "dark": 0x1e} {
					writePanelPreview(t, filepath.Join(preview, fmt.Sprintf("tray-linux-%s-%s-%s.png", s, name, panel)), argb, bg)
				}
			}
		}
	}
}

// writePanelPreview paints an ARGB32 pixmap on a grey panel as a host
// would, non-premultiplied, and writes it as PNG.
func writePanelPreview(t *testing.T, path string, argb []byte, bg uint8) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, IconSize, IconSize))
	for i := 0; i < len(argb); i += 4 {
		a := float64(argb[i]) / 0xff
		mix := func(c byte) uint8 { return uint8(a*float64(c) + (1-a)*float64(bg) + 0.5) }
		img.SetNRGBA(i/4%IconSize, i/4/IconSize, color.NRGBA{mix(argb[i+1]), mix(argb[i+2]), mix(argb[i+3]), 0xff})
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// edgePixels counts the pixels that are neither clear nor opaque.
func edgePixels(img *image.NRGBA) int {
	n := 0
	for p := 3; p < len(img.Pix); p += 4 {
		if img.Pix[p] != 0 && img.Pix[p] != 0xff {
			n++
		}
	}
	return n
}

// pixmapErrors lists the pixels where an ARGB32 pixmap differs from img,
// which a pixmap holds non-premultiplied (clear pixels are all zero).
func pixmapErrors(img *image.NRGBA, argb []byte) []string {
	var bad []string
	for i := 0; i < len(img.Pix); i += 4 {
		want := [4]byte{img.Pix[i+3], img.Pix[i], img.Pix[i+1], img.Pix[i+2]}
		if want[0] == 0 {
			want = [4]byte{}
		}
		if got := [4]byte(argb[i : i+4]); got != want {
			bad = append(bad, fmt.Sprintf("pixel %d: ARGB %x, want %x", i/4, got, want))
		}
	}
	return bad
}

// TestLowByteCarrierForEveryColour checks the encoding for every 8-bit
// channel value at every alpha: the premultiplied 16-bit value ends in the
// channel, and is within 1/256 of the exact premultiplied value.
func TestLowByteCarrierForEveryColour(t *testing.T) {
	for a := 1; a <= 0xff; a++ {
		for c := 0; c <= 0xff; c++ {
			carrier := lowByteCarrier(color.NRGBA{R: uint8(c), A: uint8(a)})
			r, _, _, alpha := carrier.RGBA()
			exact := float64(c) * 0x101 * float64(a) * 0x101 / 0xffff
			if uint8(r) != uint8(c) || uint8(alpha) != uint8(a) || math.Abs(float64(r)-exact) > 0x100 {
				t.Fatalf("colour %d at alpha %d: premultiplied %#x (exact %.0f), alpha %#x", c, a, r, exact, alpha)
			}
		}
	}
}
