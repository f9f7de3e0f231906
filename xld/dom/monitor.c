// SPDX-License-Identifier: GPL-2.0
/*
 * Each guest's xlhv monitor: watched (its watch fd pushes state changes;
 * a slow timer asks only a monitor whose watch was lost), and re-attached
 * to when xld starts again.  Starting and destroying: monitor_op.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/dom/cpu_sched.h"
#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/vbd.h"
#include "xld/dom/vif.h"
#include "xld/file.h"
#include "xld/log.h"

/*
 * Monitors push state changes on a watch fd (dc_domain_watch_start); a
 * slow timer asks only those whose watch was lost, and retries records.
 * CPU time is read from /proc when asked for (xld_dom_sample).
 */
#define POLL_MS 1000

void monitor_watch_stop(struct xld_dom *d)
{
	if (d->watch_fd < 0)
		return;
	xld_loop_del(d->doms->loop, d->watch_fd);
	close(d->watch_fd);
	d->watch_fd = -1;
}

void monitor_info_apply(struct xld_dom *d, const struct dc_dominfo *info)
{
	d->pid = info->pid;
	d->state = info->state;
	d->reason = info->state == DC_STATE_SHUTDOWN ? info->shutdown_reason
						     : DC_SHUTDOWN_NONE;
	if (info->vcpus)
		d->vcpus = info->vcpus;
	if (info->memory_kib)
		d->memory_kib = info->memory_kib;
	/* never back: /proc may have been read later than the monitor */
	if (info->cpu_time_ns > d->cpu_time_ns)
		d->cpu_time_ns = info->cpu_time_ns;
}

static void watch_event(struct xld_loop *loop, int fd, uint32_t events,
			void *arg);

/* Be told of @d's state changes; without it the slow timer still asks. */
void monitor_watch_start(struct xld_doms *doms, struct xld_dom *d)
{
	int fd, rc;
	struct timeval limit = {1, 0};

	monitor_watch_stop(d);
	/* the monitor's yes comes as the first thing read (watch_event) */
	fd = dc_domain_watch_start(doms->dc, d->domid);
	if (fd < 0) {
		xld_warn("domain %" PRIu32 ": cannot watch its monitor: %s",
			 d->domid, strerror(-fd));
		return;
	}
	/* events are read once epoll says one is there: one that does not
	 * arrive whole within a second must not hold up the daemon */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	rc = xld_loop_add(doms->loop, fd, EPOLLIN, watch_event, d);
	if (rc) {
		xld_warn("domain %" PRIu32 ": epoll: %s", d->domid,
			 strerror(-rc));
		close(fd);
		return;
	}
	d->watch_fd = fd;
}

/*
 * Put @d's monitor in its cgroup with its weight and cap.  Never fails the
 * guest: what cannot be applied is logged, and said in doms->sched_msg
 * (for xl create) when the config asked for more than the defaults.
 */
void monitor_sched_join(struct xld_doms *doms, struct xld_dom *d)
{
	bool asked = d->weight != XLD_SCHED_WEIGHT_DEFAULT ||
		     d->cap != XLD_SCHED_CAP_NONE;
	char err[400];
	int rc;

	doms->sched_msg[0] = '\0';
	/*
	 * Defaults need no group: moving a process between cgroups costs
	 * ~9 ms of a create here (cgroup v1).  xl sched-credit makes the
	 * group when a domain first leaves the defaults.
	 */
	if (!asked)
		return;
	rc = xld_sched_set(doms->sched, d->domid, d->pid, d->weight, d->cap,
			   err, sizeof(err));
	if (!rc)
		return;
	xld_warn("domain %" PRIu32 " (%s): cpu_weight %u and cap %u are not "
		 "applied: %s",
		 d->domid, d->name, d->weight, d->cap, err);
	if (asked)
		snprintf(doms->sched_msg, sizeof(doms->sched_msg),
			 "cpu_weight %u and cap %u are not applied: %s",
			 d->weight, d->cap, err);
}

/*
 * A monitor's socket closes before the rest of its files: killed, it
 * may still hold its TAPs (whose delete is then refused, EBUSY) and sit
 * in its cgroup for a moment.  Wait for it to be gone, within a bound.
 */
static void monitor_exit_wait(pid_t pid)
{
	struct pollfd p = {.events = POLLIN};
	char path[64], comm[16] = "";
	FILE *f;

	if (pid <= 0)
		return;
	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd < 0)
		return;
	/* a pid from a record may long since be another program's */
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	if (strncmp(comm, "xlhv", 4)) {
		close(p.fd);
		return;
	}
	if (poll(&p, 1, 1000) == 0)
		xld_warn("monitor %ld: still exiting after 1 s", (long)pid);
	close(p.fd);
}

void monitor_gone(struct xld_doms *doms, const struct xld_dom *d)
{
	char note[256];

	monitor_exit_wait(d->pid);
	if (dc_domain_crash_note(doms->dc, d->domid, note, sizeof(note)) == 0)
		xld_err("domain %" PRIu32 " (%s): its monitor was %s",
			d->domid, d->name, note);
	/* its socket and console link, if it could not remove them */
	dc_domain_forget(doms->dc, d->domid);
}

int xld_dom_refresh(struct xld_doms *doms, struct xld_dom *d)
{
	struct dc_dominfo info;
	enum dc_state was = d->state;
	int rc;

	/* a monitor writing a dump answers when it is done */
	if (d->handled || d->pid == 0 || xld_dom_busy(d))
		return 0;
	rc = dc_domain_info(doms->dc, d->domid, &info);
	if (rc == -ESRCH) {
		/* the monitor died: the guest crashed with it */
		xld_warn("domain %" PRIu32 " (%s): monitor %ld is gone",
			 d->domid, d->name, (long)d->pid);
		monitor_gone(doms, d);
		d->pid = 0;
		d->state = DC_STATE_SHUTDOWN;
		d->reason = DC_SHUTDOWN_CRASH;
		dom_stopped(doms, d);
		return 0;
	}
	if (rc)
		return rc;
	monitor_info_apply(d, &info);
	if (d->state == DC_STATE_SHUTDOWN)
		dom_stopped(doms, d);
	else if (d->state != was)
		dom_notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}

static void watch_event(struct xld_loop *loop, int fd, uint32_t events,
			void *arg)
{
	struct xld_dom *d = arg;
	struct xld_doms *doms = d->doms;
	struct dc_dominfo info;
	enum dc_state was = d->state;
	int rc;

	rc = dc_watch_read(fd, &info);
	if (rc == -EAGAIN)
		return; /* the monitor said yes to the watch */
	if (rc) {
		/* the monitor went away, or spoke nonsense: ask it directly */
		monitor_watch_stop(d);
		if (d->handled) {
			if (rc == -ECONNRESET)
				d->pid = 0;
			return;
		}
		xld_dom_refresh(doms, d);
		return;
	}
	if (d->handled)
		return;
	d->state = info.state;
	d->reason = info.state == DC_STATE_SHUTDOWN ? info.shutdown_reason
						    : DC_SHUTDOWN_NONE;
	if (info.cpu_time_ns > d->cpu_time_ns)
		d->cpu_time_ns = info.cpu_time_ns;
	if (d->state == DC_STATE_SHUTDOWN)
		dom_stopped(doms, d);
	else if (d->state != was)
		dom_notify(doms, d, XLD_DOM_CHANGED);
}

void monitor_watch_drain(struct xld_doms *doms, struct xld_dom *d)
{
	struct pollfd p;

	while (d->watch_fd >= 0 && !d->handled &&
	       d->state != DC_STATE_SHUTDOWN) {
		p = (struct pollfd){.fd = d->watch_fd, .events = POLLIN};
		if (poll(&p, 1, 0) != 1)
			break;
		watch_event(doms->loop, d->watch_fd, EPOLLIN, d);
	}
}

/*
 * Ask the monitors whose watch was lost (to a bad event, or never made)
 * and watch them again; domids first, as policies change the list.  The
 * others tell us of every change themselves, so with every watch in
 * place this costs no monitor a wakeup.
 */
static void refresh_unwatched(struct xld_doms *doms)
{
	uint32_t *ids;
	unsigned int n = 0, i;
	struct xld_dom *d;

	for (d = doms->list; d; d = d->next)
		if (d->watch_fd < 0 && d->pid && !d->handled &&
		    !xld_dom_busy(d))
			n++;
	if (!n || !(ids = malloc(n * sizeof(*ids))))
		return;
	n = 0;
	for (d = doms->list; d; d = d->next)
		if (d->watch_fd < 0 && d->pid && !d->handled &&
		    !xld_dom_busy(d))
			ids[n++] = d->domid;
	for (i = 0; i < n; i++) {
		d = xld_dom_by_id(doms, ids[i]);
		if (d)
			xld_dom_refresh(doms, d);
		d = xld_dom_by_id(doms, ids[i]);
		if (d && !d->handled && !xld_dom_busy(d) && d->pid &&
		    d->watch_fd < 0)
			monitor_watch_start(doms, d);
	}
	free(ids);
}

static void poll_timer(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	uint64_t ticks;

	if (read(fd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
		return;
	refresh_unwatched(arg);
	record_retry_dirty(arg);
}

int monitor_poll_start(struct xld_doms *doms)
{
	struct itimerspec its = {{POLL_MS / 1000, POLL_MS % 1000 * 1000000L},
				 {POLL_MS / 1000, POLL_MS % 1000 * 1000000L}};

	doms->timer_fd =
	    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (doms->timer_fd < 0 ||
	    timerfd_settime(doms->timer_fd, 0, &its, NULL) < 0)
		return -errno;
	return xld_loop_add(doms->loop, doms->timer_fd, EPOLLIN, poll_timer,
			    doms);
}

void monitor_poll_stop(struct xld_doms *doms)
{
	if (doms->timer_fd < 0)
		return;
	xld_loop_del(doms->loop, doms->timer_fd);
	close(doms->timer_fd);
	doms->timer_fd = -1;
}

/* A monitor with no record: keep it, under a name that says so. */
static void adopt_orphan(struct xld_doms *doms, const struct dc_dominfo *info)
{
	struct xld_dom *d = dom_new(doms);
	char name[32];

	if (!d)
		return;
	snprintf(name, sizeof(name), "orphan-%" PRIu32, info->domid);
	d->name = strdup(name);
	d->config = json_object_new_object();
	if (!d->name || !d->config) {
		dom_free(d);
		return;
	}
	json_object_object_add(d->config, "name", json_object_new_string(name));
	d->domid = info->domid;
	uuid_generate_random(d->uuid);
	d->on_poweroff = d->on_reboot = d->on_crash = XLD_ACTION_PRESERVE;
	d->start_time = time(NULL);
	monitor_info_apply(d, info);
	dom_list_insert(doms, d);
	xld_warn("domain %" PRIu32 ": monitor %ld has no record: adopted as "
		 "%s (preserved when it stops)",
		 d->domid, (long)d->pid, name);
	record_update(doms, d);
}

/* Remove the groups of domains that went while no xld watched. */
static void sched_prune(struct xld_doms *doms)
{
	uint32_t *ids = malloc((doms->count + 1) * sizeof(*ids));
	struct xld_dom *d;
	size_t n = 0;

	if (!ids)
		return;
	for (d = doms->list; d; d = d->next)
		ids[n++] = d->domid;
	xld_sched_prune(doms->sched, ids, n);
	free(ids);
}

/* @domid's entry in dc_domain_list's @infos (sorted by domid). */
static int listed_info(const struct dc_dominfo *infos, size_t n,
		       uint32_t domid, struct dc_dominfo *out)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (infos[mid].domid == domid) {
			*out = infos[mid];
			return 0;
		}
		if (infos[mid].domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ESRCH;
}

void xld_doms_load(struct xld_doms *doms)
{
	struct dc_dominfo *infos = NULL, info;
	struct xld_dom *d;
	struct dirent *de;
	size_t n = 0, i;
	uint32_t *ids;
	unsigned int nids = 0;
	bool counted;
	DIR *dir;
	int rc;

	/* the counter is saved before any record that uses it */
	counted = record_load_next_domid(doms);
	dir = opendir(doms->recdir);
	while (dir && (de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (record_load(doms, de->d_name, &d))
			continue;
		if (xld_dom_by_id(doms, d->domid) ||
		    dom_by_name(doms, d->name)) {
			xld_err("%s: duplicate domain %" PRIu32
				" (%s): ignored",
				de->d_name, d->domid, d->name);
			dom_free(d);
			continue;
		}
		dom_list_insert(doms, d);
		if (!counted && d->domid >= doms->next_domid)
			doms->next_domid = d->domid + 1;
	}
	if (dir)
		closedir(dir);
	/* live monitors without a record: adopted, never killed */
	if (dc_domain_list(doms->dc, &infos, &n) == 0) {
		for (i = 0; i < n; i++)
			if (!xld_dom_by_id(doms, infos[i].domid))
				adopt_orphan(doms, &infos[i]);
	}
	ids = doms->count ? malloc(doms->count * sizeof(*ids)) : NULL;
	for (d = doms->list; d && ids; d = d->next)
		ids[nids++] = d->domid;
	for (i = 0; i < nids; i++) {
		d = xld_dom_by_id(doms, ids[i]);
		if (!d)
			continue;
		/* what the listing said; a monitor missing from it is asked
		 * once more before it counts as gone */
		rc = listed_info(infos, n, d->domid, &info);
		if (rc)
			rc = dc_domain_info(doms->dc, d->domid, &info);
		if (rc == 0) {
			monitor_info_apply(d, &info);
			monitor_watch_start(doms, d);
			monitor_sched_join(doms, d);
			dom_vbds_recover(d);
			store_attach(doms, d);
			xld_info("domain %" PRIu32 " (%s): re-attached to "
				 "monitor %ld, %s",
				 d->domid, d->name, (long)d->pid,
				 xld_state_name(d->state));
			if (d->state == DC_STATE_SHUTDOWN)
				dom_stopped(doms, d);
			continue;
		}
		/* died while no xld watched it (or is dying: waited for) */
		d->state = DC_STATE_SHUTDOWN;
		if (d->reason == DC_SHUTDOWN_NONE)
			d->reason = DC_SHUTDOWN_CRASH;
		store_attach(doms, d);
		if (d->handled) {
			d->pid = 0;
			xld_info("domain %" PRIu32 " (%s): preserved, its "
				 "monitor is gone",
				 d->domid, d->name);
			continue;
		}
		xld_warn("domain %" PRIu32 " (%s): its monitor is gone (%s)",
			 d->domid, d->name, strerror(-rc));
		monitor_gone(doms, d);
		d->pid = 0;
		dom_stopped(doms, d);
	}
	free(ids);
	free(infos);
	sched_prune(doms);
}
