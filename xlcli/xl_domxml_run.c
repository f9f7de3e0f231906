// SPDX-License-Identifier: GPL-2.0
/*
 * xl domxml-to-libvirt and domxml-from-libvirt: run xl-domxml, the
 * program that links libxml2, in place of xl (see xl_domxml_cmds.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_domxml_cmds.h"

int main_domxml_run(int argc, char **argv)
{
	const char *path = getenv("XL_DOMXML"), *name = argv[0];
	const struct xl_cmd *c = xl_cmd_find(argv[0]);
	char **v;
	int i;

	if (!path || !*path)
		path = XL_DOMXML_PATH;
	/* xl found the command, perhaps by a prefix: pass its full name */
	if (c)
		name = c->name;
	v = calloc((size_t)argc + 2, sizeof(*v));
	if (!v) {
		fprintf(stderr, "xl %s: out of memory\n", name);
		return 1;
	}
	v[0] = (char *)path;
	v[1] = (char *)name;
	for (i = 1; i < argc; i++)
		v[i + 1] = argv[i];
	fflush(stdout);
	execv(path, v);
	fprintf(stderr, "xl %s: cannot run %s: %s (XL_DOMXML overrides it)\n",
		name, path, strerror(errno));
	free(v);
	return 1;
}
