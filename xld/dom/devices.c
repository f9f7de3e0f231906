// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's devices: its disks and vifs brought up with its monitor and
 * down with it, and what xl block-list, network-list, vcpu-list, vcpu-pin
 * and top read of a domain: its devices from the store, its vCPU threads
 * from /proc.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xld/dom/devnodes.h"
#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/dom/vbd.h"
#include "xld/dom/vif.h"
#include "xld/log.h"
#include "xld/store/xs.h"

json_object *xld_dom_vifs_json(struct xld_doms *doms, const struct xld_dom *d)
{
	struct xs_op op = {.st = xld_doms_store(doms), .priv = true};
	json_object *arr = json_object_new_array(), *o;
	char dir[96], be[128], names[4096], v[64];
	uint32_t len = 0, off;
	uint64_t gen;
	bool done;

	if (!arr)
		return NULL;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vif/%" PRIu32,
		 d->domid);
	/* 8 vifs at most (vif.c): their names fit in one piece */
	if (xs_node_list(&op, dir, 0, names, sizeof(names), &len, &gen, &done))
		return arr; /* no vifs */
	for (off = 0; off < len; off += (uint32_t)strlen(names + off) + 1) {
		if (!names[off])
			continue;
		snprintf(be, sizeof(be), "%s/%s", dir, names + off);
		o = json_object_new_object();
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(o, "devid",
				       json_object_new_int(atoi(names + off)));
		xld_devnode_read(&op, be, "mac", v, sizeof(v));
		json_object_object_add(o, "mac", json_object_new_string(v));
		xld_devnode_read(&op, be, "handle", v, sizeof(v));
		json_object_object_add(
		    o, "handle", json_object_new_int(v[0] ? atoi(v) : -1));
		xld_devnode_read(&op, be, "state", v, sizeof(v));
		json_object_object_add(
		    o, "state", json_object_new_int(v[0] ? atoi(v) : -1));
		json_object_object_add(o, "backend",
				       json_object_new_string(be));
		/* the TAP's counters, for xl top; Xen's name unless given */
		xld_devnode_read(&op, be, "vifname", v, sizeof(v));
		if (!v[0])
			snprintf(v, sizeof(v), "vif%" PRIu32 ".%s", d->domid,
				 names + off);
		json_object_object_add(o, "vifname", json_object_new_string(v));
		json_object_object_add(o, "stats", xld_vif_stats_json(v));
	}
	return arr;
}

json_object *xld_dom_vbds_json(const struct xld_dom *d)
{
	return xld_vbds_json(xld_doms_store(d->doms), d->domid);
}

/*
 * The vCPU threads ("vcpu<N>") of @d's monitor, in @tids[N] (of @n);
 * unfound ones stay 0.  Returns 0 or -errno.
 */
static int vcpu_tids(const struct xld_dom *d, pid_t *tids, uint32_t n)
{
	char p[320], comm[32], *end;
	struct dirent *e;
	unsigned long i;
	DIR *dir;
	FILE *f;

	if (d->pid <= 0)
		return -ESRCH;
	snprintf(p, sizeof(p), "/proc/%ld/task", (long)d->pid);
	dir = opendir(p);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%ld/task/%s/comm", (long)d->pid,
			 e->d_name);
		f = fopen(p, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		if (strncmp(comm, "vcpu", 4) || !comm[4])
			continue;
		i = strtoul(comm + 4, &end, 10);
		if (!*end && i < n)
			tids[i] = (pid_t)atol(e->d_name);
	}
	closedir(dir);
	return 0;
}

/* A CPU set as Xen prints it: "all", or "0-3,6". */
static void cpuset_str(const cpu_set_t *s, char *buf, size_t len)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF), i, j;
	size_t o = 0;

	if (ncpu < 1 || ncpu > CPU_SETSIZE)
		ncpu = CPU_SETSIZE;
	for (i = 0; i < ncpu && CPU_ISSET(i, s); i++)
		;
	if (i == ncpu) {
		snprintf(buf, len, "all");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < ncpu && o < len; i++) {
		if (!CPU_ISSET(i, s))
			continue;
		for (j = i; j + 1 < ncpu && CPU_ISSET(j + 1, s); j++)
			;
		o += (size_t)snprintf(buf + o, len - o,
				      j > i ? "%s%ld-%ld" : "%s%ld",
				      o ? "," : "", i, j);
		i = j;
	}
}

/* State letter, last CPU and CPU time of thread @tid of @pid. */
static int task_stat(pid_t pid, pid_t tid, char *state, int *cpu,
		     uint64_t *ns)
{
	unsigned long long ut = 0, st = 0;
	long hz = sysconf(_SC_CLK_TCK);
	char p[64], buf[1024], *s, *save = NULL;
	int field, fd;
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%ld/task/%ld/stat", (long)pid,
		 (long)tid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (!(s = strrchr(buf, ')')))
		return -EIO;
	/* field 3 (state) follows the name */
	for (field = 3, s = strtok_r(s + 1, " ", &save); s;
	     field++, s = strtok_r(NULL, " ", &save)) {
		if (field == 3)
			*state = s[0];
		else if (field == 14)
			ut = strtoull(s, NULL, 10);
		else if (field == 15)
			st = strtoull(s, NULL, 10);
		else if (field == 39) {
			*cpu = atoi(s);
			break;
		}
	}
	if (field != 39)
		return -EIO;
	*ns = (ut + st) * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
	return 0;
}

json_object *xld_dom_vcpus_json(const struct xld_dom *d, int *rcp)
{
	json_object *arr = NULL, *o;
	pid_t *tids = NULL;
	cpu_set_t set;
	char aff[512], state = '?';
	uint64_t ns = 0;
	/* every possible vCPU, as Xen lists them; past vcpus, offline */
	uint32_t i, n = d->maxvcpus > d->vcpus ? d->maxvcpus : d->vcpus;
	int cpu = -1, rc;

	tids = calloc(n ? n : 1, sizeof(*tids));
	arr = json_object_new_array();
	rc = tids && arr ? vcpu_tids(d, tids, n) : -ENOMEM;
	for (i = 0; !rc && i < n; i++) {
		o = json_object_new_object();
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			rc = -ENOMEM;
			break;
		}
		json_object_object_add(o, "vcpu", json_object_new_int64(i));
		if (i >= d->vcpus || !tids[i] ||
		    task_stat(d->pid, tids[i], &state, &cpu, &ns)) {
			/* not started, or gone: Xen's offline vCPU */
			json_object_object_add(o, "online",
					       json_object_new_boolean(0));
			continue;
		}
		json_object_object_add(o, "online", json_object_new_boolean(1));
		json_object_object_add(o, "tid", json_object_new_int64(tids[i]));
		json_object_object_add(o, "cpu", json_object_new_int(cpu));
		json_object_object_add(o, "running",
				       json_object_new_boolean(state == 'R'));
		json_object_object_add(
		    o, "paused",
		    json_object_new_boolean(d->state == DC_STATE_PAUSED));
		json_object_object_add(o, "cpu_time_ns",
				       json_object_new_int64((int64_t)ns));
		CPU_ZERO(&set);
		if (sched_getaffinity(tids[i], sizeof(set), &set))
			snprintf(aff, sizeof(aff), "all");
		else
			cpuset_str(&set, aff, sizeof(aff));
		json_object_object_add(o, "affinity",
				       json_object_new_string(aff));
	}
	free(tids);
	if (rc) {
		json_object_put(arr);
		*rcp = rc;
		return NULL;
	}
	return arr;
}

/* The vCPU threads of @d's monitor, found again after a change. */
static int tids_cached(struct xld_dom *d, uint32_t n)
{
	pid_t *t;
	uint32_t i;

	if (d->tids_pid == d->pid && d->ntids == n) {
		for (i = 0; i < d->vcpus && i < n && d->tids[i]; i++)
			;
		if (i == d->vcpus || i == n)
			return 0;
	}
	t = realloc(d->tids, n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t, 0, n * sizeof(*t));
	d->tids = t;
	d->ntids = n;
	d->tids_pid = 0;
	if (vcpu_tids(d, t, n))
		return -ESRCH;
	d->tids_pid = d->pid;
	return 0;
}

void xld_dom_sample(struct xld_dom *d)
{
	uint32_t n = d->maxvcpus > d->vcpus ? d->maxvcpus : d->vcpus;
	uint64_t now, sum = 0, ns;
	struct dc_dominfo info;
	struct timespec ts;
	bool running = false;
	char state;
	int cpu;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (d->pid <= 0 || !n || now - d->sampled_ms < XLD_SAMPLE_FRESH_MS)
		return;
	d->sampled_ms = now;
	if (d->vcpus_asked && d->vcpus_asked != d->vcpus && !xld_dom_busy(d) &&
	    dc_domain_info(d->doms->dc, d->domid, &info) == 0)
		monitor_info_apply(d, &info);
	if (tids_cached(d, n))
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (!d->tids[i])
			continue;
		if (task_stat(d->pid, d->tids[i], &state, &cpu, &ns)) {
			d->tids_pid = 0; /* a vCPU went: look again next time */
			continue;
		}
		sum += ns;
		running |= state == 'R';
	}
	if (sum > d->cpu_time_ns)
		d->cpu_time_ns = sum;
	/* Xen's blocked: every vCPU waits for an interrupt, as the
	 * monitor says it; paused and shut down stay what it said */
	if (d->state == DC_STATE_RUNNING || d->state == DC_STATE_BLOCKED)
		d->state = running ? DC_STATE_RUNNING : DC_STATE_BLOCKED;
}

uint64_t xld_dom_cpu_time_now(const struct xld_dom *d)
{
	uint32_t n = d->maxvcpus > d->vcpus ? d->maxvcpus : d->vcpus;
	uint64_t sum = 0, ns;
	pid_t *tids;
	char state;
	int cpu;

	if (d->pid <= 0 || !n)
		return d->cpu_time_ns;
	tids = calloc(n, sizeof(*tids));
	if (!tids || vcpu_tids(d, tids, n)) {
		free(tids);
		return d->cpu_time_ns;
	}
	for (uint32_t i = 0; i < n; i++)
		if (tids[i] && !task_stat(d->pid, tids[i], &state, &cpu, &ns))
			sum += ns;
	free(tids);
	return sum > d->cpu_time_ns ? sum : d->cpu_time_ns;
}

int xld_dom_vcpu_pin(const struct xld_dom *d, int vcpu, const cpu_set_t *set)
{
	pid_t *tids;
	uint32_t i;
	int rc, done = 0;

	tids = calloc(d->vcpus ? d->vcpus : 1, sizeof(*tids));
	if (!tids)
		return -ENOMEM;
	rc = vcpu_tids(d, tids, d->vcpus);
	for (i = 0; !rc && i < d->vcpus; i++) {
		if (vcpu >= 0 && (uint32_t)vcpu != i)
			continue;
		if (!tids[i]) {
			rc = -ESRCH;
			break;
		}
		if (sched_setaffinity(tids[i], sizeof(*set), set))
			rc = -errno;
		else
			done++;
	}
	free(tids);
	if (!rc && !done)
		rc = -ENOENT;
	if (rc)
		xld_err("domain %" PRIu32 " vcpu %d: %s", d->domid, vcpu,
			strerror(-rc));
	return rc;
}

/* @d's vif nodes again, after its home was rewritten. */
void dom_vifs_republish(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_vifs *vifs = malloc(sizeof(*vifs));
	char err[256];

	if (vifs &&
	    !xld_vifs_parse(d->config, d->domid, vifs, err, sizeof(err)))
		xld_vifs_republish(doms->st, vifs);
	free(vifs);
}

/*
 * Refuse @vbds when another domain whose guest can still write (it has
 * not shut down) has one of their targets and either may write it, as
 * Xen's block script does; a target given twice in @d is refused alike.
 */
static int vbds_in_use(struct xld_doms *doms, const struct xld_dom *d,
		       const struct xld_vbds *vbds, char *err, size_t errlen)
{
	struct xld_dom *o;
	int rc = xld_vbds_conflict(vbds, vbds, d->name, err, errlen);

	for (o = doms->list; !rc && o; o = o->next) {
		if (o == d || !o->vbds || o->state == DC_STATE_SHUTDOWN)
			continue;
		rc = xld_vbds_conflict(vbds, o->vbds, o->name, err, errlen);
	}
	return rc;
}

/*
 * @d's disks, checked on the host and against the other domains, and
 * their store nodes written, into *@out; doms->dc_msg says why not.
 */
int dom_vbds_up(struct xld_doms *doms, struct xld_dom *d,
		   struct xld_vbds **out)
{
	struct xld_vbds *vbds = NULL;
	char *err = doms->dc_msg;
	size_t len = sizeof(doms->dc_msg);
	int rc;

	rc = xld_vbds_parse(d->config, d->domid, &vbds, err, len);
	if (!rc)
		rc = xld_vbds_check(vbds, err, len);
	if (!rc)
		rc = vbds_in_use(doms, d, vbds, err, len);
	if (!rc)
		rc = xld_vbds_publish(doms->st, vbds, err, len);
	if (rc) {
		xld_vbds_free(vbds);
		return rc;
	}
	*out = vbds;
	return 0;
}

/*
 * What the disks of @d, found running after a restart of xld, are: the
 * in-use check counts them as before.
 */
void dom_vbds_recover(struct xld_dom *d)
{
	struct xld_vbds *vbds = NULL;
	char err[256];

	if (xld_vbds_parse(d->config, d->domid, &vbds, err, sizeof(err))) {
		xld_warn("domain %" PRIu32 " (%s): its disks: %s", d->domid,
			 d->name, err);
		return;
	}
	xld_vbds_recover(vbds);
	xld_vbds_free(d->vbds);
	d->vbds = vbds;
}
