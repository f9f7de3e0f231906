// SPDX-License-Identifier: GPL-2.0
/*
 * xl vcpu-list, xl vcpu-pin and xl vcpu-set.  A guest's vCPUs are the
 * "vcpu<N>" threads of its monitor: xld reads where each last ran, its
 * state, CPU time and affinity from them, and pins them
 * (sched_setaffinity); xl prints Xen's table.  Linux has no soft
 * affinity: it reads "all".  vcpu-set is ACPI CPU hotplug, up to the
 * domain's maxvcpus.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_domcfg.h"
#include "xlcli/xl_util.h"

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_int64(v) : 0;
}

static void vcpu_rows(json_object *res)
{
	json_object *a = jget(res, "vcpus"), *o, *aff;
	const char *name = json_object_get_string(jget(res, "name"));
	char cpu[16], state[4];
	size_t i;

	for (i = 0; a && i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		if (json_object_get_boolean(jget(o, "online"))) {
			snprintf(cpu, sizeof(cpu), "%d", (int)jint(o, "cpu"));
			state[0] = json_object_get_boolean(jget(o, "running"))
				       ? 'r'
				       : '-';
			state[1] = state[0] == 'r' ? '-' : 'b';
			state[2] = json_object_get_boolean(jget(o, "paused"))
				       ? 'p'
				       : '-';
		} else {
			snprintf(cpu, sizeof(cpu), "-");
			memcpy(state, "--p", 3);
		}
		state[3] = '\0';
		aff = jget(o, "affinity");
		printf("%-32s %5d %5d %5s %5s %9.1f  %s / all\n", name,
		       (int)jint(res, "domid"), (int)jint(o, "vcpu"), cpu,
		       state, (double)jint(o, "cpu_time_ns") / 1e9,
		       aff ? json_object_get_string(aff) : "all");
	}
}

static int list_one(const char *dom)
{
	json_object *res = NULL;
	int rc = xl_ctl_dom_call("vcpu-list", "vcpus", dom, NULL, &res);

	if (!rc)
		vcpu_rows(res);
	json_object_put(res);
	return rc;
}

int main_vcpu_list(int argc, char **argv)
{
	struct xl_ctl_err err;
	json_object *res = NULL, *doms, *d;
	char id[16];
	int rc, ret = 0;
	size_t i;

	rc = xl_operands(argc, argv, "vcpu-list", 0, -1);
	if (rc >= 0)
		return rc;
	if (optind == argc) {
		rc = xl_ctl_call("list", NULL, &res, &err);
		if (rc) {
			xl_ctl_perror("vcpu-list", rc, &err);
			return 1;
		}
	}
	printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU",
	       "State", "Time(s)", "Affinity (Hard / Soft)");
	if (res) {
		doms = jget(res, "domains");
		for (i = 0; doms && i < json_object_array_length(doms); i++) {
			d = json_object_array_get_idx(doms, i);
			if (!jint(d, "domid"))
				continue; /* Domain-0: the host's CPUs */
			snprintf(id, sizeof(id), "%d", (int)jint(d, "domid"));
			/* one destroyed meanwhile is said, not an error */
			list_one(id);
		}
		json_object_put(res);
		return ret;
	}
	for (; optind < argc; optind++)
		if (list_one(argv[optind]))
			ret = 1;
	return ret;
}

int main_vcpu_pin(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	json_object *params = NULL;
	const char *dom, *vcpu, *hard, *soft, *why = NULL;
	char *cpus = NULL;
	unsigned long n;
	int opt, rc, ret = 1;

	while ((opt = xl_getopt(argc, argv, "f", opts, "vcpu-pin", 3)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'f':
			break; /* no Domain-0 affinity to protect here */
		}
	}
	if (argc - optind > 4) {
		fprintf(stderr, "xl vcpu-pin: unexpected argument `%s'\n\n",
			argv[optind + 4]);
		xl_cmd_help(xl_cmd_find("vcpu-pin"), 1);
		return 2;
	}
	dom = argv[optind];
	vcpu = argv[optind + 1];
	hard = argv[optind + 2];
	soft = optind + 3 < argc ? argv[optind + 3] : "-";
	if (strcmp(vcpu, "all") && (xl_parse_ulong(vcpu, 10, &n) || n > 4095)) {
		fprintf(stderr, "Invalid vcpu id: %s\n", vcpu);
		return 1;
	}
	if (strcmp(soft, "-") && strcmp(soft, "all")) {
		fprintf(stderr, "xl vcpu-pin: soft affinity is not "
				"supported here (Linux schedules by hard "
				"affinity only): give - or all\n");
		return 1;
	}
	if (!strcmp(hard, "-")) /* nothing to change, if @dom is there */
		return xl_ctl_dom_call("vcpu-pin", "domid", dom, NULL, NULL);
	rc = xl_cpulist_parse(hard, &cpus, &why);
	if (rc) {
		fprintf(stderr, "xl vcpu-pin: invalid CPU list '%s': %s\n",
			hard, why ? why : strerror(-rc));
		return 1;
	}
	if (strstr(cpus, "node")) {
		fprintf(stderr, "xl vcpu-pin: NUMA node lists are not "
				"supported: name the CPUs\n");
		goto out;
	}
	params = xl_ctl_dom_params(dom);
	if (!params ||
	    json_object_object_add(
		params, "vcpu",
		json_object_new_int64(strcmp(vcpu, "all") ? (int64_t)n : -1)) ||
	    json_object_object_add(params, "cpus",
				   json_object_new_string(cpus))) {
		fprintf(stderr, "xl vcpu-pin: out of memory\n");
		goto out;
	}
	ret = xl_ctl_dom_call("vcpu-pin", "vcpu-pin", dom, params, NULL);
out:
	json_object_put(params);
	free(cpus);
	return ret;
}

/*
 * Xen refuses more vCPUs than the host has CPUs unless --ignore-host, and
 * only when the count grows: 1 (said) if @want would overcommit @dom.
 */
static int overcommits(const char *dom, unsigned long want)
{
	long host = sysconf(_SC_NPROCESSORS_ONLN);
	json_object *res = NULL;
	int64_t online;

	if (host < 1 || want <= (unsigned long)host)
		return 0;
	if (xl_ctl_dom_call("vcpu-set", "info", dom, NULL, &res))
		return -1;
	online = jint(res, "vcpus");
	json_object_put(res);
	if (want <= (unsigned long)online)
		return 0;
	/* xl's words (and its spelling) */
	fprintf(stderr, "You are overcommmitting! You have %ld physical CPUs "
		"and want %lu vCPUs! Aborting, use --ignore-host to  "
		"continue\n", host, want);
	return 1;
}

int main_vcpu_set(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ignore-host", no_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	json_object *params = NULL;
	const char *dom, *count;
	int opt, check_host = 1, ret = 1;
	unsigned long n;
	char *end;

	while ((opt = xl_getopt(argc, argv, "i", opts, "vcpu-set", 2)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'i':
			check_host = 0;
			break;
		}
	}
	if (argc - optind > 2) {
		fprintf(stderr, "xl vcpu-set: unexpected argument `%s'\n\n",
			argv[optind + 2]);
		xl_cmd_help(xl_cmd_find("vcpu-set"), 1);
		return 2;
	}
	dom = argv[optind];
	count = argv[optind + 1];
	errno = 0;
	n = strtoul(count, &end, 10);
	if (end == count || *end || errno || n > INT_MAX ||
	    strchr(count, '-')) {
		fprintf(stderr, "Error: Invalid argument %s as number of "
			"vcpus.\n", count);
		return 1;
	}
	if (n == 0)
		return 0;	/* "quietly ignored", as xl(1) says */
	if (check_host) {
		opt = overcommits(dom, n);
		if (opt)
			return 1;
	}
	params = xl_ctl_dom_params(dom);
	if (!params || json_object_object_add(params, "vcpus",
					      json_object_new_int64(
						      (int64_t)n))) {
		fprintf(stderr, "xl vcpu-set: out of memory\n");
		goto out;
	}
	ret = xl_ctl_dom_call("vcpu-set", "vcpu-set", dom, params, NULL);
out:
	json_object_put(params);
	return ret;
}
