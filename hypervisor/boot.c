// SPDX-License-Identifier: GPL-2.0
/*
 * The entry state of the test-guest ABI (guest_abi.h): identity-mapped page
 * tables for the first 4 GiB, a GDT, the boot info and command line in the
 * monitor's first MiB, and every vCPU already in 64-bit mode at the entry.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_elf.h"
#include "boot_linux.h"
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

	if (vm->boot_kind != HV_BOOT_TEST)
		return 0;	/* hv_linux_finish() did it all */
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

	if (v->vm->boot_kind != HV_BOOT_TEST)
		return hv_linux_vcpu(v, entry);
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

/* Open a kernel or ramdisk: a readable regular file. */
static int open_file(const char *what, const char *path, int *fd,
		     uint64_t *size)
{
	struct stat st;
	int rc;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		rc = -errno;
		hv_err("%s %s: %s", what, path, strerror(errno));
		return rc;
	}
	rc = fstat(*fd, &st) < 0 ? -errno : 0;
	if (!rc && !S_ISREG(st.st_mode))
		rc = -EISDIR;
	if (rc) {
		hv_err("%s %s: %s", what, path, rc == -EISDIR ?
		       "not a regular file" : strerror(-rc));
		close(*fd);
		*fd = -1;
		return rc;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

void hv_boot_close(struct hv_vm *vm)
{
	struct hv_boot_files *f = &vm->boot_files;

	if (!f->open)
		return;
	if (f->kernel >= 0)
		close(f->kernel);
	if (f->ramdisk >= 0)
		close(f->ramdisk);
	f->kernel = f->ramdisk = -1;
}

/* Which boot path @fd takes: HV_BOOT_TEST unless it is a Linux kernel. */
static int kind_of(int fd, uint64_t size, struct hv_linux *lx)
{
	uint8_t head[HV_BP_HDR_END];
	uint64_t n = size < sizeof(head) ? size : sizeof(head);
	const char *why;

	if (hv_file_read(fd, head, n, 0))
		return HV_BOOT_TEST;	/* its loader will say why */
	if (hv_bzimage_probe(head, n))
		return HV_BOOT_BZIMAGE;
	if (n >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG) &&
	    hv_pvh_probe(fd, size, lx, &why) == 1)
		return HV_BOOT_PVH;
	return HV_BOOT_TEST;
}

static int load_linux(struct hv_vm *vm, int fd, uint64_t size,
		      struct hv_linux *lx, int kind)
{
	const struct hv_config *cfg = vm->cfg;
	const char *why = NULL;
	uint64_t rsize;
	int rc, rfd = -1;

	if (!hv_kvm_flavour_runs_linux(vm->flavour)) {
		hv_err("kernel %s: a Linux kernel needs hardware-assisted KVM "
		       "(AMD-V or Intel VT-x), and this /dev/kvm is %s, which "
		       "cannot run one (see xlhv info)", cfg->kernel,
		       hv_kvm_flavour_name(vm->flavour));
		return -ENOTSUP;
	}
	if (!vm->caps.irqchip) {
		hv_err("kernel %s: a Linux kernel needs KVM's in-kernel "
		       "irqchip", cfg->kernel);
		return -ENOTSUP;
	}
	rc = kind == HV_BOOT_BZIMAGE ? hv_bzimage_load(vm, fd, size, lx, &why) :
				       hv_pvh_load(vm, fd, size, lx, &why);
	if (rc) {
		hv_err("kernel %s: %s", cfg->kernel, why);
		return rc;
	}
	if (cfg->ramdisk) {
		rfd = vm->boot_files.ramdisk;
		rsize = vm->boot_files.ramdisk_size;
		rc = hv_linux_initrd_load(vm, lx, rfd, rsize, &why);
		if (rc) {
			hv_err("ramdisk %s: %s", cfg->ramdisk, why);
			return rc;
		}
	}
	rc = hv_linux_finish(vm, lx, cfg->cmdline, &why);
	if (rc)
		hv_err("kernel %s: %s", cfg->kernel, why);
	return rc;
}

int hv_boot_open(struct hv_vm *vm)
{
	const struct hv_config *cfg = vm->cfg;
	struct hv_boot_files *f = &vm->boot_files;
	int rc;

	f->kernel = f->ramdisk = -1;
	rc = open_file("kernel", cfg->kernel, &f->kernel, &f->kernel_size);
	if (!rc && cfg->ramdisk)
		rc = open_file("ramdisk", cfg->ramdisk, &f->ramdisk,
			       &f->ramdisk_size);
	f->open = 1;
	if (rc)
		hv_boot_close(vm);
	return rc;
}

int hv_boot_load(struct hv_vm *vm, uint64_t *entry)
{
	const struct hv_config *cfg = vm->cfg;
	struct hv_boot_files *f = &vm->boot_files;
	struct hv_linux *lx = NULL;
	const char *why = NULL;
	int rc, kind;

	rc = f->open ? 0 : hv_boot_open(vm);
	if (rc)
		return rc;
	if (f->kernel < 0)
		return -EBADF;	/* hv_boot_open failed and said so */
	lx = calloc(1, sizeof(*lx));
	if (!lx) {
		rc = -ENOMEM;
		hv_err("kernel %s: %s", cfg->kernel, strerror(ENOMEM));
		goto out;
	}
	kind = kind_of(f->kernel, f->kernel_size, lx);
	if (kind != HV_BOOT_TEST) {
		rc = load_linux(vm, f->kernel, f->kernel_size, lx, kind);
		if (!rc)
			*entry = lx->entry;
		goto out;
	}
	if (cfg->ramdisk) {
		rc = -EINVAL;
		hv_err("ramdisk %s: only a Linux kernel takes one, and %s is "
		       "not one", cfg->ramdisk, cfg->kernel);
		goto out;
	}
	rc = hv_elf_load_fd(vm, f->kernel, entry, &why);
	if (rc)
		hv_err("kernel %s: %s", cfg->kernel, why);
out:
	free(lx);
	hv_boot_close(vm);
	return rc;
}
