// SPDX-License-Identifier: GPL-2.0
/*
 * The commands that ask xld about domains or change them: list, destroy,
 * shutdown, reboot, pause, unpause, rename, domid, domname, uptime.  Each
 * parses its options, makes one request and prints the reply; the daemon
 * holds every piece of state and policy.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_domrows.h"

/* ---- reading replies ---- */

static const char *jstr(json_object *o, const char *key, const char *def)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

static int missing(int rc)
{
	return rc == -ENOENT || rc == -ESRCH;
}

/* Xen's reason codes (libxl_shutdown_reason) and list letters. */
static int reason_code(const char *r)
{
	if (!r || !strcmp(r, "poweroff"))
		return 0;
	if (!strcmp(r, "reboot"))
		return 1;
	if (!strcmp(r, "crash"))
		return 3;
	return 255;
}

static void state_letters(const struct xl_dom_row *d, char out[7])
{
	const char *st = d->state ? d->state : "";

	memcpy(out, "------", 7);
	if (!strcmp(st, "running"))
		out[0] = 'r';
	else if (!strcmp(st, "blocked"))
		out[1] = 'b';
	else if (!strcmp(st, "paused"))
		out[2] = 'p';
	else if (!strcmp(st, "dying"))
		out[5] = 'd';
	else if (!strcmp(st, "shutdown")) {
		out[3] = 's';
		out[4] = "-r-c"[reason_code(d->reason) & 3];
	}
}

/* ---- list ---- */

static void list_row(const struct xl_dom_row *d, int verbose)
{
	char letters[7];

	state_letters(d, letters);
	printf("%-40s %5d %5lu %5d     %s  %8.1f", d->name ? d->name : "?",
	       (int)d->domid, (unsigned long)(d->memory_kib / 1024),
	       (int)d->vcpus, letters, (double)d->cpu_time_ns / 1e9);
	if (verbose) {
		printf(" %s", d->uuid ? d->uuid : "-");
		if (d->state && !strcmp(d->state, "shutdown"))
			printf(" %8x", reason_code(d->reason));
		else
			printf(" %8s", "-");
		printf(" %16s", "-");
	}
	putchar('\n');
}

/*
 * The table's rows of every domain: xld's reply read as a stream (see
 * xl_domrows.c); anything else in the reply (an error) through json-c.
 */
static int list_rows_fetch(struct xl_dom_rows *rows, struct xl_ctl_err *err)
{
	json_object *res = NULL, *doms;
	char *line = NULL;
	size_t i, n;
	int rc;

	rc = xl_ctl_request("list", NULL, &line, err);
	if (!rc)
		rc = xl_dom_rows_parse(line, rows);
	if (rc != -EPROTO)
		goto out;
	xl_dom_rows_free(rows);
	rc = xl_ctl_reply(line, &res, err);
	if (rc)
		goto out;
	if (!json_object_object_get_ex(res, "domains", &doms) ||
	    !json_object_is_type(doms, json_type_array)) {
		rc = -EPROTO;
		snprintf(err->message, sizeof(err->message),
			 "xld's list has no domains array");
		goto out;
	}
	n = json_object_array_length(doms);
	for (i = 0; i < n && !rc; i++)
		rc = xl_dom_rows_add_json(rows,
					  json_object_array_get_idx(doms, i));
out:
	json_object_put(res);
	free(line);
	return rc;
}

/*
 * `xl list -l': each guest's configuration as xld keeps it, in a JSON
 * array of {"domid": N, "config": {...}} (Domain-0 has none).
 */
static int list_details(json_object *doms)
{
	struct xl_ctl_err err;
	json_object *out = json_object_new_array(), *info, *o, *cfg, *p;
	size_t i, n = json_object_array_length(doms);
	int rc, ret = 1;

	if (!out)
		goto oom;
	for (i = 0; i < n; i++) {
		int64_t domid =
		    jint(json_object_array_get_idx(doms, i), "domid");

		if (!domid)
			continue;
		p = json_object_new_object();
		if (!p || json_object_object_add(
			      p, "domain", json_object_new_int64(domid))) {
			json_object_put(p);
			goto oom;
		}
		rc = xl_ctl_call("info", p, &info, &err);
		json_object_put(p);
		if (missing(rc))
			continue; /* gone meanwhile */
		if (rc) {
			xl_ctl_perror("list", rc, &err);
			goto done;
		}
		o = json_object_new_object();
		if (!o || json_object_array_add(out, o)) {
			json_object_put(o);
			json_object_put(info);
			goto oom;
		}
		json_object_object_add(o, "domid",
				       json_object_new_int64(domid));
		if (json_object_object_get_ex(info, "config", &cfg))
			json_object_object_add(o, "config",
					       json_object_get(cfg));
		json_object_put(info);
	}
	printf("%s\n",
	       json_object_to_json_string_ext(
		   out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
	ret = fflush(stdout) || ferror(stdout) ? 1 : 0;
	goto done;
oom:
	fprintf(stderr, "xl list: out of memory\n");
done:
	json_object_put(out);
	return ret;
}

int main_list(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"verbose", no_argument, NULL, 'v'},
	    {"json", no_argument, NULL, 'j'},
	    {"long", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct xl_ctl_err err;
	struct xl_dom_rows rows = {0};
	json_object *res = NULL, *params = NULL, *doms = NULL, *one = NULL;
	int verbose = 0, as_json = 0, details = 0, opt, rc, ret = 1;
	size_t i;

	while ((opt = xl_getopt(argc, argv, "vjl", opts, "list", 0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'l':
			details = 1;
			break;
		}
	}
	if (argc - optind > 1) {
		xl_cmd_help(xl_cmd_find("list"), 1);
		return 2;
	}
	if (optind < argc) {
		params = xl_ctl_dom_params(argv[optind]);
		rc = params ? xl_ctl_call("info", params, &one, &err) : -ENOMEM;
		if (missing(rc)) {
			fprintf(stderr, "Error: Domain '%s' does not exist.\n",
				argv[optind]);
			goto out;
		}
		if (!rc) {
			json_object_object_del(one, "config");
			res = json_object_new_array();
			if (!res || json_object_array_add(res, one)) {
				json_object_put(one);
				rc = -ENOMEM;
			}
			doms = res;
		}
	} else if (!as_json && !details) {
		rc = list_rows_fetch(&rows, &err);
	} else {
		rc = xl_ctl_call("list", NULL, &res, &err);
		if (!rc && (!json_object_object_get_ex(res, "domains", &doms) ||
			    !json_object_is_type(doms, json_type_array))) {
			rc = -EPROTO;
			snprintf(err.message, sizeof(err.message),
				 "xld's list has no domains array");
			err.name[0] = '\0';
		}
	}
	if (rc) {
		xl_ctl_perror("list", rc, &err);
		goto out;
	}
	if (details) {
		ret = list_details(doms);
		goto out;
	}
	if (as_json) {
		printf("%s\n", json_object_to_json_string_ext(
				   doms, JSON_C_TO_STRING_PRETTY |
					     JSON_C_TO_STRING_SPACED |
					     JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		/* one domain: its row from the info reply */
		if (doms && xl_dom_rows_add_json(
				&rows, json_object_array_get_idx(doms, 0))) {
			fprintf(stderr, "xl list: out of memory\n");
			goto out;
		}
		printf("Name                                        ID   Mem "
		       "VCPUs\tState\tTime(s)");
		if (verbose)
			printf("   UUID                            "
			       "Reason-Code\tSecurity Label");
		putchar('\n');
		for (i = 0; i < rows.n; i++)
			list_row(&rows.row[i], verbose);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "xl list: writing the list: %s\n",
			strerror(errno));
		goto out;
	}
	ret = 0;
out:
	xl_dom_rows_free(&rows);
	json_object_put(params);
	json_object_put(res);
	return ret;
}

/* ---- one request about one domain ---- */

/* Commands of the form `xl CMD [-h] <Domain>'. */
static int simple(int argc, char **argv, const char *cmd)
{
	int rc = xl_operands(argc, argv, cmd, 1, 1);

	if (rc >= 0)
		return rc;
	return xl_ctl_dom_call(cmd, cmd, argv[optind], NULL, NULL);
}

int main_destroy(int argc, char **argv)
{
	return simple(argc, argv, "destroy");
}

int main_pause(int argc, char **argv)
{
	return simple(argc, argv, "pause");
}

int main_unpause(int argc, char **argv)
{
	return simple(argc, argv, "unpause");
}

static void print_stopped(json_object *res)
{
	const char *reason = NULL;
	json_object *v;

	if (json_object_object_get_ex(res, "shutdown_reason", &v) && v)
		reason = json_object_get_string(v);
	fprintf(stderr, "Domain %d has been shut down, reason code %d\n",
		(int)jint(res, "domid"), reason_code(reason));
}

/* shutdown/reboot -a: every guest that runs; -w: then wait for each. */
static int stop_all(const char *cmd, int wait)
{
	struct xl_ctl_err err;
	json_object *list = NULL, *doms, *d, *p, *res;
	int64_t *ids = NULL;
	size_t i, n, nids = 0;
	int rc, ret = 0;

	rc = xl_ctl_call("list", NULL, &list, &err);
	if (rc) {
		xl_ctl_perror(cmd, rc, &err);
		return 1;
	}
	if (!json_object_object_get_ex(list, "domains", &doms) ||
	    !json_object_is_type(doms, json_type_array)) {
		fprintf(stderr, "xl %s: xld's list has no domains\n", cmd);
		ret = 1;
		goto out;
	}
	n = json_object_array_length(doms);
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		fprintf(stderr, "xl %s: out of memory\n", cmd);
		ret = 1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		d = json_object_array_get_idx(doms, i);
		if (!jint(d, "domid") ||
		    !strcmp(jstr(d, "state", ""), "shutdown"))
			continue;
		p = json_object_new_object();
		if (!p) {
			ret = 1;
			continue;
		}
		json_object_object_add(p, "domain",
				       json_object_new_int64(jint(d, "domid")));
		if (xl_ctl_dom_call(cmd, cmd, jstr(d, "name", "?"), p, NULL))
			ret = 1;
		else
			ids[nids++] = jint(d, "domid");
		json_object_put(p);
	}
	if (!wait || !nids)
		goto out;
	fprintf(stderr, "Waiting for %zu domains\n", nids);
	for (i = 0; i < nids; i++) {
		p = json_object_new_object();
		if (!p) {
			ret = 1;
			continue;
		}
		json_object_object_add(p, "domain",
				       json_object_new_int64(ids[i]));
		rc = xl_ctl_call("wait", p, &res, &err);
		json_object_put(p);
		if (rc == -ENOENT || rc == -ESRCH) {
			fprintf(stderr, "Domain %d has been destroyed.\n",
				(int)ids[i]);
			continue;
		}
		if (rc) {
			xl_ctl_perror(cmd, rc, &err);
			ret = 1;
			continue;
		}
		print_stopped(res);
		json_object_put(res);
	}
out:
	free(ids);
	json_object_put(list);
	return ret;
}

static int stop(int argc, char **argv, const char *cmd)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"wait", no_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	json_object *params = NULL, *res = NULL;
	int all = 0, wait = 0, opt, ret;

	while ((opt = xl_getopt(argc, argv, "awF", opts, cmd, 0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'a':
			all = 1;
			break;
		case 'w':
			wait = 1;
			break;
		case 'F':
			/* every guest has the ACPI fallback: nothing to do */
			break;
		}
	}
	if (argc - optind != (all ? 0 : 1)) {
		fprintf(stderr, "xl %s: %s\n\n", cmd,
			all ? "-a takes no domain" : "give one domain, or -a");
		xl_cmd_help(xl_cmd_find(cmd), 1);
		return 2;
	}
	if (all)
		return stop_all(cmd, wait);
	params = xl_ctl_dom_params(argv[optind]);
	if (!params) {
		fprintf(stderr, "xl %s: out of memory\n", cmd);
		return 1;
	}
	if (wait) {
		json_object_object_add(params, "wait",
				       json_object_new_boolean(1));
		fprintf(stderr, "Waiting for 1 domains\n");
	}
	ret = xl_ctl_dom_call(cmd, cmd, argv[optind], params, &res);
	if (!ret && wait)
		print_stopped(res);
	json_object_put(res);
	json_object_put(params);
	return ret;
}

int main_shutdown(int argc, char **argv)
{
	return stop(argc, argv, "shutdown");
}

int main_reboot(int argc, char **argv)
{
	return stop(argc, argv, "reboot");
}

int main_rename(int argc, char **argv)
{
	json_object *params;
	int ret;

	ret = xl_operands(argc, argv, "rename", 2, 2);
	if (ret >= 0)
		return ret;
	params = xl_ctl_dom_params(argv[optind]);
	if (!params ||
	    json_object_object_add(params, "name",
				   json_object_new_string(argv[optind + 1]))) {
		fprintf(stderr, "xl rename: out of memory\n");
		json_object_put(params);
		return 1;
	}
	ret = xl_ctl_dom_call("rename", "rename", argv[optind], params, NULL);
	json_object_put(params);
	return ret;
}

int main_domid(int argc, char **argv)
{
	struct xl_ctl_err err;
	json_object *params, *res = NULL;
	int rc;

	rc = xl_operands(argc, argv, "domid", 1, 1);
	if (rc >= 0)
		return rc;
	params = xl_ctl_dom_params(argv[optind]);
	rc = params ? xl_ctl_call("domid", params, &res, &err) : -ENOMEM;
	json_object_put(params);
	if (missing(rc) && err.name[0]) {
		fprintf(stderr,
			"Can't get domid of domain name '%s', maybe this "
			"domain does not exist.\n",
			argv[optind]);
		return 1;
	}
	if (rc) {
		xl_ctl_perror("domid", rc, &err);
		return 1;
	}
	printf("%d\n", (int)jint(res, "domid"));
	json_object_put(res);
	return 0;
}

int main_domname(int argc, char **argv)
{
	struct xl_ctl_err err;
	json_object *params, *res = NULL;
	const char *s;
	int rc;

	rc = xl_operands(argc, argv, "domname", 1, 1);
	if (rc >= 0)
		return rc;
	s = argv[optind];
	if (!*s || strspn(s, "0123456789") != strlen(s)) {
		fprintf(stderr, "Invalid domain id.\n\n");
		return 1;
	}
	params = xl_ctl_dom_params(s);
	rc = params ? xl_ctl_call("domname", params, &res, &err) : -ENOMEM;
	json_object_put(params);
	if (missing(rc) && err.name[0]) {
		fprintf(stderr,
			"Can't get domain name of domain id '%s', maybe this "
			"domain does not exist.\n",
			s);
		return 1;
	}
	if (rc) {
		xl_ctl_perror("domname", rc, &err);
		return 1;
	}
	printf("%s\n", jstr(res, "name", ""));
	json_object_put(res);
	return 0;
}

/* ---- uptime ---- */

static void uptime_str(long up, int short_mode, char *buf, size_t len)
{
	long day, hour, min, sec;

	if (up < 0)
		up = 0;
	day = up / 86400;
	hour = up % 86400 / 3600;
	min = up % 3600 / 60;
	sec = up % 60;
	if (short_mode) {
		if (day)
			snprintf(buf, len, "%ld day%s, %2ld:%02ld", day,
				 day > 1 ? "s" : "", hour, min);
		else
			snprintf(buf, len, "%2ld:%02ld", hour, min);
	} else if (day) {
		snprintf(buf, len, "%ld day%s, %2ld:%02ld:%02ld", day,
			 day > 1 ? "s" : "", hour, min, sec);
	} else {
		snprintf(buf, len, "%2ld:%02ld:%02ld", hour, min, sec);
	}
}

static void uptime_row(json_object *d, int short_mode, time_t now)
{
	char up[64], clock[16];
	struct tm tm;

	uptime_str((long)(now - (time_t)jint(d, "start_time")), short_mode, up,
		   sizeof(up));
	if (short_mode) {
		localtime_r(&now, &tm);
		strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
		printf(" %s up %s, %s (%d)\n", clock, up, jstr(d, "name", "?"),
		       (int)jint(d, "domid"));
	} else {
		printf("%-33s %4d %s\n", jstr(d, "name", "?"),
		       (int)jint(d, "domid"), up);
	}
}

int main_uptime(int argc, char **argv)
{
	struct xl_ctl_err err;
	json_object *res = NULL, *doms;
	time_t now = time(NULL);
	int short_mode = 0, opt, rc, i, ret = 0;
	size_t k, n;

	while ((opt = xl_getopt(argc, argv, "s", NULL, "uptime", 0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 's':
			short_mode = 1;
			break;
		}
	}
	if (optind == argc) {
		rc = xl_ctl_call("list", NULL, &res, &err);
		if (rc) {
			xl_ctl_perror("uptime", rc, &err);
			return 1;
		}
		if (!short_mode)
			printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
		if (json_object_object_get_ex(res, "domains", &doms)) {
			n = json_object_array_length(doms);
			for (k = 0; k < n; k++)
				uptime_row(json_object_array_get_idx(doms, k),
					   short_mode, now);
		}
		json_object_put(res);
		return 0;
	}
	if (!short_mode)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	for (i = optind; i < argc; i++) {
		if (xl_ctl_dom_call("uptime", "info", argv[i], NULL, &res)) {
			ret = 1;
			continue;
		}
		uptime_row(res, short_mode, now);
		json_object_put(res);
		res = NULL;
	}
	return ret;
}
