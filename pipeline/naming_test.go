package pipeline

import "testing"

func TestReportPath(t *testing.T) {
	for csv, want := range map[string]string{
		OutputPath("/v/interview.mp4", ""):   "/v/interview.mp4.au.html",
		OutputPath("/v/interview.mov", "/o"): "/o/interview.mov.au.html",
		"/of/interview.csv":                  "/of/interview.au.html",
		"/of/processed/subj01_openface.CSV":  "/of/processed/subj01_openface.au.html",
	} {
		if got := ReportPath(csv); got != want {
			t.Errorf("ReportPath(%q) = %q, want %q", csv, got, want)
		}
	}
}
