// SPDX-License-Identifier: GPL-2.0
/*
 * xl: the command line.  Global options, then a command found in the
 * command table by its name or an unambiguous prefix.  Exit status: 0
 * success, 1 failure, 2 usage error.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl.h"

struct xl_globals xl_globals;

static void print_commands(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: xl [-vNfqtT] <subcommand> [args]\n\n"
		   "xl full list of subcommands:\n\n");
	for (i = 0; i < xl_cmdtable_len; i++)
		fprintf(f, " %-20s%s\n", xl_cmdtable[i].name,
			xl_cmdtable[i].summary);
	fprintf(f,
		"\nGlobal options:\n"
		" -v                  Verbose (may be repeated).\n"
		" -N                  Dry run: do not change anything.\n"
		" -f                  Force.\n"
		" -q                  Quiet.\n"
		" -t                  Always use carriage-return-based "
		"progress (xl migrate).\n"
		" -T                  Include timestamps and pid of the xl "
		"process in output\n"
		"                     (accepted, as Xen's).\n"
		" -h                  Print this help.\n"
		"\nCommands may be abbreviated to any unambiguous prefix.\n");
}

int main_help(int argc, char **argv)
{
	const struct xl_cmd *c;
	int rc;

	rc = xl_operands(argc, argv, "help", 0, -1);
	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		print_commands(stdout);
		return 0;
	}
	c = xl_cmd_find(argv[optind]);
	if (!c) {
		fprintf(stderr, "xl help: command `%s' %s\n", argv[optind],
			errno == EINVAL ? "is ambiguous" : "does not exist");
		return 2;
	}
	xl_cmd_help(c, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const struct xl_cmd *c;
	int opt;
	size_t i;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+vNfqhtT")) != -1) {
		switch (opt) {
		case 'v':
			xl_globals.verbose++;
			break;
		case 'N':
			xl_globals.dryrun = 1;
			break;
		case 'f':
			xl_globals.force = 1;
			break;
		case 'q':
			xl_globals.quiet = 1;
			break;
		case 't':
			xl_globals.progress_cr = 1;
			break;
		case 'T':
			xl_globals.timestamps = 1;
			break;
		case 'h':
			print_commands(stdout);
			return 0;
		default:
			fprintf(stderr, "xl: unknown option `-%c'\n\n", optopt);
			print_commands(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		print_commands(stderr);
		return 2;
	}

	c = xl_cmd_find(argv[optind]);
	if (!c) {
		if (errno == EINVAL) {
			fprintf(stderr,
				"xl: command `%s' is ambiguous:", argv[optind]);
			for (i = 0; i < xl_cmdtable_len; i++)
				if (!strncmp(xl_cmdtable[i].name, argv[optind],
					     strlen(argv[optind])))
					fprintf(stderr, " %s",
						xl_cmdtable[i].name);
			fprintf(stderr, "\n");
		} else {
			fprintf(stderr, "xl: command `%s' not implemented\n",
				argv[optind]);
		}
		return 2;
	}
	if (xl_globals.dryrun && (c->flags & XL_MODIFIES) &&
	    !(c->flags & XL_DRYRUN)) {
		fprintf(stderr,
			"xl: command `%s' does not support dry run (-N)\n",
			c->name);
		return 2;
	}

	/* the command sees argv[0] = its name, as Xen's xl does */
	argv += optind;
	argc -= optind;
	optind = 1;
	return c->main(argc, argv);
}
