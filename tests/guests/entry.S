/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-guest entry, exception stubs and the XLHV ABI note.  The monitor
 * enters every vCPU at _start in 64-bit mode with %rdi = vCPU index,
 * %rsi = boot info, %rsp = that vCPU's stack; BSS is already zero.
 */
	.section .note.xlhv, "a"
	.p2align 2
	.long 5			/* namesz: "XLHV\0" */
	.long 4			/* descsz */
	.long 1			/* HV_ABI_NOTE_TYPE */
	.asciz "XLHV"
	.p2align 2
	.long 1			/* HV_ABI_VERSION */
	.p2align 2

	.section .text.start, "ax"
	.globl _start
_start:
	and $-16, %rsp
	call guest_start
1:	cli
	hlt
	jmp 1b

/* 256 stubs, 16 bytes apart: push the vector, then the common path. */
	.text
	.p2align 4
	.globl guest_trap_stubs
guest_trap_stubs:
	.set vec, 0
	.rept 256
	.p2align 4
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	mov (%rsp), %rdi	/* vector */
	lea 8(%rsp), %rsi	/* [error code,] rip, cs, rflags, rsp, ss */
	and $-16, %rsp
	call guest_trap		/* does not return */
2:	cli
	hlt
	jmp 2b

/* guest_enter_user(fn, arg, stack_top): iretq to ring 3 with IOPL 3. */
	.globl guest_enter_user
guest_enter_user:
	mov %rsi, %rax		/* arg */
	pushq $0x1b		/* ss: user data | RPL 3 */
	pushq %rdx		/* rsp */
	pushq $0x3002		/* rflags: IOPL 3, interrupts off */
	pushq $0x23		/* cs: user code | RPL 3 */
	pushq %rdi		/* rip */
	mov %rax, %rdi
	iretq
