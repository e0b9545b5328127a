package watcher

import (
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         Config
		wantErr    bool
		wantQuiet  time.Duration
		wantPoll   time.Duration
		wantRescan time.Duration
	}{
		{name: "zero", in: Config{}, wantQuiet: DefaultQuiet, wantPoll: DefaultPoll, wantRescan: DefaultRescan},
		{name: "explicit", in: Config{Quiet: time.Millisecond, Poll: 2 * time.Millisecond, Rescan: time.Second},
			wantQuiet: time.Millisecond, wantPoll: 2 * time.Millisecond, wantRescan: time.Second},
		{name: "negative quiet", in: Config{Quiet: -1}, wantErr: true},
		{name: "negative poll", in: Config{Poll: -1}, wantErr: true},
		{name: "negative rescan", in: Config{Rescan: -1}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := tt.in.withDefaults()
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if got.Quiet != tt.wantQuiet || got.Poll != tt.wantPoll || got.Rescan != tt.wantRescan {
			t.Errorf("%s: got quiet %v poll %v rescan %v, want %v %v %v", tt.name,
				got.Quiet, got.Poll, got.Rescan, tt.wantQuiet, tt.wantPoll, tt.wantRescan)
		}
		if got.Logger == nil {
			t.Errorf("%s: logger left empty", tt.name)
		}
	}
}

func TestNewRejectsNegativeDuration(t *testing.T) {
	t.Parallel()
	if w, err := New(Config{Quiet: -time.Second}); err == nil {
		w.Close()
		t.Fatal("New accepted a negative quiet period")
	}
}
