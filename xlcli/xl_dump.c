// SPDX-License-Identifier: GPL-2.0
/*
 * xl dump-core <Domain> <filename>: the guest's memory and vCPU state,
 * written by its monitor in the state file format (xlhv(8)).  The guest
 * is paused for the dump and runs on afterwards, as with Xen.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"

/* @name made absolute from xl's directory: xld writes from its own. */
static int abs_path(const char *name, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	int r;

	if (name[0] == '/')
		r = snprintf(buf, len, "%s", name);
	else if (getcwd(cwd, sizeof(cwd)))
		r = snprintf(buf, len, "%s/%s", cwd, name);
	else
		return -1;
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

int main_dump_core(int argc, char **argv)
{
	json_object *params;
	char path[PATH_MAX];
	int ret;

	ret = xl_operands(argc, argv, "dump-core", 2, 2);
	if (ret >= 0)
		return ret;
	if (!argv[optind + 1][0] ||
	    abs_path(argv[optind + 1], path, sizeof(path))) {
		fprintf(stderr,
			"xl dump-core: cannot use '%s' as the file "
			"name\n",
			argv[optind + 1]);
		return 1;
	}
	params = xl_ctl_dom_params(argv[optind]);
	if (!params || json_object_object_add(params, "path",
					      json_object_new_string(path))) {
		fprintf(stderr, "xl dump-core: out of memory\n");
		json_object_put(params);
		return 1;
	}
	ret = xl_ctl_dom_call("dump-core", "dump-core", argv[optind], params,
			      NULL);
	json_object_put(params);
	return ret;
}
