// AVX2 and FMA dot products; see linalg_amd64.go.

#include "textflag.h"

// func dotVector(x, y *float64, n int) float64
TEXT ·dotVector(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	XORQ AX, AX
	// Two accumulators over alternate groups of four hide the FMA latency.
	MOVQ CX, DX
	SHRQ $1, DX
	JZ   single

pair:
	VMOVUPD (SI)(AX*1), Y2
	VMOVUPD 32(SI)(AX*1), Y3
	VFMADD231PD (DI)(AX*1), Y2, Y0
	VFMADD231PD 32(DI)(AX*1), Y3, Y1
	ADDQ $64, AX
	DECQ DX
	JNZ  pair

single:
	ANDQ $1, CX
	JZ   reduce
	VMOVUPD (SI)(AX*1), Y2
	VFMADD231PD (DI)(AX*1), Y2, Y0

reduce:
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VHADDPD X0, X0, X0
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// func dot4Vector(x, rows *float64, stride, n int, out *[4]float64)
TEXT ·dot4Vector(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ rows+8(FP), DI
	MOVQ stride+16(FP), DX
	SHLQ $3, DX
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	MOVQ out+32(FP), R8
	LEAQ (DI)(DX*1), R9
	LEAQ (DI)(DX*2), R10
	LEAQ (R9)(DX*2), R11
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ AX, AX

loop:
	VMOVUPD (SI)(AX*1), Y4
	VFMADD231PD (DI)(AX*1), Y4, Y0
	VFMADD231PD (R9)(AX*1), Y4, Y1
	VFMADD231PD (R10)(AX*1), Y4, Y2
	VFMADD231PD (R11)(AX*1), Y4, Y3
	ADDQ $32, AX
	DECQ CX
	JNZ  loop

	// [a0+a1, b0+b1, a2+a3, b2+b3] and the same for c, d; then the halves.
	VHADDPD Y1, Y0, Y0
	VHADDPD Y3, Y2, Y2
	VPERM2F128 $0x20, Y2, Y0, Y1
	VPERM2F128 $0x31, Y2, Y0, Y3
	VADDPD Y3, Y1, Y1
	VMOVUPD Y1, (R8)
	VZEROUPPER
	RET
