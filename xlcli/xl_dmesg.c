// SPDX-License-Identifier: GPL-2.0
/*
 * xl dmesg [-c]: xld's log, which stands for Xen's hypervisor console
 * here; -c clears it after printing, as Xen clears its ring.
 */
#include "config.h"

#include <stdio.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"

int main_dmesg(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"clear", no_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct xl_ctl_err err;
	json_object *res = NULL, *v;
	int opt, clear = 0, rc;

	while ((opt = xl_getopt(argc, argv, "c", opts, "dmesg", 0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'c':
			clear = 1;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xl dmesg: unexpected argument `%s'\n\n",
			argv[optind]);
		xl_cmd_help(xl_cmd_find("dmesg"), 1);
		return 2;
	}
	rc = xl_ctl_call(clear ? "dmesg-clear" : "dmesg", NULL, &res, &err);
	if (rc) {
		xl_ctl_perror("dmesg", rc, &err);
		return 1;
	}
	if (json_object_object_get_ex(res, "log", &v))
		fputs(json_object_get_string(v), stdout);
	json_object_put(res);
	return 0;
}
