// SPDX-License-Identifier: GPL-2.0
/*
 * xl block-list and xl network-list: a domain's disks and vifs in Xen's
 * tables.  xld says what the devices are (disks and vifs, from their
 * backend nodes in the store); KVM has no event channels or grant rings,
 * so those columns read -1, as Xen prints them for a device that is not
 * connected.
 */
#include "config.h"

#include <stdio.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static int jint(json_object *o, const char *key, int def)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_int(v) : def;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_string(v) : "";
}

static void block_rows(json_object *res)
{
	json_object *a = jget(res, "vbds"), *o;
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		printf("%-5d %-3d %-6d %-5d %-6d %-8d %-30s\n",
		       jint(o, "devid", -1), 0, jint(res, "domid", -1),
		       jint(o, "state", -1), -1, -1, jstr(o, "backend"));
	}
}

static void network_rows(json_object *res)
{
	json_object *a = jget(res, "vifs"), *o;
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		printf("%-3d %-2d %-17s %-6d %-5d %-6d %5d/%-11d %-30s\n",
		       jint(o, "devid", -1), 0, jstr(o, "mac"),
		       jint(o, "handle", -1), jint(o, "state", -1), -1, -1, -1,
		       jstr(o, "backend"));
	}
}

/* Each domain named in argv[optind..]: one request, its rows. */
static int devlist(int argc, char **argv, const char *cmd,
		   void (*rows)(json_object *res))
{
	json_object *res;
	int ret = 0, rc;

	for (; optind < argc; optind++) {
		res = NULL;
		rc = xl_ctl_dom_call(cmd, "devices", argv[optind], NULL, &res);
		if (rc) {
			ret = rc;
			continue;
		}
		rows(res);
		json_object_put(res);
	}
	return ret;
}

int main_block_list(int argc, char **argv)
{
	int rc = xl_operands(argc, argv, "block-list", 1, -1);

	if (rc >= 0)
		return rc;
	printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle",
	       "state", "evt-ch", "ring-ref", "BE-path");
	return devlist(argc, argv, "block-list", block_rows);
}

int main_network_list(int argc, char **argv)
{
	int rc = xl_operands(argc, argv, "network-list", 1, -1);

	if (rc >= 0)
		return rc;
	printf("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-11s %-30s\n", "Idx", "BE",
	       "Mac Addr.", "handle", "state", "evt-ch", "tx-", "rx-ring-ref",
	       "BE-path");
	return devlist(argc, argv, "network-list", network_rows);
}
