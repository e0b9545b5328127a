package launchd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRegisterStartsNothingNow(t *testing.T) {
	for _, target := range []string{Launchd, Systemd} {
		t.Run(target, func(t *testing.T) {
			home := t.TempDir()
			a := New("/opt/auwatchd/bin/auwatchd", home, 501)
			var commands []string
			run := func(name string, args ...string) error {
				commands = append(commands, name+" "+strings.Join(args, " "))
				return nil
			}
			if err := Register(target, a, run); err != nil {
				t.Fatal(err)
			}
			path, _ := Path(target, a)
			if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
				t.Fatalf("%s not written with 0644: %v", path, err)
			}
			for _, c := range commands {
				if strings.Contains(c, "bootstrap") || strings.Contains(c, "restart") || strings.Contains(c, "--now") || strings.Contains(c, " start") {
					t.Errorf("Register started the agent: %q", c)
				}
			}
			if target == Systemd {
				// What `systemctl enable` would have linked.
				wants := filepath.Join(a.SystemdUserDir(), "default.target.wants")
				os.MkdirAll(wants, 0o755)
				os.Symlink(path, filepath.Join(wants, UnitName))
			}
			if !Installed(target, a) {
				t.Fatal("not installed after Register")
			}
			commands = nil
			if err := Unregister(target, a, run); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("%s still there after Unregister", path)
			}
			if slices.ContainsFunc(commands, func(c string) bool { return strings.Contains(c, "bootout") || strings.Contains(c, "--now") }) {
				t.Errorf("Unregister stopped the running daemon: %v", commands)
			}
		})
	}
}
