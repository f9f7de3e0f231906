/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Booting an unmodified Linux kernel: a bzImage through the 64-bit boot
 * protocol (Documentation/x86/boot.rst), or an ELF vmlinux through Xen's
 * PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, struct hvm_start_info).  Either way
 * the guest also gets an e820/PVH memory map, its command line, an initrd
 * and the ACPI tables of acpi.c.
 *
 * Three steps, so each can be tested on its own:
 *   1. hv_bzimage_load() or hv_pvh_load(): check the image, load it, and
 *      record its limits in struct hv_linux;
 *   2. hv_linux_initrd_load(): place the initrd within those limits;
 *   3. hv_linux_finish(): command line, ACPI, memory map, boot_params or
 *      hvm_start_info, page tables and GDT; vCPU 0's entry is then set by
 *      hv_linux_vcpu().
 * Every value from the image is checked; a failure returns -errno and
 * points *why at a sentence in lx->msg naming the bad value.
 */
#ifndef HV_BOOT_LINUX_H
#define HV_BOOT_LINUX_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;
struct hv_vcpu;

enum hv_boot_kind {
	HV_BOOT_TEST = 0,	/* an ELF test guest (guest_abi.h) */
	HV_BOOT_BZIMAGE,
	HV_BOOT_PVH,
};

/* Guest-physical layout below 1 MiB for Linux guests. */
#define HV_LX_GDT		0x1000ULL
#define HV_LX_START_INFO	0x2000ULL	/* PVH: start info, modlist */
#define HV_LX_MEMMAP		0x2100ULL	/* PVH: memory map */
#define HV_LX_BOOT_PARAMS	0x7000ULL	/* bzImage: the zero page */
#define HV_LX_STACK		0x8ff0ULL
#define HV_LX_PAGE_TABLES	0x9000ULL	/* PML4, PDPT, 4 PDs */
#define HV_LX_CMDLINE		0x20000ULL
#define HV_LX_CMDLINE_MAX	0x1000ULL
#define HV_LX_LOW_RAM_END	0x9fc00ULL	/* then reserved to 1 MiB */
#define HV_LX_HIGH_RAM		0x100000ULL
#define HV_LX_PVH_CMDLINE_MAX	2048	/* x86's COMMAND_LINE_SIZE */

/* boot_params offsets (boot.rst, "The zero page"). */
#define HV_BP_ACPI_RSDP		0x070
#define HV_BP_E820_ENTRIES	0x1e8
#define HV_BP_HDR		0x1f1
#define HV_BP_SETUP_SECTS	0x1f1
#define HV_BP_SYSSIZE		0x1f4
#define HV_BP_BOOT_FLAG		0x1fe
#define HV_BP_JUMP		0x200
#define HV_BP_HEADER		0x202
#define HV_BP_VERSION		0x206
#define HV_BP_TYPE_OF_LOADER	0x210
#define HV_BP_LOADFLAGS		0x211
#define HV_BP_RAMDISK_IMAGE	0x218
#define HV_BP_RAMDISK_SIZE	0x21c
#define HV_BP_CMD_LINE_PTR	0x228
#define HV_BP_INITRD_ADDR_MAX	0x22c
#define HV_BP_KERNEL_ALIGN	0x230
#define HV_BP_RELOCATABLE	0x234
#define HV_BP_XLOADFLAGS	0x236
#define HV_BP_CMDLINE_SIZE	0x238
#define HV_BP_PREF_ADDRESS	0x258
#define HV_BP_INIT_SIZE		0x260
#define HV_BP_HDR_END		0x290	/* boot_params' header area ends */
#define HV_BP_E820_TABLE	0x2d0
#define HV_BP_E820_MAX		128
#define HV_BP_SIZE		0x1000

#define HV_BZ_MIN_VERSION	0x020c	/* 2.12: xloadflags */
#define HV_BZ_XLF_KERNEL_64	0x0001
#define HV_BZ_LOADED_HIGH	0x01
#define HV_BZ_BOOT_FLAG		0xaa55
#define HV_BZ_MAGIC		0x53726448u	/* "HdrS" */

#define HV_E820_RAM		1
#define HV_E820_RESERVED	2

/* As in boot_params: 20 bytes, packed. */
struct hv_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* Xen's struct hvm_start_info (version 1) and its companions. */
#define HV_PVH_MAGIC		0x336ec578u
#define HV_PVH_NOTE_ENTRY	18	/* XEN_ELFNOTE_PHYS32_ENTRY */

struct hv_pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hv_pvh_module {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hv_pvh_memmap {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* What step 1 learnt about the kernel; the later steps add to it. */
struct hv_linux {
	enum hv_boot_kind kind;
	uint64_t entry;
	uint64_t kernel_start, kernel_end;	/* RAM the kernel needs */
	uint64_t initrd_max;	/* the initrd must end at or below this */
	uint64_t cmdline_max;	/* bytes, the NUL included */
	uint64_t initrd_gpa, initrd_size;
	uint64_t rsdp;
	uint8_t hdr[HV_BP_HDR_END - HV_BP_HDR];	/* bzImage setup header */
	size_t hdr_len;
	char msg[256];
};

/* Is this a bzImage?  @head: the file's first @len bytes. */
int hv_bzimage_probe(const uint8_t *head, size_t len);

/*
 * Step 1 from the image in @fd (borrowed) of @size bytes.  -ENOEXEC for a
 * bad image, -ENOSPC if it does not fit in guest RAM, -EIO/-errno for
 * read errors.
 */
int hv_bzimage_load(struct hv_vm *vm, int fd, uint64_t size,
		    struct hv_linux *lx, const char **why);

/*
 * Look for the PVH entry note in an ELF image: 1 and *entry if found, 0 if
 * the file is an ELF without it, -ENOEXEC with *why for a malformed one.
 */
int hv_pvh_probe(int fd, uint64_t size, struct hv_linux *lx,
		 const char **why);
int hv_pvh_load(struct hv_vm *vm, int fd, uint64_t size,
		struct hv_linux *lx, const char **why);

/*
 * Step 2: read the initrd from @fd (@size bytes) to the highest page
 * below min(lx->initrd_max, end of RAM) above the kernel.  -EFBIG if it
 * does not fit there.
 */
int hv_linux_initrd_load(struct hv_vm *vm, struct hv_linux *lx, int fd,
			 uint64_t size, const char **why);

/* Step 3.  -E2BIG for a command line longer than the kernel takes. */
int hv_linux_finish(struct hv_vm *vm, struct hv_linux *lx,
		    const char *cmdline, const char **why);

/* The memory map of a guest with @ram_size bytes; returns the count. */
unsigned int hv_linux_e820(uint64_t ram_size, struct hv_e820 *e,
			   unsigned int max);

/*
 * Entry state for vm->boot_kind (set by hv_linux_finish, with boot_arg):
 * vCPU 0 at @entry; the others wait for the guest's INIT/SIPI.
 */
int hv_linux_vcpu(struct hv_vcpu *v, uint64_t entry);

/* Format a message into lx->msg, point *why at it and return @rc. */
int hv_linux_fail(struct hv_linux *lx, const char **why, int rc,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* pread() all of [off, off + len) into @dst: -EIO on a short file. */
int hv_file_read(int fd, void *dst, uint64_t len, uint64_t off);

#endif
