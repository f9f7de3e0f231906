// SPDX-License-Identifier: GPL-2.0
/*
 * xl create: parse a domain config, resolve it, and hand the resolved
 * config to xld (or, with -n, print it).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "xlcli/xl.h"
#include "xlcli/xl_cfg.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_domcfg.h"
#include "xlcli/xl_save.h"

/* Random 32-bit values for generated MACs: getrandom(), or where it
 * fails (old kernels, seccomp) a clock- and pid-seeded generator. */
static uint32_t host_random(void *arg)
{
	static unsigned int seed;
	struct timespec ts;
	uint32_t v;
	ssize_t r;

	(void)arg;
	do {
		r = getrandom(&v, sizeof(v), 0);
	} while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(v))
		return v;
	if (!seed) {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned int)(ts.tv_nsec ^ ts.tv_sec ^ getpid()) | 1;
	}
	return ((uint32_t)rand_r(&seed) << 16) ^ (uint32_t)rand_r(&seed);
}

/* Hand the resolved config to xld; returns the exit status, and the new
 * domain's id in @domid. */
static int create_in_xld(json_object *cfg, int quiet, int paused,
			 int *domid)
{
	struct xl_ctl_err err;
	json_object *params = json_object_new_object(), *res = NULL, *v;
	int rc;

	if (!params ||
	    json_object_object_add(params, "config", json_object_get(cfg))) {
		json_object_put(params);
		fprintf(stderr, "xl create: out of memory\n");
		return 1;
	}
	if (paused)
		json_object_object_add(params, "paused",
				       json_object_new_boolean(1));
	rc = xl_ctl_call("create", params, &res, &err);
	json_object_put(params);
	if (rc) {
		xl_ctl_perror("create", rc, &err);
		return 1;
	}
	*domid = json_object_object_get_ex(res, "domid", &v)
			 ? json_object_get_int(v)
			 : -1;
	if (!quiet) {
		const char *name = "?";

		if (json_object_object_get_ex(res, "name", &v))
			name = json_object_get_string(v);
		fprintf(stderr, "Started domain %s (id=%d)\n", name, *domid);
	}
	/* what xld could not give the domain (cpu_weight, cap): said always */
	if (json_object_object_get_ex(res, "warnings", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t i;

		for (i = 0; i < json_object_array_length(v); i++)
			fprintf(stderr, "xl create: warning: %s\n",
				json_object_get_string(
				    json_object_array_get_idx(v, i)));
	}
	json_object_put(res);
	return 0;
}

static void print_diag(const struct xl_diag *d, int verbose)
{
	fputs(xl_buf_str(&d->warn), stderr);
	if (verbose)
		fputs(xl_buf_str(&d->info), stderr);
	fputs(xl_buf_str(&d->err), stderr);
}

/*
 * Parse @file and then the key=value lines of @overrides, resolve them,
 * and put the config as xld takes it in *@out.  Prints what the parse
 * says; returns 0 or the exit status.
 */
int xl_config_load(const char *cmd, const char *file,
		   const struct xl_buf *overrides, int quiet, int verbose,
		   json_object **out)
{
	struct xl_diag diag = {0};
	struct xl_domcfg dc = {0};
	struct xl_cfg *cfg = NULL;
	int resolved = 0, rc, ret = 1;

	if (overrides && overrides->oom) {
		rc = -ENOMEM;
		goto fail;
	}
	cfg = xl_cfg_new();
	if (!cfg) {
		rc = -errno;
		goto fail;
	}
	if (!quiet)
		fprintf(stderr, "Parsing config from %s\n", file);
	rc = xl_cfg_parse_file(cfg, file, &diag);
	if (rc && rc != -EINVAL && rc != -ENOMEM) {
		fprintf(stderr, "Failed to read config file %s: %s\n", file,
			strerror(-rc));
		goto out;
	}
	if (!rc && overrides && overrides->len)
		rc = xl_cfg_parse(cfg, "command line", overrides->s,
				  overrides->len, &diag);
	if (rc)
		goto fail;
	rc = xl_domcfg_resolve(cfg, &dc, &diag, host_random, NULL);
	if (rc)
		goto fail;
	resolved = 1;
	print_diag(&diag, verbose);
	*out = xl_domcfg_to_json(&dc);
	if (!*out) {
		fprintf(stderr, "xl %s: out of memory\n", cmd);
		goto out;
	}
	ret = 0;
	goto out;
fail:
	print_diag(&diag, verbose);
	if (rc == -ENOMEM)
		fprintf(stderr, "xl %s: out of memory\n", cmd);
	else
		fprintf(stderr, "Failed to parse config: %s\n", strerror(-rc));
out:
	if (resolved)
		xl_domcfg_dispose(&dc);
	xl_cfg_free(cfg);
	xl_diag_dispose(&diag);
	return ret;
}

/*
 * The operands after the options: key=value overrides into @overrides,
 * and at most one config file (-f may have named it).  Returns -1 to go
 * on, or 2 after a usage error.
 */
static int config_operands(int argc, char **argv, const char *cmd,
			   const char **file, struct xl_buf *overrides)
{
	for (; optind < argc; optind++) {
		if (strchr(argv[optind], '=')) {
			xl_buf_printf(overrides, "%s\n", argv[optind]);
		} else if (!*file) {
			*file = argv[optind];
		} else {
			fprintf(stderr,
				"xl %s: more than one config file given "
				"(`%s' and `%s')\n\n",
				cmd, *file, argv[optind]);
			xl_cmd_help(xl_cmd_find(cmd), 1);
			return 2;
		}
	}
	if (!*file) {
		fprintf(stderr, "xl %s: no config file given\n\n", cmd);
		xl_cmd_help(xl_cmd_find(cmd), 1);
		return 2;
	}
	return -1;
}

static int print_config(const char *cmd, json_object *j)
{
	printf("%s\n",
	       json_object_to_json_string_ext(
		   j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			  JSON_C_TO_STRING_NOSLASHESCAPE));
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "xl %s: writing the configuration: %s\n", cmd,
			strerror(errno));
		return 1;
	}
	return 0;
}

/* xl create -F: stay until the domain stops, and say how it did. */
static int wait_stopped(int domid)
{
	struct xl_ctl_err err;
	json_object *p = json_object_new_object(), *res = NULL, *v;
	const char *reason = NULL;
	int rc, code = 255;

	if (!p ||
	    json_object_object_add(p, "domain", json_object_new_int(domid))) {
		json_object_put(p);
		fprintf(stderr, "xl create: out of memory\n");
		return 1;
	}
	rc = xl_ctl_call("wait", p, &res, &err);
	json_object_put(p);
	if (rc == -ENOENT || rc == -ESRCH) {
		fprintf(stderr, "Domain %d has been destroyed.\n", domid);
		return 0;
	}
	if (rc) {
		xl_ctl_perror("create", rc, &err);
		return 1;
	}
	if (json_object_object_get_ex(res, "shutdown_reason", &v) && v)
		reason = json_object_get_string(v);
	/* Xen's reason codes (libxl_shutdown_reason) */
	if (!reason || !strcmp(reason, "poweroff"))
		code = 0;
	else if (!strcmp(reason, "reboot"))
		code = 1;
	else if (!strcmp(reason, "crash"))
		code = 3;
	fprintf(stderr, "Domain %d has shut down, reason code %d\n", domid,
		code);
	json_object_put(res);
	return 0;
}

int main_create(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dryrun", no_argument, NULL, 'n'},
	    {"paused", no_argument, NULL, 'p'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"defconfig", required_argument, NULL, 'f'},
	    {"vncviewer", no_argument, NULL, 'V'},
	    {"vncviewer-autopass", no_argument, NULL, 'A'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct xl_buf overrides = {0};
	const char *file = NULL;
	json_object *j = NULL;
	int dryrun = xl_globals.dryrun, quiet = xl_globals.quiet;
	int verbose = xl_globals.verbose;
	int paused = 0, console = 0, debug = 0, foreground = 0, domid = -1;
	char id[16];
	int opt, ret; /* ret: the exit status */

	while ((opt = xl_getopt(argc, argv, "npcqvf:deFVA", opts, "create",
				0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'n':
			dryrun = 1;
			break;
		case 'p':
			paused = 1;
			break;
		case 'c':
			console = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'f':
			file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'e':
			/* xld watches every domain: xl never waits behind */
			break;
		case 'F':
			foreground = 1;
			break;
		case 'V':
		case 'A':
			fprintf(stderr,
				"xl create: -%c: guests have no graphical "
				"display (VNC) here, only a serial console: "
				"use -c\n",
				opt);
			return 1;
		}
	}
	if (console && foreground) {
		fprintf(stderr, "xl create: -c and -F exclude each other: "
				"the console ends when the domain stops\n\n");
		xl_cmd_help(xl_cmd_find("create"), 1);
		return 2;
	}
	ret = config_operands(argc, argv, "create", &file, &overrides);
	if (ret >= 0)
		goto out;
	ret = xl_config_load("create", file, &overrides, quiet, verbose, &j);
	if (ret)
		goto out;
	/* as Xen's -d: the configuration as it goes to the daemon */
	if (dryrun || debug)
		ret = print_config("create", j);
	if (ret || dryrun)
		goto out;
	ret = create_in_xld(j, quiet, paused, &domid);
	if (!ret && console && domid > 0) {
		snprintf(id, sizeof(id), "%d", domid);
		ret = xl_console_attach(id);
	}
	if (!ret && foreground && domid > 0)
		ret = wait_stopped(domid);
out:
	json_object_put(j);
	xl_buf_dispose(&overrides);
	return ret;
}

/*
 * xl config-update DOMAIN [CONFIGFILE] [key=value...]: the config a
 * domain starts with at its next restart, parsed and resolved as create
 * does and kept by xld; the running guest is not changed (Xen's
 * warning says the same).
 */
int main_config_update(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"defconfig", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct xl_buf overrides = {0};
	const char *file = NULL, *dom;
	json_object *j = NULL, *params = NULL, *res = NULL, *v;
	int debug = 0, opt, ret;

	while ((opt = xl_getopt(argc, argv, "f:dq", opts, "config-update",
				1)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'f':
			file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'q':
			/* Xen accepts it and prints the same */
			break;
		}
	}
	dom = argv[optind++];
	fprintf(stderr, "WARNING: xl now has better capability to manage "
			"domain configuration, avoid using this command when "
			"possible\n");
	ret = config_operands(argc, argv, "config-update", &file, &overrides);
	if (ret >= 0)
		goto out;
	/* quiet: Xen says "Parsing config" for create only */
	ret = xl_config_load("config-update", file, &overrides, 1,
			  xl_globals.verbose, &j);
	if (ret)
		goto out;
	if (debug || xl_globals.dryrun)
		ret = print_config("config-update", j);
	if (ret || xl_globals.dryrun)
		goto out;
	params = xl_ctl_dom_params(dom);
	if (!params ||
	    json_object_object_add(params, "config", json_object_get(j))) {
		fprintf(stderr, "xl config-update: out of memory\n");
		ret = 1;
		goto out;
	}
	ret = xl_ctl_dom_call("config-update", "config-update", dom, params,
			      &res);
	if (ret)
		goto out;
	fprintf(stderr, "setting dom%d configuration\n",
		json_object_object_get_ex(res, "domid", &v)
		    ? json_object_get_int(v)
		    : -1);
out:
	json_object_put(res);
	json_object_put(params);
	json_object_put(j);
	xl_buf_dispose(&overrides);
	return ret;
}
