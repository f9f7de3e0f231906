// SPDX-License-Identifier: GPL-2.0
/*
 * xl-cfg-dump FILE: parse FILE with the xl.cfg grammar and print every
 * setting with its line (xl_cfg_dump), or the errors.  Exit 0 or 1.
 * The golden tests use it for files that are not domain configs, such
 * as Xen's xl.conf.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xlcli/xl_cfg.h"

int main(int argc, char **argv)
{
	struct xl_diag d = {0};
	struct xl_buf out = {0};
	struct xl_cfg *cfg;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: xl-cfg-dump FILE\n");
		return 2;
	}
	cfg = xl_cfg_new();
	if (!cfg)
		return 1;
	rc = xl_cfg_parse_file(cfg, argv[1], &d);
	if (!rc)
		rc = xl_cfg_dump(cfg, &out);
	fputs(xl_buf_str(&out), stdout);
	fputs(xl_buf_str(&d.err), stderr);
	if (rc && rc != -EINVAL)
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-rc));
	xl_buf_dispose(&out);
	xl_diag_dispose(&d);
	xl_cfg_free(cfg);
	return rc ? 1 : 0;
}
