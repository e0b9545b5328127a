package onnx

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// TensorSpec names a float32 tensor of a fixed shape.
type TensorSpec struct {
	Name  string
	Shape []int64
}

// Session is a warm inference session with its own input and output
// buffers; callers fill Input(i), call Run, and read Output(i).
type Session struct {
	session  *ort.AdvancedSession
	inputs   []*ort.Tensor[float32]
	outputs  []*ort.Tensor[float32]
	Provider string
	// Placement is where ONNX Runtime put the network's nodes; filled only
	// when SessionOptions.ReportPlacement asks.
	Placement Placement
}

// SessionOptions tunes a session.
type SessionOptions struct {
	IntraOpThreads int // 0 lets ONNX Runtime decide
	// NoSpinning stops idle worker threads from spinning while they wait
	// for work, which otherwise takes a core from the decoder and the
	// other stages between two inferences.
	NoSpinning bool
	// ReportPlacement reads where ONNX Runtime puts the nodes from its
	// session log into Session.Placement. The log goes to standard error,
	// which is taken over while the session loads: for doctor, not for
	// sessions loaded while other work runs.
	ReportPlacement bool
}

// NewSession loads the model at path for the given fixed-shape tensors. It
// uses the runtime's provider and falls back to CPU if that provider cannot
// take the model.
func (r *Runtime) NewSession(path string, in, out []TensorSpec, opt SessionOptions) (*Session, error) {
	s := &Session{}
	var err error
	if s.inputs, err = newTensors(in); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if s.outputs, err = newTensors(out); err != nil {
		s.Close()
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	s.Provider = r.Provider
	var coreML *CoreMLSettings
	if r.Provider == "CoreML" {
		coreML = &r.CoreML
	}
	err = s.openReported(path, in, out, opt, coreML)
	if err != nil && r.Provider != "CPU" {
		s.Provider = "CPU"
		err = s.openReported(path, in, out, opt, nil)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return s, nil
}

// openReported opens the session and, when opt asks, reads its placement.
func (s *Session) openReported(path string, in, out []TensorSpec, opt SessionOptions, coreML *CoreMLSettings) error {
	if !opt.ReportPlacement {
		var err error
		s.session, err = s.open(path, in, out, opt, coreML)
		return err
	}
	log, err := sessionLog(func() error {
		var err error
		s.session, err = s.open(path, in, out, opt, coreML)
		return err
	})
	if err == nil {
		s.Placement = ParsePlacement(log)
	}
	return err
}

// open makes the session, handing it to CoreML when coreML is not nil.
func (s *Session) open(path string, in, out []TensorSpec, opt SessionOptions, coreML *CoreMLSettings) (*ort.AdvancedSession, error) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer o.Destroy()
	if opt.IntraOpThreads > 0 {
		if err := o.SetIntraOpNumThreads(opt.IntraOpThreads); err != nil {
			return nil, err
		}
	}
	if opt.ReportPlacement {
		if err := o.SetLogSeverityLevel(ort.LoggingLevelVerbose); err != nil {
			return nil, err
		}
	}
	if opt.NoSpinning {
		if err := o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
			return nil, err
		}
	}
	// ONNX Runtime's memory pattern plans one block for all of a run's
	// intermediate tensors and keeps it: about 14 MB more resident memory
	// for the two networks, for no measurable speed on these fixed shapes.
	if err := o.SetMemPattern(false); err != nil {
		return nil, err
	}
	if coreML != nil {
		if err := appendCoreML(o, *coreML); err != nil {
			return nil, err
		}
	}
	return ort.NewAdvancedSession(path, names(in), names(out), values(s.inputs), values(s.outputs), o)
}

// Input returns the buffer of the i-th input tensor.
func (s *Session) Input(i int) []float32 { return s.inputs[i].GetData() }

// Output returns the buffer of the i-th output tensor, valid until the next Run.
func (s *Session) Output(i int) []float32 { return s.outputs[i].GetData() }

// Run runs the network on the current inputs.
func (s *Session) Run() error { return s.session.Run() }

// Close releases the session and its tensors.
func (s *Session) Close() {
	if s.session != nil {
		s.session.Destroy()
	}
	for _, t := range append(s.inputs, s.outputs...) {
		if t != nil {
			t.Destroy()
		}
	}
}

// ModelInfo describes a model's inputs and outputs as stored in the file.
func ModelInfo(path string) (in, out []TensorSpec, err error) {
	i, o, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return specs(i), specs(o), nil
}

// FixBatch gives a free batch dimension the size 1, so that a model's specs
// from ModelInfo can make a session.
func FixBatch(specs []TensorSpec) {
	for _, sp := range specs {
		for i, d := range sp.Shape {
			if d < 0 {
				sp.Shape[i] = 1
			}
		}
	}
}

func specs(info []ort.InputOutputInfo) []TensorSpec {
	out := make([]TensorSpec, len(info))
	for i, v := range info {
		out[i] = TensorSpec{Name: v.Name, Shape: []int64(v.Dimensions)}
	}
	return out
}

func newTensors(specs []TensorSpec) ([]*ort.Tensor[float32], error) {
	ts := make([]*ort.Tensor[float32], 0, len(specs))
	for _, sp := range specs {
		t, err := ort.NewEmptyTensor[float32](ort.NewShape(sp.Shape...))
		if err != nil {
			for _, made := range ts {
				made.Destroy()
			}
			return nil, fmt.Errorf("tensor %s %v: %w", sp.Name, sp.Shape, err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func names(specs []TensorSpec) []string {
	n := make([]string, len(specs))
	for i, sp := range specs {
		n[i] = sp.Name
	}
	return n
}

func values(ts []*ort.Tensor[float32]) []ort.Value {
	v := make([]ort.Value, len(ts))
	for i, t := range ts {
		v[i] = t
	}
	return v
}
