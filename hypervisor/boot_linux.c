// SPDX-License-Identifier: GPL-2.0
/*
 * Linux guests: the bzImage loader (64-bit boot protocol), the initrd, the
 * memory map, boot_params, and the entry state of both boot paths (see
 * boot_linux.h).  Written from Documentation/x86/boot.rst.
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "acpi.h"
#include "boot_linux.h"
#include "hv.h"

#define PAGE		0x1000ULL
#define MIB		(1ULL << 20)
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define NR_PDS		4
#define ENTRY64_OFFSET	0x200	/* the 64-bit entry from the load address */
#define SETUP_SECTS_DEF	4	/* a 0 in setup_sects means 4 */
#define LOADER_UNKNOWN	0xff	/* type_of_loader: "undefined" */

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define SEL_CODE	0x10	/* __BOOT_CS */
#define SEL_DATA	0x18	/* __BOOT_DS */
#define SEL_TSS		0x20
#define GDT_ENTRIES	5

/* 0x10: 64-bit (bzImage) or 32-bit (PVH) flat code; 0x18 flat data. */
static const uint64_t gdt64[GDT_ENTRIES] = {
	0, 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL,
	0x00008b0000000067ULL,
};
static const uint64_t gdt32[GDT_ENTRIES] = {
	0, 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL,
	0x00008b0000000067ULL,
};

int hv_linux_fail(struct hv_linux *lx, const char **why, int rc,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->msg, sizeof(lx->msg), fmt, ap);
	va_end(ap);
	*why = lx->msg;
	return rc;
}

int hv_file_read(int fd, void *dst, uint64_t len, uint64_t off)
{
	uint8_t *d = dst;

	while (len) {
		size_t n = len > (1U << 30) ? (1U << 30) : (size_t)len;
		ssize_t r = pread(fd, d, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		d += r;
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void set32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void set64(uint8_t *p, uint64_t v)
{
	set32(p, (uint32_t)v);
	set32(p + 4, (uint32_t)(v >> 32));
}

int hv_bzimage_probe(const uint8_t *head, size_t len)
{
	return len >= HV_BP_HEADER + 4 &&
	       le16(head + HV_BP_BOOT_FLAG) == HV_BZ_BOOT_FLAG &&
	       le32(head + HV_BP_HEADER) == HV_BZ_MAGIC;
}

/* The header checks of boot.rst, then where the kernel goes. */
static int bz_check(struct hv_vm *vm, const uint8_t *h, uint64_t size,
		    struct hv_linux *lx, uint64_t *setup_len,
		    const char **why)
{
	unsigned int sects = h[HV_BP_SETUP_SECTS] ? h[HV_BP_SETUP_SECTS] :
						     SETUP_SECTS_DEF;
	uint16_t version = le16(h + HV_BP_VERSION);
	uint64_t kernel_len, init_size, align, load, hdr_end;

	if (!hv_bzimage_probe(h, size))
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "not a bzImage (no \"HdrS\" boot header)");
	if (version < HV_BZ_MIN_VERSION)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "boot protocol %u.%02u is older than 2.12: no 64-bit entry to use",
				     version >> 8, version & 0xff);
	if (!(le16(h + HV_BP_XLOADFLAGS) & HV_BZ_XLF_KERNEL_64))
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "the kernel has no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags)");
	if (!(h[HV_BP_LOADFLAGS] & HV_BZ_LOADED_HIGH))
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "a zImage (loads below 1 MiB), not a bzImage");
	*setup_len = (uint64_t)(sects + 1) * 512;
	if (*setup_len >= size)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "setup_sects %u: the setup code runs past the end of the file (%llu bytes)",
				     sects, (unsigned long long)size);
	kernel_len = size - *setup_len;
	if ((uint64_t)le32(h + HV_BP_SYSSIZE) * 16 > kernel_len)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "truncated: syssize says %llu bytes of kernel, the file has %llu",
				     (unsigned long long)le32(h + HV_BP_SYSSIZE) * 16,
				     (unsigned long long)kernel_len);
	init_size = le32(h + HV_BP_INIT_SIZE);
	if (init_size < kernel_len)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "init_size %#llx is smaller than the kernel (%#llx bytes)",
				     (unsigned long long)init_size,
				     (unsigned long long)kernel_len);
	align = le32(h + HV_BP_KERNEL_ALIGN);
	load = le64(h + HV_BP_PREF_ADDRESS);
	if (!h[HV_BP_RELOCATABLE] || !align || (align & (align - 1)) ||
	    load < HV_LX_HIGH_RAM || load % align)
		load = HV_LX_HIGH_RAM;
	if (load > vm->ram_size || init_size > vm->ram_size - load)
		return hv_linux_fail(lx, why, -ENOSPC,
				     "the kernel needs RAM up to %llu MiB (init_size %#llx at %#llx); give the guest more --memory",
				     (unsigned long long)((load + init_size +
							   MIB - 1) / MIB),
				     (unsigned long long)init_size,
				     (unsigned long long)load);
	hdr_end = HV_BP_JUMP + 2 + h[HV_BP_JUMP + 1];
	if (hdr_end > HV_BP_HDR_END)
		hdr_end = HV_BP_HDR_END;
	if (hdr_end > *setup_len)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "the setup header is longer than the setup code");

	lx->kind = HV_BOOT_BZIMAGE;
	lx->kernel_start = load;
	lx->kernel_end = load + init_size;
	lx->entry = load + ENTRY64_OFFSET;
	lx->initrd_max = (uint64_t)le32(h + HV_BP_INITRD_ADDR_MAX) + 1;
	lx->cmdline_max = (uint64_t)le32(h + HV_BP_CMDLINE_SIZE) + 1;
	lx->hdr_len = hdr_end - HV_BP_HDR;
	memcpy(lx->hdr, h + HV_BP_HDR, lx->hdr_len);
	return 0;
}

int hv_bzimage_load(struct hv_vm *vm, int fd, uint64_t size,
		    struct hv_linux *lx, const char **why)
{
	uint8_t h[HV_BP_HDR_END];
	uint64_t setup_len = 0;
	void *dst;
	int rc;

	memset(h, 0, sizeof(h));
	rc = hv_file_read(fd, h, size < sizeof(h) ? size : sizeof(h), 0);
	if (rc)
		return hv_linux_fail(lx, why, rc, "read: %s", strerror(-rc));
	if (size < sizeof(h))
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "too short to be a bzImage (%llu bytes)",
				     (unsigned long long)size);
	rc = bz_check(vm, h, size, lx, &setup_len, why);
	if (rc)
		return rc;
	dst = hv_gpa_ptr(vm, lx->kernel_start, size - setup_len);
	if (!dst)
		return hv_linux_fail(lx, why, -ENOSPC,
				     "the kernel does not fit in guest RAM");
	rc = hv_file_read(fd, dst, size - setup_len, setup_len);
	if (rc)
		return hv_linux_fail(lx, why, rc, "read: %s", strerror(-rc));
	return 0;
}

int hv_linux_initrd_load(struct hv_vm *vm, struct hv_linux *lx, int fd,
			 uint64_t size, const char **why)
{
	uint64_t top = lx->initrd_max < vm->ram_size ? lx->initrd_max :
						      vm->ram_size;
	uint64_t gpa;
	void *dst;
	int rc;

	if (!size)
		return hv_linux_fail(lx, why, -EINVAL, "empty file");
	if (size > top || ((top - size) & ~(PAGE - 1)) < lx->kernel_end)
		return hv_linux_fail(lx, why, -EFBIG,
				     "too large: %llu bytes, but only %llu fit between the kernel (ends at %#llx) and %#llx; give the guest more --memory",
				     (unsigned long long)size,
				     (unsigned long long)(top > lx->kernel_end
					     ? top - lx->kernel_end
					     : 0),
				     (unsigned long long)lx->kernel_end,
				     (unsigned long long)top);
	gpa = (top - size) & ~(PAGE - 1);
	dst = hv_gpa_ptr(vm, gpa, size);
	if (!dst)
		return hv_linux_fail(lx, why, -EFBIG,
				     "does not fit in guest RAM");
	rc = hv_file_read(fd, dst, size, 0);
	if (rc)
		return hv_linux_fail(lx, why, rc, "read: %s", strerror(-rc));
	lx->initrd_gpa = gpa;
	lx->initrd_size = size;
	return 0;
}

unsigned int hv_linux_e820(uint64_t ram_size, struct hv_e820 *e,
			   unsigned int max)
{
	struct hv_e820 map[3] = {
		{ 0, HV_LX_LOW_RAM_END, HV_E820_RAM },
		{ HV_LX_LOW_RAM_END, HV_LX_HIGH_RAM - HV_LX_LOW_RAM_END,
		  HV_E820_RESERVED },
		{ HV_LX_HIGH_RAM, 0, HV_E820_RAM },
	};
	unsigned int n = 3;

	if (ram_size <= HV_LX_HIGH_RAM)
		n = 2;
	else
		map[2].size = ram_size - HV_LX_HIGH_RAM;
	if (n > max)
		n = max;
	memcpy(e, map, n * sizeof(*e));
	return n;
}

/* Guest physical 0..4 GiB identity-mapped with 2 MiB pages. */
static int page_tables(struct hv_vm *vm)
{
	uint64_t base = HV_LX_PAGE_TABLES, *pml4, *pdpt, *pd;

	pml4 = hv_gpa_ptr(vm, base, PAGE);
	pdpt = hv_gpa_ptr(vm, base + PAGE, PAGE);
	pd = hv_gpa_ptr(vm, base + 2 * PAGE, NR_PDS * PAGE);
	if (!pml4 || !pdpt || !pd)
		return -ENOSPC;
	memset(pml4, 0, PAGE);
	memset(pdpt, 0, PAGE);
	pml4[0] = (base + PAGE) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < NR_PDS; i++)
		pdpt[i] = (base + (2 + i) * PAGE) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < NR_PDS * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static int boot_params(struct hv_vm *vm, struct hv_linux *lx)
{
	uint8_t *bp = hv_gpa_ptr(vm, HV_LX_BOOT_PARAMS, HV_BP_SIZE);
	struct hv_e820 e820[HV_BP_E820_MAX];
	unsigned int n;

	if (!bp)
		return -ENOSPC;
	memset(bp, 0, HV_BP_SIZE);
	memcpy(bp + HV_BP_HDR, lx->hdr, lx->hdr_len);
	bp[HV_BP_TYPE_OF_LOADER] = LOADER_UNKNOWN;
	set32(bp + HV_BP_CMD_LINE_PTR, (uint32_t)HV_LX_CMDLINE);
	set32(bp + HV_BP_RAMDISK_IMAGE, (uint32_t)lx->initrd_gpa);
	set32(bp + HV_BP_RAMDISK_SIZE, (uint32_t)lx->initrd_size);
	set64(bp + HV_BP_ACPI_RSDP, lx->rsdp);
	n = hv_linux_e820(vm->ram_size, e820, HV_BP_E820_MAX);
	bp[HV_BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(bp + HV_BP_E820_TABLE, e820, n * sizeof(e820[0]));
	vm->boot_arg = HV_LX_BOOT_PARAMS;
	return 0;
}

static int start_info(struct hv_vm *vm, struct hv_linux *lx)
{
	struct hv_pvh_start_info si = {
		.magic = HV_PVH_MAGIC,
		.version = 1,
		.cmdline_paddr = HV_LX_CMDLINE,
		.rsdp_paddr = lx->rsdp,
		.memmap_paddr = HV_LX_MEMMAP,
	};
	struct hv_pvh_module mod = {
		.paddr = lx->initrd_gpa,
		.size = lx->initrd_size,
	};
	struct hv_e820 e820[4];
	struct hv_pvh_memmap *mm;
	uint8_t *p;
	unsigned int n;

	n = hv_linux_e820(vm->ram_size, e820, 4);
	p = hv_gpa_ptr(vm, HV_LX_START_INFO, HV_LX_MEMMAP - HV_LX_START_INFO);
	mm = hv_gpa_ptr(vm, HV_LX_MEMMAP, n * sizeof(*mm));
	if (!p || !mm)
		return -ENOSPC;
	memset(p, 0, HV_LX_MEMMAP - HV_LX_START_INFO);
	if (lx->initrd_size) {
		si.nr_modules = 1;
		si.modlist_paddr = HV_LX_START_INFO + sizeof(si);
		memcpy(p + sizeof(si), &mod, sizeof(mod));
	}
	si.memmap_entries = n;
	memcpy(p, &si, sizeof(si));
	for (unsigned int i = 0; i < n; i++)
		mm[i] = (struct hv_pvh_memmap){
			.addr = e820[i].addr,
			.size = e820[i].size,
			.type = e820[i].type,
		};
	vm->boot_arg = HV_LX_START_INFO;
	return 0;
}

int hv_linux_finish(struct hv_vm *vm, struct hv_linux *lx,
		    const char *cmdline, const char **why)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	const uint64_t *gdt = lx->kind == HV_BOOT_PVH ? gdt32 : gdt64;
	void *p;
	int rc;

	if (len + 1 > lx->cmdline_max || len + 1 > HV_LX_CMDLINE_MAX)
		return hv_linux_fail(lx, why, -E2BIG,
				     "the command line (%zu bytes) is longer than the kernel takes (%llu)",
				     len,
				     (unsigned long long)lx->cmdline_max - 1);
	p = hv_gpa_ptr(vm, HV_LX_CMDLINE, len + 1);
	if (!p)
		return hv_linux_fail(lx, why, -ENOSPC,
				     "no RAM for the command line");
	memcpy(p, cmdline ? cmdline : "", len + 1);
	rc = hv_acpi_build(vm, &lx->rsdp);
	if (rc)
		return hv_linux_fail(lx, why, rc, "ACPI tables: %s",
				     strerror(-rc));
	p = hv_gpa_ptr(vm, HV_LX_GDT, sizeof(gdt64));
	if (!p)
		return hv_linux_fail(lx, why, -ENOSPC, "no RAM for the GDT");
	memcpy(p, gdt, sizeof(gdt64));
	rc = page_tables(vm);
	if (!rc)
		rc = lx->kind == HV_BOOT_PVH ? start_info(vm, lx) :
					       boot_params(vm, lx);
	if (rc)
		return hv_linux_fail(lx, why, rc, "boot data: %s",
				     strerror(-rc));
	vm->boot_kind = lx->kind;
	return 0;
}

static void flat(struct kvm_segment *s, uint16_t sel, uint8_t type, int l)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .g = 1, .l = (uint8_t)l,
		.db = (uint8_t)!l,
	};
}

int hv_linux_vcpu(struct hv_vcpu *v, uint64_t entry)
{
	int pvh = v->vm->boot_kind == HV_BOOT_PVH;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (v->index != 0)
		return 0;	/* an AP: waits in KVM for INIT/SIPI */
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	flat(&sregs.cs, SEL_CODE, 11, !pvh);
	flat(&sregs.ds, SEL_DATA, 3, 0);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){
		.base = 0, .limit = 0x67, .selector = SEL_TSS, .type = 11,
		.present = 1,
	};
	sregs.gdt.base = HV_LX_GDT;
	sregs.gdt.limit = sizeof(gdt64) - 1;
	if (pvh) {
		/* PVH ABI: 32-bit protected mode, paging off. */
		sregs.cr0 = CR0_PE | CR0_ET;
		sregs.cr4 = 0;
		sregs.efer = 0;
	} else {
		/* boot.rst, 64-bit boot protocol: long mode, identity map. */
		sregs.cr3 = HV_LX_PAGE_TABLES;
		sregs.cr4 = CR4_PAE;
		sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
		sregs.efer = EFER_LME | EFER_LMA;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rflags = 0x2;
	regs.rsp = HV_LX_STACK;
	if (pvh)
		regs.rbx = v->vm->boot_arg;
	else
		regs.rsi = v->vm->boot_arg;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}
