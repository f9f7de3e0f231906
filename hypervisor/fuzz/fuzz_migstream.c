// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bytes as a migration stream (migstream.h), read from
 * a memfd by hv_mig_check_stream exactly as a receiver reads a save file.
 * Every input must be accepted or refused with a message, with no crash,
 * leak, overflow or undefined behaviour.  Run by tests/hv-migstream-fuzz.sh
 * from the seeds in hypervisor/fuzz/seeds/migstream (written by
 * `HVT_MIGSTREAM_SEEDS=DIR tests/check_hv_migstream`).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "migstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char err[256];
	int rc;

	if (fd < 0)
		fd = memfd_create("fuzz_migstream", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) < 0 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) < 0)
		__builtin_trap();
	rc = hv_mig_check_stream(fd, err, sizeof(err));
	/* A refusal always says why. */
	if (rc && !err[0])
		__builtin_trap();
	return 0;
}
