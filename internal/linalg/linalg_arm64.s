// NEON dot products; see linalg_arm64.go. Go's assembler has no mnemonics
// for the floating-point vector additions, so they are written as WORDs with
// the instruction in a comment.

#include "textflag.h"

// FADD Vd.2D, Vn.2D, Vm.2D
#define FADD_D2(m, n, d) WORD $(0x4E60D400 | (m)<<16 | (n)<<5 | (d))
// FADDP Vd.2D, Vn.2D, Vm.2D: [n0+n1, m0+m1]
#define FADDP_D2(m, n, d) WORD $(0x6E60D400 | (m)<<16 | (n)<<5 | (d))
// FADDP Dd, Vn.2D: n0+n1
#define FADDP_D(n, d) WORD $(0x7E70D800 | (n)<<5 | (d))

// func dotVector(x, y *float64, n int) float64
TEXT ·dotVector(SB), NOSPLIT, $0-32
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	// Four accumulators over groups of eight values hide the FMA latency.
	LSR $3, R2, R3
	CBZ R3, four

eight:
	VLD1.P 64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1.P 64(R1), [V16.D2, V17.D2, V18.D2, V19.D2]
	VFMLA V4.D2, V16.D2, V0.D2
	VFMLA V5.D2, V17.D2, V1.D2
	VFMLA V6.D2, V18.D2, V2.D2
	VFMLA V7.D2, V19.D2, V3.D2
	SUBS $1, R3, R3
	BNE eight

four:
	TBZ $2, R2, reduce
	VLD1 (R0), [V4.D2, V5.D2]
	VLD1 (R1), [V16.D2, V17.D2]
	VFMLA V4.D2, V16.D2, V0.D2
	VFMLA V5.D2, V17.D2, V1.D2

reduce:
	FADD_D2(1, 0, 0)  // FADD V0.2D, V0.2D, V1.2D
	FADD_D2(3, 2, 2)  // FADD V2.2D, V2.2D, V3.2D
	FADD_D2(2, 0, 0)  // FADD V0.2D, V0.2D, V2.2D
	FADDP_D(0, 0)     // FADDP D0, V0.2D
	FMOVD F0, ret+24(FP)
	RET

// func dot4Vector(x, rows *float64, stride, n int, out *[4]float64)
TEXT ·dot4Vector(SB), NOSPLIT, $0-40
	MOVD x+0(FP), R0
	MOVD rows+8(FP), R1
	MOVD stride+16(FP), R2
	LSL $3, R2, R2
	MOVD n+24(FP), R3
	LSR $2, R3, R3
	MOVD out+32(FP), R4
	ADD R2, R1, R5
	ADD R2, R5, R6
	ADD R2, R6, R7
	// Two accumulators per row: Vj for values 4i, 4i+1 and Vj+4 for 4i+2, 4i+3.
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16

loop:
	VLD1.P 32(R0), [V16.D2, V17.D2]
	VLD1.P 32(R1), [V18.D2, V19.D2]
	VLD1.P 32(R5), [V20.D2, V21.D2]
	VLD1.P 32(R6), [V22.D2, V23.D2]
	VLD1.P 32(R7), [V24.D2, V25.D2]
	VFMLA V16.D2, V18.D2, V0.D2
	VFMLA V17.D2, V19.D2, V4.D2
	VFMLA V16.D2, V20.D2, V1.D2
	VFMLA V17.D2, V21.D2, V5.D2
	VFMLA V16.D2, V22.D2, V2.D2
	VFMLA V17.D2, V23.D2, V6.D2
	VFMLA V16.D2, V24.D2, V3.D2
	VFMLA V17.D2, V25.D2, V7.D2
	SUBS $1, R3, R3
	BNE loop

	FADD_D2(4, 0, 0)    // FADD V0.2D, V0.2D, V4.2D
	FADD_D2(5, 1, 1)    // FADD V1.2D, V1.2D, V5.2D
	FADD_D2(6, 2, 2)    // FADD V2.2D, V2.2D, V6.2D
	FADD_D2(7, 3, 3)    // FADD V3.2D, V3.2D, V7.2D
	FADDP_D2(1, 0, 0)   // FADDP V0.2D, V0.2D, V1.2D: [row 0, row 1]
	FADDP_D2(3, 2, 1)   // FADDP V1.2D, V2.2D, V3.2D: [row 2, row 3]
	VST1 [V0.D2, V1.D2], (R4)
	RET
