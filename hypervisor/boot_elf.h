/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading an ELF64 test-guest image (tests/guests/README) into guest RAM
 * by its program headers.  Every header is checked against the file's size
 * and guest RAM before a byte is copied.
 */
#ifndef HV_BOOT_ELF_H
#define HV_BOOT_ELF_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;

#define HV_ELF_MAX_PHDRS	64

/*
 * Load the image in @buf (@len bytes, borrowed) into @vm.  On success
 * writes the entry point to *entry.  On failure returns -ENOEXEC (not a
 * usable image), -ENOSPC (does not fit in guest RAM) and points *why at a
 * static sentence saying what is wrong; guest RAM may be partly written.
 */
int hv_elf_load(struct hv_vm *vm, const void *buf, size_t len,
		uint64_t *entry, const char **why);

/* The same from the file @path: also -EFBIG, -EISDIR, or open/read errors. */
int hv_elf_load_file(struct hv_vm *vm, const char *path, uint64_t *entry,
		     const char **why);
/* The same from the open file @fd (read from its start; left open). */
int hv_elf_load_fd(struct hv_vm *vm, int fd, uint64_t *entry,
		   const char **why);

#endif
