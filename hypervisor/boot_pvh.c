// SPDX-License-Identifier: GPL-2.0
/*
 * The PVH boot path: an ELF64 vmlinux carrying Xen's
 * XEN_ELFNOTE_PHYS32_ENTRY note is loaded by its program headers' physical
 * addresses and entered in 32-bit protected mode at the note's address
 * with %ebx pointing at struct hvm_start_info (Xen's
 * arch-x86/hvm/start_info.h and docs/misc/pvh.pandoc).
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot_linux.h"
#include "hv.h"

#define MAX_PHDRS	64
#define MAX_NOTES	0x10000		/* bytes of one PT_NOTE segment */
#define XEN_NAME	"Xen"
#define FOUR_GIB	0x100000000ULL

static int in_file(uint64_t off, uint64_t n, uint64_t size)
{
	return off <= size && n <= size - off;
}

static uint64_t align4(uint64_t n)
{
	return (n + 3) & ~3ULL;
}

/* Read and check the ELF and program headers. */
static int read_headers(int fd, uint64_t size, Elf64_Ehdr *eh,
			Elf64_Phdr *ph, struct hv_linux *lx,
			const char **why)
{
	int rc;

	if (size < sizeof(*eh))
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "too short to be an ELF file");
	rc = hv_file_read(fd, eh, sizeof(*eh), 0);
	if (rc)
		return hv_linux_fail(lx, why, rc, "read: %s", strerror(-rc));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return hv_linux_fail(lx, why, -ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "not a little-endian x86-64 ELF64 image");
	if (eh->e_type != ET_EXEC)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "not an ELF executable (ET_EXEC)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phnum > MAX_PHDRS)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "bad program header size or count (%u)",
				     eh->e_phnum);
	if (!in_file(eh->e_phoff, eh->e_phnum * sizeof(*ph), size))
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "program headers run past the end of the file");
	rc = hv_file_read(fd, ph, eh->e_phnum * sizeof(*ph), eh->e_phoff);
	if (rc)
		return hv_linux_fail(lx, why, rc, "read: %s", strerror(-rc));
	for (unsigned int i = 0; i < eh->e_phnum; i++)
		if (!in_file(ph[i].p_offset, ph[i].p_filesz, size))
			return hv_linux_fail(lx, why, -ENOEXEC,
					     "segment %u runs past the end of the file",
					     i);
	return 0;
}

/* 1 and lx->entry if the notes in @p hold the PVH entry; 0 if not. */
static int scan_notes(const uint8_t *p, uint64_t n, struct hv_linux *lx,
		      const char **why)
{
	while (n >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t need, v = 0;
		const uint8_t *desc;

		memcpy(&nh, p, sizeof(nh));
		need = sizeof(nh) + align4(nh.n_namesz) + align4(nh.n_descsz);
		if (need > n)
			return hv_linux_fail(lx, why, -ENOEXEC,
					     "an ELF note runs past its segment");
		desc = p + sizeof(nh) + align4(nh.n_namesz);
		if (nh.n_namesz == sizeof(XEN_NAME) &&
		    !memcmp(p + sizeof(nh), XEN_NAME, sizeof(XEN_NAME)) &&
		    nh.n_type == HV_PVH_NOTE_ENTRY) {
			if (nh.n_descsz != 4 && nh.n_descsz != 8)
				return hv_linux_fail(lx, why, -ENOEXEC,
						     "the PVH entry note has a bad size (%u)",
						     nh.n_descsz);
			memcpy(&v, desc, nh.n_descsz);
			if (v >= FOUR_GIB)
				return hv_linux_fail(lx, why, -ENOEXEC,
						     "the PVH entry %#llx is above 4 GiB",
						     (unsigned long long)v);
			lx->entry = v;
			return 1;
		}
		p += need;
		n -= need;
	}
	return 0;
}

static int find_entry(int fd, const Elf64_Ehdr *eh,
		      const Elf64_Phdr *ph, struct hv_linux *lx,
		      const char **why)
{
	uint8_t *buf = NULL;
	int rc, found = 0;

	for (unsigned int i = 0; i < eh->e_phnum && !found; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		if (ph[i].p_filesz > MAX_NOTES) {
			found = hv_linux_fail(lx, why, -ENOEXEC,
					      "a note segment is too large (%llu bytes)",
					      (unsigned long long)ph[i].p_filesz);
			break;
		}
		free(buf);
		buf = malloc(ph[i].p_filesz ? ph[i].p_filesz : 1);
		if (!buf) {
			found = hv_linux_fail(lx, why, -ENOMEM,
					      "out of memory");
			break;
		}
		rc = hv_file_read(fd, buf, ph[i].p_filesz, ph[i].p_offset);
		if (rc) {
			found = hv_linux_fail(lx, why, rc, "read: %s",
					      strerror(-rc));
			break;
		}
		found = scan_notes(buf, ph[i].p_filesz, lx, why);
	}
	free(buf);
	return found;
}

int hv_pvh_probe(int fd, uint64_t size, struct hv_linux *lx,
		 const char **why)
{
	Elf64_Phdr ph[MAX_PHDRS];
	Elf64_Ehdr eh;
	int rc;

	rc = read_headers(fd, size, &eh, ph, lx, why);
	if (rc)
		return rc;
	return find_entry(fd, &eh, ph, lx, why);
}

int hv_pvh_load(struct hv_vm *vm, int fd, uint64_t size,
		struct hv_linux *lx, const char **why)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	Elf64_Phdr ph[MAX_PHDRS];
	int rc, found, entry_ok = 0;
	Elf64_Ehdr eh;

	rc = read_headers(fd, size, &eh, ph, lx, why);
	if (rc)
		return rc;
	found = find_entry(fd, &eh, ph, lx, why);
	if (found < 0)
		return found;
	if (!found)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)");

	/* Check every segment before copying one. */
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz)
			return hv_linux_fail(lx, why, -ENOEXEC,
					     "segment %u: file size exceeds memory size",
					     i);
		if (p->p_paddr < HV_LX_HIGH_RAM)
			return hv_linux_fail(lx, why, -ENOEXEC,
					     "segment %u loads at %#llx, below 1 MiB",
					     i, (unsigned long long)p->p_paddr);
		if (p->p_paddr > vm->ram_size ||
		    p->p_memsz > vm->ram_size - p->p_paddr)
			return hv_linux_fail(
			    lx, why, -ENOSPC,
			    "the kernel needs RAM up to %llu MiB (segment %u at %#llx); give the guest more --memory",
			    p->p_paddr > FOUR_GIB
				? 4096ULL
				: (unsigned long long)((p->p_paddr +
							p->p_memsz + (1 << 20) -
							1) >>
						       20),
			    i, (unsigned long long)p->p_paddr);
		if (p->p_paddr < lo)
			lo = p->p_paddr;
		if (p->p_paddr + p->p_memsz > hi)
			hi = p->p_paddr + p->p_memsz;
		if (lx->entry >= p->p_paddr &&
		    lx->entry - p->p_paddr < p->p_memsz)
			entry_ok = 1;
	}
	if (!hi)
		return hv_linux_fail(lx, why, -ENOEXEC, "no loadable segment");
	if (!entry_ok)
		return hv_linux_fail(lx, why, -ENOEXEC,
				     "the PVH entry %#llx is not in a loaded segment",
				     (unsigned long long)lx->entry);
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint8_t *dst;

		if (p->p_type != PT_LOAD)
			continue;
		dst = hv_gpa_ptr(vm, p->p_paddr, p->p_memsz);
		rc = hv_file_read(fd, dst, p->p_filesz, p->p_offset);
		if (rc)
			return hv_linux_fail(lx, why, rc, "read: %s",
					     strerror(-rc));
		memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
	}
	lx->kind = HV_BOOT_PVH;
	lx->kernel_start = lo;
	lx->kernel_end = hi;
	lx->initrd_max = FOUR_GIB;
	lx->cmdline_max = HV_LX_PVH_CMDLINE_MAX;
	return 0;
}
