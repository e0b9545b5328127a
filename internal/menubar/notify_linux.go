package menubar

import "os/exec"

// noticeArgs is the notify-send command that shows n, or nil when
// notify-send is not installed.
func noticeArgs(n notice) []string {
	if _, err := exec.LookPath("notify-send"); err != nil {
		return nil
	}
	return []string{"notify-send", "--app-name=auwatchd", "--", n.Title, n.Body}
}
