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

int main_create(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dryrun", no_argument, NULL, 'n'},
	    {"paused", no_argument, NULL, 'p'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"defconfig", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct xl_buf overrides = {0};
	struct xl_diag diag = {0};
	struct xl_domcfg dc = {0};
	struct xl_cfg *cfg = NULL;
	const char *file = NULL;
	json_object *j = NULL;
	int dryrun = xl_globals.dryrun, quiet = xl_globals.quiet;
	int verbose = xl_globals.verbose;
	int resolved = 0, paused = 0, console = 0, domid = -1;
	char id[16];
	int opt, rc, ret; /* rc: 0 or -errno; ret: the exit status */

	while ((opt = xl_getopt(argc, argv, "npcqvf:", opts, "create", 0)) !=
	       -1) {
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
		}
	}
	for (; optind < argc; optind++) {
		if (strchr(argv[optind], '=')) {
			xl_buf_printf(&overrides, "%s\n", argv[optind]);
		} else if (!file) {
			file = argv[optind];
		} else {
			fprintf(stderr,
				"xl create: more than one config file given "
				"(`%s' and `%s')\n\n",
				file, argv[optind]);
			xl_cmd_help(xl_cmd_find("create"), 1);
			ret = 2;
			goto out;
		}
	}
	if (!file) {
		fprintf(stderr, "xl create: no config file given\n\n");
		xl_cmd_help(xl_cmd_find("create"), 1);
		ret = 2;
		goto out;
	}
	if (overrides.oom) {
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
		ret = 1;
		goto out;
	}
	if (!rc && overrides.len)
		rc = xl_cfg_parse(cfg, "command line", overrides.s,
				  overrides.len, &diag);
	if (rc)
		goto fail;
	rc = xl_domcfg_resolve(cfg, &dc, &diag, host_random, NULL);
	if (rc)
		goto fail;
	resolved = 1;
	print_diag(&diag, verbose);

	j = xl_domcfg_to_json(&dc);
	if (!j) {
		rc = -ENOMEM;
		goto fail;
	}
	if (!dryrun) {
		ret = create_in_xld(j, quiet, paused, &domid);
		if (!ret && console && domid > 0) {
			snprintf(id, sizeof(id), "%d", domid);
			ret = xl_console_attach(id);
		}
		goto out;
	}
	printf("%s\n",
	       json_object_to_json_string_ext(
		   j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			  JSON_C_TO_STRING_NOSLASHESCAPE));
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "xl create: writing the configuration: %s\n",
			strerror(errno));
		ret = 1;
		goto out;
	}
	ret = 0;
	goto out;
fail:
	print_diag(&diag, verbose);
	if (rc == -ENOMEM)
		fprintf(stderr, "xl create: out of memory\n");
	else
		fprintf(stderr, "Failed to parse config: %s\n", strerror(-rc));
	ret = 1;
out:
	json_object_put(j);
	if (resolved)
		xl_domcfg_dispose(&dc);
	xl_cfg_free(cfg);
	xl_diag_dispose(&diag);
	xl_buf_dispose(&overrides);
	return ret;
}
