// SPDX-License-Identifier: GPL-2.0
/*
 * The entry state of the test-guest ABI (guest_abi.h): identity-mapped page
 * tables for the first 4 GiB, a GDT, the boot info and command line in the
 * monitor's first MiB, and every vCPU already in 64-bit mode at the entry.
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest_abi.h"
#include "hv.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)	/* ring 3 may use it (memtouch) */
#define PTE_PS		(1ULL << 7)
#define PAGE		0x1000ULL
#define NR_PDS		4

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* Descriptors matching the segment state set in entry_sregs(). */
static const uint64_t gdt[HV_ABI_GDT_ENTRIES] = {
	0,
	0x00af9b000000ffffULL,	/* kernel code: 64-bit, DPL 0 */
	0x00cf93000000ffffULL,	/* kernel data */
	0x00cff3000000ffffULL,	/* user data: DPL 3 */
	0x00affb000000ffffULL,	/* user code: 64-bit, DPL 3 */
};

static int page_tables(struct hv_vm *vm)
{
	uint64_t base = HV_ABI_PAGE_TABLES, *pml4, *pdpt, *pd;
	uint64_t flags = PTE_P | PTE_RW | PTE_US;

	pml4 = hv_gpa_ptr(vm, base, PAGE);
	pdpt = hv_gpa_ptr(vm, base + PAGE, PAGE);
	pd = hv_gpa_ptr(vm, base + 2 * PAGE, NR_PDS * PAGE);
	if (!pml4 || !pdpt || !pd)
		return -ENOSPC;
	memset(pml4, 0, PAGE);
	memset(pdpt, 0, PAGE);
	pml4[0] = (base + PAGE) | flags;
	for (uint64_t i = 0; i < NR_PDS; i++)
		pdpt[i] = (base + (2 + i) * PAGE) | flags;
	/* 2048 large pages of 2 MiB: guest physical 0..4 GiB. */
	for (uint64_t i = 0; i < NR_PDS * 512; i++)
		pd[i] = (i << 21) | flags | PTE_PS;
	return 0;
}

int hv_boot_setup(struct hv_vm *vm)
{
	const char *cmdline = vm->cfg->cmdline ? vm->cfg->cmdline : "";
	size_t cmdlen = strlen(cmdline);
	struct hv_boot_info *bi;
	void *p;
	int rc;

	if (cmdlen >= HV_ABI_CMDLINE_MAX)
		return -E2BIG;
	rc = page_tables(vm);
	if (rc)
		return rc;
	p = hv_gpa_ptr(vm, HV_ABI_GDT, sizeof(gdt));
	bi = hv_gpa_ptr(vm, HV_ABI_BOOT_INFO, sizeof(*bi));
	if (!p || !bi)
		return -ENOSPC;
	memcpy(p, gdt, sizeof(gdt));
	p = hv_gpa_ptr(vm, HV_ABI_CMDLINE, cmdlen + 1);
	if (!p)
		return -ENOSPC;
	memcpy(p, cmdline, cmdlen + 1);
	*bi = (struct hv_boot_info){
		.magic = HV_ABI_BOOT_MAGIC,
		.version = HV_ABI_VERSION,
		.ram_size = vm->ram_size,
		.nr_vcpus = vm->nr_vcpus,
		.cmdline_len = (uint32_t)cmdlen,
		.cmdline = HV_ABI_CMDLINE,
	};
	return 0;
}

static void entry_sregs(struct kvm_sregs *s)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = HV_ABI_SEL_KCODE,
		.type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1,
		.g = 1,
	};
	struct kvm_segment data = code;

	data.selector = HV_ABI_SEL_KDATA;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->gdt.base = HV_ABI_GDT;
	s->gdt.limit = sizeof(gdt) - 1;
	s->cr3 = HV_ABI_PAGE_TABLES;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->efer = EFER_LME | EFER_LMA;
}

int hv_boot_vcpu(struct hv_vcpu *v, uint64_t entry)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	entry_sregs(&sregs);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsp = HV_ABI_STACKS + (v->index + 1) * HV_ABI_STACK_SIZE;
	regs.rdi = v->index;
	regs.rsi = HV_ABI_BOOT_INFO;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	/* With an in-kernel LAPIC the APs would wait for INIT/SIPI. */
	if (v->vm->caps.irqchip && ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return -errno;
	return 0;
}
