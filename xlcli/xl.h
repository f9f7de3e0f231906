/* SPDX-License-Identifier: GPL-2.0 */
/* The xl command line: the command table and what commands share. */
#ifndef XL_H
#define XL_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

/* Command flags */
#define XL_MODIFIES 0x1 /* changes a domain or the host */
#define XL_DRYRUN 0x2	/* honours the global -N (dry run) */

struct xl_cmd {
	const char *name;
	int (*main)(int argc, char **argv);
	unsigned int flags;
	const char *summary;
	const char *usage;   /* after "xl NAME " */
	const char *options; /* option help, one option a line */
};

extern const struct xl_cmd xl_cmdtable[];
extern const size_t xl_cmdtable_len;

/* Global options (xl -v -N -f -q). */
struct xl_globals {
	int verbose;
	int dryrun;
	int force;
	int quiet;
	int progress_cr; /* -t: progress with CR (passed on by migrate) */
	int timestamps;	 /* -T: passed on by migrate */
};
extern struct xl_globals xl_globals;

/*
 * The command called @name, or an unambiguous prefix of one.  Returns
 * NULL with errno ENOENT (no such command) or EINVAL (ambiguous).
 */
const struct xl_cmd *xl_cmd_find(const char *name);
/* The same in any table of @n commands (xl_cmdfind.c, unit-tested). */
const struct xl_cmd *xl_cmd_lookup(const struct xl_cmd *tab, size_t n,
				   const char *name);

/* Prints "Usage: xl NAME USAGE", the summary and the option help. */
void xl_cmd_help(const struct xl_cmd *cmd, int to_stderr);

/* xl_getopt() results besides option characters and -1 (done) */
#define XL_OPT_HELP (-2)  /* -h printed the help: exit 0 */
#define XL_OPT_USAGE (-3) /* usage error reported: exit 2 */

/*
 * For a command with no options of its own: handle -h/--help and check
 * it has @min to @max operands (@max < 0: no upper bound), reporting
 * a usage error.  Returns -1 to go on (optind at the first operand), or
 * the exit status: 0 after -h, 2 after a usage error.
 */
int xl_operands(int argc, char **argv, const char *cmd, int min, int max);

/*
 * getopt_long for command @cmd, with -h/--help added.  Unknown options
 * and fewer than @min_args operands print the usage to stderr and
 * return XL_OPT_USAGE.  Leaves optind at the first operand.
 */
int xl_getopt(int argc, char **argv, const char *optstring,
	      const struct option *longopts, const char *cmd, int min_args);

int main_help(int argc, char **argv);
int main_create(int argc, char **argv);
int main_config_update(int argc, char **argv);
int main_top(int argc, char **argv);
int main_list(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);
int main_rename(int argc, char **argv);
int main_dump_core(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_uptime(int argc, char **argv);
int main_info(int argc, char **argv);
int main_shell(int argc, char **argv);
int main_domxml_to_libvirt(int argc, char **argv);
int main_domxml_from_libvirt(int argc, char **argv);
int main_console(int argc, char **argv);
int main_block_list(int argc, char **argv);
int main_network_list(int argc, char **argv);
int main_vcpu_list(int argc, char **argv);
int main_vcpu_pin(int argc, char **argv);
int main_vcpu_set(int argc, char **argv);
int main_mem_set(int argc, char **argv);
int main_mem_max(int argc, char **argv);
/*
 * A memory size as Xen's xl reads one: a number with t, g, m (the
 * default), k or b after it, into KiB.  -EINVAL or -ERANGE (0 or past
 * 1 TiB).
 */
int xl_mem_size_kib(const char *s, uint64_t *kib);
int main_sched_credit(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_save(int argc, char **argv);
int main_restore(int argc, char **argv);
int main_migrate(int argc, char **argv);
int main_migrate_receive(int argc, char **argv);

/*
 * Attach this terminal to @dom's console until Ctrl-] (xl console, xl
 * create -c).  Prints what went wrong; returns the exit status.
 */
int xl_console_attach(const char *dom);

#endif
