package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"github.com/auwatchd/auwatchd/app/icon"
	"github.com/auwatchd/auwatchd/internal/menubar"
	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/pipeline"
	"github.com/auwatchd/auwatchd/store"
)

// notice is a notification the fake notification server received.
type notice struct{ Title, Body string }

// desktop is a private X display and D-Bus session bus, with the two
// services a Linux desktop offers a tray app: a StatusNotifierWatcher (what a
// panel runs to show tray icons) and a notification server. Both record what
// the daemon sends them.
type desktop struct {
	t       *testing.T
	display string
	bus     string
	conn    *dbus.Conn
	items   chan string // bus names that registered a tray item
	notices chan notice
	backlog []notice // notifications received and not yet waited for
	opened  string   // the file where the desktop's xdg-open notes what it was asked to open
}

// startDesktop starts a display and a session bus with a tray host and a
// notification server on it.
func startDesktop(t *testing.T) *desktop {
	t.Helper()
	d := startBus(t)
	d.display = ":" + testenv.StartReadingLine(t, exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "640x480x24"))
	d.serveWatcher(true)
	d.serve("org.freedesktop.Notifications", "/org/freedesktop/Notifications", &fakeNotifier{notices: d.notices}, nil)
	return d
}

// startBus starts a private D-Bus session bus with nothing on it.
func startBus(t *testing.T) *desktop {
	t.Helper()
	d := &desktop{t: t, items: make(chan string, 4), notices: make(chan notice, 16)}
	d.bus = testenv.StartSessionBus(t)
	conn, err := dbus.Connect(d.bus)
	if err != nil {
		t.Fatalf("connect to the test session bus %s: %v", d.bus, err)
	}
	t.Cleanup(func() { conn.Close() })
	d.conn = conn
	return d
}

// serveWatcher offers a StatusNotifierWatcher, with or without a host.
func (d *desktop) serveWatcher(hosted bool) {
	d.serve("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher", &fakeWatcher{items: d.items}, map[string]*prop.Prop{
		"IsStatusNotifierHostRegistered": {Value: hosted},
		"ProtocolVersion":                {Value: int32(0)},
		"RegisteredStatusNotifierItems":  {Value: []string{}},
	})
}

func (d *desktop) serve(name string, path dbus.ObjectPath, obj any, props map[string]*prop.Prop) {
	d.t.Helper()
	if err := d.conn.Export(obj, path, name); err != nil {
		d.t.Fatal(err)
	}
	if props != nil {
		if _, err := prop.Export(d.conn, path, map[string]map[string]*prop.Prop{name: props}); err != nil {
			d.t.Fatal(err)
		}
	}
	if reply, err := d.conn.RequestName(name, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		d.t.Fatalf("own %s: %v (reply %v)", name, err, reply)
	}
}

type fakeWatcher struct{ items chan string }

func (w *fakeWatcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	w.items <- string(sender)
	return nil
}

func (w *fakeWatcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

type fakeNotifier struct{ notices chan notice }

func (n *fakeNotifier) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.notices <- notice{Title: summary, Body: body}
	return 1, nil
}

func (n *fakeNotifier) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func (n *fakeNotifier) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "test", "auwatchd", "1", "1.2", nil
}

func (n *fakeNotifier) CloseNotification(id uint32) *dbus.Error { return nil }

// waitNotice waits for a notification whose title is title, keeping the
// others for later calls.
func (d *desktop) waitNotice(title string) notice {
	d.t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		for i, n := range d.backlog {
			if n.Title == title {
				d.backlog = append(d.backlog[:i], d.backlog[i+1:]...)
				return n
			}
		}
		select {
		case n := <-d.notices:
			d.backlog = append(d.backlog, n)
		case <-deadline:
			d.t.Fatalf("no notification %q; got %+v", title, d.backlog)
		}
	}
}

// trayLine is one line of the tray's menu as a panel reads it.
type trayLine struct {
	id      int32
	label   string
	visible bool
	checked bool
	sub     []trayLine // its submenu
}

// menu reads the tray's menu the way a panel does, with com.canonical.dbusmenu.GetLayout.
func (d *desktop) menu(owner string) []trayLine {
	d.t.Helper()
	var revision uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	err := d.conn.Object(owner, "/StatusNotifierItem/menu").
		Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &root)
	if err != nil {
		d.t.Fatalf("GetLayout: %v", err)
	}
	return d.layoutLines(root.Children)
}

// layoutLines reads dbusmenu layout items, with their submenus.
func (d *desktop) layoutLines(children []dbus.Variant) []trayLine {
	var lines []trayLine
	for _, c := range children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) != 3 {
			d.t.Fatalf("menu item is %T %v", c.Value(), c.Value())
		}
		props := fields[1].(map[string]dbus.Variant)
		l := trayLine{id: fields[0].(int32), visible: true}
		if v, ok := props["label"]; ok {
			l.label = v.Value().(string)
		}
		if v, ok := props["visible"]; ok {
			l.visible = v.Value().(bool)
		}
		if v, ok := props["toggle-state"]; ok {
			l.checked = v.Value().(int32) == 1
		}
		if sub, ok := fields[2].([]dbus.Variant); ok {
			l.sub = d.layoutLines(sub)
		}
		lines = append(lines, l)
	}
	return lines
}

// subLine is the line of l's submenu labelled label.
func (d *desktop) subLine(l trayLine, label string) trayLine {
	d.t.Helper()
	for _, s := range l.sub {
		if s.label == label {
			return s
		}
	}
	d.t.Fatalf("no %q under %q: %+v", label, l.label, l.sub)
	return trayLine{}
}

// waitLine waits until a visible line satisfies match and returns it.
func (d *desktop) waitLine(owner, what string, match func(trayLine) bool) trayLine {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		lines := d.menu(owner)
		for _, l := range lines {
			if l.visible && match(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no menu line %s; menu: %+v", what, lines)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (d *desktop) click(owner string, l trayLine) {
	d.t.Helper()
	err := d.conn.Object(owner, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0,
		l.id, "clicked", dbus.MakeVariant(int32(0)), uint32(time.Now().Unix())).Err
	if err != nil {
		d.t.Fatalf("click %q: %v", l.label, err)
	}
}

func (d *desktop) itemProperty(owner, name string) any {
	d.t.Helper()
	v, err := d.conn.Object(owner, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem." + name)
	if err != nil {
		d.t.Fatalf("read the tray item's %s: %v", name, err)
	}
	return v.Value()
}

// waitIcon waits until the tray icon's face has the colour of state.
func (d *desktop) waitIcon(owner string, state icon.State) {
	d.t.Helper()
	want := icon.Colour(state)
	deadline := time.Now().Add(30 * time.Second)
	for {
		pixmaps, ok := d.itemProperty(owner, "IconPixmap").([][]any)
		if !ok || len(pixmaps) != 1 || len(pixmaps[0]) != 3 {
			d.t.Fatalf("tray icon pixmap %v is not one image", d.itemProperty(owner, "IconPixmap"))
		}
		w, h, argb := pixmaps[0][0], pixmaps[0][1], pixmaps[0][2].([]byte)
		if w != int32(menubar.IconSize) || h != int32(menubar.IconSize) || len(argb) != 4*menubar.IconSize*menubar.IconSize {
			d.t.Fatalf("tray icon is %vx%v with %d bytes, want a %d-pixel square", w, h, len(argb), menubar.IconSize)
		}
		// A pixel of the forehead, inside the face and clear of the eyes.
		at := 4 * (4*menubar.IconSize + menubar.IconSize/2)
		if argb[at] == 0xff && argb[at+1] == want.R && argb[at+2] == want.G && argb[at+3] == want.B {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("tray icon forehead is ARGB %x, want the %s colour %v", argb[at:at+4], state, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitOpened waits until the desktop's xdg-open was asked to open path.
func (d *desktop) waitOpened(path string) {
	d.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		opened, _ := os.ReadFile(d.opened)
		if slices.Contains(strings.Split(string(opened), "\n"), path) {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("xdg-open was asked to open %q, not %s", opened, path)
		}
	}
}

// desktopEnv is the daemon's environment on the test desktop. PATH holds
// notify-send and an xdg-open that notes what it opens, alone, so that "Add
// folder…" finds no chooser whatever the machine has installed, and takes
// the path that explains the CLI.
func desktopEnv(t *testing.T, d *desktop) []string {
	notifySend, err := exec.LookPath("notify-send")
	if err != nil {
		t.Fatalf("notify-send (package libnotify-bin; scripts/deps.sh installs it): %v", err)
	}
	bin := t.TempDir()
	if err := os.Symlink(notifySend, filepath.Join(bin, "notify-send")); err != nil {
		t.Fatal(err)
	}
	d.opened = filepath.Join(bin, "opened")
	script := "#!/bin/sh\necho \"$1\" >> '" + d.opened + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "PATH":
		default:
			env = append(env, kv)
		}
	}
	return append(env, "DISPLAY="+d.display, "DBUS_SESSION_BUS_ADDRESS="+d.bus, "PATH="+bin)
}

func TestMenuBarUnderXvfb(t *testing.T) {
	desk := startDesktop(t)
	home, folder := t.TempDir(), t.TempDir()
	if code, _, errOut := runBinary(t, nil, "folders", "add", folder, "--home", home); code != 0 {
		t.Fatalf("folders add: %s", errOut)
	}
	cmd := exec.Command(binary, append([]string{"run", "--home", home, "--quiet", "300ms"}, setupArgs(t)...)...)
	cmd.Env = desktopEnv(t, desk)
	daemon := &daemonUnderTest{t: t, home: home, folder: folder, cmd: cmd}
	cmd.Stdout, cmd.Stderr = &daemon.out, &daemon.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})

	// The icon is on the desktop's bus, not headless.
	var owner string
	select {
	case owner = <-desk.items:
	case <-time.After(90 * time.Second):
		t.Fatalf("no tray item registered with the StatusNotifierWatcher; log:\n%s", daemon.logged())
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(daemon.logged(), `msg="menu bar icon shown"`); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not log that it shows its menu bar:\n%s", daemon.logged())
		}
	}
	if strings.Contains(daemon.logged(), "headless") {
		t.Fatalf("the daemon went headless on a desktop with a menu-bar host:\n%s", daemon.logged())
	}
	desk.waitLine(owner, `"Idle — watching 1 folder"`, func(l trayLine) bool { return l.label == "Idle — watching 1 folder" })
	desk.waitLine(owner, "Open <folder>", func(l trayLine) bool {
		return strings.HasPrefix(l.label, "Open ") && strings.HasSuffix(l.label, filepath.Base(folder))
	})
	desk.waitLine(owner, "the workers line", func(l trayLine) bool {
		return l.label == fmt.Sprintf("Videos at once: %d (auto)", pipeline.AutoWorkers())
	})
	desk.waitIcon(owner, icon.Idle)
	for _, l := range desk.menu(owner) {
		if l.label == "Notifications" && !l.checked {
			t.Errorf("Notifications is not ticked; they are on by default")
		}
		if l.label == menubar.EveryFrameLabel && l.checked {
			t.Errorf("%q is ticked; the default mode is the default", l.label)
		}
		if l.label == "Start at login" && l.visible != (loginItemFor(home) != nil) {
			t.Errorf("Start at login is visible=%v with login item %v", l.visible, loginItemFor(home))
		}
	}

	// Pause and Resume write the setting the worker obeys.
	desk.click(owner, desk.waitLine(owner, "Pause", func(l trayLine) bool { return l.label == "Pause" }))
	daemon.waitFor("paused from the menu", func(s store.Status) bool { return s.Paused })
	desk.waitLine(owner, `"Paused" status`, func(l trayLine) bool { return l.label == "Paused" })
	desk.waitIcon(owner, icon.Paused)
	desk.click(owner, desk.waitLine(owner, "Resume", func(l trayLine) bool { return l.label == "Resume" }))
	daemon.waitFor("resumed from the menu", func(s store.Status) bool { return !s.Paused })

	// A file still being copied in is waited for by name; once complete, a
	// file that is not a video fails in plain words. Retry leaves it, as it
	// is unchanged, and says so; Clear takes it off the list.
	copying := filepath.Join(folder, "copying.mp4")
	stopCopying := appendWhile(t, copying)
	desk.waitLine(owner, "the file waited for", func(l trayLine) bool { return l.label == "Waiting for copying.mp4 to finish copying" })
	stopCopying()
	notVideo := desk.waitLine(owner, "the file that is not a video", func(l trayLine) bool {
		return l.label == "copying.mp4 — not a video, or copied only in part: copy it again"
	})
	desk.waitLine(owner, "never Idle under a red icon", func(l trayLine) bool { return l.label == "1 video failed — see below" })
	desk.waitIcon(owner, icon.Attention)
	if n := desk.waitNotice("auwatchd: a video failed"); !strings.HasPrefix(n.Body, "copying.mp4: not a video") {
		t.Errorf("failure notification body %q", n.Body)
	}
	desk.click(owner, desk.subLine(notVideo, "Retry"))
	if n := desk.waitNotice("auwatchd: copying.mp4 not retried"); !strings.Contains(n.Body, "copy it again") {
		t.Errorf("Retry of an unchanged file that is not a video: notification body %q", n.Body)
	}
	desk.click(owner, desk.subLine(notVideo, "Clear"))
	daemon.waitFor("the failure cleared", func(s store.Status) bool { return s.Counts.Failed == 0 && s.Counts.Cleared == 1 })
	desk.waitLine(owner, "Idle again", func(l trayLine) bool { return l.label == "Idle — watching 1 folder" })
	desk.waitIcon(owner, icon.Idle)

	// With no folder chooser installed, "Add folder…" explains the CLI.
	desk.click(owner, desk.waitLine(owner, "Add folder…", func(l trayLine) bool { return l.label == "Add folder…" }))
	if n := desk.waitNotice("auwatchd: add a folder"); !strings.Contains(n.Body, "auwatchd folders add") {
		t.Errorf("without a folder chooser, the notification says %q", n.Body)
	}

	// A failure: notified, listed with its reason, the icon turns red.
	foreign := filepath.Join(folder, "other.wmv.au.csv")
	if err := os.WriteFile(foreign, []byte("a researcher's own file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "other.wmv"))
	daemon.waitFor("the video failed", func(s store.Status) bool { return s.Counts.Failed == 1 })
	if n := desk.waitNotice("auwatchd: a video failed"); !strings.HasPrefix(n.Body, "other.wmv: ") || !strings.Contains(n.Body, "in the way") {
		t.Errorf("failure notification body %q", n.Body)
	}
	desk.waitLine(owner, "Failed", func(l trayLine) bool { return l.label == "Failed" })
	desk.waitLine(owner, "the failed video", func(l trayLine) bool {
		return strings.HasPrefix(l.label, "other.wmv — ") && strings.Contains(l.label, "in the way")
	})
	desk.waitIcon(owner, icon.Attention)

	// A finished batch: notified, listed (underscores escaped for dbusmenu).
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "session_01.wmv"))
	daemon.waitFor("the video measured", func(s store.Status) bool { return s.Counts.Done == 1 })
	if _, err := os.Stat(filepath.Join(folder, "session_01.wmv.au.csv")); err != nil {
		t.Fatalf("no CSV beside the video: %v", err)
	}
	report := filepath.Join(folder, "session_01.wmv.au.html")
	if n := desk.waitNotice("auwatchd: session_01.wmv measured"); !strings.HasPrefix(n.Body, "CSV: "+filepath.Join(folder, "session_01.wmv.au.csv")+" (") ||
		!strings.HasSuffix(n.Body, "\nReport: "+report) {
		t.Errorf("notification of the video measured: body %q, want its CSV and its report", n.Body)
	}
	desk.waitLine(owner, "Recently measured", func(l trayLine) bool { return l.label == "Recently measured — the CSV is beside each video" })
	done := desk.waitLine(owner, "the finished video", func(l trayLine) bool {
		return strings.HasPrefix(l.label, "session__01.wmv · just now · ") && strings.Contains(l.label, " frames, a face in ")
	})

	// Clicking it opens its report.
	desk.click(owner, done)
	desk.waitOpened(report)

	// The every-frame mode, ticked, applies to the next video.
	desk.click(owner, desk.waitLine(owner, "the every-frame mode", func(l trayLine) bool { return l.label == menubar.EveryFrameLabel }))
	desk.waitLine(owner, "the every-frame mode ticked", func(l trayLine) bool { return l.label == menubar.EveryFrameLabel && l.checked })

	// Retry failed, once the cause is gone, measures the video.
	if err := os.Remove(foreign); err != nil {
		t.Fatal(err)
	}
	desk.click(owner, desk.waitLine(owner, "Retry 1 failed video", func(l trayLine) bool { return l.label == "Retry 1 failed video" }))
	daemon.waitFor("the retried video measured", func(s store.Status) bool { return s.Counts.Done == 2 && s.Counts.Failed == 0 })
	for video, mode := range map[string]string{"session_01.wmv": "default", "other.wmv": "every-frame"} {
		if line := processingLine(daemon.logged(), filepath.Join(folder, video)); !strings.Contains(line, " mode="+mode) {
			t.Errorf("%s: log line %q, want mode=%s", video, line, mode)
		}
	}
	if n := desk.waitNotice("auwatchd: other.wmv measured"); !strings.HasPrefix(n.Body, "CSV: ") {
		t.Errorf("notification after the retry: body %q", n.Body)
	}
	desk.waitIcon(owner, icon.Idle)
	for _, l := range desk.menu(owner) {
		if l.visible && (l.label == "Failed" || strings.HasPrefix(l.label, "Retry")) {
			t.Errorf("line %q still shown with no failed video", l.label)
		}
	}
	if tip := fmt.Sprint(desk.itemProperty(owner, "ToolTip")); !strings.Contains(tip, "auwatchd — idle") {
		t.Errorf("tray tooltip %s, want auwatchd — idle", tip)
	}

	// Working: the progress shows in the title, status line and icon.
	staging := t.TempDir()
	longClip(t, filepath.Join(staging, "long.wmv"))
	if err := os.Rename(filepath.Join(staging, "long.wmv"), filepath.Join(folder, "long.wmv")); err != nil {
		t.Fatal(err)
	}
	desk.waitLine(owner, "Measuring long.wmv", func(l trayLine) bool {
		return strings.HasPrefix(l.label, "Measuring long.wmv — ") && l.label != "Measuring long.wmv — 0%"
	})
	if title := desk.itemProperty(owner, "Title").(string); !strings.HasPrefix(title, "auwatchd ") || !strings.HasSuffix(title, "%") {
		t.Errorf("tray title %q while working, want auwatchd N%%", title)
	}
	desk.waitIcon(owner, icon.Working)

	// Quit mid-video stops the daemon cleanly and puts the video back in the queue.
	desk.click(owner, desk.waitLine(owner, "Quit", func(l trayLine) bool { return l.label == "Quit" }))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("Quit: the daemon exited with %v\n%s", err, daemon.logged())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Quit did not stop the daemon:\n%s", daemon.logged())
	}
	logged := daemon.logged()
	for _, want := range []string{`msg="menu bar: quit"`, `msg="stopped mid-video; queued again"`, "msg=stopped"} {
		if !strings.Contains(logged, want) {
			t.Errorf("no %s in the log after Quit:\n%s", want, logged)
		}
	}
	if s := daemon.status(); s.Counts.Queued != 1 || s.Counts.Running != 0 {
		t.Errorf("after Quit mid-video: %+v, want the video queued again", s.Counts)
	}
}

// A daemon that cannot start exits with an error, not a crash, so launchd
// and systemd do not restart it; a notification says why, once.
func TestStartUpErrorIsNotified(t *testing.T) {
	desk := startBus(t)
	desk.serve("org.freedesktop.Notifications", "/org/freedesktop/Notifications", &fakeNotifier{notices: desk.notices}, nil)
	missing := filepath.Join(t.TempDir(), "no-models")
	cmd := exec.Command(binary, "run", "--home", t.TempDir(), "--onnxruntime", setupArgs(t)[1], "--models", missing)
	cmd.Env = desktopEnv(t, desk)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want the error exit 1\n%s", err, out)
	}
	if n := desk.waitNotice("auwatchd cannot start"); !strings.Contains(n.Body, "models folder not found") {
		t.Errorf("notification body %q, want why", n.Body)
	}
	select {
	case n := <-desk.notices:
		t.Errorf("a second notification: %+v", n)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestMenuBarHostMissing(t *testing.T) {
	noWatcher, unhosted, hosted := startBus(t), startBus(t), startBus(t)
	unhosted.serveWatcher(false)
	hosted.serveWatcher(true)
	tests := []struct {
		name, display, wayland, bus string
		want                        string // a part of the reason; "" for none
	}{
		{"no display at all", "", "", hosted.bus, "no display"},
		{"no session bus", ":99", "", "unix:path=" + filepath.Join(t.TempDir(), "no-bus"), "no D-Bus session bus"},
		{"a bus without a tray host", ":99", "", noWatcher.bus, "no org.kde.StatusNotifierWatcher"},
		{"a watcher without a host", ":99", "", unhosted.bus, "has no host registered"},
		{"X11 with a tray host", ":99", "", hosted.bus, ""},
		{"Wayland with a tray host", "", "wayland-0", hosted.bus, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tt.display)
			t.Setenv("WAYLAND_DISPLAY", tt.wayland)
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tt.bus)
			got := menubar.Unavailable(false)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("reason %q, want one containing %q", got, tt.want)
			}
			if got := menubar.Unavailable(true); got != "--headless was given" {
				t.Errorf("with --headless: reason %q", got)
			}
		})
	}
}

func TestDaemonRunsHeadlessWithoutADisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	home, folder := t.TempDir(), t.TempDir()
	d := startDaemon(t, home, folder)
	copyFile(t, testenv.TestdataPath(t, "videos/changeLighting.wmv"), filepath.Join(folder, "a.wmv"))
	d.waitFor("the video measured headless", func(s store.Status) bool { return s.Counts.Done == 1 })
	d.stop()
	logged := d.logged()
	if n := strings.Count(logged, "running headless"); n != 1 {
		t.Errorf("%d headless lines in the log, want 1:\n%s", n, logged)
	}
	if !strings.Contains(logged, `reason="no display`) || strings.Contains(logged, "menu bar icon shown") {
		t.Errorf("the log does not say the display is missing:\n%s", logged)
	}
}

// appendWhile appends to path every 100 ms, as a slow copy does, until the
// returned function is called.
func appendWhile(t *testing.T, path string) (stop func()) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		defer f.Close()
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
				f.WriteString("not a video, only some bytes\n")
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// processingLine is the log line of the daemon's last start on video.
func processingLine(log, video string) string {
	last := ""
	for line := range strings.Lines(log) {
		if strings.Contains(line, "msg=processing ") && strings.Contains(line, " video="+video+" ") {
			last = strings.TrimSpace(line)
		}
	}
	return last
}
