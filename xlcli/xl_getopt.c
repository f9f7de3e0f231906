// SPDX-License-Identifier: GPL-2.0
/*
 * What every command shares to read its options and print its help,
 * found in whichever command table the program has (xl's, or
 * xl-domxml's): linked into both programs.
 */
#include "config.h"

#include <stdio.h>

#include "xlcli/xl.h"

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
