// SPDX-License-Identifier: GPL-2.0
/*
 * xl domxml-to-libvirt and domxml-from-libvirt: run xl-domxml, the
 * program that links libxml2, in place of xl (see xl_domxml_cmds.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libdomctl/dc_path.h"
#include "xlcli/xl.h"
#include "xlcli/xl_domxml_cmds.h"

int main_domxml_run(int argc, char **argv)
{
	const struct xl_cmd *c = xl_cmd_find(argv[0]);
	const char *name = argv[0], *how;
	char path[PATH_MAX], **v;
	int i, rc;

	/* xl found the command, perhaps by a prefix: pass its full name */
	if (c)
		name = c->name;
	rc = dc_path_find(DC_PATH_XL_DOMXML, path, sizeof(path), &how);
	if (rc) {
		fprintf(stderr, "xl %s: the path of xl-domxml in $XL_DOMXML: "
			"%s\n", name, strerror(-rc));
		return 1;
	}
	v = calloc((size_t)argc + 2, sizeof(*v));
	if (!v) {
		fprintf(stderr, "xl %s: out of memory\n", name);
		return 1;
	}
	v[0] = path;
	v[1] = (char *)name;
	for (i = 1; i < argc; i++)
		v[i + 1] = argv[i];
	fflush(stdout);
	execv(path, v);
	fprintf(stderr, "xl %s: cannot run %s: %s (%s)\n", name, path,
		strerror(errno), how);
	free(v);
	return 1;
}
