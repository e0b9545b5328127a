#include "textflag.h"

// func yuvRowsSSSE3(dst, y, u, v *uint8, blocks int, lanes *[laneConsts][8]int16, shuffles *[4][16]uint8)
//
// Eight pixels a block: luma and the four chroma pairs widened to 16-bit
// lanes (each chroma sample twice), the fixed-point terms by PMULHW, sums
// by saturating adds, bytes by PACKUSWB, then interleaved into B G R order.
TEXT ·yuvRowsSSSE3(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ u+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ blocks+32(FP), CX
	MOVQ lanes+40(FP), AX
	MOVQ shuffles+48(FP), BX
	MOVOU 0(AX), X8   // luma offset
	MOVOU 16(AX), X9  // luma coefficient
	MOVOU 32(AX), X10 // chroma centre
	MOVOU 48(AX), X11 // U to blue
	MOVOU 64(AX), X12 // U to green
	MOVOU 80(AX), X13 // V to red
	MOVOU 96(AX), X14 // V to green
	PXOR X15, X15

block:
	MOVQ (SI), X0
	PUNPCKLBW X15, X0
	PSLLW $3, X0
	PSUBW X8, X0
	PMULHW X9, X0 // luma term

	MOVL (R8), X1
	PUNPCKLBW X15, X1
	PUNPCKLWL X1, X1
	PSLLW $3, X1
	PSUBSW X10, X1
	MOVL (R9), X2
	PUNPCKLBW X15, X2
	PUNPCKLWL X2, X2
	PSLLW $3, X2
	PSUBSW X10, X2

	MOVO X1, X3
	PMULHW X11, X3 // blue term
	PMULHW X12, X1
	MOVO X2, X4
	PMULHW X14, X4
	PMULHW X13, X2 // red term
	PADDSW X4, X1  // green term
	PADDSW X0, X3
	PADDSW X0, X1
	PADDSW X0, X2
	PACKUSWB X1, X3 // B0…B7 G0…G7
	PACKUSWB X2, X2 // R0…R7 twice

	MOVO X3, X4
	MOVO X2, X5
	MOVOU 0(BX), X6
	MOVOU 16(BX), X7
	PSHUFB X6, X3
	PSHUFB X7, X2
	POR X2, X3
	MOVOU 32(BX), X6
	MOVOU 48(BX), X7
	PSHUFB X6, X4
	PSHUFB X7, X5
	POR X5, X4
	MOVOU X3, (DI)
	MOVQ X4, 16(DI)

	ADDQ $8, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $24, DI
	DECQ CX
	JNZ block
	RET
