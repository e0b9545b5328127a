package main

import (
	"slices"
	"testing"
)

func TestBundleArgs(t *testing.T) {
	const app = "/Applications/auwatchd.app/Contents/MacOS/auwatchd"
	tests := []struct {
		exe  string
		args []string
		want []string
	}{
		{app, nil, []string{"run"}},
		{app, []string{"-psn_0_1234567"}, []string{"run"}},
		{app, []string{"status", "--json"}, []string{"status", "--json"}},
		{app, []string{"-psn_0_99", "status"}, []string{"status"}},
		{"/usr/local/bin/auwatchd", nil, nil},
		{"/usr/local/bin/auwatchd", []string{"-psn_0_1"}, []string{"-psn_0_1"}},
	}
	for _, tt := range tests {
		if got := bundleArgs(tt.exe, tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("bundleArgs(%s, %q) = %q, want %q", tt.exe, tt.args, got, tt.want)
		}
	}
}
