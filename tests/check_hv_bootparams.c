// SPDX-License-Identifier: GPL-2.0
/*
 * Linux boot paths against synthetic images built here: a bzImage whose
 * setup header is corrupted one field at a time and truncated at every
 * length, the boot_params and e820 map it gets, the initrd's placement,
 * and a PVH vmlinux with and without a sane entry note.
 */
#define _GNU_SOURCE
#include "config.h"

#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hypervisor/acpi.h"
#include "hypervisor/boot_linux.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define RAM_SIZE	(64ULL << 20)
#define SETUP_SECTS	4
#define SETUP_LEN	((SETUP_SECTS + 1) * 512)
#define KERNEL_LEN	0x3000
#define BZ_LEN		(SETUP_LEN + KERNEL_LEN)
#define LOAD		0x1000000ULL
#define INIT_SIZE	0x200000ULL

static struct hv_config cfg = { .nr_vcpus = 2 };
static struct hv_vm vm;
static uint8_t bz[BZ_LEN];

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}
static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}
static uint16_t r16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t r32(const uint8_t *p)
{
	return r16(p) | (uint32_t)r16(p + 2) << 16;
}
static uint64_t r64(const uint8_t *p)
{
	return r32(p) | (uint64_t)r32(p + 4) << 32;
}

static void bz_build(uint8_t *b)
{
	memset(b, 0, BZ_LEN);
	b[HV_BP_SETUP_SECTS] = SETUP_SECTS;
	w32(b + HV_BP_SYSSIZE, KERNEL_LEN / 16);
	w16(b + HV_BP_BOOT_FLAG, HV_BZ_BOOT_FLAG);
	b[HV_BP_JUMP] = 0xeb;
	b[HV_BP_JUMP + 1] = 0x6a;	/* header ends at 0x26c */
	w32(b + HV_BP_HEADER, HV_BZ_MAGIC);
	w16(b + HV_BP_VERSION, 0x020f);
	b[HV_BP_LOADFLAGS] = HV_BZ_LOADED_HIGH;
	w32(b + HV_BP_INITRD_ADDR_MAX, 0x7fffffff);
	w32(b + HV_BP_KERNEL_ALIGN, 0x200000);
	b[HV_BP_RELOCATABLE] = 1;
	w16(b + HV_BP_XLOADFLAGS, HV_BZ_XLF_KERNEL_64 | 2);
	w32(b + HV_BP_CMDLINE_SIZE, 2047);
	w64(b + HV_BP_PREF_ADDRESS, LOAD);
	w32(b + HV_BP_INIT_SIZE, (uint32_t)INIT_SIZE);
	for (size_t i = SETUP_LEN; i < BZ_LEN; i++)
		b[i] = (uint8_t)(i * 7);
}

/* A file holding @len bytes of @p (a memfd: nothing on disk). */
static int file_of(const void *p, size_t len)
{
	int fd = memfd_create("check_hv_bootparams", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, p, len), (ssize_t)len);
	return fd;
}

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	vm.ram_size = RAM_SIZE;
	vm.ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(vm.ram);
	bz_build(bz);
}

static void teardown(void)
{
	free(vm.ram);
}

static int bz_load(const uint8_t *b, size_t len, struct hv_linux *lx,
		   const char **why)
{
	int fd = file_of(b, len), rc;

	rc = hv_bzimage_load(&vm, fd, len, lx, why);
	close(fd);
	return rc;
}

static int initrd_load(struct hv_linux *lx, size_t len, const char **why)
{
	uint8_t *p = malloc(len);
	int fd, rc;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i ^ 0x3c);
	fd = file_of(p, len);
	rc = hv_linux_initrd_load(&vm, lx, fd, len, why);
	close(fd);
	free(p);
	return rc;
}

START_TEST(test_bz_good)
{
	static const char cmdline[] = "console=ttyS0 quiet";
	struct hv_linux lx = { 0 };
	const char *why = NULL;
	const uint8_t *bp, *e;
	uint64_t rsdp;

	ck_assert_int_eq(bz_load(bz, BZ_LEN, &lx, &why), 0);
	ck_assert_int_eq(lx.kind, HV_BOOT_BZIMAGE);
	ck_assert_uint_eq(lx.entry, LOAD + 0x200);
	ck_assert_mem_eq(vm.ram + LOAD, bz + SETUP_LEN, KERNEL_LEN);
	ck_assert_uint_eq(lx.kernel_end, LOAD + INIT_SIZE);
	ck_assert_uint_eq(lx.cmdline_max, 2048);

	ck_assert_int_eq(initrd_load(&lx, 10000, &why), 0);
	ck_assert_uint_eq(lx.initrd_gpa % 4096, 0);
	ck_assert_uint_le(lx.initrd_gpa + 10000, RAM_SIZE);
	ck_assert_uint_gt(lx.initrd_gpa + 10000 + 4096, RAM_SIZE);
	ck_assert_uint_eq(vm.ram[lx.initrd_gpa + 5], 5 ^ 0x3c);

	ck_assert_int_eq(hv_linux_finish(&vm, &lx, cmdline, &why), 0);
	ck_assert_int_eq(vm.boot_kind, HV_BOOT_BZIMAGE);
	ck_assert_uint_eq(vm.boot_arg, HV_LX_BOOT_PARAMS);
	bp = vm.ram + HV_LX_BOOT_PARAMS;
	/* The setup header copied, then what the loader fills in. */
	ck_assert_uint_eq(r32(bp + HV_BP_HEADER), HV_BZ_MAGIC);
	ck_assert_uint_eq(r64(bp + HV_BP_PREF_ADDRESS), LOAD);
	ck_assert_uint_eq(bp[HV_BP_TYPE_OF_LOADER], 0xff);
	ck_assert_uint_eq(r32(bp + HV_BP_CMD_LINE_PTR), HV_LX_CMDLINE);
	ck_assert_str_eq((const char *)vm.ram + HV_LX_CMDLINE, cmdline);
	ck_assert_uint_eq(r32(bp + HV_BP_RAMDISK_IMAGE), lx.initrd_gpa);
	ck_assert_uint_eq(r32(bp + HV_BP_RAMDISK_SIZE), 10000);
	rsdp = r64(bp + HV_BP_ACPI_RSDP);
	ck_assert_uint_ge(rsdp, HV_ACPI_BASE);
	ck_assert_mem_eq(vm.ram + rsdp, "RSD PTR ", 8);
	/* e820: low RAM, the reserved BIOS area, RAM from 1 MiB. */
	ck_assert_uint_eq(bp[HV_BP_E820_ENTRIES], 3);
	e = bp + HV_BP_E820_TABLE;
	ck_assert_uint_eq(r64(e), 0);
	ck_assert_uint_eq(r64(e + 8), HV_LX_LOW_RAM_END);
	ck_assert_uint_eq(r32(e + 16), HV_E820_RAM);
	ck_assert_uint_eq(r64(e + 20), HV_LX_LOW_RAM_END);
	ck_assert_uint_eq(r32(e + 36), HV_E820_RESERVED);
	ck_assert_uint_eq(r64(e + 40), 0x100000);
	ck_assert_uint_eq(r64(e + 48), RAM_SIZE - 0x100000);
	ck_assert_uint_eq(r32(e + 56), HV_E820_RAM);
	/* The ACPI tables sit in the reserved area. */
	ck_assert_uint_ge(HV_ACPI_BASE, HV_LX_LOW_RAM_END);
	/* Identity map: PML4[0] -> PDPT, PD entry 8 maps 16 MiB. */
	ck_assert_uint_eq(r64(vm.ram + HV_LX_PAGE_TABLES) & ~0xfffULL,
			  HV_LX_PAGE_TABLES + 0x1000);
	ck_assert_uint_eq(r64(vm.ram + HV_LX_PAGE_TABLES + 0x2000 + 8 * 8),
			  (8ULL << 21) | 0x83);
	/* GDT: 64-bit code at __BOOT_CS (0x10), data at __BOOT_DS. */
	ck_assert_uint_eq(r64(vm.ram + HV_LX_GDT + 0x10),
			  0x00af9b000000ffffULL);
	ck_assert_uint_eq(r64(vm.ram + HV_LX_GDT + 0x18),
			  0x00cf93000000ffffULL);
}
END_TEST

/* One corruption each, the error and the words of its reason. */
static void bad_magic(uint8_t *b) { b[HV_BP_HEADER + 3] = 'X'; }
static void bad_flag(uint8_t *b) { w16(b + HV_BP_BOOT_FLAG, 0x55aa); }
static void old_proto(uint8_t *b) { w16(b + HV_BP_VERSION, 0x020b); }
static void no_64(uint8_t *b) { w16(b + HV_BP_XLOADFLAGS, 2); }
static void zimage(uint8_t *b) { b[HV_BP_LOADFLAGS] = 0; }
static void sects_big(uint8_t *b) { b[HV_BP_SETUP_SECTS] = 200; }
static void syssize_big(uint8_t *b)
{
	w32(b + HV_BP_SYSSIZE, KERNEL_LEN / 16 + 1);
}
static void init_small(uint8_t *b) { w32(b + HV_BP_INIT_SIZE, KERNEL_LEN - 1); }
static void init_huge(uint8_t *b) { w32(b + HV_BP_INIT_SIZE, 0x4000000); }
static void pref_high(uint8_t *b) { w64(b + HV_BP_PREF_ADDRESS, RAM_SIZE); }
static void pref_wrap(uint8_t *b)
{
	w64(b + HV_BP_PREF_ADDRESS, UINT64_MAX - 0x1fffff);
}

static const struct {
	const char *what;
	void (*mutate)(uint8_t *b);
	int rc;
	const char *why;
} bad[] = {
	{ "no HdrS", bad_magic, -ENOEXEC, "not a bzImage" },
	{ "no boot flag", bad_flag, -ENOEXEC, "not a bzImage" },
	{ "protocol 2.11", old_proto, -ENOEXEC, "2.11 is older than 2.12" },
	{ "no 64-bit entry", no_64, -ENOEXEC, "XLF_KERNEL_64" },
	{ "zImage", zimage, -ENOEXEC, "zImage" },
	{ "setup_sects past the end", sects_big, -ENOEXEC, "setup_sects 200" },
	{ "syssize past the end", syssize_big, -ENOEXEC, "truncated" },
	{ "init_size too small", init_small, -ENOEXEC, "init_size" },
	{ "init_size beyond RAM", init_huge, -ENOSPC, "more --memory" },
	{ "pref_address at RAM end", pref_high, -ENOSPC, "more --memory" },
	{ "pref_address wraps", pref_wrap, -ENOSPC, "more --memory" },
};

START_TEST(test_bz_bad)
{
	struct hv_linux lx = { 0 };
	const char *why = NULL;

	bad[_i].mutate(bz);
	ck_assert_msg(bz_load(bz, BZ_LEN, &lx, &why) == bad[_i].rc,
		      "%s: wrong result (why: %s)", bad[_i].what, why);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, bad[_i].why), "%s: why \"%s\", want \"%s\"",
		      bad[_i].what, why, bad[_i].why);
}
END_TEST

START_TEST(test_bz_truncated)
{
	/* Every shorter file is refused with a reason, never loaded. */
	for (size_t len = 0; len < BZ_LEN; len += (len < 0x300 ? 1 : 13)) {
		struct hv_linux lx = { 0 };
		const char *why = NULL;

		ck_assert_msg(bz_load(bz, len, &lx, &why) < 0,
			      "truncated to %zu bytes was accepted", len);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_bz_byte_flips)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };

	for (size_t off = HV_BP_HDR; off < HV_BP_HDR_END; off++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			struct hv_linux lx = { 0 };
			const char *why = NULL;
			int rc;

			bz_build(bz);
			bz[off] = values[v];
			rc = bz_load(bz, BZ_LEN, &lx, &why);
			if (rc) {
				ck_assert_ptr_nonnull(why);
				continue;
			}
			ck_assert_uint_ge(lx.kernel_start, 0x100000);
			ck_assert_uint_le(lx.kernel_end, RAM_SIZE);
			ck_assert_uint_le(lx.hdr_len,
					  HV_BP_HDR_END - HV_BP_HDR);
		}
	}
}
END_TEST

START_TEST(test_initrd_limits)
{
	struct hv_linux lx = { 0 };
	const char *why = NULL;

	ck_assert_int_eq(bz_load(bz, BZ_LEN, &lx, &why), 0);
	/* All the RAM above the kernel fits; one page more does not. */
	ck_assert_int_eq(initrd_load(&lx, RAM_SIZE - lx.kernel_end, &why), 0);
	ck_assert_uint_eq(lx.initrd_gpa, lx.kernel_end);
	ck_assert_int_eq(initrd_load(&lx, RAM_SIZE - lx.kernel_end + 1, &why),
			 -EFBIG);
	ck_assert_ptr_nonnull(strstr(why, "too large"));
	ck_assert_ptr_nonnull(strstr(why, "more --memory"));
	/* initrd_addr_max caps it below the end of RAM. */
	w32(bz + HV_BP_INITRD_ADDR_MAX, (uint32_t)(LOAD + INIT_SIZE + 0xfff));
	ck_assert_int_eq(bz_load(bz, BZ_LEN, &lx, &why), 0);
	ck_assert_int_eq(initrd_load(&lx, 4096, &why), 0);
	ck_assert_uint_eq(lx.initrd_gpa, LOAD + INIT_SIZE);
	ck_assert_int_eq(initrd_load(&lx, 4097, &why), -EFBIG);
	ck_assert_int_eq(initrd_load(&lx, 0, &why), -EINVAL);
}
END_TEST

START_TEST(test_cmdline_limit)
{
	struct hv_linux lx = { 0 };
	const char *why = NULL;
	char long_line[2049];

	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	ck_assert_int_eq(bz_load(bz, BZ_LEN, &lx, &why), 0);
	ck_assert_int_eq(hv_linux_finish(&vm, &lx, long_line, &why), -E2BIG);
	ck_assert_ptr_nonnull(strstr(why, "2048 bytes"));
	long_line[2047] = '\0';
	ck_assert_int_eq(hv_linux_finish(&vm, &lx, long_line, &why), 0);
	ck_assert_int_eq(hv_linux_finish(&vm, &lx, NULL, &why), 0);
	ck_assert_uint_eq(vm.ram[HV_LX_CMDLINE], 0);
}
END_TEST

static const struct {
	uint64_t ram;
	unsigned int n;
} e820s[] = {
	{ 1ULL << 20, 2 }, { 96ULL << 20, 3 }, { 3072ULL << 20, 3 },
};

START_TEST(test_e820)
{
	struct hv_e820 e[4];
	unsigned int n = hv_linux_e820(e820s[_i].ram, e, 4);
	uint64_t ram = 0;

	ck_assert_uint_eq(n, e820s[_i].n);
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			ck_assert_uint_eq(e[i].addr,
					  e[i - 1].addr + e[i - 1].size);
		if (e[i].type == HV_E820_RAM)
			ram += e[i].size;
	}
	ck_assert_uint_eq(ram, e820s[_i].ram - (0x100000 - HV_LX_LOW_RAM_END));
	ck_assert_uint_eq(hv_linux_e820(e820s[_i].ram, e, 1), 1);
	ck_assert_uint_eq(sizeof(struct hv_e820), 20);
}
END_TEST

/* --- PVH ------------------------------------------------------------------ */

#define PVH_PADDR	0x1000000ULL
#define PVH_CODE_OFF	0x200
#define PVH_CODE_LEN	0x100

struct pvh_image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	Elf64_Nhdr nh;
	char name[4];
	uint64_t entry;
	uint8_t pad[PVH_CODE_OFF - sizeof(Elf64_Ehdr) - 2 * sizeof(Elf64_Phdr) -
		    sizeof(Elf64_Nhdr) - 4 - 8];
	uint8_t code[PVH_CODE_LEN];
} __attribute__((packed));

static void pvh_build(struct pvh_image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = 0xffffffff81000000ULL;
	im->eh.e_phoff = offsetof(struct pvh_image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 2;
	/* As Linux links it: virtual high, physical at 16 MiB. */
	im->ph[0] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = PVH_CODE_OFF, .p_vaddr = 0xffffffff81000000ULL,
		.p_paddr = PVH_PADDR, .p_filesz = PVH_CODE_LEN,
		.p_memsz = 0x10000,
	};
	im->ph[1] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = offsetof(struct pvh_image, nh),
		.p_filesz = sizeof(Elf64_Nhdr) + 4 + 8,
	};
	im->nh = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 8,
			       .n_type = HV_PVH_NOTE_ENTRY };
	memcpy(im->name, "Xen", 4);
	im->entry = PVH_PADDR + 0x40;
	for (int i = 0; i < PVH_CODE_LEN; i++)
		im->code[i] = (uint8_t)(0x90 ^ i);
}

static int pvh_load(const struct pvh_image *im, size_t len,
		    struct hv_linux *lx, const char **why)
{
	int fd = file_of(im, len), rc;

	rc = hv_pvh_load(&vm, fd, len, lx, why);
	close(fd);
	return rc;
}

START_TEST(test_pvh_good)
{
	const struct hv_pvh_start_info *si;
	const struct hv_pvh_module *mod;
	const struct hv_pvh_memmap *mm;
	struct hv_linux lx = { 0 };
	struct pvh_image im;
	const char *why = NULL;
	int fd;

	pvh_build(&im);
	memset(vm.ram + PVH_PADDR, 0xaa, 0x20000);
	fd = file_of(&im, sizeof(im));
	ck_assert_int_eq(hv_pvh_probe(fd, sizeof(im), &lx, &why), 1);
	ck_assert_uint_eq(lx.entry, PVH_PADDR + 0x40);
	close(fd);
	ck_assert_int_eq(pvh_load(&im, sizeof(im), &lx, &why), 0);
	ck_assert_int_eq(lx.kind, HV_BOOT_PVH);
	ck_assert_mem_eq(vm.ram + PVH_PADDR, im.code, PVH_CODE_LEN);
	ck_assert_uint_eq(vm.ram[PVH_PADDR + 0xffff], 0);	/* bss zeroed */
	ck_assert_uint_eq(vm.ram[PVH_PADDR + 0x10000], 0xaa);
	ck_assert_uint_eq(lx.kernel_end, PVH_PADDR + 0x10000);

	ck_assert_int_eq(initrd_load(&lx, 5000, &why), 0);
	ck_assert_int_eq(hv_linux_finish(&vm, &lx, "quiet", &why), 0);
	ck_assert_int_eq(vm.boot_kind, HV_BOOT_PVH);
	ck_assert_uint_eq(vm.boot_arg, HV_LX_START_INFO);
	si = (const void *)(vm.ram + HV_LX_START_INFO);
	ck_assert_uint_eq(si->magic, HV_PVH_MAGIC);
	ck_assert_uint_eq(si->version, 1);
	ck_assert_str_eq((const char *)vm.ram + si->cmdline_paddr, "quiet");
	ck_assert_mem_eq(vm.ram + si->rsdp_paddr, "RSD PTR ", 8);
	ck_assert_uint_eq(si->nr_modules, 1);
	mod = (const void *)(vm.ram + si->modlist_paddr);
	ck_assert_uint_eq(mod->paddr, lx.initrd_gpa);
	ck_assert_uint_eq(mod->size, 5000);
	ck_assert_uint_eq(si->memmap_entries, 3);
	mm = (const void *)(vm.ram + si->memmap_paddr);
	ck_assert_uint_eq(mm[2].addr, 0x100000);
	ck_assert_uint_eq(mm[2].size, RAM_SIZE - 0x100000);
	ck_assert_uint_eq(mm[2].type, HV_E820_RAM);
	ck_assert_uint_eq(mm[1].type, HV_E820_RESERVED);
	/* GDT: 32-bit flat code at 0x10 (the PVH entry is 32-bit). */
	ck_assert_uint_eq(*(uint64_t *)(vm.ram + HV_LX_GDT + 0x10),
			  0x00cf9b000000ffffULL);
}
END_TEST

static void p_no_note(struct pvh_image *im) { im->ph[1].p_type = PT_NULL; }
static void p_other_note(struct pvh_image *im) { im->nh.n_type = 17; }
static void p_desc2(struct pvh_image *im) { im->nh.n_descsz = 2; }
static void p_desc_huge(struct pvh_image *im) { im->nh.n_descsz = 0x7fffffff; }
static void p_entry_out(struct pvh_image *im)
{
	im->entry = PVH_PADDR + 0x10000;
}
static void p_entry_4g(struct pvh_image *im) { im->entry = 1ULL << 32; }
static void p_low(struct pvh_image *im) { im->ph[0].p_paddr = 0x9000; }
static void p_past_ram(struct pvh_image *im) { im->ph[0].p_memsz = RAM_SIZE; }
static void p_wrap(struct pvh_image *im)
{
	im->ph[0].p_paddr = UINT64_MAX - 0xff;
}
static void p_filesz(struct pvh_image *im) { im->ph[0].p_memsz = 8; }
static void p_seg_past(struct pvh_image *im) { im->ph[0].p_filesz = 0x1000; }
static void p_class(struct pvh_image *im)
{
	im->eh.e_ident[EI_CLASS] = ELFCLASS32;
}
static void p_phnum(struct pvh_image *im) { im->eh.e_phnum = 1000; }
static void p_dyn(struct pvh_image *im) { im->eh.e_type = ET_DYN; }

static const struct {
	const char *what;
	void (*mutate)(struct pvh_image *im);
	int rc;
	const char *why;
} pvh_bad[] = {
	{ "no note segment", p_no_note, -ENOEXEC, "no PVH entry note" },
	{ "other Xen note", p_other_note, -ENOEXEC, "no PVH entry note" },
	{ "2-byte entry", p_desc2, -ENOEXEC, "bad size" },
	{ "huge descriptor", p_desc_huge, -ENOEXEC, "runs past" },
	{ "entry outside", p_entry_out, -ENOEXEC, "not in a loaded segment" },
	{ "entry above 4G", p_entry_4g, -ENOEXEC, "above 4 GiB" },
	{ "below 1 MiB", p_low, -ENOEXEC, "below 1 MiB" },
	{ "past RAM", p_past_ram, -ENOSPC, "more --memory" },
	{ "address wraps", p_wrap, -ENOSPC, "more --memory" },
	{ "filesz > memsz", p_filesz, -ENOEXEC, "exceeds memory size" },
	{ "segment past file", p_seg_past, -ENOEXEC, "past the end" },
	{ "ELF32", p_class, -ENOEXEC, "ELF64" },
	{ "1000 phdrs", p_phnum, -ENOEXEC, "count" },
	{ "ET_DYN", p_dyn, -ENOEXEC, "ET_EXEC" },
};

START_TEST(test_pvh_bad)
{
	struct hv_linux lx = { 0 };
	struct pvh_image im;
	const char *why = NULL;

	pvh_build(&im);
	pvh_bad[_i].mutate(&im);
	ck_assert_msg(pvh_load(&im, sizeof(im), &lx, &why) == pvh_bad[_i].rc,
		      "%s: wrong result (why: %s)", pvh_bad[_i].what, why);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, pvh_bad[_i].why),
		      "%s: why \"%s\", want \"%s\"", pvh_bad[_i].what, why,
		      pvh_bad[_i].why);
}
END_TEST

START_TEST(test_pvh_truncated)
{
	struct pvh_image im;

	pvh_build(&im);
	for (size_t len = 0; len < sizeof(im); len++) {
		struct hv_linux lx = { 0 };
		const char *why = NULL;

		ck_assert_msg(pvh_load(&im, len, &lx, &why) < 0,
			      "truncated to %zu bytes was accepted", len);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

static Suite *bootparams_suite(void)
{
	Suite *s = suite_create("hv_bootparams");
	TCase *tc;

	tc = tcase_create("bzimage");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bz_good);
	tcase_add_loop_test(tc, test_bz_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_bz_truncated);
	tcase_add_test(tc, test_bz_byte_flips);
	tcase_add_test(tc, test_initrd_limits);
	tcase_add_test(tc, test_cmdline_limit);
	tcase_add_loop_test(tc, test_e820, 0,
			    sizeof(e820s) / sizeof(e820s[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("pvh");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pvh_good);
	tcase_add_loop_test(tc, test_pvh_bad, 0,
			    sizeof(pvh_bad) / sizeof(pvh_bad[0]));
	tcase_add_test(tc, test_pvh_truncated);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(bootparams_suite());
}
