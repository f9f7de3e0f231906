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

	fprintf(f, "Usage: xl [-vNfq] <subcommand> [args]\n\n"
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
		" -h                  Print this help.\n"
		"\nCommands may be abbreviated to any unambiguous prefix.\n");
}

void xl_cmd_help(const struct xl_cmd *cmd, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;

	fprintf(f, "Usage: xl %s %s\n\n%s.\n", cmd->name, cmd->usage,
		cmd->summary);
	if (cmd->options && *cmd->options)
		fprintf(f, "\nOptions:\n\n%s\n", cmd->options);
}

int xl_getopt(int argc, char **argv, const char *optstring,
	      const struct option *longopts, const char *cmd, int min_args)
{
	static const struct option help_only[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const struct xl_cmd *c = xl_cmd_find(cmd);
	char shortopts[64];
	int opt;

	/* '+': stop at the first operand only where the command says so;
	 * ':' first: report missing arguments ourselves */
	snprintf(shortopts, sizeof(shortopts), ":h%s", optstring);
	opterr = 0;
	opt = getopt_long(argc, argv, shortopts,
			  longopts ? longopts : help_only, NULL);
	switch (opt) {
	case -1:
		if (argc - optind < min_args) {
			fprintf(stderr,
				"'xl %s' requires at least %d argument%s.\n\n",
				cmd, min_args, min_args == 1 ? "" : "s");
			xl_cmd_help(c, 1);
			return XL_OPT_USAGE;
		}
		return -1;
	case 'h':
		xl_cmd_help(c, 0);
		return XL_OPT_HELP;
	case ':':
		fprintf(stderr, "xl %s: option `%s' requires an argument\n\n",
			cmd, argv[optind - 1]);
		xl_cmd_help(c, 1);
		return XL_OPT_USAGE;
	case '?':
		if (optopt)
			fprintf(stderr, "xl %s: unknown option `-%c'\n\n", cmd,
				optopt);
		else
			fprintf(stderr, "xl %s: unknown option `%s'\n\n", cmd,
				argv[optind - 1]);
		xl_cmd_help(c, 1);
		return XL_OPT_USAGE;
	default:
		return opt;
	}
}

int xl_operands(int argc, char **argv, const char *cmd, int min, int max)
{
	int opt;

	while ((opt = xl_getopt(argc, argv, "", NULL, cmd, min)) != -1)
		return opt == XL_OPT_HELP ? 0 : 2;
	if (max >= 0 && argc - optind > max) {
		fprintf(stderr, "xl %s: unexpected argument `%s'\n\n", cmd,
			argv[optind + max]);
		xl_cmd_help(xl_cmd_find(cmd), 1);
		return 2;
	}
	return -1;
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
	while ((opt = getopt(argc, argv, "+vNfqh")) != -1) {
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
