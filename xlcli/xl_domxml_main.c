// SPDX-License-Identifier: GPL-2.0
/*
 * xl-domxml: xl's libvirt domain XML commands, the only part of xl that
 * links libxml2 (see xl_domxml_cmds.h).  xl runs it as
 *   xl-domxml domxml-to-libvirt|domxml-from-libvirt [ARGS...]
 * and its output, messages and exit status are the command's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "xlcli/xl.h"
#include "xlcli/xl_domxml_cmds.h"

const struct xl_cmd xl_cmdtable[] = {
    XL_DOMXML_ROWS(main_domxml_to_libvirt, main_domxml_from_libvirt),
};

const size_t xl_cmdtable_len = sizeof(xl_cmdtable) / sizeof(xl_cmdtable[0]);

const struct xl_cmd *xl_cmd_find(const char *name)
{
	return xl_cmd_lookup(xl_cmdtable, xl_cmdtable_len, name);
}

int main(int argc, char **argv)
{
	const struct xl_cmd *c;

	if (argc < 2) {
		fprintf(stderr,
			"Usage: xl-domxml domxml-to-libvirt <ConfigFile>\n"
			"       xl-domxml domxml-from-libvirt <XMLFile>\n"
			"(run by xl: see xl(1))\n");
		return 2;
	}
	c = xl_cmd_find(argv[1]);
	if (!c) {
		fprintf(stderr, "xl-domxml: command `%s' %s\n", argv[1],
			errno == EINVAL ? "is ambiguous" : "does not exist");
		return 2;
	}
	/* the command sees argv[0] = its name, as under xl */
	argv++;
	argc--;
	optind = 1;
	return c->main(argc, argv);
}
