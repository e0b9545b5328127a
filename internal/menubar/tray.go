package menubar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/systray"

	"github.com/auwatchd/auwatchd/app/icon"
	"github.com/auwatchd/auwatchd/store"
)

// How often the menu looks at the store (it reads the status only when the
// store changed), and how often it redraws anyway so that "2 min ago" ages.
const (
	refreshEvery = 500 * time.Millisecond
	relabelEvery = 30 * time.Second
)

// IconSize is the menu-bar icon's size in pixels: twice macOS's 16-point
// status item, and what Linux panels scale down from.
const IconSize = 32

// LoginItem starts auwatchd when the user logs in; the "Start at login"
// checkbox drives it.
type LoginItem interface {
	Installed() bool
	Install() error
	Uninstall() error
}

// Store is what the menu bar reads and changes in the job database.
type Store interface {
	DataVersion(ctx context.Context) (int64, error)
	Status(ctx context.Context) (store.Status, error)
	Notifications(ctx context.Context) (bool, error)
	SetNotifications(ctx context.Context, on bool) error
	EveryFrame(ctx context.Context) (bool, error)
	SetEveryFrame(ctx context.Context, everyFrame bool) error
	Report(ctx context.Context) (bool, error)
	SetReport(ctx context.Context, on bool) error
	Thumbnails(ctx context.Context) (bool, error)
	SetThumbnails(ctx context.Context, on bool) error
	Paused(ctx context.Context) (bool, error)
	SetPaused(ctx context.Context, paused bool) error
	RetryFailed(ctx context.Context) (int, []store.Job, error)
	Retry(ctx context.Context, id int64) error
	ClearFailure(ctx context.Context, id int64) error
	AddFolder(ctx context.Context, path string) (store.Folder, error)
}

// Config is what the menu bar shows and drives.
type Config struct {
	Store Store
	Home  string // the data folder, which holds the log
	Log   *slog.Logger
	// Quit stops the daemon; Stopped is closed once it has stopped.
	Quit    func()
	Stopped <-chan struct{}
	Login   LoginItem // nil hides "Start at login"
	// AutoWorkers is what the workers setting "auto" stands for here.
	AutoWorkers int
	// ReportPath names the report beside a CSV; nil when there are none.
	ReportPath func(csv string) string
}

// Unavailable says why the daemon runs without a menu-bar icon, or "" when
// it shows one.
func Unavailable(headless bool) string {
	if headless {
		return "--headless was given"
	}
	return menuBarHostMissing()
}

// MenuBar is the menu-bar icon and menu of a running daemon: a view over the
// store's status, and the commands pause, retry and add-folder.
type MenuBar struct {
	store   Store
	home    string
	log     *slog.Logger
	quit    func()
	stopped <-chan struct{}
	login   LoginItem
	auto    int
	opener  opener
	// reportPath names the report beside a CSV; nil when there are none.
	reportPath func(csv string) string
}

// New returns the menu bar of cfg; Run shows it.
func New(cfg Config) *MenuBar {
	tell := func(n notice) { showNotice(n, cfg.Log) }
	return &MenuBar{store: cfg.Store, home: cfg.Home, log: cfg.Log, quit: cfg.Quit, stopped: cfg.Stopped, login: cfg.Login,
		auto: cfg.AutoWorkers, opener: newOpener(tell, cfg.Log),
		reportPath: cfg.ReportPath}
}

// Run shows the menu bar until the daemon has stopped. It owns the calling
// goroutine, which must be the main one: macOS draws menus only there, and
// every systray call waits for it, so the menu stops drawing before systray quits.
func (mb *MenuBar) Run(ctx context.Context) error {
	views := make(chan *trayView, 1)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		select {
		case v := <-views:
			mb.follow(ctx, v)
		case <-ctx.Done():
		}
	}()
	go func() {
		<-mb.stopped
		<-followed
		systray.Quit()
	}()
	systray.Run(func() { views <- mb.build(ctx) }, nil)
	mb.quit()
	<-mb.stopped
	<-followed
	return nil
}

// follow redraws the menu from the store, at most every refreshEvery and
// only when the store changed; it reads through the store's reader
// connections, so it never holds up the worker.
func (mb *MenuBar) follow(ctx context.Context, v *trayView) {
	notices := noticeTracker{reportPath: mb.reportPath}
	seen, last := int64(-1), time.Time{}
	failing := false
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	for {
		version, err := mb.store.DataVersion(ctx)
		if err != nil && !failing && ctx.Err() == nil {
			mb.log.Warn("menu bar: cannot read the database's version; retrying", "err", err)
		}
		failing = err != nil
		if err == nil && (version != seen || time.Since(last) >= relabelEvery) {
			seen, last = version, time.Now()
			mb.refresh(ctx, v, &notices)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-v.nudged:
			seen = -1
		}
	}
}

func (mb *MenuBar) refresh(ctx context.Context, v *trayView, notices *noticeTracker) {
	s, err := mb.store.Status(ctx)
	if err != nil {
		if ctx.Err() == nil {
			mb.log.Warn("menu bar: read status", "err", err)
		}
		return
	}
	on, err := mb.store.Notifications(ctx)
	if err != nil {
		on = true
	}
	userHome, _ := os.UserHomeDir()
	set := menuSettings{Notifications: on, Login: mb.loginState(), UserHome: userHome, AutoWorkers: mb.auto,
		PrivacyURL: privacySettingsURL, ReportPath: mb.reportPath}
	v.apply(menuModel(s, time.Now(), set))
	for _, n := range notices.observe(s) {
		if on {
			showNotice(n, mb.log)
		}
	}
}

func (mb *MenuBar) loginState() loginState {
	switch {
	case mb.login == nil:
		return loginHidden
	case mb.login.Installed():
		return loginOn
	}
	return loginOff
}

// trayView holds the systray items; the lists are fixed pools of lines,
// hidden when unused, since systray can append lines but not insert them.
type trayView struct {
	icons  map[icon.State][]byte
	nudged chan struct{} // asks for a redraw after a click changed something

	iconShown                  icon.State
	iconSet                    bool
	title, tooltip             string
	status, warning            *slot
	running                    [menuRunningSlots]*slot
	doneHeader, failHeader     *slot
	done                       [menuRecentDone]*slot
	failed                     [menuRecentFailed]*slot
	retry                      *slot
	folders                    [menuFolderSlots]*slot
	moreFolders, privacy       *slot
	pause, notifications       *slot
	everyFrame, login, workers *slot
	report, thumbnails         *slot
}

// build adds every menu line, wires the clicks, and returns the view.
func (mb *MenuBar) build(ctx context.Context) *trayView {
	v := &trayView{icons: make(map[icon.State][]byte), nudged: make(chan struct{}, 1)}
	for _, s := range []icon.State{icon.Idle, icon.Working, icon.Paused, icon.Attention} {
		data, err := trayIcon(s)
		if err != nil {
			mb.log.Error("menu bar: draw icon", "err", err)
		}
		v.icons[s] = data
	}
	v.setIcon(icon.Idle)
	v.title, v.tooltip = barTitle(""), "auwatchd"
	systray.SetTitle(v.title)
	systray.SetTooltip(v.tooltip)

	v.status = label("auwatchd")
	v.warning = label("").hidden()
	open := func(e MenuEntry) { mb.opener.open(e.Open) }
	for i := range v.running {
		v.running[i] = line("").hidden()
		v.running[i].onClick(open)
	}
	v.doneHeader = label("").hidden()
	for i := range v.done {
		v.done[i] = line("").hidden()
		v.done[i].onClick(open)
	}
	v.failHeader = label("Failed").hidden()
	for i := range v.failed {
		v.failed[i] = line("").hidden()
		v.failed[i].sub(revealLabel, open)
		v.failed[i].sub("Retry", func(e MenuEntry) { mb.retryOne(ctx, v, e) })
		v.failed[i].sub("Clear", func(e MenuEntry) { mb.clearFailure(ctx, v, e) })
	}
	v.retry = line("").hidden()
	v.retry.onClick(func(MenuEntry) { mb.retry(ctx, v) })
	systray.AddSeparator()

	for i := range v.folders {
		v.folders[i] = line("").hidden()
		v.folders[i].onClick(open)
	}
	v.moreFolders = label("").hidden()
	v.privacy = line("").hidden()
	v.privacy.onClick(open)
	line("Add folder…").onClick(func(MenuEntry) { mb.addFolder(ctx, v) })
	systray.AddSeparator()

	v.pause = line("Pause")
	v.pause.onClick(func(MenuEntry) { mb.togglePause(ctx, v) })
	v.notifications = checkbox("Notifications")
	v.notifications.onClick(func(MenuEntry) {
		mb.toggleSetting(ctx, v, "turn notifications on or off", mb.store.Notifications, mb.store.SetNotifications)
	})
	v.everyFrame = checkbox(EveryFrameLabel)
	v.everyFrame.onClick(func(MenuEntry) {
		mb.toggleSetting(ctx, v, "choose the mode", mb.store.EveryFrame, mb.store.SetEveryFrame)
	})
	v.report = checkbox("Write reports")
	v.report.onClick(func(MenuEntry) {
		mb.toggleSetting(ctx, v, "turn reports on or off", mb.store.Report, mb.store.SetReport)
	})
	v.thumbnails = checkbox("Faces in reports")
	v.thumbnails.onClick(func(MenuEntry) {
		mb.toggleSetting(ctx, v, "turn the faces in reports on or off", mb.store.Thumbnails, mb.store.SetThumbnails)
	})
	v.workers = label("")
	v.login = checkbox("Start at login").hidden()
	v.login.onClick(func(MenuEntry) { mb.toggleLogin(v) })
	logFile := []Target{{Path: filepath.Join(mb.home, "auwatchd.log")}}
	line("Open log").onClick(func(MenuEntry) { mb.opener.open(logFile) })
	systray.AddSeparator()
	line("Quit").onClick(func(MenuEntry) {
		v.status.show(MenuEntry{Label: "Stopping…"})
		mb.log.Info("menu bar: quit")
		mb.quit()
	})
	mb.log.Info("menu bar icon shown")
	return v
}

func (v *trayView) nudge() {
	select {
	case v.nudged <- struct{}{}:
	default:
	}
}

func (v *trayView) setIcon(s icon.State) {
	if v.iconSet && v.iconShown == s {
		return
	}
	if data := v.icons[s]; len(data) > 0 {
		showIcon(data)
		v.iconShown, v.iconSet = s, true
	}
}

// apply copies a model onto the items, touching only what changed.
func (v *trayView) apply(m MenuModel) {
	v.setIcon(m.Icon)
	if title := barTitle(m.Title); title != v.title {
		systray.SetTitle(title)
		v.title = title
	}
	if m.Tooltip != v.tooltip {
		systray.SetTooltip(m.Tooltip)
		v.tooltip = m.Tooltip
	}
	v.status.show(MenuEntry{Label: m.Status, Tooltip: m.Tooltip})
	v.warning.showText(m.Warning)
	showEntries(v.running[:], m.Running)
	v.doneHeader.showText(m.DoneHeader)
	showEntries(v.done[:], m.Done)
	v.failHeader.showIf(len(m.Failed) > 0)
	showEntries(v.failed[:], m.Failed)
	v.retry.showText(m.Retry)
	showEntries(v.folders[:], m.Folders)
	v.moreFolders.showText(m.MoreFolders)
	if m.Privacy.Label == "" {
		v.privacy.hide()
	} else {
		v.privacy.show(m.Privacy)
	}
	v.pause.show(MenuEntry{Label: m.Pause})
	v.notifications.setChecked(m.Notifications)
	v.everyFrame.setChecked(m.EveryFrame)
	v.report.setChecked(m.Report)
	v.thumbnails.setChecked(m.Thumbnails)
	v.workers.show(MenuEntry{Label: m.Workers, Tooltip: "Change with: auwatchd workers N | auto"})
	if m.Login == loginHidden {
		v.login.hide()
	} else {
		v.login.showIf(true)
		v.login.setChecked(m.Login == loginOn)
	}
}

func showEntries(slots []*slot, entries []MenuEntry) {
	for i, s := range slots {
		if i < len(entries) {
			s.show(entries[i])
		} else {
			s.hide()
		}
	}
}

// slot is one menu line whose text, target, check mark and visibility
// follow the model; it calls systray only for what changed.
type slot struct {
	item *systray.MenuItem

	mu      sync.Mutex
	entry   MenuEntry
	shown   bool
	checked bool
}

func line(title string) *slot {
	return &slot{item: systray.AddMenuItem(menuLabel(title), ""), entry: MenuEntry{Label: title}, shown: true}
}

// label is a line that is not clickable.
func label(title string) *slot {
	s := line(title)
	s.item.Disable()
	return s
}

func checkbox(title string) *slot {
	return &slot{item: systray.AddMenuItemCheckbox(menuLabel(title), "", false), entry: MenuEntry{Label: title}, shown: true}
}

func (s *slot) show(e MenuEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Label != s.entry.Label {
		s.item.SetTitle(menuLabel(e.Label))
	}
	if e.Tooltip != s.entry.Tooltip {
		s.item.SetTooltip(e.Tooltip)
	}
	s.entry = e
	if !s.shown {
		s.item.Show()
		s.shown = true
	}
}

// showText shows the line with text, or hides it when text is empty.
func (s *slot) showText(text string) {
	if text == "" {
		s.hide()
		return
	}
	s.show(MenuEntry{Label: text})
}

func (s *slot) showIf(visible bool) {
	if !visible {
		s.hide()
		return
	}
	s.mu.Lock()
	e := s.entry
	s.mu.Unlock()
	s.show(e)
}

// hidden hides a line until the model has something for it.
func (s *slot) hidden() *slot {
	s.hide()
	return s
}

func (s *slot) hide() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shown {
		s.item.Hide()
		s.shown = false
	}
}

func (s *slot) setChecked(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on == s.checked {
		return
	}
	if on {
		s.item.Check()
	} else {
		s.item.Uncheck()
	}
	s.checked = on
}

// onClick runs fn with the line's current entry on every click. systray
// drops a click that finds no one listening, so each line has its own
// listener, and a slow action (a folder chooser) only holds up its own line.
func (s *slot) onClick(fn func(MenuEntry)) {
	listen(s, s.item, fn)
}

// sub adds a line to the slot's submenu that acts on the slot's entry.
func (s *slot) sub(title string, fn func(MenuEntry)) {
	listen(s, s.item.AddSubMenuItem(menuLabel(title), ""), fn)
}

func listen(s *slot, item *systray.MenuItem, fn func(MenuEntry)) {
	go func() {
		for range item.ClickedCh {
			s.mu.Lock()
			e := s.entry
			s.mu.Unlock()
			fn(e)
		}
	}()
}

// retry queues the failed videos again, and says which it left because they
// would fail the same way.
func (mb *MenuBar) retry(ctx context.Context, v *trayView) {
	n, unchanged, err := mb.store.RetryFailed(ctx)
	if err != nil {
		mb.log.Error("menu bar: retry failed videos", "err", err)
		return
	}
	mb.log.Info("menu bar: failed videos queued again", "jobs", n, "unchanged", len(unchanged))
	if len(unchanged) > 0 {
		showNotice(unchangedNotice(unchanged), mb.log)
	}
	v.nudge()
}

// retryOne queues one failed video again, unless it would fail the same way.
func (mb *MenuBar) retryOne(ctx context.Context, v *trayView, e MenuEntry) {
	err := mb.store.Retry(ctx, e.Job)
	switch {
	case errors.Is(err, store.ErrUnchanged):
		showNotice(unchangedNotice([]store.Job{{ID: e.Job, Path: entryPath(e)}}), mb.log)
	case err != nil:
		mb.log.Error("menu bar: retry a failed video", "job", e.Job, "err", err)
	default:
		mb.log.Info("menu bar: failed video queued again", "job", e.Job)
	}
	v.nudge()
}

func (mb *MenuBar) clearFailure(ctx context.Context, v *trayView, e MenuEntry) {
	if err := mb.store.ClearFailure(ctx, e.Job); err != nil {
		mb.log.Error("menu bar: clear a failure", "job", e.Job, "err", err)
		return
	}
	mb.log.Info("menu bar: failure cleared", "job", e.Job)
	v.nudge()
}

// entryPath is the file a line lists: the last thing it opens.
func entryPath(e MenuEntry) string {
	if len(e.Open) == 0 {
		return ""
	}
	return e.Open[len(e.Open)-1].Path
}

func (mb *MenuBar) togglePause(ctx context.Context, v *trayView) {
	paused, err := mb.store.Paused(ctx)
	if err == nil {
		err = mb.store.SetPaused(ctx, !paused)
	}
	if err != nil {
		mb.log.Error("menu bar: pause or resume", "err", err)
		return
	}
	if paused {
		mb.log.Info("menu bar: resumed")
	} else {
		mb.log.Info("menu bar: paused")
	}
	v.nudge()
}

// toggleSetting flips a true/false setting of the store; what says what for
// the log.
func (mb *MenuBar) toggleSetting(ctx context.Context, v *trayView, what string,
	get func(context.Context) (bool, error), set func(context.Context, bool) error) {
	on, err := get(ctx)
	if err == nil {
		err = set(ctx, !on)
	}
	if err != nil {
		mb.log.Error("menu bar: "+what, "err", err)
		return
	}
	v.nudge()
}

func (mb *MenuBar) toggleLogin(v *trayView) {
	if mb.login == nil {
		return
	}
	var err error
	if mb.login.Installed() {
		err = mb.login.Uninstall()
	} else {
		err = mb.login.Install()
	}
	if err != nil {
		mb.log.Error("menu bar: start at login", "err", err)
	}
	v.nudge()
}

// addFolder asks for a folder with the desktop's chooser and watches it;
// where there is no chooser it says how to add one from a terminal.
func (mb *MenuBar) addFolder(ctx context.Context, v *trayView) {
	args := chooseFolderArgs()
	if args == nil {
		n := notice{Title: "auwatchd: add a folder", Body: "No folder chooser is installed here. In a terminal, run: auwatchd folders add PATH"}
		mb.log.Info("menu bar: no folder chooser; add folders with `auwatchd folders add PATH`")
		showNotice(n, mb.log)
		return
	}
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return // the chooser was cancelled
	}
	if err != nil {
		mb.log.Error("menu bar: choose a folder", "err", err)
		return
	}
	path, err := chosenFolder(string(out))
	if err == nil {
		_, err = mb.store.AddFolder(ctx, path)
	}
	if err != nil {
		mb.log.Error("menu bar: add folder", "err", err)
		showNotice(notice{Title: "auwatchd: cannot add the folder", Body: err.Error()}, mb.log)
		return
	}
	mb.log.Info("menu bar: folder added", "folder", path)
	v.nudge()
}

// chosenFolder turns a chooser's output into a folder path, refusing
// anything that is not an existing folder.
func chosenFolder(out string) (string, error) {
	path := strings.TrimRight(out, "\r\n")
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("the chooser answered %q, not a folder path", path)
	}
	path = filepath.Clean(path)
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		return "", fmt.Errorf("%s is not a folder", path)
	}
	return path, nil
}
