// SPDX-License-Identifier: GPL-2.0
/*
 * The methods that say what xld and its domains are: hello, list, info,
 * devices, stats and dmesg; a domain as JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/ctl/ctl_internal.h"
#include "xld/ctl/ctl_list.h"
#include "xld/log.h"

/* ---- domains as JSON ---- */

/* The list's members too: keep ctl_list.c gen_dom() the same. */
json_object *ctl_dom_json(const struct xld_dom *d)
{
	json_object *o = json_object_new_object();
	const char *reason;
	char uuid[37];

	if (!o)
		return NULL;
	uuid_unparse_lower(d->uuid, uuid);
	reason =
	    d->state == DC_STATE_SHUTDOWN ? xld_reason_name(d->reason) : NULL;
	json_object_object_add(o, "domid", json_object_new_int64(d->domid));
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(
	    o, "state", json_object_new_string(xld_state_name(d->state)));
	json_object_object_add(o, "shutdown_reason",
			       reason ? json_object_new_string(reason) : NULL);
	json_object_object_add(o, "memory_kib",
			       json_object_new_int64((int64_t)d->memory_kib));
	json_object_object_add(o, "maxmem_kib",
			       json_object_new_int64((int64_t)d->maxmem_kib));
	json_object_object_add(o, "vcpus", json_object_new_int64(d->vcpus));
	json_object_object_add(o, "maxvcpus",
			       json_object_new_int64(d->maxvcpus));
	json_object_object_add(o, "cpu_time_ns",
			       json_object_new_int64((int64_t)d->cpu_time_ns));
	json_object_object_add(o, "start_time",
			       json_object_new_int64(d->start_time));
	json_object_object_add(o, "pid", json_object_new_int64(d->pid));
	/* a stream being sent or received: "migrating: pass 3" */
	json_object_object_add(o, "phase",
			       d->phase ? json_object_new_string(d->phase)
					: NULL);
	return o;
}

json_object *ctl_dom0_json(void)
{
	json_object *o = json_object_new_object();
	uint64_t kib, ns;
	uint32_t cpus;
	char line[128];
	double up = 0;
	FILE *f;

	if (!o)
		return NULL;
	xld_dom0_info(&kib, &cpus, &ns);
	f = fopen("/proc/uptime", "re");
	if (f && fgets(line, sizeof(line), f))
		sscanf(line, "%lf", &up);
	if (f)
		fclose(f);
	json_object_object_add(o, "domid", json_object_new_int(0));
	json_object_object_add(o, "name", json_object_new_string("Domain-0"));
	json_object_object_add(
	    o, "uuid",
	    json_object_new_string("00000000-0000-0000-0000-000000000000"));
	json_object_object_add(o, "state", json_object_new_string("running"));
	json_object_object_add(o, "shutdown_reason", NULL);
	json_object_object_add(o, "memory_kib",
			       json_object_new_int64((int64_t)kib));
	json_object_object_add(o, "vcpus", json_object_new_int64(cpus));
	json_object_object_add(o, "cpu_time_ns",
			       json_object_new_int64((int64_t)ns));
	json_object_object_add(
	    o, "start_time",
	    json_object_new_int64((int64_t)(time(NULL) - (time_t)up)));
	json_object_object_add(o, "pid", json_object_new_int(0));
	return o;
}

/* ---- methods ---- */

int ctl_do_hello(struct ctl_req *r)
{
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(r->result, "version",
			       json_object_new_int(XLD_CTL_VERSION));
	json_object_object_add(r->result, "xld",
			       json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(r->result, "writable",
			       json_object_new_boolean(r->c->priv));
	return 0;
}

/* As text, not a json-c tree: see ctl_list.c. */
int ctl_do_list(struct ctl_req *r)
{
	json_object *dom0 = ctl_dom0_json();
	int rc;

	if (!dom0)
		return -ENOMEM;
	rc = xld_ctl_list_text(r->c->ctl->doms, dom0, &r->text, &r->text_len);
	json_object_put(dom0);
	return rc;
}

int ctl_do_info(struct ctl_req *r)
{
	if (r->dom)
		xld_dom_sample(r->dom);
	r->result = r->dom ? ctl_dom_json(r->dom) : ctl_dom0_json();
	if (!r->result)
		return -ENOMEM;
	/* the config names files on the host: for root only */
	if (r->dom && r->c->priv)
		json_object_object_add(r->result, "config",
				       json_object_get(r->dom->config));
	return 0;
}

/* xl block-list and network-list: @r's domain's disks and vifs. */
int ctl_do_devices(struct ctl_req *r)
{
	json_object *vbds, *vifs;

	if (!r->dom)
		return ctl_fail(r, -ENODEV, "Domain-0 has no virtual devices");
	r->result = json_object_new_object();
	vbds = xld_dom_vbds_json(r->dom);
	vifs = xld_dom_vifs_json(r->c->ctl->doms, r->dom);
	if (!r->result || !vbds || !vifs) {
		json_object_put(vbds);
		json_object_put(vifs);
		return -ENOMEM;
	}
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "vbds", vbds);
	json_object_object_add(r->result, "vifs", vifs);
	return 0;
}

/*
 * xl top: every domain as list gives it, each guest with its devices as
 * devices gives them (vifs with their TAP's counters), in one reply.
 */
int ctl_do_stats(struct ctl_req *r)
{
	json_object *arr = json_object_new_array(), *o, *vbds, *vifs;
	struct xld_dom *d;

	r->result = json_object_new_object();
	if (!arr || !r->result ||
	    json_object_object_add(r->result, "domains", arr)) {
		json_object_put(arr);
		return -ENOMEM;
	}
	o = ctl_dom0_json();
	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	for (d = xld_doms_first(r->c->ctl->doms); d; d = d->next) {
		xld_dom_sample(d);
		o = ctl_dom_json(d);
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			return -ENOMEM;
		}
		json_object_object_add(
		    o, "cpu_time_ns",
		    json_object_new_int64((int64_t)xld_dom_cpu_time_now(d)));
		vbds = xld_dom_vbds_json(d);
		vifs = xld_dom_vifs_json(r->c->ctl->doms, d);
		if (!vbds || !vifs || json_object_object_add(o, "vbds", vbds)) {
			json_object_put(vbds);
			json_object_put(vifs);
			return -ENOMEM;
		}
		if (json_object_object_add(o, "vifs", vifs)) {
			json_object_put(vifs);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Past this much, xl dmesg shows the log's end (Xen's ring is smaller). */
#define CTL_DMESG_MAX (1024u * 1024)

/*
 * xl dmesg: the end of xld's log, which stands for Xen's hypervisor
 * console; "dmesg-clear" (xl dmesg -c) empties it after reading.  Root
 * only: the log names files and commands of the host.
 */
static int dmesg(struct ctl_req *r, bool clear)
{
	const char *path = xld_log_path();
	char *buf = NULL, *start;
	struct stat sb;
	off_t off = 0;
	ssize_t n;
	size_t len;
	FILE *f;
	int rc = 0;

	if (!r->c->priv)
		return ctl_fail(r, -EACCES, "xld's log is for root only");
	if (!path)
		return ctl_fail(r, -ENOENT, "xld has no log file");
	f = fopen(path, "re");
	if (!f)
		return ctl_fail(r, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb)) {
		rc = -errno;
		goto out;
	}
	if (sb.st_size > (off_t)CTL_DMESG_MAX)
		off = sb.st_size - (off_t)CTL_DMESG_MAX;
	len = (size_t)(sb.st_size - off);
	buf = malloc(len + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = pread(fileno(f), buf, len, off);
	if (n < 0) {
		rc = ctl_fail(r, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	start = buf;
	/* from the log's start or a whole line */
	if (off && (start = strchr(buf, '\n')))
		start++;
	else if (off)
		start = buf + n;
	r->result = json_object_new_object();
	if (!r->result) {
		rc = -ENOMEM;
		goto out;
	}
	json_object_object_add(r->result, "log", json_object_new_string(start));
	if (clear && truncate(path, 0))
		rc = ctl_fail(r, -errno, "cannot clear %s: %s", path,
			      strerror(errno));
	else if (clear)
		xld_info("log cleared by client pid %ld", (long)r->c->pid);
out:
	free(buf);
	fclose(f);
	return rc;
}

int ctl_do_dmesg(struct ctl_req *r)
{
	return dmesg(r, false);
}

int ctl_do_dmesg_clear(struct ctl_req *r)
{
	return dmesg(r, true);
}
