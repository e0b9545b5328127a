package menubar

// noticeArgs is the osascript command that shows n in Notification Centre.
// The texts go in as arguments, never into the script, so no file name can
// change what the script does.
func noticeArgs(n notice) []string {
	return []string{"osascript",
		"-e", "on run argv",
		"-e", "display notification (item 2 of argv) with title (item 1 of argv)",
		"-e", "end run",
		n.Title, n.Body}
}
