package aucompare

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auwatchd/auwatchd/internal/testenv"
)

func TestReferenceAgreesWithItself(t *testing.T) {
	ref := testenv.TestdataPath(t, "reference/openface-2.2-clnf/default.csv")
	rep, err := Files(ref, ref)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Frames != 288 || math.Abs(rep.MeanR-1) > 1e-9 || rep.MeanMAE != 0 || rep.MeanAgree != 1 || rep.LandmarkNME != 0 {
		t.Fatalf("self-comparison:\n%s", rep)
	}
	if len(rep.R) != 17 || len(rep.Agreement) != 18 {
		t.Fatalf("%d intensity and %d occurrence AUs, want 17 and 18", len(rep.R), len(rep.Agreement))
	}
}

func TestShiftedIntensityKeepsRButNotMAE(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	text := "frame, success, AU01_r, AU02_r, AU01_c\n1, 1, 0.5, 1, 1\n2, 1, 1.5, 1, 0\n3, 1, 2.5, 1, 1\n4, 0, 9, 9, 9\n"
	ref := filepath.Join(t.TempDir(), "b.csv")
	refText := "frame, success, AU01_r, AU02_r, AU01_c\n1, 1, 0.0, 1, 1\n2, 1, 1.0, 1, 1\n3, 1, 2.0, 1, 1\n4, 1, 0, 0, 0\n"
	if os.WriteFile(path, []byte(text), 0o644) != nil || os.WriteFile(ref, []byte(refText), 0o644) != nil {
		t.Fatal("write")
	}
	rep, err := Files(path, ref)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Frames != 3 || math.Abs(rep.R["AU01_r"]-1) > 1e-12 || math.Abs(rep.MAE["AU01_r"]-0.5) > 1e-12 {
		t.Fatalf("report:\n%s", rep)
	}
	if !math.IsNaN(rep.R["AU02_r"]) || len(rep.Flat) != 1 || math.Abs(rep.Agreement["AU01_c"]-2.0/3) > 1e-12 {
		t.Fatalf("flat AU or agreement wrong:\n%s", rep)
	}
	if !strings.Contains(rep.String(), "AU02_r  r   flat") {
		t.Fatalf("flat AU not shown:\n%s", rep)
	}
}
