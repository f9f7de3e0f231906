// SPDX-License-Identifier: GPL-2.0
/*
 * The domain registry: ids, names and UUIDs, the list sorted by domid,
 * domid allocation, Domain-0's figures, and the registry's setup.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xld/dom/cpu_sched.h"
#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/dump.h"
#include "xld/dom/vbd.h"
#include "xld/file.h"
#include "xld/log.h"
#include "xld/store/xs.h"

static const char *const action_names[] = {
    [XLD_ACTION_DESTROY] = "destroy",
    [XLD_ACTION_RESTART] = "restart",
    [XLD_ACTION_RENAME_RESTART] = "rename-restart",
    [XLD_ACTION_PRESERVE] = "preserve",
    [XLD_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XLD_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *xld_action_name(enum xld_action a)
{
	return action_names[a];
}

int xld_action_parse(const char *s, enum xld_action *out)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(xld_action_name(0));
	     i++) {
		if (!strcmp(s, action_names[i])) {
			*out = (enum xld_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *xld_state_name(enum dc_state s)
{
	switch (s) {
	case DC_STATE_RUNNING:
		return "running";
	case DC_STATE_BLOCKED:
		return "blocked";
	case DC_STATE_PAUSED:
		return "paused";
	case DC_STATE_SHUTDOWN:
		return "shutdown";
	case DC_STATE_DYING:
		return "dying";
	}
	return "unknown";
}

const char *xld_reason_name(enum dc_shutdown_reason r)
{
	switch (r) {
	case DC_SHUTDOWN_POWEROFF:
		return "poweroff";
	case DC_SHUTDOWN_REBOOT:
		return "reboot";
	case DC_SHUTDOWN_CRASH:
		return "crash";
	case DC_SHUTDOWN_NONE:
		break;
	}
	return NULL;
}

int xld_dom_name_check(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > XLD_DOM_NAME_MAX || !strcmp(name, "Domain-0"))
		return -EINVAL;
	/* a name made of digits only would read as a domid */
	if (strspn(name, "0123456789") == len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && !strchr("-_.+:@", c))
			return -EINVAL;
	}
	return 0;
}

bool xld_dom_is_dom0(const char *q)
{
	return !strcmp(q, "0") || !strcmp(q, "Domain-0");
}

struct xld_dom *xld_doms_first(struct xld_doms *doms)
{
	return doms->list;
}

unsigned int xld_doms_count(struct xld_doms *doms)
{
	return doms->count;
}

struct xld_dom *xld_dom_by_id(struct xld_doms *doms, uint32_t domid)
{
	struct xld_dom *d;

	for (d = doms->list; d && d->domid <= domid; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct xld_dom *dom_by_name(struct xld_doms *doms, const char *name)
{
	struct xld_dom *d;

	for (d = doms->list; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

struct xld_dom *dom_by_uuid(struct xld_doms *doms, const uint8_t *u)
{
	struct xld_dom *d;

	for (d = doms->list; d; d = d->next)
		if (!memcmp(d->uuid, u, 16))
			return d;
	return NULL;
}

struct xld_dom *xld_dom_find(struct xld_doms *doms, const char *q)
{
	struct xld_dom *d;
	unsigned long v;
	char *end;

	if (q[0] >= '0' && q[0] <= '9' &&
	    strspn(q, "0123456789") == strlen(q)) {
		errno = 0;
		v = strtoul(q, &end, 10);
		d = errno || v > XLD_DOMID_MAX
			? NULL
			: xld_dom_by_id(doms, (uint32_t)v);
		if (!d)
			errno = ESRCH;
		return d;
	}
	d = dom_by_name(doms, q);
	if (!d)
		errno = ENOENT;
	return d;
}

/* A new, empty domain of @doms; NULL when out of memory. */
struct xld_dom *dom_new(struct xld_doms *doms)
{
	struct xld_dom *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->doms = doms;
	d->watch_fd = -1;
	d->incoming_fd = -1;
	d->weight = XLD_SCHED_WEIGHT_DEFAULT;
	return d;
}

void dom_list_insert(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_dom **pp;

	for (pp = &doms->list; *pp && (*pp)->domid < d->domid;
	     pp = &(*pp)->next)
		;
	d->next = *pp;
	*pp = d;
	doms->count++;
}

void dom_list_remove(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_dom **pp;

	for (pp = &doms->list; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			d->next = NULL;
			doms->count--;
			return;
		}
	}
}

void dom_free(struct xld_dom *d)
{
	if (!d)
		return;
	monitor_watch_stop(d);
	send_abort(d, -ESRCH);
	if (d->incoming_fd >= 0)
		close(d->incoming_fd);
	free(d->phase);
	free(d->op_msg);
	free(d->tids);
	free(d->name);
	json_object_put(d->config);
	json_object_put(d->next_config);
	xld_vbds_free(d->vbds);
	free(d);
}

void dom_notify(struct xld_doms *doms, struct xld_dom *d, enum xld_dom_event ev)
{
	if (doms->notify)
		doms->notify(doms->notify_arg, d, ev);
}

void xld_doms_set_notify(struct xld_doms *doms, xld_dom_notify_fn fn, void *arg)
{
	doms->notify = fn;
	doms->notify_arg = arg;
}

void xld_doms_set_flush(struct xld_doms *doms, void (*fn)(void *arg), void *arg)
{
	doms->flush = fn;
	doms->flush_arg = arg;
}

void xld_doms_set_console_log(struct xld_doms *doms, uint64_t max,
			      uint32_t keep)
{
	doms->conlog_max = max;
	doms->conlog_keep = keep;
}

void xld_doms_set_no_kvm(struct xld_doms *doms, const char *why)
{
	snprintf(doms->no_kvm, sizeof(doms->no_kvm), "%s", why);
}

/* The next free domid after the last one given, wrapping at the top. */
int dom_domid_alloc(struct xld_doms *doms, uint32_t *out)
{
	uint32_t id = doms->next_domid, n;

	for (n = 0; n < XLD_DOMID_MAX; n++) {
		if (id < 1 || id > XLD_DOMID_MAX)
			id = 1;
		if (!xld_dom_by_id(doms, id)) {
			*out = id;
			doms->next_domid = id + 1;
			return 0;
		}
		id++;
	}
	return -ENOSPC;
}

static void dc_log(void *opaque, enum dc_log_level level, const char *msg)
{
	struct xld_doms *doms = opaque;

	if (level == DC_LOG_ERROR) {
		/* the first error says why; what follows is detail */
		if (!doms->dc_msg[0])
			snprintf(doms->dc_msg, sizeof(doms->dc_msg), "%s", msg);
		xld_log(XLD_LOG_ERR, "libdomctl: %s", msg);
	} else if (level == DC_LOG_WARN) {
		xld_log(XLD_LOG_WARN, "libdomctl: %s", msg);
	} else if (level == DC_LOG_INFO) {
		xld_log(XLD_LOG_INFO, "libdomctl: %s", msg);
	}
}

void xld_dom0_info(uint64_t *memory_kib, uint32_t *vcpus, uint64_t *cpu_time_ns)
{
	unsigned long long user = 0, nice = 0, sys = 0, irq = 0, softirq = 0;
	unsigned long long kib = 0, idle = 0, iowait = 0;
	char line[256];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), hz = sysconf(_SC_CLK_TCK);
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	f = fopen("/proc/stat", "re");
	if (f && fgets(line, sizeof(line), f))
		sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu", &user,
		       &nice, &sys, &idle, &iowait, &irq, &softirq);
	if (f)
		fclose(f);
	*memory_kib = kib;
	*vcpus = cpus > 0 ? (uint32_t)cpus : 1;
	*cpu_time_ns = hz > 0 ? (user + nice + sys + irq + softirq) *
				    (1000000000ull / (unsigned long long)hz)
			      : 0;
}

/*
 * Core dumps go to $XLD_DUMPDIR, else @statedir/dump (Xen: /var/lib/xen/
 * dump); the directory is made when the first dump is written.
 */
static int dumpdir_init(struct xld_doms *doms, const char *statedir)
{
	const char *env = getenv("XLD_DUMPDIR");
	char path[PATH_MAX];
	int rc;

	if (env && *env && env[0] != '/') {
		xld_err("XLD_DUMPDIR '%.200s' must be an absolute path", env);
		return -EINVAL;
	}
	rc = env && *env
		 ? xld_path_fmt(path, sizeof(path), "%s", env)
		 : xld_path_fmt(path, sizeof(path), "%s/dump", statedir);
	if (rc)
		return rc;
	doms->dumpdir = strdup(path);
	return doms->dumpdir ? 0 : -ENOMEM;
}

struct xld_doms *xld_doms_new(struct xld_loop *loop, struct xs_store *st,
			      struct xs_server *srv, const char *rundir,
			      const char *statedir, const char *logdir)
{
	struct xld_doms *doms = calloc(1, sizeof(*doms));
	char path[PATH_MAX];
	int rc = -ENOMEM;

	if (!doms)
		return NULL;
	doms->timer_fd = -1;
	doms->loop = loop;
	doms->st = st;
	doms->srv = srv;
	if (xld_path_fmt(path, sizeof(path), "%s/domains", statedir) ||
	    !(doms->recdir = strdup(path)) ||
	    xld_path_fmt(path, sizeof(path), "%s/console", logdir) ||
	    !(doms->condir = strdup(path)))
		goto fail;
	if ((mkdir(doms->recdir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(doms->condir, 0755) < 0 && errno != EEXIST)) {
		rc = -errno;
		goto fail;
	}
	doms->dc = dc_ctx_new(rundir, dc_log, doms);
	if (!doms->dc) {
		rc = -errno;
		goto fail;
	}
	rc = dumpdir_init(doms, statedir);
	if (rc)
		goto fail;
	rc = -ENOMEM;
	doms->dumps = xld_dumps_new(loop, rundir);
	if (!doms->dumps)
		goto fail;
	doms->sched = xld_sched_new(getenv("XLD_CGROUP"), NULL);
	if (!doms->sched)
		goto fail;
	if (xld_sched_unusable(doms->sched))
		xld_info("CPU weights and caps cannot be applied: %s",
			 xld_sched_unusable(doms->sched));
	rc = monitor_poll_start(doms);
	if (rc)
		goto fail;
	return doms;
fail:
	xld_doms_free(doms);
	errno = -rc;
	return NULL;
}

struct xs_store *xld_doms_store(struct xld_doms *doms)
{
	return doms->st;
}

void xld_doms_free(struct xld_doms *doms)
{
	struct xld_dom *d;

	if (!doms)
		return;
	monitor_poll_stop(doms);
	monitor_ops_end(doms);
	record_retry_dirty(doms);
	/* before the domains: a dump's end looks its domain up */
	xld_dumps_free(doms->dumps);
	while ((d = doms->list)) {
		doms->list = d->next;
		dom_free(d);
	}
	dc_ctx_free(doms->dc);
	xld_sched_free(doms->sched);
	free(doms->recdir);
	free(doms->condir);
	free(doms->dumpdir);
	free(doms);
}

void xld_doms_set_monitor_ids(struct xld_doms *doms, uint32_t first,
			      uint32_t count)
{
	/* the range was checked when it was parsed */
	if (dc_ctx_set_monitor_ids(doms->dc, first, count))
		xld_err("monitor uids %" PRIu32 "+%" PRIu32 ": refused",
			first, count);
}
