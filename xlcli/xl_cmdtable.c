// SPDX-License-Identifier: GPL-2.0
/* The xl command table: one row per command that works. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xlcli/xl.h"

const struct xl_cmd xl_cmdtable[] = {
    {"create", main_create, XL_MODIFIES | XL_DRYRUN,
     "Create a domain from a config file",
     "[options] <ConfigFile> [options] [vars]",
     "-h, --help          Print this help.\n"
     "-n, --dryrun        Dry run: print the resolved configuration as\n"
     "                    JSON and create nothing.\n"
     "-q, --quiet         Do not print \"Parsing config from\".\n"
     "-v, --verbose       Also report keys that are ignored.\n"
     "-f FILE, --defconfig=FILE\n"
     "                    Use the given configuration file.\n"
     "key=value           Set a config key, after the file, in xl.cfg\n"
     "                    syntax: 'memory=256' 'name=\"guest2\"'."},
    {"help", main_help, 0, "Display help information", "[-h] [command]",
     "-h, --help          Print this help."},
};

const size_t xl_cmdtable_len = sizeof(xl_cmdtable) / sizeof(xl_cmdtable[0]);

const struct xl_cmd *xl_cmd_find(const char *name)
{
	return xl_cmd_lookup(xl_cmdtable, xl_cmdtable_len, name);
}
