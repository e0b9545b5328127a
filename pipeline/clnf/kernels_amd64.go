package clnf

import "golang.org/x/sys/cpu"

// The AVX2 kernels need AVX2 and FMA; older processors use the Go kernels.
func init() {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return
	}
	kernelSets["vector"] = kernelSet{centredColumnsVector, neuronSumsVector, smoothVector}
	kernels = kernelSets["vector"]
}

// centredColumns11Asm is centredColumnsGo for 11×11 patches; each column
// is 128 values.
//
//go:noescape
func centredColumns11Asm(area *float32, areaW, window int, cols, inv *float32)

// neuronSums11Asm is neuronSumsGo for one group of eight neurons of an
// 11×11 expert over blocks·8 positions of 128-value columns.
//
//go:noescape
func neuronSums11Asm(cols *float32, blocks int, wt, bias, alpha2, inv, out *float32)

// smoothAsm sets out[0:stride] = Σ_j raw[j]·sigmaT[j·stride:(j+1)·stride]
// for j < n; stride is a multiple of eight.
//
//go:noescape
func smoothAsm(sigmaT *float32, stride int, raw *float32, n int, out *float32)
