// SPDX-License-Identifier: GPL-2.0
/* The ELF64 test-guest loader (see boot_elf.h). */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_elf.h"
#include "guest_abi.h"
#include "hv.h"

#define XEN_NOTE_NAME		"Xen"
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* Does [off, off + n) lie inside [0, len)?  Overflow-safe. */
static int in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static uint32_t align4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

/* 1 if the notes hold our ABI note, 0 if not; -ENOEXEC with *why if bad. */
static int scan_notes(const uint8_t *p, uint64_t size, const char **why)
{
	int found = 0;

	while (size >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		const char *name;
		uint64_t need;

		memcpy(&nh, p, sizeof(nh));
		need = sizeof(nh) + (uint64_t)align4(nh.n_namesz) +
		       align4(nh.n_descsz);
		if (nh.n_namesz > size || nh.n_descsz > size || need > size) {
			*why = "an ELF note runs past its segment";
			return -ENOEXEC;
		}
		name = (const char *)p + sizeof(nh);
		if (nh.n_namesz == sizeof(XEN_NOTE_NAME) &&
		    !memcmp(name, XEN_NOTE_NAME, sizeof(XEN_NOTE_NAME)) &&
		    nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			*why = "a PVH (Linux) kernel, not a test guest";
			return -ENOEXEC;
		}
		if (nh.n_namesz == sizeof(HV_ABI_NOTE_NAME) &&
		    !memcmp(name, HV_ABI_NOTE_NAME, sizeof(HV_ABI_NOTE_NAME)) &&
		    nh.n_type == HV_ABI_NOTE_TYPE) {
			uint32_t ver;

			if (nh.n_descsz != sizeof(ver)) {
				*why = "its XLHV note has a bad size";
				return -ENOEXEC;
			}
			memcpy(&ver, name + align4(nh.n_namesz), sizeof(ver));
			if (ver != HV_ABI_VERSION) {
				*why = "built for another test-guest ABI "
				       "version";
				return -ENOEXEC;
			}
			found = 1;
		}
		p += need;
		size -= need;
	}
	return found;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, const char **why)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		*why = "not an ELF file";
		return -ENOEXEC;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64) {
		*why = "not a little-endian x86-64 ELF64 image";
		return -ENOEXEC;
	}
	if (eh->e_type != ET_EXEC || eh->e_version != EV_CURRENT) {
		*why = "not an ELF executable (ET_EXEC)";
		return -ENOEXEC;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > HV_ELF_MAX_PHDRS) {
		*why = "bad program header size or count";
		return -ENOEXEC;
	}
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		     len)) {
		*why = "program headers run past the end of the file";
		return -ENOEXEC;
	}
	return 0;
}

/* Check one program header; 1 if it holds the entry point. */
static int check_phdr(struct hv_vm *vm, const Elf64_Phdr *ph, size_t len,
		      uint64_t entry, const char **why)
{
	if (!in_file(ph->p_offset, ph->p_filesz, len)) {
		*why = "a segment runs past the end of the file";
		return -ENOEXEC;
	}
	if (ph->p_type != PT_LOAD)
		return 0;
	if (ph->p_filesz > ph->p_memsz) {
		*why = "a segment's file size exceeds its memory size";
		return -ENOEXEC;
	}
	if (ph->p_vaddr != ph->p_paddr) {
		*why = "a segment's virtual and physical addresses differ "
		       "(the ABI identity-maps memory)";
		return -ENOEXEC;
	}
	if (ph->p_paddr < HV_ABI_IMAGE_MIN) {
		*why = "a segment loads below 1 MiB (the monitor's area)";
		return -ENOEXEC;
	}
	if (!hv_gpa_ptr(vm, ph->p_paddr, ph->p_memsz)) {
		*why = "a segment does not fit in guest RAM";
		return -ENOSPC;
	}
	return (ph->p_flags & PF_X) && entry >= ph->p_paddr &&
	       entry - ph->p_paddr < ph->p_memsz;
}

int hv_elf_load(struct hv_vm *vm, const void *buf, size_t len,
		uint64_t *entry, const char **why)
{
	const uint8_t *file = buf;
	Elf64_Phdr ph[HV_ELF_MAX_PHDRS];
	int rc, loads = 0, entry_ok = 0, noted = 0;
	Elf64_Ehdr eh;

	if (len < sizeof(eh)) {
		*why = "too short to be an ELF file";
		return -ENOEXEC;
	}
	memcpy(&eh, file, sizeof(eh));
	rc = check_ehdr(&eh, len, why);
	if (rc)
		return rc;
	memcpy(ph, file + eh.e_phoff, eh.e_phnum * sizeof(*ph));

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		rc = check_phdr(vm, &ph[i], len, eh.e_entry, why);
		if (rc < 0)
			return rc;
		entry_ok |= rc;
		if (ph[i].p_type == PT_LOAD)
			loads++;
		if (ph[i].p_type == PT_NOTE) {
			rc = scan_notes(file + ph[i].p_offset, ph[i].p_filesz,
					why);
			if (rc < 0)
				return rc;
			noted |= rc;
		}
	}
	if (!loads) {
		*why = "no loadable segment";
		return -ENOEXEC;
	}
	if (!entry_ok) {
		*why = "the entry point is not in an executable segment";
		return -ENOEXEC;
	}
	if (!noted) {
		*why = "not an xlhv test guest (no XLHV ABI note)";
		return -ENOEXEC;
	}

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		uint8_t *dst;

		if (ph[i].p_type != PT_LOAD)
			continue;
		dst = hv_gpa_ptr(vm, ph[i].p_paddr, ph[i].p_memsz);
		memcpy(dst, file + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	*entry = eh.e_entry;
	return 0;
}

int hv_elf_load_file(struct hv_vm *vm, const char *path, uint64_t *entry,
		     const char **why)
{
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		rc = -errno;
		*why = strerror(errno);
		return rc;
	}
	rc = hv_elf_load_fd(vm, fd, entry, why);
	close(fd);
	return rc;
}

int hv_elf_load_fd(struct hv_vm *vm, int fd, uint64_t *entry,
		   const char **why)
{
	uint8_t *buf = NULL;
	size_t done = 0;
	struct stat st;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		*why = strerror(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EISDIR;
		*why = "not a regular file";
		goto out;
	}
	if ((uint64_t)st.st_size > vm->ram_size) {
		rc = -EFBIG;
		*why = "larger than guest RAM";
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		rc = -ENOMEM;
		*why = strerror(ENOMEM);
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = pread(fd, buf + done, (size_t)st.st_size - done,
				  (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			*why = r < 0 ? strerror(errno) :
				       "file shrank while read";
			goto out;
		}
		done += (size_t)r;
	}
	rc = hv_elf_load(vm, buf, done, entry, why);
out:
	free(buf);
	return rc;
}
