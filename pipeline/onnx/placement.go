package onnx

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Placement is where ONNX Runtime put a network's nodes, read from its own
// session log: the lines of VerifyEachNodeIsAssignedToAnEp ("All nodes
// placed on [P]. Number of nodes: N", or one "Node(s) placed on" line per
// provider) and, with CoreML, that provider's capability summary. Appending
// CoreML says only that ONNX Runtime was asked; this says what it did.
type Placement struct {
	// Nodes counts the nodes each provider runs, by ONNX Runtime's name
	// for it (CPUExecutionProvider, CoreMLExecutionProvider). A CoreML
	// partition counts as one node: ONNX Runtime fuses it.
	Nodes map[string]int
	// GraphNodes and CoreMLNodes are from CoreML's capability summary: the
	// network's nodes and how many of them CoreML takes, in Partitions
	// parts. All zero when CoreML was not asked.
	GraphNodes, CoreMLNodes, Partitions int
}

const (
	cpuProvider    = "CPUExecutionProvider"
	coreMLProvider = "CoreMLExecutionProvider"
)

var (
	placedLine     = regexp.MustCompile(`(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)`)
	capabilityLine = regexp.MustCompile(`CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: (\d+) number of nodes in the graph: (\d+) number of nodes supported by CoreML: (\d+)`)
)

// ParsePlacement reads a Placement from ONNX Runtime's verbose session log;
// its Nodes are empty when the log does not say.
func ParsePlacement(log string) Placement {
	p := Placement{Nodes: map[string]int{}}
	for _, m := range placedLine.FindAllStringSubmatch(log, -1) {
		n, _ := strconv.Atoi(m[2])
		p.Nodes[m[1]] += n
	}
	if m := capabilityLine.FindStringSubmatch(log); m != nil {
		p.Partitions, _ = strconv.Atoi(m[1])
		p.GraphNodes, _ = strconv.Atoi(m[2])
		p.CoreMLNodes, _ = strconv.Atoi(m[3])
	}
	return p
}

// String says it in a line: "nodes on CPU: all 58", or "nodes on CoreML:
// 120 of 130 (partitions: 3), on CPU: 10".
func (p Placement) String() string {
	cpu := p.Nodes[cpuProvider]
	if len(p.Nodes) == 0 {
		return "nodes: ONNX Runtime's session log does not say where they run"
	}
	if len(p.Nodes) == 1 && cpu > 0 {
		return fmt.Sprintf("nodes on CPU: all %d", cpu)
	}
	var parts []string
	if p.Nodes[coreMLProvider] > 0 {
		parts = append(parts, fmt.Sprintf("CoreML: %d of %d (partitions: %d)", p.CoreMLNodes, p.GraphNodes, p.Partitions))
	}
	for _, name := range otherProviders(p.Nodes) {
		parts = append(parts, fmt.Sprintf("%s: %d", strings.TrimSuffix(name, "ExecutionProvider"), p.Nodes[name]))
	}
	if cpu > 0 {
		parts = append(parts, fmt.Sprintf("CPU: %d", cpu))
	}
	return "nodes on " + strings.Join(parts, ", on ")
}

// otherProviders lists, sorted, the providers neither CPU nor CoreML.
func otherProviders(nodes map[string]int) []string {
	var names []string
	for name := range nodes {
		if name != cpuProvider && name != coreMLProvider {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
