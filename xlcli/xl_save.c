// SPDX-License-Identifier: GPL-2.0
/*
 * xl save and xl restore, as Xen's: the file is Xen's xl header and the
 * domain's JSON config (xl_savefile.c), then the xlhv migration stream
 * the monitor writes through xld.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_save.h"
#include "xlcli/xl_savefile.h"

int xl_dom_do(const char *method, int domid, const char *newname)
{
	struct xl_ctl_err err;
	json_object *p = json_object_new_object(), *res = NULL;
	int rc;

	if (!p)
		return -ENOMEM;
	json_object_object_add(p, "domain", json_object_new_int(domid));
	if (newname)
		json_object_object_add(p, "name",
				       json_object_new_string(newname));
	rc = xl_ctl_call(method, p, &res, &err);
	json_object_put(p);
	json_object_put(res);
	return rc;
}

int xl_dom_config(const char *cmd, const char *dom, const char *cfgfile,
		  int keep_domid, const char *nocfg_msg, int *domid,
		  char **name, json_object **cfg)
{
	json_object *res = NULL, *v, *c = NULL;
	int ret;

	ret = xl_ctl_dom_call(cmd, "info", dom, NULL, &res);
	if (ret)
		return ret;
	*domid = json_object_object_get_ex(res, "domid", &v)
			 ? json_object_get_int(v)
			 : -1;
	if (*domid <= 0) {
		fprintf(stderr, "xl %s: Domain-0 cannot be %s\n", cmd,
			strcmp(cmd, "save") ? "migrated" : "saved");
		ret = 1;
		goto out;
	}
	if (cfgfile) {
		ret = xl_config_load(cmd, cfgfile, NULL, 0, 0, &c);
		if (ret) {
			fprintf(stderr, "unable to read overridden config "
					"file\n");
			goto out;
		}
	} else if (json_object_object_get_ex(res, "config", &v) &&
		   json_object_is_type(v, json_type_object)) {
		/* a copy: the reply's is borrowed */
		c = json_tokener_parse(json_object_to_json_string(v));
	}
	if (!c) {
		fprintf(stderr, "%s", nocfg_msg);
		ret = 1;
		goto out;
	}
	json_object_object_del(c, "domid");
	if (keep_domid && !cfgfile)
		json_object_object_add(c, "domid", json_object_new_int(*domid));
	*name = strdup(json_object_object_get_ex(res, "name", &v)
			   ? json_object_get_string(v)
			   : "");
	if (!*name) {
		fprintf(stderr, "xl %s: out of memory\n", cmd);
		ret = 1;
		goto out;
	}
	*cfg = c;
	c = NULL;
out:
	json_object_put(c);
	json_object_put(res);
	return ret;
}

/* ---- progress ---- */

struct progress {
	int shown;
};

static uint64_t pu64(json_object *p, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(p, key, &v)
		   ? (uint64_t)json_object_get_int64(v)
		   : 0;
}

static void show_progress(void *arg, json_object *p)
{
	struct progress *pr = arg;
	json_object *v;
	int paused = json_object_object_get_ex(p, "paused", &v) &&
		     json_object_get_boolean(v);

	printf("\rpass %llu%s: %llu/%llu pages sent, %llu dirty, dirty rate "
	       "%llu pages/s, %.1f MiB/s, est. downtime %llu ms\033[K",
	       (unsigned long long)pu64(p, "pass"), paused ? " (paused)" : "",
	       (unsigned long long)pu64(p, "pages_sent"),
	       (unsigned long long)pu64(p, "pages_total"),
	       (unsigned long long)pu64(p, "pages_dirty"),
	       (unsigned long long)pu64(p, "dirty_pages_per_s"),
	       (double)pu64(p, "bytes_per_s") / (1024.0 * 1024.0),
	       (unsigned long long)pu64(p, "est_downtime_ms"));
	fflush(stdout);
	pr->shown = 1;
}

int xl_send(const char *cmd, int domid, int fd, const char *flags,
	    uint32_t max_downtime_ms, uint64_t max_bytes_per_s,
	    volatile sig_atomic_t *stop)
{
	struct xl_ctl_err err;
	struct progress pr = {0};
	json_object *p = json_object_new_object(), *res = NULL, *a;
	char *list = strdup(flags), *tok, *save = NULL;
	int rc = -ENOMEM;

	a = json_object_new_array();
	if (!p || !a || !list) {
		json_object_put(a);
		goto out;
	}
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_object_array_add(a, json_object_new_string(tok));
	json_object_object_add(p, "domain", json_object_new_int(domid));
	json_object_object_add(p, "flags", a);
	if (max_downtime_ms)
		json_object_object_add(p, "max_downtime_ms",
				       json_object_new_int64(max_downtime_ms));
	if (max_bytes_per_s)
		json_object_object_add(
		    p, "max_bytes_per_s",
		    json_object_new_int64((int64_t)max_bytes_per_s));
	/* progress only for a person watching */
	rc = xl_ctl_call_fd("send", p, fd,
			    isatty(STDOUT_FILENO) ? show_progress : NULL, &pr,
			    stop, &res, &err, NULL);
	if (pr.shown) {
		printf("\n");
		fflush(stdout);
	}
	if (rc)
		xl_ctl_perror(cmd, rc, &err);
out:
	if (rc == -ENOMEM && !p)
		fprintf(stderr, "xl %s: out of memory\n", cmd);
	free(list);
	json_object_put(res);
	json_object_put(p);
	return rc;
}

/* ---- xl save ---- */

int main_save(int argc, char **argv)
{
	const char *dom, *file, *cfgfile = NULL;
	int checkpoint = 0, leavepaused = 0, keep_domid = 0;
	json_object *cfg = NULL;
	char *name = NULL;
	int domid, fd = -1, opt, ret, rc;

	while ((opt = xl_getopt(argc, argv, "cpD", NULL, "save", 2)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'c':
			checkpoint = 1;
			break;
		case 'p':
			leavepaused = 1;
			break;
		case 'D':
			keep_domid = 1;
			break;
		}
	}
	if (argc - optind > 3) {
		xl_cmd_help(xl_cmd_find("save"), 1);
		return 1;
	}
	dom = argv[optind];
	file = argv[optind + 1];
	if (argc - optind == 3)
		cfgfile = argv[optind + 2];
	ret = xl_dom_config("save", dom, cfgfile, keep_domid,
			    "unable to retrieve domain configuration\n",
			    &domid, &name, &cfg);
	if (ret)
		goto out;
	ret = 1;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "Failed to open temp file %s for writing\n",
			file);
		goto out;
	}
	rc = xl_savefile_write(fd, file, cfg);
	if (rc) {
		fprintf(stderr, "xl: fatal error: writing the header to %s: "
				"%s\n",
			file, strerror(-rc));
		goto out;
	}
	/* -c runs on at once; otherwise it stays paused until the file is
	 * on disk, and only then goes */
	rc = xl_send("save", domid, fd, checkpoint ? "resume" : "", 0, 0,
		     NULL);
	if (!rc && fsync(fd) < 0) {
		rc = -errno;
		fprintf(stderr, "xl save: %s: %s\n", file, strerror(errno));
	}
	if (!rc && close(fd) < 0) {
		rc = -errno;
		fprintf(stderr, "xl save: %s: %s\n", file, strerror(errno));
	}
	fd = -1;
	if (rc) {
		fprintf(stderr, "Failed to save domain, resuming domain\n");
		/* the monitor runs a failed send's guest on; one the file
		 * failed after is paused */
		if (!checkpoint)
			xl_dom_do("unpause", domid, NULL);
		goto out;
	}
	ret = 0;
	if (leavepaused || checkpoint)
		goto out;
	rc = xl_dom_do("destroy", domid, NULL);
	if (rc) {
		fprintf(stderr, "xl save: the domain is saved but could not be "
				"destroyed: %s\n",
			strerror(-rc));
		ret = 1;
	}
out:
	if (fd >= 0)
		close(fd);
	free(name);
	json_object_put(cfg);
	return ret;
}

/* ---- xl restore, and what migrate-receive shares ---- */

int xl_recv_domain(int fd, const char *source, const char *cfgfile,
		   const char *suffix, int quiet, int debug, int *domid,
		   char **name, int *hold)
{
	struct xl_ctl_err err;
	json_object *cfg = NULL, *p = NULL, *res = NULL, *v;
	char *saved = NULL, *newname = NULL;
	const char *n;
	int rc;

	rc = xl_savefile_read(fd, source, &saved);
	if (rc)
		goto out;
	if (cfgfile) {
		rc = xl_config_load("restore", cfgfile, NULL, quiet, 0, &cfg)
			 ? -EINVAL
			 : 0;
		if (rc)
			goto out;
	} else if (!saved) {
		fprintf(stderr, "Config file not specified and none in save "
				"file\n");
		rc = -EINVAL;
		goto out;
	} else {
		if (!quiet)
			fprintf(stderr, "Parsing config from <saved>\n");
		cfg = json_tokener_parse(saved);
		if (!cfg || !json_object_is_type(cfg, json_type_object)) {
			fprintf(stderr, "Failed to parse config: the saved "
					"config is not a JSON object\n");
			rc = -EINVAL;
			goto out;
		}
	}
	if (debug)
		fprintf(stderr, "%s\n",
			json_object_to_json_string_ext(
			    cfg, JSON_C_TO_STRING_PRETTY |
				     JSON_C_TO_STRING_NOSLASHESCAPE));
	n = json_object_object_get_ex(cfg, "name", &v)
		? json_object_get_string(v)
		: NULL;
	if (!n) {
		fprintf(stderr, "Failed to parse config: it has no name\n");
		rc = -EINVAL;
		goto out;
	}
	if (suffix) {
		if (asprintf(&newname, "%s%s", n, suffix) < 0) {
			newname = NULL;
			rc = -ENOMEM;
			goto out;
		}
		json_object_object_add(cfg, "name",
				       json_object_new_string(newname));
	}
	p = json_object_new_object();
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_add(p, "config", json_object_get(cfg));
	json_object_object_add(p, "incoming", json_object_new_boolean(1));
	if (hold)
		json_object_object_add(p, "hold", json_object_new_boolean(1));
	rc = xl_ctl_call_fd("create", p, fd, NULL, NULL, NULL, &res, &err,
			    hold);
	if (rc) {
		xl_ctl_perror(suffix ? "migrate-receive" : "restore", rc, &err);
		goto out;
	}
	*domid = json_object_object_get_ex(res, "domid", &v)
		     ? json_object_get_int(v)
		     : -1;
	*name = strdup(json_object_object_get_ex(res, "name", &v)
			   ? json_object_get_string(v)
			   : "");
	rc = *name ? 0 : -ENOMEM;
out:
	if (rc == -ENOMEM)
		fprintf(stderr, "xl: out of memory\n");
	free(newname);
	free(saved);
	json_object_put(res);
	json_object_put(p);
	json_object_put(cfg);
	return rc;
}

int main_restore(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"vncviewer", no_argument, NULL, 'V'},
	    {"vncviewer-autopass", no_argument, NULL, 'A'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cfgfile = NULL, *file;
	int paused = 0, debug = 0, console = 0, domid = -1;
	char *name = NULL, id[16];
	int fd = -1, opt, ret = 1, rc;

	while ((opt = xl_getopt(argc, argv, "FcpdeVA", opts, "restore", 1)) !=
	       -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'p':
			paused = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'c':
			console = 1;
			break;
		case 'e':
		case 'F':
			/* xld, not xl, waits for every domain's death */
			break;
		case 'V':
		case 'A':
			fprintf(stderr,
				"xl restore: -%c: guests have no graphical "
				"display (VNC) here, only a serial console\n",
				opt);
			return 1;
		}
	}
	if (argc - optind == 1) {
		file = argv[optind];
	} else if (argc - optind == 2) {
		cfgfile = argv[optind];
		file = argv[optind + 1];
	} else {
		xl_cmd_help(xl_cmd_find("restore"), 1);
		return 1;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Can't open restore file: %s\n",
			strerror(errno));
		return 1;
	}
	rc = xl_recv_domain(fd, file, cfgfile, NULL, xl_globals.quiet, debug,
			    &domid, &name, NULL);
	close(fd);
	if (rc)
		goto out;
	if (!paused) {
		rc = xl_dom_do("unpause", domid, NULL);
		if (rc) {
			fprintf(stderr, "xl restore: domain %d (%s) restored "
					"but cannot be unpaused: %s\n",
				domid, name, strerror(-rc));
			goto out;
		}
	}
	ret = 0;
	if (console) {
		snprintf(id, sizeof(id), "%d", domid);
		ret = xl_console_attach(id);
	}
out:
	free(name);
	return ret;
}
