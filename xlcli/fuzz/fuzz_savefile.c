// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the save-file header parser of `xl restore'
 * (xl_savefile_read, xlcli/xl_savefile.c).
 *
 * The input is a whole save file, as xl restore opens it: Xen's 32-byte
 * magic, the byte-order word, the mandatory and optional flags, the
 * optional data's length, the optional data (a u32 length and the JSON
 * config with its NUL), then the migration stream.  It is read from a
 * memfd, then the saved config parsed as xl restore does (json-c).
 *
 * A failure is a crash, a sanitizer report or leak, an input slower
 * than 1 s, or an inconsistency abort()ed on here: a result other than
 * 0, -EINVAL, -EPROTO or -ENOMEM; a config returned with a failure; a
 * config that is not NUL-terminated within the optional data; or, on
 * success, the file not left exactly after the optional data (where the
 * stream starts).  fuzz/seeds/savefile/make-seeds.py writes the seeds.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xlcli/xl_savefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_savefile: inconsistency: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct xl_savefile_header h;
	char *cfg = (char *)"unset";
	json_object *j;
	off_t pos;
	int rc;

	if (fd < 0) {
		fd = memfd_create("fuzz_savefile", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    (size && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	rc = xl_savefile_read(fd, "fuzz", &cfg);
	check(rc == 0 || rc == -EINVAL || rc == -EPROTO || rc == -ENOMEM,
	      "xl_savefile_read's result is not one it documents");
	if (rc) {
		check(cfg == NULL, "a config returned with a failure");
		return 0;
	}
	check(size >= sizeof(h), "success on a file shorter than the header");
	memcpy(&h, data, sizeof(h));
	pos = lseek(fd, 0, SEEK_CUR);
	check(pos == (off_t)(sizeof(h) + h.optional_data_len),
	      "the stream does not start right after the optional data");
	if (cfg) {
		check(h.optional_data_len >= 4 &&
			  strnlen(cfg, h.optional_data_len) <
			      h.optional_data_len,
		      "config not NUL-terminated within the optional data");
		j = json_tokener_parse(cfg);
		json_object_put(j);
		free(cfg);
	}
	return 0;
}
