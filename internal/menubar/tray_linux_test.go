package menubar

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMenuTextForDBusMenus(t *testing.T) {
	tests := []struct{ in, label string }{
		{"session_01.wmv · just now", "session__01.wmv · just now"},
		{"a__b", "a____b"},
		{"Quit", "Quit"},
	}
	for _, tt := range tests {
		if got := menuLabel(tt.in); got != tt.label {
			t.Errorf("menuLabel(%q) = %q, want %q", tt.in, got, tt.label)
		}
	}
	if got := barTitle("42%"); got != "auwatchd 42%" {
		t.Errorf("title while working %q", got)
	}
	if got := barTitle(""); got != "auwatchd" {
		t.Errorf("title when idle %q", got)
	}
}

func TestDesktopHelpersNeedTheirTools(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"xdg-open", "kdialog"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"reveal a CSV opens its folder", revealArgs("/v/lab/a.mp4.au.csv"), []string{"xdg-open", "/v/lab"}},
		{"open a folder", openArgs("/v/lab"), []string{"xdg-open", "/v/lab"}},
		{"kdialog when zenity is missing", chooseFolderArgs()[:2], []string{"kdialog", "--getexistingdirectory"}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.args, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, tt.args, tt.want)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if revealArgs("/v/a.csv") != nil || openArgs("/v") != nil || chooseFolderArgs() != nil || noticeArgs(notice{}) != nil {
		t.Errorf("helpers found with an empty PATH")
	}
}
