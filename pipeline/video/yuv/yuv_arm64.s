#include "textflag.h"

// MULHI sets vd to the high halves of the 16×16-bit products of Va and Vc
// (x86's PMULHW), through V28 and V29: SMULL and SMULL2, then UZP2.
#define MULHI(vd, a, c) \
	WORD $(0x0E60C000 | (c)<<16 | (a)<<5 | 28); \
	WORD $(0x4E60C000 | (c)<<16 | (a)<<5 | 29); \
	VUZP2 V29.H8, V28.H8, vd

// func yuvRowsNEON(dst, y, u, v *uint8, blocks int, lanes *[laneConsts][8]int16)
//
// Sixteen pixels a block: luma and the eight chroma pairs widened to 16-bit
// lanes (each chroma sample twice), each fixed-point term the high half of
// a 32-bit product as x86's PMULHW gives it, bytes by unsigned saturation,
// stored interleaved B G R by ST3. No sum leaves 16 bits (see Converter),
// so plain adds give what x86's saturating ones do. Go's assembler lacks
// SMULL and SQXTUN; they are encoded by hand.
TEXT ·yuvRowsNEON(SB), NOSPLIT, $0-48
	MOVD dst+0(FP), R0
	MOVD y+8(FP), R1
	MOVD u+16(FP), R2
	MOVD v+24(FP), R3
	MOVD blocks+32(FP), R4
	MOVD lanes+40(FP), R5
	// offsets and coefficients in the order of the lane constants
	VLD1.P 64(R5), [V20.H8, V21.H8, V22.H8, V23.H8]
	VLD1 (R5), [V24.H8, V25.H8, V26.H8]

block:
	VLD1.P 16(R1), [V0.B16] // Y
	VLD1.P 8(R2), [V1.B8]   // U
	VLD1.P 8(R3), [V2.B8]   // V
	VZIP1 V1.B16, V1.B16, V1.B16 // each chroma sample twice
	VZIP1 V2.B16, V2.B16, V2.B16
	VUSHLL $3, V0.B8, V3.H8
	VUSHLL2 $3, V0.B16, V4.H8
	VUSHLL $3, V1.B8, V5.H8
	VUSHLL2 $3, V1.B16, V6.H8
	VUSHLL $3, V2.B8, V7.H8
	VUSHLL2 $3, V2.B16, V16.H8
	VSUB V20.H8, V3.H8, V3.H8
	VSUB V20.H8, V4.H8, V4.H8
	VSUB V22.H8, V5.H8, V5.H8
	VSUB V22.H8, V6.H8, V6.H8
	VSUB V22.H8, V7.H8, V7.H8
	VSUB V22.H8, V16.H8, V16.H8
	MULHI(V3.H8, 3, 21) // luma
	MULHI(V4.H8, 4, 21)
	MULHI(V17.H8, 5, 23) // U to blue
	MULHI(V18.H8, 6, 23)
	MULHI(V5.H8, 5, 24) // U to green
	MULHI(V6.H8, 6, 24)
	MULHI(V19.H8, 7, 26) // V to green
	MULHI(V27.H8, 16, 26)
	MULHI(V7.H8, 7, 25) // V to red
	MULHI(V16.H8, 16, 25)
	VADD V19.H8, V5.H8, V5.H8 // green terms
	VADD V27.H8, V6.H8, V6.H8
	VADD V3.H8, V17.H8, V17.H8 // blue
	VADD V4.H8, V18.H8, V18.H8
	VADD V3.H8, V5.H8, V5.H8   // green
	VADD V4.H8, V6.H8, V6.H8
	VADD V3.H8, V7.H8, V7.H8   // red
	VADD V4.H8, V16.H8, V16.H8
	WORD $0x2e212a20 // SQXTUN V0.8B, V17.8H
	WORD $0x6e212a40 // SQXTUN2 V0.16B, V18.8H
	WORD $0x2e2128a1 // SQXTUN V1.8B, V5.8H
	WORD $0x6e2128c1 // SQXTUN2 V1.16B, V6.8H
	WORD $0x2e2128e2 // SQXTUN V2.8B, V7.8H
	WORD $0x6e212a02 // SQXTUN2 V2.16B, V16.8H
	VST3 [V0.B16, V1.B16, V2.B16], (R0)
	ADD $48, R0
	SUBS $1, R4
	BNE block
	RET
