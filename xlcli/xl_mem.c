// SPDX-License-Identifier: GPL-2.0
/*
 * xl mem-set and xl mem-max.  A guest's RAM is built at its maxmem; its
 * virtio balloon driver gives back what is above the target mem-set
 * asks for, and takes it again.  mem-max moves the ceiling mem-set may
 * go up to, within that RAM.  Sizes take Xen's suffixes.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"

/* 1 TiB: past this a size is nonsense for any guest here. */
#define MEM_MAX_KIB (1ULL << 30)

int xl_mem_size_kib(const char *s, uint64_t *kib)
{
	unsigned long long v;
	unsigned int shift = 10;	/* no suffix: MiB, as Xen's xl */
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (end[0] && end[1])
		return -EINVAL;
	switch (tolower((unsigned char)end[0])) {
	case 't':
		shift = 30;
		break;
	case 'g':
		shift = 20;
		break;
	case '\0':
	case 'm':
		shift = 10;
		break;
	case 'k':
		shift = 0;
		break;
	case 'b':
		*kib = v >> 10;
		return *kib && *kib <= MEM_MAX_KIB ? 0 : -ERANGE;
	default:
		return -EINVAL;
	}
	if (v > MEM_MAX_KIB >> shift || !v)
		return -ERANGE;
	*kib = (uint64_t)v << shift;
	return 0;
}

/* xl mem-set / mem-max DOMAIN SIZE: @key in KiB to xld's @method. */
static int mem_cmd(int argc, char **argv, const char *cmd, const char *key)
{
	json_object *params;
	const char *dom, *size;
	uint64_t kib;
	int ret;

	ret = xl_operands(argc, argv, cmd, 2, 2);
	if (ret >= 0)
		return ret;
	dom = argv[optind];
	size = argv[optind + 1];
	if (xl_mem_size_kib(size, &kib)) {
		fprintf(stderr, "invalid memory size: %s\n", size);
		return 1;
	}
	params = xl_ctl_dom_params(dom);
	if (!params || json_object_object_add(params, key,
					      json_object_new_int64(
						      (int64_t)kib))) {
		fprintf(stderr, "xl %s: out of memory\n", cmd);
		json_object_put(params);
		return 1;
	}
	/* xld's message names the domain, the size and the limit */
	ret = xl_ctl_dom_call(cmd, cmd, dom, params, NULL);
	json_object_put(params);
	return ret;
}

int main_mem_set(int argc, char **argv)
{
	return mem_cmd(argc, argv, "mem-set", "target_kib");
}

int main_mem_max(int argc, char **argv)
{
	return mem_cmd(argc, argv, "mem-max", "maxmem_kib");
}
