package onnx

import ort "github.com/yalue/onnxruntime_go"

// probeProvider prefers CoreML, which the macOS build of the library includes.
func probeProvider() (provider, fallback string) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return "CPU", "CoreML unavailable: " + err.Error()
	}
	defer o.Destroy()
	if err := appendCoreML(o); err != nil {
		return "CPU", "CoreML unavailable: " + err.Error()
	}
	return "CoreML", ""
}

func appendCoreML(o *ort.SessionOptions) error {
	return o.AppendExecutionProviderCoreML(0)
}
