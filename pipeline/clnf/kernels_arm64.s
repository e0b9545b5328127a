// NEON kernels of the CCNF patch-expert response for 11×11 patches. See
// kernels_arm64.go for what each computes; kernels.go holds the same
// computations in Go, kernels_amd64.s the AVX2 ones, which these follow.
//
// Go's assembler has mnemonics for few floating-point vector instructions,
// so most are written as WORDs by the macros below, each with the
// instruction it encodes; register arguments are register numbers.

#include "textflag.h"

// FADD Vd.4S, Vn.4S, Vm.4S
#define FADD_S4(m, n, d) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
// FSUB Vd.4S, Vn.4S, Vm.4S: d = n − m
#define FSUB_S4(m, n, d) WORD $(0x4EA0D400 | (m)<<16 | (n)<<5 | (d))
// FMUL Vd.4S, Vn.4S, Vm.4S
#define FMUL_S4(m, n, d) WORD $(0x6E20DC00 | (m)<<16 | (n)<<5 | (d))
// FDIV Vd.4S, Vn.4S, Vm.4S: d = n / m
#define FDIV_S4(m, n, d) WORD $(0x6E20FC00 | (m)<<16 | (n)<<5 | (d))
// FMIN Vd.4S, Vn.4S, Vm.4S
#define FMIN_S4(m, n, d) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))
// FMAX Vd.4S, Vn.4S, Vm.4S
#define FMAX_S4(m, n, d) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))
// FMLA Vd.4S, Vn.4S, Vm.4S: d += n·m
#define FMLA_S4(m, n, d) WORD $(0x4E20CC00 | (m)<<16 | (n)<<5 | (d))
// FMLS Vd.4S, Vn.4S, Vm.4S: d −= n·m
#define FMLS_S4(m, n, d) WORD $(0x4EA0CC00 | (m)<<16 | (n)<<5 | (d))
// FMLA Vd.4S, Vn.4S, Vm.S[i]: d += n·m[i]
#define FMLA_LANE(m, i, n, d) WORD $(0x4F801000 | ((i)&1)<<21 | ((i)>>1)<<11 | (m)<<16 | (n)<<5 | (d))
// FADDP Vd.4S, Vn.4S, Vm.4S: [n0+n1, n2+n3, m0+m1, m2+m3]
#define FADDP_S4(m, n, d) WORD $(0x6E20D400 | (m)<<16 | (n)<<5 | (d))
// FADDP Sd, Vn.2S: n0+n1
#define FADDP_S(n, d) WORD $(0x7E30D800 | (n)<<5 | (d))
// FNEG Vd.4S, Vn.4S
#define FNEG_S4(n, d) WORD $(0x6EA0F800 | (n)<<5 | (d))
// FRINTM Vd.4S, Vn.4S: round towards −∞
#define FRINTM_S4(n, d) WORD $(0x4E219800 | (n)<<5 | (d))
// FCVTZS Vd.4S, Vn.4S: to int32, towards zero
#define FCVTZS_S4(n, d) WORD $(0x4EA1B800 | (n)<<5 | (d))
// ADD Vd.4S, Vn.4S, Vm.4S (int32)
#define ADD_S4(m, n, d) WORD $(0x4EA08400 | (m)<<16 | (n)<<5 | (d))
// SHL Vd.4S, Vn.4S, #23
#define SHL23_S4(n, d) WORD $(0x4F375400 | (n)<<5 | (d))
// MOV Vd.16B, Vn.16B (ORR Vd.16B, Vn.16B, Vn.16B)
#define MOV_V(n, d) WORD $(0x4EA01C00 | (n)<<16 | (n)<<5 | (d))

// The constants of the exponential (Cephes expf, as in kernels_amd64.s), a
// vector each, in the order neuronSums11Asm loads them into V16–V28.

DATA expconst<>+0(SB)/8, $0x42b0c0a542b0c0a5 // exphi
DATA expconst<>+8(SB)/8, $0x42b0c0a542b0c0a5
DATA expconst<>+16(SB)/8, $0xc2b0c0a5c2b0c0a5 // explo
DATA expconst<>+24(SB)/8, $0xc2b0c0a5c2b0c0a5
DATA expconst<>+32(SB)/8, $0x3fb8aa3b3fb8aa3b // log2e
DATA expconst<>+40(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expconst<>+48(SB)/8, $0x3f0000003f000000 // half
DATA expconst<>+56(SB)/8, $0x3f0000003f000000
DATA expconst<>+64(SB)/8, $0x3f8000003f800000 // one
DATA expconst<>+72(SB)/8, $0x3f8000003f800000
DATA expconst<>+80(SB)/8, $0x3f3180003f318000 // c1
DATA expconst<>+88(SB)/8, $0x3f3180003f318000
DATA expconst<>+96(SB)/8, $0xb95e8083b95e8083 // c2
DATA expconst<>+104(SB)/8, $0xb95e8083b95e8083
DATA expconst<>+112(SB)/8, $0x3950696739506967 // p0
DATA expconst<>+120(SB)/8, $0x3950696739506967
DATA expconst<>+128(SB)/8, $0x3ab743ce3ab743ce // p1
DATA expconst<>+136(SB)/8, $0x3ab743ce3ab743ce
DATA expconst<>+144(SB)/8, $0x3c0889083c088908 // p2
DATA expconst<>+152(SB)/8, $0x3c0889083c088908
DATA expconst<>+160(SB)/8, $0x3d2aa9c13d2aa9c1 // p3
DATA expconst<>+168(SB)/8, $0x3d2aa9c13d2aa9c1
DATA expconst<>+176(SB)/8, $0x3e2aaaaa3e2aaaaa // p4
DATA expconst<>+184(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA expconst<>+192(SB)/8, $0x0000007f0000007f // bias127
DATA expconst<>+200(SB)/8, $0x0000007f0000007f
GLOBL expconst<>(SB), RODATA|NOPTR, $208


// tailmask: lanes 1–3, for values 7–10 of an 11-wide row, 7 being counted
// with values 4–7.
DATA tailmask<>+0(SB)/8, $0xffffffff00000000
DATA tailmask<>+8(SB)/8, $0xffffffffffffffff
GLOBL tailmask<>(SB), RODATA|NOPTR, $16

// lane0: the first lane only, for value 120, the last of a 121-value patch.
DATA lane0<>+0(SB)/8, $0x00000000ffffffff
DATA lane0<>+8(SB)/8, $0
GLOBL lane0<>(SB), RODATA|NOPTR, $16

// func centredColumns11Asm(area *float32, areaW, window int, cols, inv *float32)
TEXT ·centredColumns11Asm(SB), NOSPLIT, $0-40
	MOVD area+0(FP), R0
	MOVD areaW+8(FP), R1
	LSL  $2, R1, R1
	MOVD window+16(FP), R2
	MOVD cols+24(FP), R3
	MOVD inv+32(FP), R4
	MOVD $tailmask<>(SB), R5
	VLD1 (R5), [V31.S4]
	MOVD $lane0<>(SB), R5
	VLD1 (R5), [V30.S4]
	MOVW $0x42f20000, R5 // 121.0
	FMOVS R5, F29
	MOVW $0x3f800000, R5 // 1.0
	FMOVS R5, F28
	MOVD R2, R6

rowLoop:
	MOVD R0, R7
	MOVD R2, R8

positionLoop:
	// Copy the 11 rows of the patch and sum them: values 0–7 of a row in
	// V4, V5 and values 7–10 in V6, whose lane 0 the sum leaves out.
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	MOVD R7, R9
	MOVD R3, R10
	MOVD $11, R11

copyLoop:
	VLD1 (R9), [V4.S4, V5.S4]
	ADD  $28, R9, R12
	VLD1 (R12), [V6.S4]
	VST1 [V4.S4, V5.S4], (R10)
	ADD  $28, R10, R12
	VST1 [V6.S4], (R12)
	FADD_S4(4, 0, 0)  // FADD V0.4S, V0.4S, V4.4S
	FADD_S4(5, 1, 1)  // FADD V1.4S, V1.4S, V5.4S
	VAND V31.B16, V6.B16, V6.B16
	FADD_S4(6, 2, 2)  // FADD V2.4S, V2.4S, V6.4S
	ADD  R1, R9, R9
	ADD  $44, R10, R10
	SUBS $1, R11, R11
	BNE  copyLoop

	FADD_S4(1, 0, 0)  // FADD V0.4S, V0.4S, V1.4S
	FADD_S4(2, 0, 0)  // FADD V0.4S, V0.4S, V2.4S
	FADDP_S4(0, 0, 0) // FADDP V0.4S, V0.4S, V0.4S
	FADDP_S(0, 0)     // FADDP S0, V0.2S
	FDIVS F29, F0, F0
	VDUP V0.S[0], V7.S4

	// Subtract the mean, zero the padding, sum the squares.
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	MOVD R3, R10
	MOVD $7, R11

centreLoop:
	VLD1 (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	FSUB_S4(7, 20, 20) // FSUB V20.4S, V20.4S, V7.4S
	FSUB_S4(7, 21, 21) // FSUB V21.4S, V21.4S, V7.4S
	FSUB_S4(7, 22, 22) // FSUB V22.4S, V22.4S, V7.4S
	FSUB_S4(7, 23, 23) // FSUB V23.4S, V23.4S, V7.4S
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R10)
	VFMLA V20.S4, V20.S4, V16.S4
	VFMLA V21.S4, V21.S4, V17.S4
	VFMLA V22.S4, V22.S4, V18.S4
	VFMLA V23.S4, V23.S4, V19.S4
	SUBS $1, R11, R11
	BNE  centreLoop

	// Values 112–120, then padding.
	VLD1 (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	FSUB_S4(7, 20, 20) // FSUB V20.4S, V20.4S, V7.4S
	FSUB_S4(7, 21, 21) // FSUB V21.4S, V21.4S, V7.4S
	FSUB_S4(7, 22, 22) // FSUB V22.4S, V22.4S, V7.4S
	VAND V30.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R10)
	VFMLA V20.S4, V20.S4, V16.S4
	VFMLA V21.S4, V21.S4, V17.S4
	VFMLA V22.S4, V22.S4, V18.S4

	FADD_S4(17, 16, 16)  // FADD V16.4S, V16.4S, V17.4S
	FADD_S4(19, 18, 18)  // FADD V18.4S, V18.4S, V19.4S
	FADD_S4(18, 16, 16)  // FADD V16.4S, V16.4S, V18.4S
	FADDP_S4(16, 16, 16) // FADDP V16.4S, V16.4S, V16.4S
	FADDP_S(16, 16)      // FADDP S16, V16.2S
	FSQRTS F16, F16
	FCMPS $(0.0), F16
	BNE  haveNorm
	FMOVS F28, F16

haveNorm:
	FDIVS F16, F28, F17
	FMOVS F17, (R4)

	ADD  $4, R4, R4
	ADD  $512, R3, R3
	ADD  $4, R7, R7
	SUBS $1, R8, R8
	BNE  positionLoop

	ADD  R1, R0, R0
	SUBS $1, R6, R6
	BNE  rowLoop
	RET

// SIGMOID turns the neuron sums in Vx into 2α/(1+e^(−z)) per neuron,
// z = inv·sum + bias, with inv in V2, the bias in Vb, 2α in Va, the
// exponential's constants in V16–V28 and Vf, Vp, Vq for scratch. e^(−z) is
// Cephes expf as in kernels_amd64.s: clamp, n = ⌊x·log2e + ½⌋, x −= n·ln 2
// in two parts, a degree-5 polynomial, times 2^n.
#define SIGMOID(x, b, a, f, p, q) \
	MOV_V(b, f);          \ // MOV Vf, Vb
	FMLA_S4(2, x, f);     \ // FMLA Vf.4S, Vx.4S, V2.4S: z
	FNEG_S4(f, x);        \ // FNEG Vx.4S, Vf.4S
	FMIN_S4(16, x, x);    \ // FMIN Vx.4S, Vx.4S, V16.4S (exphi)
	FMAX_S4(17, x, x);    \ // FMAX Vx.4S, Vx.4S, V17.4S (explo)
	MOV_V(19, f);         \ // MOV Vf, V19 (½)
	FMLA_S4(18, x, f);    \ // FMLA Vf.4S, Vx.4S, V18.4S (log2e)
	FRINTM_S4(f, f);      \ // FRINTM Vf.4S, Vf.4S: n
	FMLS_S4(21, f, x);    \ // FMLS Vx.4S, Vf.4S, V21.4S (c1)
	FMLS_S4(22, f, x);    \ // FMLS Vx.4S, Vf.4S, V22.4S (c2)
	MOV_V(24, p);         \ // MOV Vp, V24 (p1)
	FMLA_S4(x, 23, p);    \ // FMLA Vp.4S, V23.4S (p0), Vx.4S
	MOV_V(25, q);         \ // MOV Vq, V25 (p2)
	FMLA_S4(x, p, q);     \ // FMLA Vq.4S, Vp.4S, Vx.4S
	MOV_V(26, p);         \ // MOV Vp, V26 (p3)
	FMLA_S4(x, q, p);     \ // FMLA Vp.4S, Vq.4S, Vx.4S
	MOV_V(27, q);         \ // MOV Vq, V27 (p4)
	FMLA_S4(x, p, q);     \ // FMLA Vq.4S, Vp.4S, Vx.4S
	MOV_V(19, p);         \ // MOV Vp, V19 (p5 = ½)
	FMLA_S4(x, q, p);     \ // FMLA Vp.4S, Vq.4S, Vx.4S
	FMUL_S4(x, x, q);     \ // FMUL Vq.4S, Vx.4S, Vx.4S
	FMLA_S4(q, p, x);     \ // FMLA Vx.4S, Vp.4S, Vq.4S
	FADD_S4(20, x, x);    \ // FADD Vx.4S, Vx.4S, V20.4S (1)
	FCVTZS_S4(f, f);      \ // FCVTZS Vf.4S, Vf.4S
	ADD_S4(28, f, f);     \ // ADD Vf.4S, Vf.4S, V28.4S (127)
	SHL23_S4(f, f);       \ // SHL Vf.4S, Vf.4S, #23: 2^n
	FMUL_S4(f, x, x);     \ // FMUL Vx.4S, Vx.4S, Vf.4S: e^(−z)
	FADD_S4(20, x, x);    \ // FADD Vx.4S, Vx.4S, V20.4S
	FDIV_S4(x, a, x)         // FDIV Vx.4S, Va.4S, Vx.4S

// func neuronSums11Asm(cols *float32, blocks int, wt, bias, alpha2, inv, out *float32)
//
// For each block of eight positions, V(2p) and V(2p+1) sum neurons 0–3 and
// 4–7 of position p over the 121 values, four values a step: V16–V23 hold
// the weights of the four values, V24+p the four values of position p.
// The sums go through the 256-byte frame to the sigmoid loop, which needs
// the registers for its constants.
TEXT ·neuronSums11Asm(SB), NOSPLIT, $256-56
	MOVD cols+0(FP), R0
	MOVD blocks+8(FP), R1
	MOVD wt+16(FP), R2
	MOVD bias+24(FP), R3
	MOVD alpha2+32(FP), R4
	MOVD inv+40(FP), R5
	MOVD out+48(FP), R6
	ADD  $8, RSP, R7

blockLoop:

	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	MOVD R2, R9
	MOVD R0, R10
	MOVD $30, R11

weightLoop:
	VLD1.P 64(R9), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R9), [V20.S4, V21.S4, V22.S4, V23.S4]
	FMOVQ 0(R10), F24
	FMOVQ 512(R10), F25
	FMOVQ 1024(R10), F26
	FMOVQ 1536(R10), F27
	FMOVQ 2048(R10), F28
	FMOVQ 2560(R10), F29
	FMOVQ 3072(R10), F30
	FMOVQ 3584(R10), F31
	ADD  $16, R10, R10
	FMLA_LANE(24, 0, 16, 0) // FMLA V0.4S, V16.4S, V24.S[0]
	FMLA_LANE(24, 0, 17, 1) // FMLA V1.4S, V17.4S, V24.S[0]
	FMLA_LANE(25, 0, 16, 2) // FMLA V2.4S, V16.4S, V25.S[0]
	FMLA_LANE(25, 0, 17, 3) // FMLA V3.4S, V17.4S, V25.S[0]
	FMLA_LANE(26, 0, 16, 4) // FMLA V4.4S, V16.4S, V26.S[0]
	FMLA_LANE(26, 0, 17, 5) // FMLA V5.4S, V17.4S, V26.S[0]
	FMLA_LANE(27, 0, 16, 6) // FMLA V6.4S, V16.4S, V27.S[0]
	FMLA_LANE(27, 0, 17, 7) // FMLA V7.4S, V17.4S, V27.S[0]
	FMLA_LANE(28, 0, 16, 8) // FMLA V8.4S, V16.4S, V28.S[0]
	FMLA_LANE(28, 0, 17, 9) // FMLA V9.4S, V17.4S, V28.S[0]
	FMLA_LANE(29, 0, 16, 10) // FMLA V10.4S, V16.4S, V29.S[0]
	FMLA_LANE(29, 0, 17, 11) // FMLA V11.4S, V17.4S, V29.S[0]
	FMLA_LANE(30, 0, 16, 12) // FMLA V12.4S, V16.4S, V30.S[0]
	FMLA_LANE(30, 0, 17, 13) // FMLA V13.4S, V17.4S, V30.S[0]
	FMLA_LANE(31, 0, 16, 14) // FMLA V14.4S, V16.4S, V31.S[0]
	FMLA_LANE(31, 0, 17, 15) // FMLA V15.4S, V17.4S, V31.S[0]
	FMLA_LANE(24, 1, 18, 0) // FMLA V0.4S, V18.4S, V24.S[1]
	FMLA_LANE(24, 1, 19, 1) // FMLA V1.4S, V19.4S, V24.S[1]
	FMLA_LANE(25, 1, 18, 2) // FMLA V2.4S, V18.4S, V25.S[1]
	FMLA_LANE(25, 1, 19, 3) // FMLA V3.4S, V19.4S, V25.S[1]
	FMLA_LANE(26, 1, 18, 4) // FMLA V4.4S, V18.4S, V26.S[1]
	FMLA_LANE(26, 1, 19, 5) // FMLA V5.4S, V19.4S, V26.S[1]
	FMLA_LANE(27, 1, 18, 6) // FMLA V6.4S, V18.4S, V27.S[1]
	FMLA_LANE(27, 1, 19, 7) // FMLA V7.4S, V19.4S, V27.S[1]
	FMLA_LANE(28, 1, 18, 8) // FMLA V8.4S, V18.4S, V28.S[1]
	FMLA_LANE(28, 1, 19, 9) // FMLA V9.4S, V19.4S, V28.S[1]
	FMLA_LANE(29, 1, 18, 10) // FMLA V10.4S, V18.4S, V29.S[1]
	FMLA_LANE(29, 1, 19, 11) // FMLA V11.4S, V19.4S, V29.S[1]
	FMLA_LANE(30, 1, 18, 12) // FMLA V12.4S, V18.4S, V30.S[1]
	FMLA_LANE(30, 1, 19, 13) // FMLA V13.4S, V19.4S, V30.S[1]
	FMLA_LANE(31, 1, 18, 14) // FMLA V14.4S, V18.4S, V31.S[1]
	FMLA_LANE(31, 1, 19, 15) // FMLA V15.4S, V19.4S, V31.S[1]
	FMLA_LANE(24, 2, 20, 0) // FMLA V0.4S, V20.4S, V24.S[2]
	FMLA_LANE(24, 2, 21, 1) // FMLA V1.4S, V21.4S, V24.S[2]
	FMLA_LANE(25, 2, 20, 2) // FMLA V2.4S, V20.4S, V25.S[2]
	FMLA_LANE(25, 2, 21, 3) // FMLA V3.4S, V21.4S, V25.S[2]
	FMLA_LANE(26, 2, 20, 4) // FMLA V4.4S, V20.4S, V26.S[2]
	FMLA_LANE(26, 2, 21, 5) // FMLA V5.4S, V21.4S, V26.S[2]
	FMLA_LANE(27, 2, 20, 6) // FMLA V6.4S, V20.4S, V27.S[2]
	FMLA_LANE(27, 2, 21, 7) // FMLA V7.4S, V21.4S, V27.S[2]
	FMLA_LANE(28, 2, 20, 8) // FMLA V8.4S, V20.4S, V28.S[2]
	FMLA_LANE(28, 2, 21, 9) // FMLA V9.4S, V21.4S, V28.S[2]
	FMLA_LANE(29, 2, 20, 10) // FMLA V10.4S, V20.4S, V29.S[2]
	FMLA_LANE(29, 2, 21, 11) // FMLA V11.4S, V21.4S, V29.S[2]
	FMLA_LANE(30, 2, 20, 12) // FMLA V12.4S, V20.4S, V30.S[2]
	FMLA_LANE(30, 2, 21, 13) // FMLA V13.4S, V21.4S, V30.S[2]
	FMLA_LANE(31, 2, 20, 14) // FMLA V14.4S, V20.4S, V31.S[2]
	FMLA_LANE(31, 2, 21, 15) // FMLA V15.4S, V21.4S, V31.S[2]
	FMLA_LANE(24, 3, 22, 0) // FMLA V0.4S, V22.4S, V24.S[3]
	FMLA_LANE(24, 3, 23, 1) // FMLA V1.4S, V23.4S, V24.S[3]
	FMLA_LANE(25, 3, 22, 2) // FMLA V2.4S, V22.4S, V25.S[3]
	FMLA_LANE(25, 3, 23, 3) // FMLA V3.4S, V23.4S, V25.S[3]
	FMLA_LANE(26, 3, 22, 4) // FMLA V4.4S, V22.4S, V26.S[3]
	FMLA_LANE(26, 3, 23, 5) // FMLA V5.4S, V23.4S, V26.S[3]
	FMLA_LANE(27, 3, 22, 6) // FMLA V6.4S, V22.4S, V27.S[3]
	FMLA_LANE(27, 3, 23, 7) // FMLA V7.4S, V23.4S, V27.S[3]
	FMLA_LANE(28, 3, 22, 8) // FMLA V8.4S, V22.4S, V28.S[3]
	FMLA_LANE(28, 3, 23, 9) // FMLA V9.4S, V23.4S, V28.S[3]
	FMLA_LANE(29, 3, 22, 10) // FMLA V10.4S, V22.4S, V29.S[3]
	FMLA_LANE(29, 3, 23, 11) // FMLA V11.4S, V23.4S, V29.S[3]
	FMLA_LANE(30, 3, 22, 12) // FMLA V12.4S, V22.4S, V30.S[3]
	FMLA_LANE(30, 3, 23, 13) // FMLA V13.4S, V23.4S, V30.S[3]
	FMLA_LANE(31, 3, 22, 14) // FMLA V14.4S, V22.4S, V31.S[3]
	FMLA_LANE(31, 3, 23, 15) // FMLA V15.4S, V23.4S, V31.S[3]
	SUBS $1, R11, R11
	BNE  weightLoop

	// Value 120, the last.
	VLD1 (R9), [V16.S4, V17.S4]
	FMOVQ 0(R10), F24
	FMOVQ 512(R10), F25
	FMOVQ 1024(R10), F26
	FMOVQ 1536(R10), F27
	FMOVQ 2048(R10), F28
	FMOVQ 2560(R10), F29
	FMOVQ 3072(R10), F30
	FMOVQ 3584(R10), F31
	FMLA_LANE(24, 0, 16, 0) // FMLA V0.4S, V16.4S, V24.S[0]
	FMLA_LANE(24, 0, 17, 1) // FMLA V1.4S, V17.4S, V24.S[0]
	FMLA_LANE(25, 0, 16, 2) // FMLA V2.4S, V16.4S, V25.S[0]
	FMLA_LANE(25, 0, 17, 3) // FMLA V3.4S, V17.4S, V25.S[0]
	FMLA_LANE(26, 0, 16, 4) // FMLA V4.4S, V16.4S, V26.S[0]
	FMLA_LANE(26, 0, 17, 5) // FMLA V5.4S, V17.4S, V26.S[0]
	FMLA_LANE(27, 0, 16, 6) // FMLA V6.4S, V16.4S, V27.S[0]
	FMLA_LANE(27, 0, 17, 7) // FMLA V7.4S, V17.4S, V27.S[0]
	FMLA_LANE(28, 0, 16, 8) // FMLA V8.4S, V16.4S, V28.S[0]
	FMLA_LANE(28, 0, 17, 9) // FMLA V9.4S, V17.4S, V28.S[0]
	FMLA_LANE(29, 0, 16, 10) // FMLA V10.4S, V16.4S, V29.S[0]
	FMLA_LANE(29, 0, 17, 11) // FMLA V11.4S, V17.4S, V29.S[0]
	FMLA_LANE(30, 0, 16, 12) // FMLA V12.4S, V16.4S, V30.S[0]
	FMLA_LANE(30, 0, 17, 13) // FMLA V13.4S, V17.4S, V30.S[0]
	FMLA_LANE(31, 0, 16, 14) // FMLA V14.4S, V16.4S, V31.S[0]
	FMLA_LANE(31, 0, 17, 15) // FMLA V15.4S, V17.4S, V31.S[0]

	MOVD R7, R12
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R12)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R12)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R12)
	VST1   [V12.S4, V13.S4, V14.S4, V15.S4], (R12)

	MOVD $expconst<>(SB), R12
	VLD1.P 64(R12), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R12), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R12), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1   (R12), [V28.S4]
	VLD1   (R3), [V12.S4, V13.S4]
	VLD1   (R4), [V14.S4, V15.S4]
	MOVD R7, R12
	MOVD $8, R11

	// out[p] += Σ lanes of the sigmoids of position p.
sigmoidLoop:
	VLD1.P  32(R12), [V0.S4, V1.S4]
	VLD1R.P 4(R5), [V2.S4]
	SIGMOID(0, 12, 14, 3, 4, 5)
	SIGMOID(1, 13, 15, 6, 7, 8)
	FADD_S4(1, 0, 0)  // FADD V0.4S, V0.4S, V1.4S
	FADDP_S4(0, 0, 0) // FADDP V0.4S, V0.4S, V0.4S
	FADDP_S(0, 0)     // FADDP S0, V0.2S
	FMOVS (R6), F1
	FADDS F0, F1, F1
	FMOVS F1, (R6)
	ADD  $4, R6, R6
	SUBS $1, R11, R11
	BNE  sigmoidLoop

	ADD  $4096, R0, R0
	SUBS $1, R1, R1
	BNE  blockLoop
	RET

// func smoothAsm(sigmaT *float32, stride int, raw *float32, n int, out *float32)
//
// Sixteen (at the end eight) values of out at a time stay in registers while
// the n columns of Σ are added in, in the order of smoothGo.
TEXT ·smoothAsm(SB), NOSPLIT, $0-40
	MOVD sigmaT+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD raw+16(FP), R2
	MOVD n+24(FP), R3
	MOVD out+32(FP), R4
	LSL  $2, R1, R5
	MOVD R1, R6

chunk16:
	CMP  $16, R6
	BLT  chunk8
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVD R0, R7
	MOVD R2, R8
	MOVD R3, R9

loop16:
	VLD1R.P 4(R8), [V4.S4]
	VLD1 (R7), [V16.S4, V17.S4, V18.S4, V19.S4]
	ADD  R5, R7, R7
	VFMLA V4.S4, V16.S4, V0.S4
	VFMLA V4.S4, V17.S4, V1.S4
	VFMLA V4.S4, V18.S4, V2.S4
	VFMLA V4.S4, V19.S4, V3.S4
	SUBS $1, R9, R9
	BNE  loop16

	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R4)
	ADD  $64, R0, R0
	SUB  $16, R6, R6
	B    chunk16

chunk8:
	CBZ  R6, done
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	MOVD R0, R7
	MOVD R2, R8
	MOVD R3, R9

loop8:
	VLD1R.P 4(R8), [V4.S4]
	VLD1 (R7), [V16.S4, V17.S4]
	ADD  R5, R7, R7
	VFMLA V4.S4, V16.S4, V0.S4
	VFMLA V4.S4, V17.S4, V1.S4
	SUBS $1, R9, R9
	BNE  loop8

	VST1 [V0.S4, V1.S4], (R4)

done:
	RET
