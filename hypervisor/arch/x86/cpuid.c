// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: what KVM supports, less what this monitor does not provide (no
 * PMU, no power management, no nested virtualization, no MONITOR/MWAIT),
 * with the hypervisor bit set and per-vCPU APIC ids.
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "hv.h"

#define MAX_ENTRIES	256

enum reg { EAX, EBX, ECX, EDX };

/* Bits to clear: {leaf, register, mask}; applies to every subleaf. */
static const struct {
	uint32_t leaf;
	enum reg reg;
	uint32_t clear;
} filter[] = {
	/* MONITOR, DS-CPL, VMX, SMX, EST, TM2, PDCM */
	{ 0x1, ECX, (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) |
		    (1u << 7) | (1u << 8) | (1u << 15) },
	/* DS, ACPI thermal, TM, PBE */
	{ 0x1, EDX, (1u << 21) | (1u << 22) | (1u << 29) | (1u << 31) },
	{ 0x6, EAX, ~0u }, { 0x6, EBX, ~0u }, { 0x6, ECX, ~0u },
	{ 0x6, EDX, ~0u },
	{ 0xa, EAX, ~0u }, { 0xa, EBX, ~0u }, { 0xa, ECX, ~0u },
	{ 0xa, EDX, ~0u },
	{ 0x80000001, ECX, 1u << 2 },	/* SVM */
};

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, enum reg r)
{
	switch (r) {
	case EAX:
		return &e->eax;
	case EBX:
		return &e->ebx;
	case ECX:
		return &e->ecx;
	case EDX:
		break;
	}
	return &e->edx;
}

static void adjust(struct hv_vcpu *v, struct kvm_cpuid_entry2 *e)
{
	for (size_t i = 0; i < sizeof(filter) / sizeof(filter[0]); i++)
		if (filter[i].leaf == e->function)
			*reg_of(e, filter[i].reg) &= ~filter[i].clear;

	switch (e->function) {
	case 0x1:
		e->ecx |= 1u << 31;	/* running under a hypervisor */
		e->ebx = (e->ebx & 0x0000ffffu) | (v->index << 24) |
			 ((v->vm->nr_vcpus & 0xffu) << 16);
		if (!v->vm->caps.irqchip) {
			/* x2APIC, TSC deadline, APIC */
			e->ecx &= ~((1u << 21) | (1u << 24));
			e->edx &= ~(1u << 9);
		}
		break;
	case 0xb:
	case 0x1f:
		e->edx = v->index;	/* x2APIC id */
		break;
	}
}

/*
 * XCR0 starts as every state component leaf 0xD advertises, not x87 only.
 * KVM recomputes CPUID.(EAX=0xD,ECX=0).EBX, the XSAVE area size for the
 * current XCR0, at KVM_SET_CPUID2 and whenever an intercepted XSETBV
 * changes XCR0.  Where the guest's XSETBV never reaches KVM (seen in the
 * test host: the L1 KVM under QEMU's TCG, for QEMU's guests as for ours),
 * EBX stays at the 576 bytes of x87+SSE while the guest enables AVX and
 * PKRU, and Linux warns "XSAVE consistency problem: size 2696 !=
 * kernel_size 576".  With XCR0 already at what the guest will enable, EBX
 * is right from the start; a guest that enables less has its XSETBV
 * intercepted as usual.  Best effort: a KVM that refuses (PVM) keeps its
 * reset value, which changes nothing for the test guests.
 */
static void preset_xcr0(struct hv_vcpu *v, const struct kvm_cpuid2 *cpuid)
{
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
	uint64_t mask = 0;

	for (uint32_t i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 0xd && e->index == 0)
			mask = e->eax | (uint64_t)e->edx << 32;
	}
	/* Nothing beyond x87 and SSE: the reset value is as good. */
	if (!(mask & ~3ull) || !(mask & 1))
		return;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = mask;
	(void)ioctl(v->fd, KVM_SET_XCRS, &xcrs);
}

int hv_cpuid_setup(struct hv_vcpu *v)
{
	struct kvm_cpuid2 *cpuid;
	int rc = 0;

	cpuid = calloc(1, sizeof(*cpuid) +
			  MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = MAX_ENTRIES;
	if (ioctl(v->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		rc = -errno;
		goto out;
	}
	for (uint32_t i = 0; i < cpuid->nent; i++)
		adjust(v, &cpuid->entries[i]);
	if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0)
		rc = -errno;
	else
		preset_xcr0(v, cpuid);
out:
	free(cpuid);
	return rc;
}
