package onnx

import ort "github.com/yalue/onnxruntime_go"

// probeProvider prefers CoreML, which the macOS build of the library includes.
func probeProvider() (provider, fallback string) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return "CPU", "CoreML unavailable: " + err.Error()
	}
	defer o.Destroy()
	if err := appendCoreML(o, CoreMLSettings{}); err != nil {
		return "CPU", "CoreML unavailable: " + err.Error()
	}
	return "CoreML", ""
}

func appendCoreML(o *ort.SessionOptions, c CoreMLSettings) error {
	return o.AppendExecutionProviderCoreMLV2(c.providerOptions())
}
