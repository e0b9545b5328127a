//go:build amd64 || arm64

package clnf

// The vector kernels (kernels_amd64.s, kernels_arm64.s) serve 11×11
// patches, the only size in OpenFace's models; other sizes use the Go
// kernels.
const vectorPatchSide = 11

func centredColumnsVector(area []float32, areaW, window, w, h int, cols, inv []float32) {
	if w != vectorPatchSide || h != vectorPatchSide || window < 1 {
		centredColumnsGo(area, areaW, window, w, h, cols, inv)
		return
	}
	positions := window * window
	_ = area[(window-1)*areaW+window-1+(h-1)*areaW+w-1] // the last value read
	_ = cols[positions*columnStride(w, h)-1]
	_ = inv[positions-1]
	centredColumns11Asm(&area[0], areaW, window, &cols[0], &inv[0])
}

// neuronSumsVector computes whole blocks of eight positions, so cols, inv
// and out must have room for positions rounded up to eight; the extra
// positions' sums are garbage.
func neuronSumsVector(cols []float32, stride, positions int, e *patchExpert, inv, out []float32) {
	if e.width != vectorPatchSide || e.height != vectorPatchSide || stride != columnStride(e.width, e.height) || positions < 1 {
		neuronSumsGo(cols, stride, positions, e, inv, out)
		return
	}
	blocks := roundUp8(positions) / lanes
	_ = cols[blocks*lanes*stride-1]
	_ = inv[blocks*lanes-1]
	_ = out[blocks*lanes-1]
	k := e.width * e.height
	for g := range e.groups() {
		neuronSums11Asm(&cols[0], blocks, &e.wt[g*k*lanes], &e.bias[g*lanes], &e.alpha2[g*lanes], &inv[0], &out[0])
	}
}

func smoothVector(sigmaT []float32, stride int, raw, out []float32) {
	n := len(raw)
	if n == 0 || stride%lanes != 0 {
		smoothGo(sigmaT, stride, raw, out)
		return
	}
	_ = sigmaT[n*stride-1]
	_ = out[stride-1]
	smoothAsm(&sigmaT[0], stride, &raw[0], n, &out[0])
}
