module github.com/auwatchd/auwatchd

go 1.26

require (
	fyne.io/systray v1.12.2
	github.com/fsnotify/fsnotify v1.10.1
	github.com/godbus/dbus/v5 v5.1.0
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/yalue/onnxruntime_go v1.27.0
	gocv.io/x/gocv v0.32.0
	golang.org/x/sync v0.19.0
	golang.org/x/sys v0.23.0
	gopkg.in/natefinch/lumberjack.v2 v2.2.1
)
