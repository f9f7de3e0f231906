// SPDX-License-Identifier: GPL-2.0
/*
 * The domain registry and its state machine.
 *
 * Each guest is a detached xlhv monitor reached through libdomctl.  xld
 * keeps, for each, a record in $XLD_STATEDIR/domains/<domid>.json
 * (written before the monitor starts, replaced atomically), the domain's
 * nodes in the store, and the policy to apply when the guest stops.  Each
 * monitor pushes its state changes on a watch fd in the event loop (and a
 * slow timer asks too); a guest found in state SHUTDOWN gets its
 * on_poweroff/on_reboot/on_crash action, once.
 *
 * Nothing here kills a guest because xld failed to write something: a
 * record or store write that fails after the guest runs is logged and
 * the guest keeps running.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/dom/dom.h"
#include "xld/dom/dump.h"
#include "xld/dom/cpu_sched.h"
#include "xld/dom/vbd.h"
#include "xld/dom/vif.h"
#include "xld/log.h"
#include "xld/store/xs.h"

/*
 * Monitors push state changes on a watch fd (dc_domain_watch); a slow timer
 * also asks each for its CPU time, and catches what a lost watch missed.
 */
#define POLL_MS 1000
/* A record file bigger than this is refused as damaged. */
#define RECORD_MAX (1024 * 1024)

struct xld_doms {
	struct xld_loop *loop;
	struct xs_store *st;
	struct xs_server *srv;
	dc_ctx *dc;
	char *recdir; /* statedir/domains */
	char *condir; /* logdir/console */
	uint64_t conlog_max;   /* struct dc_build's console_log_max */
	uint32_t conlog_keep;  /* and console_log_keep */
	struct xld_dom *list;
	unsigned int count;
	uint32_t next_domid;
	int timer_fd;
	xld_dom_notify_fn notify;
	void *notify_arg;
	void (*flush)(void *arg); /* the store journal's */
	void *flush_arg;
	bool dom0_published;
	char dc_msg[512]; /* libdomctl's first error, for the reply */
	struct xld_dumps *dumps; /* core dumps being written */
	char *dumpdir;		 /* $XLD_DUMPDIR or statedir/dump */
	struct xld_sched *sched; /* CPU weights and caps (cgroups) */
	char sched_msg[512];	 /* why the last ones were not applied */
	char no_kvm[512];	 /* why no guest can run here; "" if one can */
};

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

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
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

/* ---- the list ---- */

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

static struct xld_dom *dom_by_name(struct xld_doms *doms, const char *name)
{
	struct xld_dom *d;

	for (d = doms->list; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

static struct xld_dom *dom_by_uuid(struct xld_doms *doms, const uint8_t *u)
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
static struct xld_dom *dom_new(struct xld_doms *doms)
{
	struct xld_dom *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->doms = doms;
	d->watch_fd = -1;
	d->weight = XLD_SCHED_WEIGHT_DEFAULT;
	return d;
}

static void list_insert(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_dom **pp;

	for (pp = &doms->list; *pp && (*pp)->domid < d->domid;
	     pp = &(*pp)->next)
		;
	d->next = *pp;
	*pp = d;
	doms->count++;
}

static void list_remove(struct xld_doms *doms, struct xld_dom *d)
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

static void watch_stop(struct xld_dom *d)
{
	if (d->watch_fd < 0)
		return;
	xld_loop_del(d->doms->loop, d->watch_fd);
	close(d->watch_fd);
	d->watch_fd = -1;
}

static void dom_free(struct xld_dom *d)
{
	if (!d)
		return;
	watch_stop(d);
	free(d->name);
	json_object_put(d->config);
	json_object_put(d->next_config);
	xld_vbds_free(d->vbds);
	free(d);
}

static void notify(struct xld_doms *doms, struct xld_dom *d,
		   enum xld_dom_event ev)
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

/* Make the store's changes durable before going on (kill -9 safe). */
static void store_flush(struct xld_doms *doms)
{
	if (doms->flush)
		doms->flush(doms->flush_arg);
}

/* ---- domids ---- */

/* The next free domid after the last one given, wrapping at the top. */
static int domid_alloc(struct xld_doms *doms, uint32_t *out)
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

/* ---- files ---- */

static int path_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Write @data to @dir/.@name.tmp and fsync it: the first half of an
 * atomic write (file_commit is the second).  Nothing is left on failure. */
static int file_write_tmp(const char *dir, const char *name, const char *data,
			  size_t len)
{
	char tmp[PATH_MAX];
	int fd = -1, rc;
	ssize_t r;
	size_t off = 0;

	rc = path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (rc)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		r = write(fd, data + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		off += (size_t)r;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = -errno;
		goto out;
	}
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	return rc;
}

/* Rename @dir/.@name.tmp over @dir/@name (durable once the dir is synced). */
static int file_commit(const char *dir, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int rc;

	rc = path_fmt(path, sizeof(path), "%s/%s", dir, name);
	if (!rc)
		rc = path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (rc)
		return rc;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
	}
	return rc;
}

static void dir_sync(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/* Write @data to @dir/@name: temp file, fsync, rename, fsync the dir. */
static int file_write_atomic(const char *dir, const char *name,
			     const char *data, size_t len)
{
	int rc = file_write_tmp(dir, name, data, len);

	if (!rc)
		rc = file_commit(dir, name);
	if (!rc)
		dir_sync(dir);
	return rc;
}

typedef int file_write_fn(const char *dir, const char *name, const char *data,
			  size_t len);

static int next_domid_write(struct xld_doms *doms, file_write_fn *write_fn)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu32 "\n", doms->next_domid);

	return write_fn(doms->recdir, "next-domid", buf, (size_t)len);
}

static int next_domid_save(struct xld_doms *doms)
{
	return next_domid_write(doms, file_write_atomic);
}

static json_object *record_json(const struct xld_dom *d)
{
	json_object *o = json_object_new_object();
	char uuid[37];

	if (!o)
		return NULL;
	uuid_unparse_lower(d->uuid, uuid);
	if (json_object_object_add(o, "domid",
				   json_object_new_int64(d->domid)) ||
	    json_object_object_add(o, "name",
				   json_object_new_string(d->name)) ||
	    json_object_object_add(o, "uuid", json_object_new_string(uuid)) ||
	    json_object_object_add(o, "start_time",
				   json_object_new_int64(d->start_time)) ||
	    json_object_object_add(o, "handled",
				   json_object_new_boolean(d->handled)) ||
	    json_object_object_add(o, "weight",
				   json_object_new_int64(d->weight)) ||
	    json_object_object_add(o, "cap", json_object_new_int64(d->cap)) ||
	    json_object_object_add(o, "target_kib",
				   json_object_new_int64((int64_t)d->memory_kib)) ||
	    json_object_object_add(o, "maxmem_kib",
				   json_object_new_int64((int64_t)d->maxmem_kib)) ||
	    json_object_object_add(o, "ram_kib",
				   json_object_new_int64((int64_t)d->ram_kib)) ||
	    json_object_object_add(o, "config", json_object_get(d->config)) ||
	    (d->next_config &&
	     json_object_object_add(o, "next_config",
				    json_object_get(d->next_config)))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int record_write(struct xld_doms *doms, const struct xld_dom *d,
			file_write_fn *write_fn)
{
	json_object *o = record_json(d);
	const char *s;
	char name[32];
	int rc;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	snprintf(name, sizeof(name), "%" PRIu32 ".json", d->domid);
	rc = s ? write_fn(doms->recdir, name, s, strlen(s)) : -ENOMEM;
	json_object_put(o);
	return rc;
}

static int record_save(struct xld_doms *doms, const struct xld_dom *d)
{
	return record_write(doms, d, file_write_atomic);
}

/*
 * A new domain's record and the domid counter: both written and synced,
 * then both renamed and one fsync of the directory makes the two renames
 * durable (one fsync less than two atomic writes).  A crash before that
 * fsync loses nothing: no guest has started; a record without the
 * counter is a domid in use, which the allocator skips.
 */
static int record_create(struct xld_doms *doms, const struct xld_dom *d)
{
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "%" PRIu32 ".json", d->domid);
	rc = next_domid_write(doms, file_write_tmp);
	if (rc)
		return rc;
	rc = record_write(doms, d, file_write_tmp);
	if (!rc)
		rc = file_commit(doms->recdir, "next-domid");
	if (!rc)
		rc = file_commit(doms->recdir, name);
	if (rc) {
		/* what was not renamed goes (unlink of a renamed tmp: ENOENT) */
		char tmp[PATH_MAX];

		if (!path_fmt(tmp, sizeof(tmp), "%s/.next-domid.tmp",
			      doms->recdir))
			unlink(tmp);
		if (!path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", doms->recdir,
			      name))
			unlink(tmp);
		return rc;
	}
	dir_sync(doms->recdir);
	return 0;
}

/*
 * After the guest runs: log a failure, never undo the guest for it; the
 * timer tries again until the record is written.
 */
static void record_update(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = record_save(doms, d);

	d->record_dirty = rc != 0;
	if (rc)
		xld_err("domain %" PRIu32 " (%s): cannot write its record "
			"in %s: %s; it keeps running",
			d->domid, d->name, doms->recdir, strerror(-rc));
}

static void record_remove(struct xld_doms *doms, uint32_t domid)
{
	char path[PATH_MAX];

	if (path_fmt(path, sizeof(path), "%s/%" PRIu32 ".json", doms->recdir,
		     domid))
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		xld_err("unlink %s: %s", path, strerror(errno));
}

/* ---- the config ---- */

static const char *cfg_str(json_object *cfg, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(cfg, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer key in 1..@max; -ENOENT when absent, -EINVAL when bad. */
static int cfg_uint(json_object *cfg, const char *key, uint64_t max,
		    uint64_t *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(cfg, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < 1 || (uint64_t)n > max)
		return -EINVAL;
	*out = (uint64_t)n;
	return 0;
}

static int cfg_action(json_object *cfg, const char *key, enum xld_action def,
		      enum xld_action *out, char *err, size_t errlen)
{
	json_object *v;

	if (!json_object_object_get_ex(cfg, key, &v)) {
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    xld_action_parse(json_object_get_string(v), out)) {
		snprintf(err, errlen,
			 "%s must be one of destroy, restart, rename-restart, "
			 "preserve, coredump-destroy, coredump-restart",
			 key);
		return -EINVAL;
	}
	return 0;
}

/* Check what xld itself needs from a config and fill @d from it. */
static int config_apply(struct xld_dom *d, json_object *cfg, char *err,
			size_t errlen)
{
	const char *name, *uuid;
	uint64_t v;
	int rc;

	if (!json_object_is_type(cfg, json_type_object)) {
		snprintf(err, errlen, "config must be a JSON object");
		return -EINVAL;
	}
	name = cfg_str(cfg, "name");
	if (!name) {
		snprintf(err, errlen, "config has no name");
		return -EINVAL;
	}
	if (xld_dom_name_check(name)) {
		snprintf(err, errlen,
			 "invalid domain name '%.80s': use 1 to %d letters, "
			 "digits and -_.+:@, not digits only",
			 name, XLD_DOM_NAME_MAX);
		return -EINVAL;
	}
	if (!cfg_str(cfg, "kernel") || !cfg_str(cfg, "kernel")[0]) {
		snprintf(err, errlen, "config has no kernel");
		return -EINVAL;
	}
	uuid = cfg_str(cfg, "uuid");
	if (uuid && uuid_parse(uuid, d->uuid)) {
		snprintf(err, errlen, "invalid uuid '%.40s'", uuid);
		return -EINVAL;
	}
	if (!uuid)
		uuid_generate_random(d->uuid);
	rc = cfg_uint(cfg, "memory", 1024 * 1024, &v);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "memory must be 1..1048576 MiB");
		return rc;
	}
	d->memory_kib = (rc ? 128 : v) * 1024;
	rc = cfg_uint(cfg, "maxmem", 1024 * 1024, &v);
	if (rc == -EINVAL || (!rc && v * 1024 < d->memory_kib)) {
		snprintf(err, errlen, "maxmem must be %" PRIu64 "..1048576 "
			 "MiB (at least memory)", d->memory_kib / 1024);
		return -EINVAL;
	}
	d->maxmem_kib = rc ? d->memory_kib : v * 1024;
	d->ram_kib = d->maxmem_kib;
	rc = cfg_uint(cfg, "vcpus", 512, &v);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "vcpus must be 1..512");
		return rc;
	}
	d->vcpus = rc ? 1 : (uint32_t)v;
	rc = cfg_uint(cfg, "maxvcpus", 512, &v);
	if (rc == -EINVAL || (!rc && v < d->vcpus)) {
		snprintf(err, errlen, "maxvcpus must be %" PRIu32 "..512 (at "
			 "least vcpus)", d->vcpus);
		return -EINVAL;
	}
	d->maxvcpus = rc ? d->vcpus : (uint32_t)v;
	rc = cfg_action(cfg, "on_poweroff", XLD_ACTION_DESTROY, &d->on_poweroff,
			err, errlen);
	if (!rc)
		rc = cfg_action(cfg, "on_reboot", XLD_ACTION_RESTART,
				&d->on_reboot, err, errlen);
	if (!rc)
		rc = cfg_action(cfg, "on_crash", XLD_ACTION_DESTROY,
				&d->on_crash, err, errlen);
	if (!rc)
		rc = xld_sched_config(cfg, &d->weight, &d->cap, err, errlen);
	if (rc)
		return rc;
	d->name = strdup(name);
	if (!d->name)
		return -ENOMEM;
	d->config = json_object_get(cfg);
	return 0;
}

/*
 * As @d restarts, the config xl config-update left becomes its config,
 * as Xen's xl reloads it then; the name and UUID stay the domain's.
 */
static void config_next(struct xld_dom *d)
{
	struct xld_dom *t;
	char err[256];

	if (!d->next_config)
		return;
	t = dom_new(d->doms);
	/* the name may have changed since (xl rename) */
	if (!t || json_object_object_add(d->next_config, "name",
					 json_object_new_string(d->name))) {
		xld_err("domain %s: out of memory: restarting with its old "
			"config", d->name);
	} else if (config_apply(t, d->next_config, err, sizeof(err))) {
		/* it was checked when stored: only a record edited by hand */
		xld_err("domain %s: its updated config is refused (%s): "
			"restarting with the old one", d->name, err);
	} else {
		json_object_put(d->config);
		d->config = t->config;
		t->config = NULL;
		d->memory_kib = t->memory_kib;
		d->maxmem_kib = t->maxmem_kib;
		d->ram_kib = t->ram_kib;
		d->vcpus = t->vcpus;
		d->maxvcpus = t->maxvcpus;
		d->on_poweroff = t->on_poweroff;
		d->on_reboot = t->on_reboot;
		d->on_crash = t->on_crash;
		d->weight = t->weight;
		d->cap = t->cap;
		xld_info("domain %s restarts with its updated config",
			 d->name);
	}
	dom_free(t);
	json_object_put(d->next_config);
	d->next_config = NULL;
}

/* ---- the store ---- */

static int st_write(struct xs_op *op, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int st_write(struct xs_op *op, const char *path, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(val))
		return -ENAMETOOLONG;
	return xs_node_write(op, path, val, (uint32_t)r);
}

/* Write @d's nodes in one transaction (retried on conflict). */
static int store_publish(struct xld_doms *doms, struct xld_dom *d)
{
	const struct xs_perm ro[] = {{0, XS_PERM_NONE},
				     {d->domid, XS_PERM_READ}};
	const struct xs_perm rw[] = {{d->domid, XS_PERM_NONE}};
	static const char *const rw_dirs[] = {
	    "control/shutdown", "data", "device",
	    "drivers",		"attr", "messages"};
	struct xs_op op = {.st = doms->st, .priv = true};
	char home[64], vm[96], p[256], uuid[37], tty[128];
	struct xs_txn *t = NULL;
	int rc, tries;
	uint32_t i;
	size_t k;
	/* the pty the monitor offers the serial console on, as qemu does */
	bool has_tty = d->pid &&
		       !dc_domain_console(doms->dc, d->domid, tty, sizeof(tty));

	uuid_unparse_lower(d->uuid, uuid);
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, d->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", uuid);
	for (tries = 0; tries < 5; tries++) {
		rc = xs_txn_start(&op, &t);
		if (rc)
			return rc;
		op.txn = t;
		rc = xs_node_mkdir(&op, home);
		if (!rc)
			rc = xs_node_set_perms(&op, home, ro, 2);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, home), "/name"),
				      "%s", d->name);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, home), "/domid"),
				      "%" PRIu32, d->domid);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, home), "/vm"), "%s",
				      vm);
		if (!rc)
			rc = st_write(&op,
				      strcat(strcpy(p, home), "/memory/target"),
				      "%" PRIu64, d->memory_kib);
		if (!rc)
			rc = st_write(
			    &op, strcat(strcpy(p, home), "/memory/static-max"),
			    "%" PRIu64, d->maxmem_kib);
		for (i = 0; !rc && i < d->maxvcpus; i++) {
			snprintf(p, sizeof(p),
				 "%s/cpu/%" PRIu32 "/availability", home, i);
			rc = st_write(&op, p, "%s",
				      i < d->vcpus ? "online" : "offline");
		}
		for (k = 0; !rc && k < sizeof(rw_dirs) / sizeof(*rw_dirs);
		     k++) {
			snprintf(p, sizeof(p), "%s/%s", home, rw_dirs[k]);
			rc = xs_node_mkdir(&op, p);
			if (!rc)
				rc = xs_node_set_perms(&op, p, rw, 1);
		}
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, vm), "/uuid"), "%s",
				      uuid);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, vm), "/name"), "%s",
				      d->name);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, vm), "/start_time"),
				      "%lld", (long long)d->start_time);
		if (!rc)
			rc =
			    st_write(&op, strcat(strcpy(p, vm), "/on_poweroff"),
				     "%s", action_names[d->on_poweroff]);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, vm), "/on_reboot"),
				      "%s", action_names[d->on_reboot]);
		if (!rc)
			rc = st_write(&op, strcat(strcpy(p, vm), "/on_crash"),
				      "%s", action_names[d->on_crash]);
		if (!rc && has_tty)
			rc = st_write(&op,
				      strcat(strcpy(p, home), "/console/tty"),
				      "%s", tty);
		if (!rc && has_tty)
			rc = st_write(&op,
				      strcat(strcpy(p, home), "/console/type"),
				      "ioemu");
		op.txn = NULL;
		rc = xs_txn_end(&op, t, rc == 0);
		if (rc != -EAGAIN)
			break;
	}
	return rc;
}

/* Remove @domid's home and its /vm entry. */
static void store_unpublish(struct xld_doms *doms, uint32_t domid,
			    const uint8_t *u)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96], uuid[37];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%" PRIu32, domid);
	rc = xs_node_rm(&op, p);
	if (rc && rc != -ENOENT)
		xld_err("rm %s: %s", p, strerror(-rc));
	uuid_unparse_lower(u, uuid);
	snprintf(p, sizeof(p), "/vm/%s", uuid);
	rc = xs_node_rm(&op, p);
	if (rc && rc != -ENOENT)
		xld_err("rm %s: %s", p, strerror(-rc));
}

static void store_dom0(struct xld_doms *doms);

static void store_attach(struct xld_doms *doms, struct xld_dom *d)
{
	int rc;

	store_dom0(doms);
	rc = store_publish(doms, d);

	if (rc)
		xld_err("domain %" PRIu32 " (%s): cannot write its store "
			"nodes: %s",
			d->domid, d->name, strerror(-rc));
	store_flush(doms);
	rc = xs_server_introduce(doms->srv, d->domid);
	if (rc && rc != -EEXIST)
		xld_err("domain %" PRIu32 ": introduce: %s", d->domid,
			strerror(-rc));
}

static void store_detach(struct xld_doms *doms, struct xld_dom *d)
{
	int rc;

	store_unpublish(doms, d->domid, d->uuid);
	store_flush(doms);
	rc = xs_server_release(doms->srv, d->domid);
	if (rc && rc != -ENOENT)
		xld_err("domain %" PRIu32 ": release: %s", d->domid,
			strerror(-rc));
}

/*
 * Domain-0's home, written with the first guest: a store that only ever
 * served xenstore clients is left as they made it.
 */
static void store_dom0(struct xld_doms *doms)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	int rc;

	if (doms->dom0_published)
		return;
	doms->dom0_published = true;
	rc = st_write(&op, "/local/domain/0/name", "Domain-0");
	if (!rc)
		rc = st_write(&op, "/local/domain/0/domid", "0");
	if (rc)
		xld_err("cannot write Domain-0's nodes: %s", strerror(-rc));
}

/* ---- monitors ---- */

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

static void info_apply(struct xld_dom *d, const struct dc_dominfo *info)
{
	d->pid = info->pid;
	d->state = info->state;
	d->reason = info->state == DC_STATE_SHUTDOWN ? info->shutdown_reason
						     : DC_SHUTDOWN_NONE;
	if (info->vcpus)
		d->vcpus = info->vcpus;
	if (info->memory_kib)
		d->memory_kib = info->memory_kib;
	d->cpu_time_ns = info->cpu_time_ns;
}

static void watch_event(struct xld_loop *loop, int fd, uint32_t events,
			void *arg);

/* Be told of @d's state changes; without it the slow timer still asks. */
static void watch_start(struct xld_doms *doms, struct xld_dom *d)
{
	int fd, rc;
	struct timeval limit = {1, 0};

	watch_stop(d);
	fd = dc_domain_watch(doms->dc, d->domid);
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

/* @d's vifs, on the way out: script offline, TAPs and nodes gone. */
static void vifs_down(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_vifs *vifs = malloc(sizeof(*vifs));
	char err[256];

	if (vifs &&
	    !xld_vifs_parse(d->config, d->domid, vifs, err, sizeof(err)))
		xld_vifs_down(doms->st, vifs);
	free(vifs);
}

/* @d's vif nodes again, after its home was rewritten. */
static void vifs_republish(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_vifs *vifs = malloc(sizeof(*vifs));
	char err[256];

	if (vifs &&
	    !xld_vifs_parse(d->config, d->domid, vifs, err, sizeof(err)))
		xld_vifs_republish(doms->st, vifs);
	free(vifs);
}

/*
 * Put @d's monitor in its cgroup with its weight and cap.  Never fails the
 * guest: what cannot be applied is logged, and said in doms->sched_msg
 * (for xl create) when the config asked for more than the defaults.
 */
static void sched_join(struct xld_doms *doms, struct xld_dom *d)
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

/* The weight and cap a record keeps (xl sched-credit), over its config's. */
static void record_sched(json_object *o, struct xld_dom *d)
{
	json_object *v;
	int64_t n;

	if (json_object_object_get_ex(o, "weight", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) >= 1 && n <= XLD_SCHED_WEIGHT_MAX)
		d->weight = (unsigned int)n;
	if (json_object_object_get_ex(o, "cap", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) >= 0 && n <= 65535)
		d->cap = (unsigned int)n;
}

/*
 * The memory a record keeps (xl mem-set, mem-max), over its config's: in
 * order, RAM >= maxmem >= target >= the floor, or none of it is taken.
 */
static void record_memory(json_object *o, struct xld_dom *d)
{
	static const char *const keys[3] = {"ram_kib", "maxmem_kib",
					    "target_kib"};
	int64_t n[3];
	json_object *v;

	for (int i = 0; i < 3; i++) {
		if (!json_object_object_get_ex(o, keys[i], &v) ||
		    !json_object_is_type(v, json_type_int))
			return;
		n[i] = json_object_get_int64(v);
	}
	if (n[2] < XLD_MEM_MIN_KIB || n[1] < n[2] || n[0] < n[1] ||
	    n[0] > 1024LL * 1024 * 1024)
		return;
	d->ram_kib = (uint64_t)n[0];
	d->maxmem_kib = (uint64_t)n[1];
	d->memory_kib = (uint64_t)n[2];
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
static int vbds_up(struct xld_doms *doms, struct xld_dom *d,
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
static void vbds_recover(struct xld_dom *d)
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

/*
 * Start @d's monitor (its record is written and its domid set), its vifs
 * first; on failure nothing of either is left and doms->dc_msg says why.
 */
static int monitor_start(struct xld_doms *doms, struct xld_dom *d)
{
	struct dc_build b = {0};
	struct dc_dominfo info;
	struct dc_net nets[XLD_VIF_MAX];
	struct dc_disk disks[XLD_VBD_MAX];
	struct xld_vifs *vifs = NULL;
	struct xld_vbds *vbds = NULL;
	json_object *cfg = d->config;
	char console[PATH_MAX];
	pid_t pid;
	int rc;

	doms->dc_msg[0] = '\0';
	rc = path_fmt(console, sizeof(console), "%s/%s.log", doms->condir,
		      d->name);
	if (rc)
		return rc;
	vifs = malloc(sizeof(*vifs));
	if (!vifs)
		return -ENOMEM;
	rc = vbds_up(doms, d, &vbds);
	if (rc)
		goto out;
	rc = xld_vifs_parse(cfg, d->domid, vifs, doms->dc_msg,
			    sizeof(doms->dc_msg));
	if (!rc)
		rc = xld_vifs_up(doms->st, vifs, doms->dc_msg,
				 sizeof(doms->dc_msg));
	if (rc) {
		xld_vbds_unpublish(doms->st, d->domid);
		goto out;
	}
	b.nets = nets;
	b.nnets = xld_vifs_nets(vifs, nets);
	b.disks = disks;
	b.ndisks = xld_vbds_disks(vbds, disks);
	b.domid = d->domid;
	b.name = d->name;
	b.kernel = cfg_str(cfg, "kernel");
	b.ramdisk = cfg_str(cfg, "ramdisk");
	b.cmdline = cfg_str(cfg, "cmdline");
	b.memory_mib = d->memory_kib / 1024;
	b.maxmem_mib = d->maxmem_kib / 1024;
	b.vcpus = d->vcpus;
	b.maxvcpus = d->maxvcpus;
	b.console_log = console;
	b.console_log_max = doms->conlog_max;
	b.console_log_keep = doms->conlog_keep;
	rc = dc_domain_create(doms->dc, &b, &pid);
	if (rc) {
		/* the monitor's message stays the reason given */
		xld_vifs_down(doms->st, vifs);
		xld_vbds_unpublish(doms->st, d->domid);
		goto out;
	}
	xld_vifs_connected(doms->st, vifs);
	xld_vbds_connected(doms->st, vbds);
	xld_vbds_free(d->vbds);
	d->vbds = vbds;
	vbds = NULL;
	/* the RAM built: what mem-max may come back up to */
	d->ram_kib = (b.maxmem_mib > b.memory_mib ? b.maxmem_mib
						  : b.memory_mib) * 1024;
	if (d->maxmem_kib > d->ram_kib)
		d->maxmem_kib = d->ram_kib;
	d->pid = pid;
	d->state = DC_STATE_RUNNING;
	d->reason = DC_SHUTDOWN_NONE;
	d->handled = false;
	watch_start(doms, d);
	if (dc_domain_info(doms->dc, d->domid, &info) == 0)
		info_apply(d, &info);
	sched_join(doms, d);
out:
	xld_vbds_free(vbds);
	free(vifs);
	return rc;
}

/* ---- lifecycle ---- */

static int dom_remove(struct xld_doms *doms, struct xld_dom *d)
{
	int rc;

	watch_stop(d);
	rc = dc_domain_destroy(doms->dc, d->domid);
	if (rc && rc != -ESRCH) {
		xld_err("domain %" PRIu32 " (%s): destroy: %s", d->domid,
			d->name, strerror(-rc));
		return rc;
	}
	xld_sched_remove(doms->sched, d->domid);
	vifs_down(doms, d);
	xld_vbds_unpublish(doms->st, d->domid);
	store_detach(doms, d);
	record_remove(doms, d->domid);
	notify(doms, d, XLD_DOM_GONE);
	list_remove(doms, d);
	xld_info("domain %" PRIu32 " (%s) destroyed", d->domid, d->name);
	dom_free(d);
	return 0;
}

int xld_dom_destroy(struct xld_doms *doms, struct xld_dom *d)
{
	/* its monitor answers nothing until the dump is written */
	if (d->dumping)
		return -EBUSY;
	return dom_remove(doms, d);
}

/*
 * Restart @d under a new domid with the same name, UUID and config (as
 * Xen does).  On failure the domain is gone and an error logged.
 */
static void dom_restart(struct xld_doms *doms, struct xld_dom *d)
{
	uint32_t old = d->domid, domid;
	int rc;

	watch_stop(d);
	rc = dc_domain_destroy(doms->dc, old);
	if (rc && rc != -ESRCH) {
		xld_err("domain %" PRIu32 " (%s): cannot destroy it to "
			"restart it: %s",
			old, d->name, strerror(-rc));
		d->handled = true;
		return;
	}
	xld_sched_remove(doms->sched, old);
	vifs_down(doms, d);
	xld_vbds_unpublish(doms->st, old);
	store_detach(doms, d);
	notify(doms, d, XLD_DOM_GONE);
	list_remove(doms, d);
	rc = domid_alloc(doms, &domid);
	if (!rc) {
		d->domid = domid;
		d->start_time = time(NULL);
		d->handled = false;
		config_next(d);
		list_insert(doms, d);
		next_domid_save(doms);
		rc = record_save(doms, d);
		if (!rc) {
			record_remove(doms, old);
			rc = monitor_start(doms, d);
			if (rc)
				record_remove(doms, domid);
		}
		if (rc)
			list_remove(doms, d);
	}
	if (rc) {
		xld_err("domain %s: restart failed: %s%s%s", d->name,
			strerror(-rc), doms->dc_msg[0] ? ": " : "",
			doms->dc_msg);
		record_remove(doms, old);
		dom_free(d);
		return;
	}
	store_attach(doms, d);
	xld_info("domain %s restarted: domid %" PRIu32 " -> %" PRIu32, d->name,
		 old, d->domid);
	notify(doms, d, XLD_DOM_CHANGED);
}

/* Keep @d as it is, renamed "<name>-<UTC time>" with a new UUID (xl). */
static void dom_preserve(struct xld_doms *doms, struct xld_dom *d)
{
	char stamp[32], *name;
	struct tm tm;
	time_t now = time(NULL);
	int n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "-%Y%m%dT%H%MZ", &tm);
	name = malloc(strlen(d->name) + strlen(stamp) + 8);
	if (name) {
		/* a second preserved copy within the minute gets a number */
		sprintf(name, "%s%s", d->name, stamp);
		for (n = 2; dom_by_name(doms, name) && n < 100; n++)
			sprintf(name, "%s%s-%d", d->name, stamp, n);
		store_unpublish(doms, d->domid, d->uuid);
		xld_info("preserving domain %" PRIu32 " %s as %s", d->domid,
			 d->name, name);
		free(d->name);
		d->name = name;
		uuid_generate_random(d->uuid);
		store_attach(doms, d);
		vifs_republish(doms, d);
		if (d->vbds)
			xld_vbds_republish(doms->st, d->vbds);
	}
	d->handled = true;
	record_update(doms, d);
	notify(doms, d, XLD_DOM_CHANGED);
}

/* Rename-restart: the old guest preserved, a new one in its place. */
static void dom_rename_restart(struct xld_doms *doms, struct xld_dom *d)
{
	struct xld_dom *n = dom_new(doms);
	uint32_t domid;
	int rc;

	if (!n || !(n->name = strdup(d->name))) {
		dom_free(n);
		xld_err("domain %s: rename-restart: out of memory", d->name);
		d->handled = true;
		return;
	}
	memcpy(n->uuid, d->uuid, 16);
	/* its own copy: renaming the preserved one must not rename it */
	if (json_object_deep_copy(d->config, &n->config, NULL)) {
		dom_free(n);
		xld_err("domain %s: rename-restart: out of memory", d->name);
		d->handled = true;
		return;
	}
	n->memory_kib = d->memory_kib;
	n->maxmem_kib = d->maxmem_kib;
	n->ram_kib = d->ram_kib;
	n->vcpus = d->vcpus;
	n->maxvcpus = d->maxvcpus;
	n->on_poweroff = d->on_poweroff;
	n->on_reboot = d->on_reboot;
	n->on_crash = d->on_crash;
	n->weight = d->weight;
	n->cap = d->cap;
	/* the new one restarts with what xl config-update left */
	n->next_config = d->next_config;
	d->next_config = NULL;
	config_next(n);
	dom_preserve(doms, d);
	rc = domid_alloc(doms, &domid);
	if (!rc) {
		n->domid = domid;
		n->start_time = time(NULL);
		next_domid_save(doms);
		rc = record_save(doms, n);
	}
	if (!rc) {
		list_insert(doms, n);
		rc = monitor_start(doms, n);
		if (rc) {
			list_remove(doms, n);
			record_remove(doms, domid);
		}
	}
	if (rc) {
		xld_err("domain %s: restart failed: %s", n->name,
			strerror(-rc));
		dom_free(n);
		return;
	}
	store_attach(doms, n);
	notify(doms, n, XLD_DOM_CHANGED);
}

/* The action for @d's shutdown reason. */
static enum xld_action stop_action(const struct xld_dom *d)
{
	switch (d->reason) {
	case DC_SHUTDOWN_POWEROFF:
		return d->on_poweroff;
	case DC_SHUTDOWN_REBOOT:
		return d->on_reboot;
	default:
		return d->on_crash;
	}
}

/* Apply @a to the stopped @d; a core dump is written (or not) by now. */
static void dom_act(struct xld_doms *doms, struct xld_dom *d, enum xld_action a)
{
	switch (a) {
	case XLD_ACTION_COREDUMP_DESTROY:
	case XLD_ACTION_DESTROY:
		d->handled = true;
		if (dom_remove(doms, d))
			notify(doms, d, XLD_DOM_CHANGED);
		return;
	case XLD_ACTION_COREDUMP_RESTART:
	case XLD_ACTION_RESTART:
		dom_restart(doms, d);
		return;
	case XLD_ACTION_RENAME_RESTART:
		dom_rename_restart(doms, d);
		return;
	case XLD_ACTION_PRESERVE:
		dom_preserve(doms, d);
		return;
	}
}

/* A coredump-* action's dump ended: log it, then destroy or restart. */
static void coredump_done(void *arg, uint32_t domid, uint64_t tag,
			  const char *path, int rc,
			  const struct dc_save_result *res, const char *msg)
{
	struct xld_doms *doms = arg;
	struct xld_dom *d;
	enum xld_action a;

	(void)tag;
	if (rc == -ECANCELED)
		return; /* xld exits: a new one applies the policy again */
	d = xld_dom_by_id(doms, domid);
	if (!d || !d->dumping)
		return;
	d->dumping = false;
	a = stop_action(d);
	if (rc)
		xld_err("domain %" PRIu32 " (%s): core dump to %s failed: "
			"%s%s%s; %s it anyway",
			d->domid, d->name, path, strerror(-rc),
			msg[0] ? ": " : "", msg,
			a == XLD_ACTION_COREDUMP_RESTART ? "restarting"
							 : "destroying");
	else
		xld_info("domain %" PRIu32 " (%s): core dump written to %s: "
			 "%" PRIu64 " bytes in %.3f s",
			 d->domid, d->name, path, res->bytes,
			 (double)res->save_ns / 1e9);
	dom_act(doms, d, a);
}

/*
 * Start the core dump of the stopped @d; its end applies the rest of
 * the action.  -errno when no dump can be written (it was logged).
 */
static int coredump_start(struct xld_doms *doms, struct xld_dom *d)
{
	char path[PATH_MAX];
	int rc;

	if (!d->pid) {
		xld_err("domain %" PRIu32 " (%s): its monitor is gone, with "
			"the guest's memory: no core dump",
			d->domid, d->name);
		return -ESRCH;
	}
	rc = xld_dump_dir_make(doms->dumpdir);
	if (!rc)
		rc = xld_dump_path(path, sizeof(path), doms->dumpdir, d->name,
				   d->domid, time(NULL));
	if (!rc)
		rc = xld_dump_start(doms->dumps, d->domid, path, coredump_done,
				    doms, 0);
	if (rc) {
		xld_err("domain %" PRIu32 " (%s): cannot write a core dump "
			"in %s: %s",
			d->domid, d->name, doms->dumpdir, strerror(-rc));
		return rc;
	}
	d->dumping = true;
	xld_info("domain %" PRIu32 " (%s): writing a core dump of %" PRIu64
		 " MiB of RAM to %s",
		 d->domid, d->name, d->memory_kib / 1024, path);
	return 0;
}

/* @d stopped: apply its policy, once. */
static void dom_stopped(struct xld_doms *doms, struct xld_dom *d)
{
	enum xld_action a;

	if (d->handled || d->dumping)
		return;
	a = stop_action(d);
	xld_info("domain %" PRIu32 " (%s) shut down (%s): %s", d->domid,
		 d->name, xld_reason_name(d->reason) ?: "crash",
		 action_names[a]);
	if ((a == XLD_ACTION_COREDUMP_DESTROY ||
	     a == XLD_ACTION_COREDUMP_RESTART) &&
	    coredump_start(doms, d) == 0)
		return; /* coredump_done goes on */
	dom_act(doms, d, a);
}

int xld_dom_refresh(struct xld_doms *doms, struct xld_dom *d)
{
	struct dc_dominfo info;
	enum dc_state was = d->state;
	int rc;

	/* a monitor writing a dump answers when it is done */
	if (d->handled || d->pid == 0 || d->dumping)
		return 0;
	rc = dc_domain_info(doms->dc, d->domid, &info);
	if (rc == -ESRCH) {
		/* the monitor died: the guest crashed with it */
		xld_warn("domain %" PRIu32 " (%s): monitor %ld is gone",
			 d->domid, d->name, (long)d->pid);
		d->pid = 0;
		d->state = DC_STATE_SHUTDOWN;
		d->reason = DC_SHUTDOWN_CRASH;
		dom_stopped(doms, d);
		return 0;
	}
	if (rc)
		return rc;
	info_apply(d, &info);
	if (d->state == DC_STATE_SHUTDOWN)
		dom_stopped(doms, d);
	else if (d->state != was)
		notify(doms, d, XLD_DOM_CHANGED);
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
	if (rc) {
		/* the monitor went away, or spoke nonsense: ask it directly */
		watch_stop(d);
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
	d->cpu_time_ns = info.cpu_time_ns;
	if (d->state == DC_STATE_SHUTDOWN)
		dom_stopped(doms, d);
	else if (d->state != was)
		notify(doms, d, XLD_DOM_CHANGED);
}

/* Refresh every domain; domids first, as policies change the list. */
static void refresh_all(struct xld_doms *doms)
{
	uint32_t *ids;
	unsigned int n = 0, i;
	struct xld_dom *d;

	if (!doms->count)
		return;
	ids = malloc(doms->count * sizeof(*ids));
	if (!ids)
		return;
	for (d = doms->list; d; d = d->next)
		if (!d->handled && !d->dumping)
			ids[n++] = d->domid;
	for (i = 0; i < n; i++) {
		d = xld_dom_by_id(doms, ids[i]);
		if (d)
			xld_dom_refresh(doms, d);
		/* a watch lost to a bad event comes back */
		d = xld_dom_by_id(doms, ids[i]);
		if (d && !d->handled && !d->dumping && d->pid &&
		    d->watch_fd < 0)
			watch_start(doms, d);
	}
	free(ids);
}

/* Records that could not be written: try again, quietly. */
static void records_retry(struct xld_doms *doms)
{
	struct xld_dom *d;

	for (d = doms->list; d; d = d->next) {
		if (d->record_dirty && record_save(doms, d) == 0) {
			d->record_dirty = false;
			xld_info("domain %" PRIu32 " (%s): record written",
				 d->domid, d->name);
		}
	}
}

static void poll_timer(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	uint64_t ticks;

	if (read(fd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
		return;
	refresh_all(arg);
	records_retry(arg);
}

/* ---- operations ---- */

/* Refuse a bad disk entry before anything is made (targets come later). */
static int vbds_check(json_object *config, char *err, size_t errlen)
{
	struct xld_vbds *vbds = NULL;
	int rc = xld_vbds_parse(config, 1, &vbds, err, errlen);

	xld_vbds_free(vbds);
	return rc;
}

/* Refuse a bad vif before anything is made. */
static int vifs_check(json_object *config, char *err, size_t errlen)
{
	struct xld_vifs *vifs = malloc(sizeof(*vifs));
	int rc;

	if (!vifs)
		return -ENOMEM;
	rc = xld_vifs_parse(config, 1, vifs, err, errlen);
	free(vifs);
	return rc;
}

int xld_dom_create(struct xld_doms *doms, json_object *config,
		   struct xld_dom **out, char *err, size_t errlen)
{
	struct xld_dom *d, *other;
	bool listed = false, recorded = false;
	char uuid[37];
	int rc;

	err[0] = '\0';
	d = dom_new(doms);
	if (!d)
		return -ENOMEM;
	rc = config_apply(d, config, err, errlen);
	if (!rc)
		rc = vifs_check(config, err, errlen);
	if (!rc)
		rc = vbds_check(config, err, errlen);
	/* the host's CPUs bound the cap (a record is not refused for it) */
	if (!rc)
		rc = xld_sched_check(d->weight, d->cap, err, errlen);
	if (rc)
		goto out;
	/* a bad request is still named as such; a good one cannot run here */
	if (doms->no_kvm[0]) {
		snprintf(err, errlen, "%s", doms->no_kvm);
		rc = -ENODEV;
		goto out;
	}
	if ((other = dom_by_name(doms, d->name))) {
		snprintf(
		    err, errlen,
		    "domain name '%s' is already in use by domain %" PRIu32,
		    d->name, other->domid);
		rc = -EEXIST;
		goto out;
	}
	if ((other = dom_by_uuid(doms, d->uuid))) {
		uuid_unparse_lower(d->uuid, uuid);
		snprintf(err, errlen,
			 "uuid %s is already in use by domain %" PRIu32 " (%s)",
			 uuid, other->domid, other->name);
		rc = -EEXIST;
		goto out;
	}
	rc = domid_alloc(doms, &d->domid);
	if (rc) {
		snprintf(err, errlen, "every domid is in use");
		goto out;
	}
	list_insert(doms, d);
	listed = true;
	d->start_time = time(NULL);
	/* the record first: a guest never runs that xld cannot find again */
	rc = record_create(doms, d);
	if (rc) {
		snprintf(err, errlen,
			 "cannot write the domain record in %s: %s",
			 doms->recdir, strerror(-rc));
		goto out;
	}
	recorded = true;
	rc = monitor_start(doms, d);
	if (rc) {
		snprintf(err, errlen, "%s",
			 doms->dc_msg[0] ? doms->dc_msg : strerror(-rc));
		goto out;
	}
	store_attach(doms, d);
	xld_info("domain %" PRIu32 " (%s) created, monitor pid %ld", d->domid,
		 d->name, (long)d->pid);
	notify(doms, d, XLD_DOM_CHANGED);
	snprintf(err, errlen, "%s", doms->sched_msg);
	*out = d;
	d = NULL;
out:
	if (d) {
		if (recorded)
			record_remove(doms, d->domid);
		if (listed)
			list_remove(doms, d);
		dom_free(d);
	}
	return rc;
}

int xld_dom_config_update(struct xld_doms *doms, struct xld_dom *d,
			  json_object *config, char *err, size_t errlen)
{
	struct xld_dom *t = dom_new(doms);
	json_object *old = d->next_config;
	char uuid[37];
	int rc;

	err[0] = '\0';
	if (!t)
		return -ENOMEM;
	/* what create checks, but the name and UUID are taken already */
	rc = config_apply(t, config, err, errlen);
	if (!rc)
		rc = vifs_check(config, err, errlen);
	if (!rc)
		rc = vbds_check(config, err, errlen);
	if (!rc)
		rc = xld_sched_check(t->weight, t->cap, err, errlen);
	if (rc)
		goto out;
	rc = -EINVAL;
	if (strcmp(t->name, d->name)) {
		snprintf(err, errlen,
			 "the config is for a domain named '%s', not '%s': "
			 "config-update does not rename (xl rename does)",
			 t->name, d->name);
		goto out;
	}
	if (cfg_str(config, "uuid") && memcmp(t->uuid, d->uuid, 16)) {
		uuid_unparse_lower(d->uuid, uuid);
		snprintf(err, errlen,
			 "the config's uuid is not domain %s's (%s): a "
			 "domain keeps its UUID", d->name, uuid);
		goto out;
	}
	d->next_config = json_object_get(config);
	rc = record_save(doms, d);
	if (rc) {
		json_object_put(d->next_config);
		d->next_config = old;
		snprintf(err, errlen,
			 "cannot write the domain record in %s: %s",
			 doms->recdir, strerror(-rc));
		goto out;
	}
	json_object_put(old);
	d->record_dirty = false;
	xld_info("domain %" PRIu32 " (%s): config updated for its next "
		 "restart", d->domid, d->name);
out:
	dom_free(t);
	return rc;
}

int xld_dom_pause(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = d->dumping ? -EBUSY : dc_domain_pause(doms->dc, d->domid);

	if (!rc)
		xld_dom_refresh(doms, d);
	return rc;
}

int xld_dom_unpause(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = d->dumping ? -EBUSY : dc_domain_unpause(doms->dc, d->domid);

	if (!rc)
		xld_dom_refresh(doms, d);
	return rc;
}

/* One memory/ node of @d, as Xen's toolstack keeps them. */
static void store_memory(struct xld_doms *doms, struct xld_dom *d,
			 const char *node, uint64_t kib)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/memory/%s",
		 d->domid, node);
	rc = st_write(&op, p, "%" PRIu64, kib);
	if (rc)
		xld_err("domain %" PRIu32 " (%s): write %s: %s", d->domid,
			d->name, p, strerror(-rc));
	store_flush(doms);
}

int xld_dom_set_memory(struct xld_doms *doms, struct xld_dom *d,
		       uint64_t target_kib)
{
	int rc;

	if (d->dumping)
		return -EBUSY; /* the monitor is busy writing the dump */
	target_kib &= ~(uint64_t)3; /* whole 4 KiB pages */
	if (target_kib > d->maxmem_kib)
		return -ERANGE;
	if (target_kib < XLD_MEM_MIN_KIB)
		return -EINVAL;
	rc = dc_domain_set_memory(doms->dc, d->domid, target_kib);
	if (rc)
		return rc;
	d->memory_kib = target_kib;
	record_update(doms, d);
	store_memory(doms, d, "target", target_kib);
	xld_info("domain %" PRIu32 " (%s): memory target %" PRIu64 " KiB",
		 d->domid, d->name, target_kib);
	notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}

int xld_dom_set_maxmem(struct xld_doms *doms, struct xld_dom *d,
		       uint64_t max_kib)
{
	if (max_kib < d->memory_kib)
		return -ERANGE;
	if (max_kib > d->ram_kib)
		return -ENOSPC;
	d->maxmem_kib = max_kib;
	record_update(doms, d);
	store_memory(doms, d, "static-max", max_kib);
	xld_info("domain %" PRIu32 " (%s): memory maximum %" PRIu64 " KiB",
		 d->domid, d->name, max_kib);
	return 0;
}

/* cpu/<n>/availability of @d for n < maxvcpus: @online of them online. */
static void store_vcpus(struct xld_doms *doms, struct xld_dom *d,
			uint32_t online)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96];
	int rc = 0;

	for (uint32_t i = 0; !rc && i < d->maxvcpus; i++) {
		snprintf(p, sizeof(p),
			 "/local/domain/%" PRIu32 "/cpu/%" PRIu32
			 "/availability", d->domid, i);
		rc = st_write(&op, p, "%s", i < online ? "online" : "offline");
	}
	if (rc)
		xld_err("domain %" PRIu32 " (%s): write %s: %s", d->domid,
			d->name, p, strerror(-rc));
	store_flush(doms);
}

int xld_dom_set_vcpus(struct xld_doms *doms, struct xld_dom *d,
		      uint32_t online)
{
	struct dc_dominfo info;
	int rc;

	if (d->dumping)
		return -EBUSY; /* the monitor is busy writing the dump */
	if (online < 1 || online > d->maxvcpus)
		return -ERANGE;
	rc = dc_domain_set_vcpus(doms->dc, d->domid, online);
	if (rc)
		return rc;
	store_vcpus(doms, d, online);
	/* added ones count at once; removed ones once the guest ejects them */
	if (dc_domain_info(doms->dc, d->domid, &info) == 0)
		info_apply(d, &info);
	xld_info("domain %" PRIu32 " (%s): %" PRIu32 " of %" PRIu32
		 " vCPUs online asked", d->domid, d->name, online,
		 d->maxvcpus);
	notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}

int xld_dom_shutdown(struct xld_doms *doms, struct xld_dom *d,
		     enum dc_shutdown_reason reason)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96];
	int rc;

	if (d->dumping)
		return -EBUSY;
	rc = dc_domain_shutdown(doms->dc, d->domid, reason);
	if (rc)
		return rc;
	/* what Xen's toolstack writes for a PV guest; ACPI did the rest */
	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/control/shutdown",
		 d->domid);
	st_write(&op, p, "%s",
		 reason == DC_SHUTDOWN_REBOOT ? "reboot" : "poweroff");
	return 0;
}

/* An xl dump-core in progress. */
struct dump_core {
	struct xld_doms *doms;
	xld_dom_dump_fn fn;
	void *arg;
	uint64_t tag;
	bool resume; /* it ran before: unpause it after */
};

static void dump_core_done(void *arg, uint32_t domid, uint64_t tag,
			   const char *path, int rc,
			   const struct dc_save_result *res, const char *msg)
{
	struct dump_core *dc = arg;
	struct xld_dom *d;
	int r;

	(void)tag;
	if (rc == -ECANCELED)
		goto out; /* xld exits: nobody to tell */
	d = xld_dom_by_id(dc->doms, domid);
	if (d) {
		d->dumping = false;
		if (rc)
			xld_err("domain %" PRIu32 " (%s): dump-core to %s "
				"failed: %s%s%s",
				domid, d->name, path, strerror(-rc),
				msg[0] ? ": " : "", msg);
		else
			xld_info("domain %" PRIu32 " (%s): dump-core written "
				 "to %s: %" PRIu64 " bytes in %.3f s",
				 domid, d->name, path, res->bytes,
				 (double)res->save_ns / 1e9);
		/* a failed save already let a running guest run on */
		r = dc->resume && !rc ? dc_domain_unpause(dc->doms->dc, domid)
				      : 0;
		if (r)
			xld_err("domain %" PRIu32 " (%s): cannot resume it "
				"after its dump: %s",
				domid, d->name, strerror(-r));
		xld_dom_refresh(dc->doms, d);
		notify(dc->doms, d, XLD_DOM_CHANGED);
	}
	dc->fn(dc->arg, dc->tag, rc, path, res, msg);
out:
	free(dc);
}

int xld_dom_dump_core(struct xld_doms *doms, struct xld_dom *d,
		      const char *path, xld_dom_dump_fn fn, void *arg,
		      uint64_t tag)
{
	struct dump_core *dc;
	int rc;

	if (d->dumping)
		return -EBUSY;
	if (!d->pid)
		return -ESRCH;
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return -ENOMEM;
	*dc = (struct dump_core){doms, fn, arg, tag,
				 d->state == DC_STATE_RUNNING ||
				     d->state == DC_STATE_BLOCKED};
	rc = xld_dump_start(doms->dumps, d->domid, path, dump_core_done, dc, 0);
	if (rc) {
		free(dc);
		return rc;
	}
	d->dumping = true;
	if (dc->resume)
		d->state = DC_STATE_PAUSED; /* the monitor pauses it */
	xld_info("domain %" PRIu32 " (%s): dump-core of %" PRIu64
		 " MiB of RAM to %s",
		 d->domid, d->name, d->memory_kib / 1024, path);
	notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}

int xld_dom_rename(struct xld_doms *doms, struct xld_dom *d, const char *name)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	char p[96], uuid[37], *copy;

	if (xld_dom_name_check(name))
		return -EINVAL;
	if (!strcmp(d->name, name))
		return 0;
	if (dom_by_name(doms, name))
		return -EEXIST;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(d->name);
	d->name = copy;
	/* the config keeps the name the guest restarts with */
	json_object_object_add(d->config, "name", json_object_new_string(name));
	record_update(doms, d);
	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/name", d->domid);
	st_write(&op, p, "%s", name);
	uuid_unparse_lower(d->uuid, uuid);
	snprintf(p, sizeof(p), "/vm/%s/name", uuid);
	st_write(&op, p, "%s", name);
	store_flush(doms);
	notify(doms, d, XLD_DOM_CHANGED);
	return 0;
}

struct xld_sched *xld_doms_sched(struct xld_doms *doms)
{
	return doms->sched;
}

int xld_dom_sched_set(struct xld_doms *doms, struct xld_dom *d,
		      const long long *weight, const long long *cap, char *err,
		      size_t errlen)
{
	long long w = weight ? *weight : d->weight, c = cap ? *cap : d->cap;
	const char *why = xld_sched_unusable(doms->sched);
	char msg[512];
	int rc;

	rc = xld_sched_check(w, c, err, errlen);
	if (rc)
		return rc;
	if (why) {
		snprintf(err, errlen,
			 "CPU weights and caps need the cgroup cpu "
			 "controller: %s",
			 why);
		return -ENOTSUP;
	}
	/* a guest that is not running gets them when it runs again */
	if (d->pid > 0) {
		rc = xld_sched_set(doms->sched, d->domid, d->pid,
				   (unsigned int)w, (unsigned int)c, msg,
				   sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "domain %" PRIu32 " (%s): %s",
				 d->domid, d->name, msg);
			/* ESRCH and ENOENT would read as "no such domain" */
			return rc == -ESRCH || rc == -ENOENT ? -EIO : rc;
		}
	}
	d->weight = (unsigned int)w;
	d->cap = (unsigned int)c;
	record_update(doms, d);
	xld_info("domain %" PRIu32 " (%s): weight %u, cap %u", d->domid,
		 d->name, d->weight, d->cap);
	return 0;
}

int xld_dom_console_tty(struct xld_doms *doms, const struct xld_dom *d,
			char *buf, size_t len)
{
	struct xs_op op = {.st = doms->st, .priv = true};
	const char *val;
	uint32_t n;
	char p[96];
	int rc;

	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/console/tty",
		 d->domid);
	rc = xs_node_read(&op, p, &val, &n);
	if (rc)
		return rc;
	if (n == 0)
		return -ENOENT;
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, val, n);
	buf[n] = '\0';
	return 0;
}

/* ---- Domain-0 ---- */

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

/* ---- loading and re-attaching ---- */

static int record_load(struct xld_doms *doms, const char *file,
		       struct xld_dom **out)
{
	char path[PATH_MAX], err[256];
	json_object *o = NULL, *v, *cfg;
	struct xld_dom *d = NULL;
	const char *name, *uuid;
	int64_t domid;
	int rc;

	struct stat sb;

	rc = path_fmt(path, sizeof(path), "%s/%s", doms->recdir, file);
	if (rc)
		return rc;
	rc = -EBADMSG;
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > RECORD_MAX)
		goto out;
	o = json_object_from_file(path);
	if (!o || !json_object_object_get_ex(o, "config", &cfg) ||
	    !json_object_object_get_ex(o, "domid", &v) ||
	    !json_object_is_type(v, json_type_int))
		goto out;
	domid = json_object_get_int64(v);
	if (domid < 1 || domid > XLD_DOMID_MAX)
		goto out;
	d = dom_new(doms);
	if (!d) {
		rc = -ENOMEM;
		goto out;
	}
	if (config_apply(d, cfg, err, sizeof(err))) {
		xld_err("%s: %s", path, err);
		goto out;
	}
	d->domid = (uint32_t)domid;
	/* the record's name and UUID win: rename and preserve change them */
	name = json_object_object_get_ex(o, "name", &v)
		   ? json_object_get_string(v)
		   : NULL;
	if (name && !xld_dom_name_check(name) && strcmp(name, d->name)) {
		free(d->name);
		d->name = strdup(name);
		if (!d->name) {
			rc = -ENOMEM;
			goto out;
		}
	}
	uuid = json_object_object_get_ex(o, "uuid", &v)
		   ? json_object_get_string(v)
		   : NULL;
	if (!uuid || uuid_parse(uuid, d->uuid))
		goto out;
	if (json_object_object_get_ex(o, "start_time", &v))
		d->start_time = (time_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "handled", &v))
		d->handled = json_object_get_boolean(v);
	/* checked again when it is used */
	if (json_object_object_get_ex(o, "next_config", &v) &&
	    json_object_is_type(v, json_type_object))
		d->next_config = json_object_get(v);
	record_sched(o, d);
	record_memory(o, d);
	*out = d;
	d = NULL;
	rc = 0;
out:
	if (rc == -EBADMSG)
		xld_err("%s: not a domain record: ignored", path);
	dom_free(d);
	json_object_put(o);
	return rc;
}

/* The saved counter; false when there is none (a first start). */
static bool load_next_domid(struct xld_doms *doms)
{
	char path[PATH_MAX], buf[32];
	ssize_t r;
	int fd;

	doms->next_domid = 1;
	if (path_fmt(path, sizeof(path), "%s/next-domid", doms->recdir))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	doms->next_domid = (uint32_t)strtoul(buf, NULL, 10);
	if (doms->next_domid < 1 || doms->next_domid > XLD_DOMID_MAX)
		doms->next_domid = 1;
	return true;
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
	info_apply(d, info);
	list_insert(doms, d);
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

static void load_all(struct xld_doms *doms)
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
	counted = load_next_domid(doms);
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
		list_insert(doms, d);
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
		free(infos);
	}
	ids = doms->count ? malloc(doms->count * sizeof(*ids)) : NULL;
	for (d = doms->list; d && ids; d = d->next)
		ids[nids++] = d->domid;
	for (i = 0; i < nids; i++) {
		d = xld_dom_by_id(doms, ids[i]);
		if (!d)
			continue;
		rc = dc_domain_info(doms->dc, d->domid, &info);
		if (rc == 0) {
			info_apply(d, &info);
			watch_start(doms, d);
			sched_join(doms, d);
			vbds_recover(d);
			store_attach(doms, d);
			xld_info("domain %" PRIu32 " (%s): re-attached to "
				 "monitor %ld, %s",
				 d->domid, d->name, (long)d->pid,
				 xld_state_name(d->state));
			if (d->state == DC_STATE_SHUTDOWN)
				dom_stopped(doms, d);
			continue;
		}
		/* died while no xld watched it */
		d->pid = 0;
		d->state = DC_STATE_SHUTDOWN;
		if (d->reason == DC_SHUTDOWN_NONE)
			d->reason = DC_SHUTDOWN_CRASH;
		store_attach(doms, d);
		if (d->handled) {
			xld_info("domain %" PRIu32 " (%s): preserved, its "
				 "monitor is gone",
				 d->domid, d->name);
			continue;
		}
		xld_warn("domain %" PRIu32 " (%s): its monitor is gone (%s)",
			 d->domid, d->name, strerror(-rc));
		dom_stopped(doms, d);
	}
	free(ids);
	sched_prune(doms);
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
	rc = env && *env ? path_fmt(path, sizeof(path), "%s", env)
			 : path_fmt(path, sizeof(path), "%s/dump", statedir);
	if (rc)
		return rc;
	doms->dumpdir = strdup(path);
	return doms->dumpdir ? 0 : -ENOMEM;
}

struct xld_doms *xld_doms_new(struct xld_loop *loop, struct xs_store *st,
			      struct xs_server *srv, const char *rundir,
			      const char *statedir, const char *logdir)
{
	struct itimerspec its = {{POLL_MS / 1000, POLL_MS % 1000 * 1000000L},
				 {POLL_MS / 1000, POLL_MS % 1000 * 1000000L}};
	struct xld_doms *doms = calloc(1, sizeof(*doms));
	char path[PATH_MAX];
	int rc = -ENOMEM;

	if (!doms)
		return NULL;
	doms->timer_fd = -1;
	doms->loop = loop;
	doms->st = st;
	doms->srv = srv;
	if (path_fmt(path, sizeof(path), "%s/domains", statedir) ||
	    !(doms->recdir = strdup(path)) ||
	    path_fmt(path, sizeof(path), "%s/console", logdir) ||
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
	doms->timer_fd =
	    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (doms->timer_fd < 0 ||
	    timerfd_settime(doms->timer_fd, 0, &its, NULL) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = xld_loop_add(loop, doms->timer_fd, EPOLLIN, poll_timer, doms);
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

void xld_doms_load(struct xld_doms *doms)
{
	load_all(doms);
}

void xld_doms_free(struct xld_doms *doms)
{
	struct xld_dom *d;

	if (!doms)
		return;
	if (doms->timer_fd >= 0) {
		xld_loop_del(doms->loop, doms->timer_fd);
		close(doms->timer_fd);
	}
	records_retry(doms);
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
