// Package menubar is auwatchd's face in the menu bar (macOS) or the panel's
// tray (Linux): a menu model drawn from the store's status, the tray that
// shows it through fyne.io/systray, the commands its lines send back to the
// store, the opener that shows files, and the desktop notifications.
package menubar
