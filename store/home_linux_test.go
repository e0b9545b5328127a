package store

import (
	"path/filepath"
	"testing"
)

func TestHomeOnLinux(t *testing.T) {
	user := t.TempDir()
	tests := []struct {
		name, auwatchdHome, xdg, want string
	}{
		{"XDG_DATA_HOME", "", "/data", "/data/auwatchd"},
		{"no XDG_DATA_HOME", "", "", filepath.Join(user, ".local/share/auwatchd")},
		{"relative XDG_DATA_HOME is ignored", "", "data", filepath.Join(user, ".local/share/auwatchd")},
		{"AUWATCHD_HOME wins", "/srv/au", "/data", "/srv/au"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", user)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv(HomeEnv, tt.auwatchdHome)
			got, err := HomeFromEnv()
			if err != nil || got != tt.want {
				t.Fatalf("HomeFromEnv() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("relative AUWATCHD_HOME is made absolute", func(t *testing.T) {
		t.Setenv(HomeEnv, "rel")
		got, err := HomeFromEnv()
		if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "rel" {
			t.Fatalf("HomeFromEnv() = %q, %v", got, err)
		}
	})
}
