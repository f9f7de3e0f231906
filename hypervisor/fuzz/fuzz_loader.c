// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a kernel image loaded by hv_boot_load (boot.c) into a
 * fake guest RAM, as `xlhv run --kernel' loads one: the probe picks the
 * bzImage loader (boot_linux.c), the PVH ELF loader (boot_pvh.c) or the
 * test-guest ELF loader (boot_elf.c), and a Linux kernel then gets its
 * ramdisk, command line, ACPI tables (acpi.c), page tables and boot_params
 * or hvm_start_info.  The VM claims hardware KVM with an irqchip, so the
 * Linux paths run; no KVM is opened.
 *
 * Input: u8 flags, then if flags bit 0 a u32 length and that many bytes of
 * ramdisk, then the kernel image (the rest).  Bits 1-7 choose a command
 * line of (flags >> 1) * 80 bytes (0: none).  Both files are memfds.
 *
 * Guest RAM is 16 MiB of anonymous memory between two inaccessible guard
 * pages: a write outside it faults (a crash), as does any sanitizer
 * report, leak or input slower than 1 s.  The target also aborts if a
 * load succeeds with a Linux boot kind but without its boot data in RAM
 * (the boot_params' "HdrS", when the setup header's length covers it),
 * or if a refusal leaves a boot kind set.
 * After a load the test guest's boot data is written too (hv_boot_setup).
 * FUZZ_LOADER_VERBOSE=1 in the environment prints each load's result.
 *
 * Not covered: the vCPU entry state (hv_boot_vcpu, hv_linux_vcpu: KVM
 * ioctls) and reading files by path other than /proc/self/fd.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot_linux.h"
#include "hv.h"
#include "fuzz/hvt_fuzz.h"

#define RAM_SIZE	(16ULL << 20)
#define PAGE		4096ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd_of(const char *name, const uint8_t *p, size_t len,
		    char *path, size_t cap)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0 || (len && write(fd, p, len) != (ssize_t)len))
		abort();
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char kpath[64], rpath[64], cmdline[128 * 80 + 1];
	struct hv_config cfg;
	struct hv_vm vm;
	uint64_t entry = 0;
	uint8_t *map, *ram, flags;
	uint32_t rd_len = 0;
	int kfd, rfd = -1, rc;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (flags & 1) {
		if (size < 4)
			return 0;
		memcpy(&rd_len, data, 4);
		data += 4;
		size -= 4;
		if (rd_len > size)
			rd_len = (uint32_t)size;
	}
	map = mmap(NULL, RAM_SIZE + 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED || mprotect(map, PAGE, PROT_NONE) ||
	    mprotect(map + PAGE + RAM_SIZE, PAGE, PROT_NONE))
		abort();
	ram = map + PAGE;
	hvt_vm_init(&vm, &cfg, ram, RAM_SIZE);
	vm.flavour = HV_KVM_VMX;
	vm.caps.irqchip = 1;
	vm.caps.pit = 1;
	vm.nr_vcpus = 1;
	cfg.nr_vcpus = 1;
	cfg.mem_mb = RAM_SIZE >> 20;
	if (flags & 1) {
		rfd = memfd_of("fuzz_ramdisk", data, rd_len, rpath,
			       sizeof(rpath));
		cfg.ramdisk = rpath;
	}
	kfd = memfd_of("fuzz_kernel", data + rd_len, size - rd_len, kpath,
		       sizeof(kpath));
	cfg.kernel = kpath;
	if (flags >> 1) {
		size_t n = (size_t)(flags >> 1) * 80;

		for (size_t i = 0; i < n; i++)
			cmdline[i] = "console=ttyS0 "[i % 14];
		cmdline[n] = '\0';
		cfg.cmdline = cmdline;
	}

	rc = hv_boot_load(&vm, &entry);
	if (rc && vm.boot_kind)
		abort();
	/* Then the boot data of a test guest (Linux's came with the load). */
	if (!rc)
		hv_boot_setup(&vm);
	if (getenv("FUZZ_LOADER_VERBOSE"))
		fprintf(stderr, "fuzz_loader: rc %d kind %d entry %#llx\n", rc,
			vm.boot_kind, (unsigned long long)entry);
	/* The setup header is copied as far as its jump says it goes. */
	if (!rc && vm.boot_kind == HV_BOOT_BZIMAGE &&
	    data[rd_len + HV_BP_JUMP + 1] >= 4 &&
	    memcmp(ram + HV_LX_BOOT_PARAMS + HV_BP_HEADER, "HdrS", 4))
		abort();

	close(kfd);
	if (rfd >= 0)
		close(rfd);
	hvt_vm_dispose(&vm);
	munmap(map, RAM_SIZE + 2 * PAGE);
	return 0;
}
