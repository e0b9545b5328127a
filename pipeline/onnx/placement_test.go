package onnx

import (
	"maps"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
	"github.com/auwatchd/auwatchd/weights"
)

// Session logs in ONNX Runtime's own words. The CPU one is what the pinned
// library writes on Linux; the CoreML one is put together from the message
// formats of ONNX Runtime's sources (session_state.cc and
// coreml_execution_provider.cc), as no Mac runs these tests.
const (
	cpuSessionLog = `2026-12-04 18:33:46.189000743 [V:onnxruntime:, session_state.cc:1307 VerifyEachNodeIsAssignedToAnEp] Node placements
2026-12-04 18:33:46.189013467 [V:onnxruntime:, session_state.cc:1310 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [CPUExecutionProvider]. Number of nodes: 58
`
	coreMLSessionLog = `2026-12-04 10:00:00.000 [W:onnxruntime:, coreml_execution_provider.cc:115 GetCapability] CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: 3 number of nodes in the graph: 130 number of nodes supported by CoreML: 120
2026-12-04 10:00:00.100 [V:onnxruntime:, session_state.cc:1307 VerifyEachNodeIsAssignedToAnEp] Node placements
2026-12-04 10:00:00.100 [V:onnxruntime:, session_state.cc:1309 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CoreMLExecutionProvider]. Number of nodes: 3
2026-12-04 10:00:00.100 [V:onnxruntime:, session_state.cc:1311 VerifyEachNodeIsAssignedToAnEp]   CoreML_1234_0 (CoreML_1234_0)
2026-12-04 10:00:00.100 [V:onnxruntime:, session_state.cc:1309 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 10
`
)

func TestParsePlacement(t *testing.T) {
	tests := []struct {
		log   string
		nodes map[string]int
		says  string
	}{
		{cpuSessionLog, map[string]int{cpuProvider: 58}, "nodes on CPU: all 58"},
		{coreMLSessionLog, map[string]int{coreMLProvider: 3, cpuProvider: 10},
			"nodes on CoreML: 120 of 130 (partitions: 3), on CPU: 10"},
		{"Session successfully initialized.\n", map[string]int{}, "nodes: ONNX Runtime's session log does not say where they run"},
	}
	for _, tt := range tests {
		p := ParsePlacement(tt.log)
		if !maps.Equal(p.Nodes, tt.nodes) || p.String() != tt.says {
			t.Errorf("placement %v, %q; want %v, %q", p.Nodes, p, tt.nodes, tt.says)
		}
	}
}

// TestSessionReportsPlacement loads PFLD with the pinned library and reads
// where its nodes run from the library's own log: all on CPU here.
func TestSessionReportsPlacement(t *testing.T) {
	rt, err := Start(testenv.ONNXRuntimePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	path := testenv.ModelPath(t, weights.LocatorFile)
	in, out, err := ModelInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	FixBatch(in)
	FixBatch(out)
	s, err := rt.NewSession(path, in, out, SessionOptions{ReportPlacement: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Placement.Nodes) != 1 || s.Placement.Nodes[cpuProvider] < 10 {
		t.Errorf("placement %v, want every node on CPU", s.Placement.Nodes)
	}
	if says := s.Placement.String(); !strings.HasPrefix(says, "nodes on CPU: all ") {
		t.Errorf("placement says %q", says)
	}
}
