// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-smoke: the smallest proof that this machine's /dev/kvm runs a guest.
 *
 * Prints the KVM flavour (svm, vmx, pvm), then builds a 2 MiB VM whose one
 * vCPU starts in 64-bit mode at a five-byte program that writes 0x42 to a
 * port and halts.  Succeeds (exit 0) only if KVM reports exactly that port
 * write and then the halt.  Exit 77 (Automake's SKIP) when /dev/kvm is absent.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../hypervisor/kvm_flavour.h"

#define MEM_SIZE	0x200000
#define PML4		0x1000
#define PDPT		0x2000
#define PD		0x3000
#define CODE		0x4000
#define SMOKE_PORT	0x10
#define SMOKE_VALUE	0x42

#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_PS		0x80ULL

static int fail(const char *what)
{
	fprintf(stderr, "kvm-smoke: %s: %s\n", what, strerror(errno));
	return 1;
}

static void long_mode_sregs(struct kvm_sregs *s)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x8, .type = 11,
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = code;

	data.selector = 0x10;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->cr3 = PML4;
	s->cr4 = 1u << 5;				/* PAE */
	s->cr0 = (1u << 0) | (1u << 31) | (1u << 16);	/* PE, PG, WP */
	s->efer = (1u << 8) | (1u << 10);		/* LME, LMA */
}

int main(void)
{
	static const uint8_t prog[] = {
		0xb0, SMOKE_VALUE,	/* mov $0x42, %al */
		0xe6, SMOKE_PORT,	/* out %al, $0x10 */
		0xf4,			/* hlt */
	};
	enum hv_kvm_flavour flavour = hv_kvm_flavour_detect("");
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm, vcpu, r, saw_out = 0;
	long run_size;
	uint8_t *mem;
	uint64_t *pt;

	printf("flavour: %s\n", hv_kvm_flavour_name(flavour));
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		if (errno == ENOENT) {
			fprintf(stderr, "kvm-smoke: SKIP: /dev/kvm is absent\n");
			return 77;
		}
		return fail("open /dev/kvm");
	}
	r = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		fprintf(stderr, "kvm-smoke: KVM API version %d, want %d\n", r,
			KVM_API_VERSION);
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap guest memory");
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");

	/* Identity-map the first 2 MiB with one large page. */
	pt = (uint64_t *)(mem + PML4);
	pt[0] = PDPT | PTE_P | PTE_RW;
	pt = (uint64_t *)(mem + PDPT);
	pt[0] = PD | PTE_P | PTE_RW;
	pt = (uint64_t *)(mem + PD);
	pt[0] = 0 | PTE_P | PTE_RW | PTE_PS;
	memcpy(mem + CODE, prog, sizeof(prog));

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (long)sizeof(*run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	long_mode_sregs(&sregs);
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE;
	regs.rsp = MEM_SIZE;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");

	for (int exits = 0; exits < 16; exits++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t v = *((uint8_t *)run + run->io.data_offset);

			if (run->io.direction != KVM_EXIT_IO_OUT ||
			    run->io.port != SMOKE_PORT || run->io.size != 1 ||
			    v != SMOKE_VALUE) {
				fprintf(stderr, "kvm-smoke: unexpected I/O: "
					"port %#x size %u value %#x\n",
					run->io.port, run->io.size, v);
				return 1;
			}
			saw_out = 1;
			break;
		}
		case KVM_EXIT_HLT:
			if (!saw_out) {
				fprintf(stderr, "kvm-smoke: halt before the port write\n");
				return 1;
			}
			printf("guest: out 0x%x <- 0x%x, hlt: ok\n", SMOKE_PORT,
			       SMOKE_VALUE);
			return 0;
		default:
			fprintf(stderr, "kvm-smoke: unexpected exit reason %u\n",
				run->exit_reason);
			return 1;
		}
	}
	fprintf(stderr, "kvm-smoke: guest never halted\n");
	return 1;
}
