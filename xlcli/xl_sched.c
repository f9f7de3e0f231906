// SPDX-License-Identifier: GPL-2.0
/*
 * xl sched-credit: each domain's CPU weight and cap, in Xen's format.
 * xld realises them with cgroups (xld(8), "CPU WEIGHT AND CAP"); the one
 * pool, Pool-0, shows the credit scheduler's defaults, which Linux's
 * scheduler has no knob for.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static int jint(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_int(v) : 0;
}

static void pool_line(json_object *res)
{
	json_object *p = jget(res, "pool");
	json_object *name = jget(p, "name");

	printf("Cpupool %s: tslice=%dms ratelimit=%dus migration-delay=%dus\n",
	       name ? json_object_get_string(name) : "Pool-0",
	       jint(p, "tslice_ms"), jint(p, "ratelimit_us"),
	       jint(p, "migration_delay_us"));
}

/* Xen's table: a header, then one row per domain. */
static void rows(json_object *res)
{
	json_object *a = jget(res, "domains"), *o;
	size_t i;

	printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	for (i = 0; a && i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		printf("%-33s %4d %6d %4d\n",
		       json_object_get_string(jget(o, "name")),
		       jint(o, "domid"), jint(o, "weight"), jint(o, "cap"));
	}
}

/* A whole decimal number (a sign allowed: xld says what is out of range). */
static int parse_num(const char *what, const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (!*s || *end || errno) {
		fprintf(stderr, "xl sched-credit: invalid %s '%s'\n", what, s);
		return -EINVAL;
	}
	return 0;
}

static int set(const char *dom, const long long *w, const long long *c)
{
	json_object *params = xl_ctl_dom_params(dom);
	int ret;

	if (!params ||
	    (w && json_object_object_add(params, "weight",
					 json_object_new_int64(*w))) ||
	    (c && json_object_object_add(params, "cap",
					 json_object_new_int64(*c)))) {
		json_object_put(params);
		fprintf(stderr, "xl sched-credit: out of memory\n");
		return 1;
	}
	ret = xl_ctl_dom_call("sched-credit", "sched-credit-set", dom, params,
			      NULL);
	json_object_put(params);
	return ret;
}

int main_sched_credit(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"domain", required_argument, NULL, 'd'},
	    {"weight", required_argument, NULL, 'w'},
	    {"cap", required_argument, NULL, 'c'},
	    {"cpupool", required_argument, NULL, 'p'},
	    {"schedparam", no_argument, NULL, 's'},
	    {"tslice_ms", required_argument, NULL, 't'},
	    {"ratelimit_us", required_argument, NULL, 'r'},
	    {"migration_delay_us", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dom = NULL, *pool = NULL;
	long long w = 0, c = 0;
	bool opt_w = false, opt_c = false, opt_s = false, opt_param = false;
	struct xl_ctl_err err;
	json_object *res = NULL;
	int opt, rc;

	while ((opt = xl_getopt(argc, argv, "d:w:c:p:st:r:m:", opts,
				"sched-credit", 0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'd':
			dom = optarg;
			break;
		case 'w':
			if (parse_num("weight", optarg, &w))
				return 1;
			opt_w = true;
			break;
		case 'c':
			if (parse_num("cap", optarg, &c))
				return 1;
			opt_c = true;
			break;
		case 'p':
			pool = optarg;
			break;
		case 's':
			opt_s = true;
			break;
		case 't':
		case 'r':
		case 'm':
			opt_param = true;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xl sched-credit: unexpected argument `%s'\n\n",
			argv[optind]);
		xl_cmd_help(xl_cmd_find("sched-credit"), 1);
		return 2;
	}
	/* Xen's checks, in Xen's order and words */
	if ((pool || opt_s) && (dom || opt_w || opt_c)) {
		fprintf(stderr, "Specifying a cpupool or schedparam is not "
				"allowed with domain options.\n");
		return 1;
	}
	if (!dom && (opt_w || opt_c)) {
		fprintf(stderr, "Must specify a domain.\n");
		return 1;
	}
	if (!opt_s && opt_param) {
		fprintf(stderr, "Must specify schedparam to set schedule "
				"parameter values.\n");
		return 1;
	}
	if (pool && strcmp(pool, "Pool-0") && strcmp(pool, "0")) {
		fprintf(stderr, "unknown cpupool '%s'\n", pool);
		return 1;
	}
	if (opt_param) {
		fprintf(stderr, "xl sched-credit: the time slice, rate limit "
				"and migration delay are Linux's scheduler's "
				"here: they cannot be set\n");
		return 1;
	}
	if (dom && (opt_w || opt_c))
		return set(dom, opt_w ? &w : NULL, opt_c ? &c : NULL);
	if (dom) {
		rc = xl_ctl_dom_call("sched-credit", "sched-credit-get", dom,
				     NULL, &res);
		if (!rc)
			rows(res);
		json_object_put(res);
		return rc;
	}
	rc = xl_ctl_call("sched-credit-get", NULL, &res, &err);
	if (rc) {
		xl_ctl_perror("sched-credit", rc, &err);
		return 1;
	}
	pool_line(res);
	if (!opt_s)
		rows(res);
	json_object_put(res);
	return 0;
}
