package onnx

import (
	"maps"
	"testing"
)

func TestParseCompute(t *testing.T) {
	for in, want := range map[string]Compute{"": ComputeAll, "all": ComputeAll, "cpu": ComputeCPU} {
		if got, err := ParseCompute(in); err != nil || got != want {
			t.Errorf("ParseCompute(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"gpu", "ALL", "neural"} {
		if _, err := ParseCompute(bad); err == nil {
			t.Errorf("ParseCompute(%q) accepted", bad)
		}
	}
}

func TestCoreMLProviderOptions(t *testing.T) {
	tests := []struct {
		settings CoreMLSettings
		want     map[string]string
	}{
		{CoreMLSettings{Compute: ComputeAll, CacheDir: "/c"},
			map[string]string{"ModelFormat": "MLProgram", "MLComputeUnits": "ALL", "ModelCacheDirectory": "/c"}},
		{CoreMLSettings{Compute: ComputeCPU},
			map[string]string{"ModelFormat": "MLProgram", "MLComputeUnits": "CPUOnly"}},
		{CoreMLSettings{}, map[string]string{"ModelFormat": "MLProgram", "MLComputeUnits": "ALL"}},
	}
	for _, tt := range tests {
		if got := tt.settings.providerOptions(); !maps.Equal(got, tt.want) {
			t.Errorf("%+v: options %v, want %v", tt.settings, got, tt.want)
		}
	}
}
