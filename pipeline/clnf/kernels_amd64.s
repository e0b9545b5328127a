// AVX2 and FMA kernels of the CCNF patch-expert response for 11×11 patches.
// See kernels_amd64.go for what each computes; kernels.go holds the same
// computations in Go.

#include "textflag.h"

DATA exphi<>+0(SB)/8, $0x42b0c0a542b0c0a5
DATA exphi<>+8(SB)/8, $0x42b0c0a542b0c0a5
DATA exphi<>+16(SB)/8, $0x42b0c0a542b0c0a5
DATA exphi<>+24(SB)/8, $0x42b0c0a542b0c0a5
GLOBL exphi<>(SB), RODATA|NOPTR, $32

DATA explo<>+0(SB)/8, $0xc2b0c0a5c2b0c0a5
DATA explo<>+8(SB)/8, $0xc2b0c0a5c2b0c0a5
DATA explo<>+16(SB)/8, $0xc2b0c0a5c2b0c0a5
DATA explo<>+24(SB)/8, $0xc2b0c0a5c2b0c0a5
GLOBL explo<>(SB), RODATA|NOPTR, $32

DATA log2e<>+0(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA log2e<>+8(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA log2e<>+16(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA log2e<>+24(SB)/8, $0x3fb8aa3b3fb8aa3b
GLOBL log2e<>(SB), RODATA|NOPTR, $32

DATA half<>+0(SB)/8, $0x3f0000003f000000
DATA half<>+8(SB)/8, $0x3f0000003f000000
DATA half<>+16(SB)/8, $0x3f0000003f000000
DATA half<>+24(SB)/8, $0x3f0000003f000000
GLOBL half<>(SB), RODATA|NOPTR, $32

DATA one<>+0(SB)/8, $0x3f8000003f800000
DATA one<>+8(SB)/8, $0x3f8000003f800000
DATA one<>+16(SB)/8, $0x3f8000003f800000
DATA one<>+24(SB)/8, $0x3f8000003f800000
GLOBL one<>(SB), RODATA|NOPTR, $32

DATA c1<>+0(SB)/8, $0x3f3180003f318000
DATA c1<>+8(SB)/8, $0x3f3180003f318000
DATA c1<>+16(SB)/8, $0x3f3180003f318000
DATA c1<>+24(SB)/8, $0x3f3180003f318000
GLOBL c1<>(SB), RODATA|NOPTR, $32

DATA c2<>+0(SB)/8, $0xb95e8083b95e8083
DATA c2<>+8(SB)/8, $0xb95e8083b95e8083
DATA c2<>+16(SB)/8, $0xb95e8083b95e8083
DATA c2<>+24(SB)/8, $0xb95e8083b95e8083
GLOBL c2<>(SB), RODATA|NOPTR, $32

DATA p0<>+0(SB)/8, $0x3950696739506967
DATA p0<>+8(SB)/8, $0x3950696739506967
DATA p0<>+16(SB)/8, $0x3950696739506967
DATA p0<>+24(SB)/8, $0x3950696739506967
GLOBL p0<>(SB), RODATA|NOPTR, $32

DATA p1<>+0(SB)/8, $0x3ab743ce3ab743ce
DATA p1<>+8(SB)/8, $0x3ab743ce3ab743ce
DATA p1<>+16(SB)/8, $0x3ab743ce3ab743ce
DATA p1<>+24(SB)/8, $0x3ab743ce3ab743ce
GLOBL p1<>(SB), RODATA|NOPTR, $32

DATA p2<>+0(SB)/8, $0x3c0889083c088908
DATA p2<>+8(SB)/8, $0x3c0889083c088908
DATA p2<>+16(SB)/8, $0x3c0889083c088908
DATA p2<>+24(SB)/8, $0x3c0889083c088908
GLOBL p2<>(SB), RODATA|NOPTR, $32

DATA p3<>+0(SB)/8, $0x3d2aa9c13d2aa9c1
DATA p3<>+8(SB)/8, $0x3d2aa9c13d2aa9c1
DATA p3<>+16(SB)/8, $0x3d2aa9c13d2aa9c1
DATA p3<>+24(SB)/8, $0x3d2aa9c13d2aa9c1
GLOBL p3<>(SB), RODATA|NOPTR, $32

DATA p4<>+0(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA p4<>+8(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA p4<>+16(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA p4<>+24(SB)/8, $0x3e2aaaaa3e2aaaaa
GLOBL p4<>(SB), RODATA|NOPTR, $32

DATA p5<>+0(SB)/8, $0x3f0000003f000000
DATA p5<>+8(SB)/8, $0x3f0000003f000000
DATA p5<>+16(SB)/8, $0x3f0000003f000000
DATA p5<>+24(SB)/8, $0x3f0000003f000000
GLOBL p5<>(SB), RODATA|NOPTR, $32

DATA signbit<>+0(SB)/8, $0x8000000080000000
DATA signbit<>+8(SB)/8, $0x8000000080000000
DATA signbit<>+16(SB)/8, $0x8000000080000000
DATA signbit<>+24(SB)/8, $0x8000000080000000
GLOBL signbit<>(SB), RODATA|NOPTR, $32

DATA bias127<>+0(SB)/8, $0x0000007f0000007f
DATA bias127<>+8(SB)/8, $0x0000007f0000007f
DATA bias127<>+16(SB)/8, $0x0000007f0000007f
DATA bias127<>+24(SB)/8, $0x0000007f0000007f
GLOBL bias127<>(SB), RODATA|NOPTR, $32

// mask3: the first three lanes, for the last three values of an 11-wide row.
DATA mask3<>+0(SB)/8, $0xffffffffffffffff
DATA mask3<>+8(SB)/8, $0x00000000ffffffff
DATA mask3<>+16(SB)/8, $0
DATA mask3<>+24(SB)/8, $0
GLOBL mask3<>(SB), RODATA|NOPTR, $32

// lane0: the first lane only, for value 120, the last of a 121-value patch.
DATA lane0<>+0(SB)/8, $0x00000000ffffffff
DATA lane0<>+8(SB)/8, $0
DATA lane0<>+16(SB)/8, $0
DATA lane0<>+24(SB)/8, $0
GLOBL lane0<>(SB), RODATA|NOPTR, $32

DATA count121<>+0(SB)/4, $0x42f20000
GLOBL count121<>(SB), RODATA|NOPTR, $4

// func centredColumns11Asm(area *float32, areaW, window int, cols, inv *float32)
TEXT ·centredColumns11Asm(SB), NOSPLIT, $0-40
	MOVQ area+0(FP), SI
	MOVQ areaW+8(FP), DX
	SHLQ $2, DX
	MOVQ window+16(FP), CX
	MOVQ cols+24(FP), DI
	MOVQ inv+32(FP), R8
	VMOVUPS mask3<>(SB), Y15
	VMOVUPS lane0<>(SB), Y14
	MOVQ CX, R12

rowLoop:
	MOVQ SI, R13
	MOVQ CX, R14

positionLoop:
	// Copy the 11 rows of the patch and sum them.
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ R13, R9
	MOVQ DI, R10
	MOVQ $11, R11

copyLoop:
	VMOVUPS (R9), Y2
	VMASKMOVPS 32(R9), Y15, Y3
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VMOVUPS Y2, (R10)
	VMOVUPS Y3, 32(R10)
	ADDQ DX, R9
	ADDQ $44, R10
	DECQ R11
	JNZ copyLoop

	VADDPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VDIVSS count121<>(SB), X0, X0
	VBROADCASTSS X0, Y4

	// Subtract the mean, zero the padding, sum the squares.
	VXORPS Y5, Y5, Y5
	MOVQ DI, R10
	MOVQ $15, R11

centreLoop:
	VMOVUPS (R10), Y2
	VSUBPS Y4, Y2, Y2
	VMOVUPS Y2, (R10)
	VFMADD231PS Y2, Y2, Y5
	ADDQ $32, R10
	DECQ R11
	JNZ centreLoop

	VMOVUPS (R10), Y2
	VSUBPS Y4, Y2, Y2
	VANDPS Y14, Y2, Y2
	VMOVUPS Y2, (R10)
	VFMADD231PS Y2, Y2, Y5

	VEXTRACTF128 $1, Y5, X1
	VADDPS X1, X5, X5
	VHADDPS X5, X5, X5
	VHADDPS X5, X5, X5
	VSQRTSS X5, X5, X5
	VXORPS X6, X6, X6
	VUCOMISS X6, X5
	JNE haveNorm
	VMOVSS one<>(SB), X5

haveNorm:
	VMOVSS one<>(SB), X7
	VDIVSS X5, X7, X7
	VMOVSS X7, (R8)

	ADDQ $4, R8
	ADDQ $512, DI
	ADDQ $4, R13
	DECQ R14
	JNZ positionLoop

	ADDQ DX, SI
	DECQ R12
	JNZ rowLoop
	VZEROUPPER
	RET

// EXP sets x to e^x lane by lane (Cephes expf: range reduction by ln 2 and a
// degree-5 polynomial, about 1 ulp), using Y9, Y10 and Y11.
#define EXP(x) \
	VMINPS exphi<>(SB), x, x; \
	VMAXPS explo<>(SB), x, x; \
	VMOVUPS log2e<>(SB), Y9; \
	VFMADD213PS half<>(SB), x, Y9; \
	VROUNDPS $1, Y9, Y9; \
	VFNMADD231PS c1<>(SB), Y9, x; \
	VFNMADD231PS c2<>(SB), Y9, x; \
	VMOVUPS p0<>(SB), Y10; \
	VFMADD213PS p1<>(SB), x, Y10; \
	VFMADD213PS p2<>(SB), x, Y10; \
	VFMADD213PS p3<>(SB), x, Y10; \
	VFMADD213PS p4<>(SB), x, Y10; \
	VFMADD213PS p5<>(SB), x, Y10; \
	VMULPS x, x, Y11; \
	VFMADD213PS x, Y11, Y10; \
	VADDPS one<>(SB), Y10, Y10; \
	VCVTTPS2DQ Y9, Y9; \
	VPADDD bias127<>(SB), Y9, Y9; \
	VPSLLD $23, Y9, Y9; \
	VMULPS Y9, Y10, x

// SIGMOID turns the neuron sums in acc of the position whose inverse norm is
// at off(R8) into 2α/(1+e^(−z)) per neuron, z = inv·acc + bias.
#define SIGMOID(acc, off) \
	VBROADCASTSS off(R8), Y8; \
	VFMADD213PS (R12), Y8, acc; \
	VXORPS signbit<>(SB), acc, acc; \
	EXP(acc); \
	VADDPS one<>(SB), acc, acc; \
	VMOVUPS (R13), Y8; \
	VDIVPS acc, Y8, acc

// func neuronSums11Asm(cols *float32, blocks int, wt, bias, alpha2, inv, out *float32)
TEXT ·neuronSums11Asm(SB), NOSPLIT, $0-56
	MOVQ cols+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ wt+16(FP), DX
	MOVQ bias+24(FP), R12
	MOVQ alpha2+32(FP), R13
	MOVQ inv+40(FP), R8
	MOVQ out+48(FP), DI

blockLoop:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ DX, R9
	MOVQ SI, R10
	MOVQ $121, R11

weightLoop:
	VMOVUPS (R9), Y8
	VBROADCASTSS (R10), Y9
	VFMADD231PS Y9, Y8, Y0
	VBROADCASTSS 512(R10), Y10
	VFMADD231PS Y10, Y8, Y1
	VBROADCASTSS 1024(R10), Y11
	VFMADD231PS Y11, Y8, Y2
	VBROADCASTSS 1536(R10), Y12
	VFMADD231PS Y12, Y8, Y3
	VBROADCASTSS 2048(R10), Y13
	VFMADD231PS Y13, Y8, Y4
	VBROADCASTSS 2560(R10), Y14
	VFMADD231PS Y14, Y8, Y5
	VBROADCASTSS 3072(R10), Y15
	VFMADD231PS Y15, Y8, Y6
	VBROADCASTSS 3584(R10), Y9
	VFMADD231PS Y9, Y8, Y7
	ADDQ $32, R9
	ADDQ $4, R10
	DECQ R11
	JNZ weightLoop

	SIGMOID(Y0, 0)
	SIGMOID(Y1, 4)
	SIGMOID(Y2, 8)
	SIGMOID(Y3, 12)
	SIGMOID(Y4, 16)
	SIGMOID(Y5, 20)
	SIGMOID(Y6, 24)
	SIGMOID(Y7, 28)

	// Sum each position's lanes: out[j] += Σ lanes of Yj.
	VHADDPS Y1, Y0, Y0
	VHADDPS Y3, Y2, Y2
	VHADDPS Y5, Y4, Y4
	VHADDPS Y7, Y6, Y6
	VHADDPS Y2, Y0, Y0
	VHADDPS Y6, Y4, Y4
	VPERM2F128 $0x20, Y4, Y0, Y1
	VPERM2F128 $0x31, Y4, Y0, Y2
	VADDPS Y2, Y1, Y1
	VADDPS (DI), Y1, Y1
	VMOVUPS Y1, (DI)

	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $4096, SI
	DECQ CX
	JNZ blockLoop
	VZEROUPPER
	RET

// func smoothAsm(sigmaT *float32, stride int, raw *float32, n int, out *float32)
TEXT ·smoothAsm(SB), NOSPLIT, $0-40
	MOVQ sigmaT+0(FP), SI
	MOVQ stride+8(FP), DX
	SHRQ $3, DX
	MOVQ raw+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ out+32(FP), DI
	VXORPS Y0, Y0, Y0
	MOVQ DI, R10
	MOVQ DX, R11

zeroLoop:
	VMOVUPS Y0, (R10)
	ADDQ $32, R10
	DECQ R11
	JNZ zeroLoop

columnLoop:
	VBROADCASTSS (R8), Y1
	MOVQ DI, R10
	MOVQ DX, R11

axpyLoop:
	VMOVUPS (R10), Y2
	VFMADD231PS (SI), Y1, Y2
	VMOVUPS Y2, (R10)
	ADDQ $32, SI
	ADDQ $32, R10
	DECQ R11
	JNZ axpyLoop

	ADDQ $4, R8
	DECQ CX
	JNZ columnLoop
	VZEROUPPER
	RET
