// SPDX-License-Identifier: GPL-2.0
/*
 * Domain records on disk: $XLD_STATEDIR/domains/<domid>.json and the
 * domid counter, written atomically before a guest runs, so a restarted
 * xld finds every guest again; and read back.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "xld/dom/dom.h"
#include "xld/dom/cpu_sched.h"
#include "xld/dom/dom_internal.h"
#include "xld/file.h"
#include "xld/log.h"

/* A record file bigger than this is refused as damaged. */
#define RECORD_MAX (1024 * 1024)

/*
 * Records of domains that are gone but could not be removed (a read-only
 * state dir): left, a restarted xld would take such a domain for one that
 * crashed while it was away and apply its on_crash, perhaps a restart.
 * So they are removed again with the dirty records.  One xld_doms has
 * them at a time but for the unit tests: each entry names its owner.
 */
struct record_gone {
	const struct xld_doms *doms;
	uint32_t domid;
};
static struct record_gone *gone;
static size_t gone_n, gone_cap;

static void gone_forget(const struct xld_doms *doms, uint32_t domid)
{
	for (size_t i = 0; i < gone_n; i++)
		if (gone[i].doms == doms && gone[i].domid == domid)
			gone[i--] = gone[--gone_n];
	if (!gone_n) {
		free(gone);
		gone = NULL;
		gone_cap = 0;
	}
}

static void gone_add(const struct xld_doms *doms, uint32_t domid)
{
	struct record_gone *g;

	gone_forget(doms, domid);
	if (gone_n == gone_cap) {
		g = realloc(gone, (gone_cap ? gone_cap * 2 : 8) * sizeof(*g));
		if (!g)
			return;
		gone = g;
		gone_cap = gone_cap ? gone_cap * 2 : 8;
	}
	gone[gone_n++] = (struct record_gone){doms, domid};
}

typedef int file_write_fn(const char *dir, const char *name, const char *data,
			  size_t len);

static int next_domid_write(struct xld_doms *doms, file_write_fn *write_fn)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu32 "\n", doms->next_domid);

	return write_fn(doms->recdir, "next-domid", buf, (size_t)len);
}

int record_next_domid_save(struct xld_doms *doms)
{
	return next_domid_write(doms, xld_file_write_atomic);
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
	    json_object_object_add(
		o, "target_kib",
		json_object_new_int64((int64_t)d->memory_kib)) ||
	    json_object_object_add(
		o, "maxmem_kib",
		json_object_new_int64((int64_t)d->maxmem_kib)) ||
	    json_object_object_add(
		o, "ram_kib", json_object_new_int64((int64_t)d->ram_kib)) ||
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

int record_save(struct xld_doms *doms, const struct xld_dom *d)
{
	int rc = record_write(doms, d, xld_file_write_atomic);

	/* a domid in use again (a wrap, xl restore -D): its record stays */
	if (!rc && gone_n)
		gone_forget(doms, d->domid);
	return rc;
}

/*
 * A new domain's record and the domid counter: both written and synced,
 * then both renamed and one fsync of the directory makes the two renames
 * durable (one fsync less than two atomic writes).  A crash before that
 * fsync loses nothing: no guest has started; a record without the
 * counter is a domid in use, which the allocator skips.
 */
int record_create(struct xld_doms *doms, const struct xld_dom *d)
{
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "%" PRIu32 ".json", d->domid);
	rc = next_domid_write(doms, xld_file_write_tmp);
	if (rc)
		return rc;
	rc = record_write(doms, d, xld_file_write_tmp);
	if (!rc)
		rc = xld_file_commit(doms->recdir, "next-domid");
	if (!rc)
		rc = xld_file_commit(doms->recdir, name);
	if (rc) {
		/* what was not renamed goes (unlink of a renamed tmp: ENOENT)
		 */
		char tmp[PATH_MAX];

		if (!xld_path_fmt(tmp, sizeof(tmp), "%s/.next-domid.tmp",
				  doms->recdir))
			unlink(tmp);
		if (!xld_path_fmt(tmp, sizeof(tmp), "%s/.%s.tmp", doms->recdir,
				  name))
			unlink(tmp);
		return rc;
	}
	if (gone_n)
		gone_forget(doms, d->domid);
	xld_dir_sync(doms->recdir);
	return 0;
}

/*
 * After the guest runs: log a failure, never undo the guest for it; the
 * timer tries again until the record is written.
 */
const char *xld_doms_recdir(const struct xld_doms *doms)
{
	return doms->recdir;
}

int record_update(struct xld_doms *doms, struct xld_dom *d)
{
	int rc = record_save(doms, d);

	d->record_dirty = rc != 0;
	if (rc)
		xld_err("domain %" PRIu32 " (%s): cannot write its record "
			"%s/%" PRIu32 ".json: %s; it keeps running, the record "
			"is retried every second",
			d->domid, d->name, doms->recdir, d->domid,
			strerror(-rc));
	return rc;
}

static int record_unlink(struct xld_doms *doms, uint32_t domid, char *path,
			 size_t len)
{
	int rc =
	    xld_path_fmt(path, len, "%s/%" PRIu32 ".json", doms->recdir, domid);

	if (!rc && unlink(path) < 0 && errno != ENOENT)
		rc = -errno;
	return rc;
}

void record_remove(struct xld_doms *doms, uint32_t domid)
{
	char path[PATH_MAX];
	int rc = record_unlink(doms, domid, path, sizeof(path));

	if (rc == -ENAMETOOLONG)
		return;
	if (!rc) {
		gone_forget(doms, domid);
		return;
	}
	xld_err("domain %" PRIu32 ": cannot remove its record %s: %s; "
		"retried every second (until then a restarted xld would "
		"take the domain for one that crashed)",
		domid, path, strerror(-rc));
	gone_add(doms, domid);
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
 * Records that could not be written or removed: try again, quietly (the
 * failure was logged once; the success is).  The timer calls it every
 * second.
 */
void record_retry_dirty(struct xld_doms *doms)
{
	char path[PATH_MAX];
	struct xld_dom *d;
	size_t i;

	for (d = doms->list; d; d = d->next) {
		if (d->record_dirty && record_save(doms, d) == 0) {
			d->record_dirty = false;
			xld_info("domain %" PRIu32 " (%s): record written",
				 d->domid, d->name);
		}
	}
	for (i = 0; i < gone_n; i++) {
		uint32_t domid = gone[i].domid;

		if (gone[i].doms != doms || xld_dom_by_id(doms, domid) ||
		    record_unlink(doms, domid, path, sizeof(path)))
			continue;
		xld_info("domain %" PRIu32 ": record %s removed", domid, path);
		gone_forget(doms, domid);
		i = (size_t)-1; /* the list changed: from the start */
	}
}

int record_load(struct xld_doms *doms, const char *file, struct xld_dom **out)
{
	char path[PATH_MAX], err[256];
	json_object *o = NULL, *v, *cfg;
	struct xld_dom *d = NULL;
	const char *name, *uuid;
	int64_t domid;
	int rc;

	struct stat sb;

	rc = xld_path_fmt(path, sizeof(path), "%s/%s", doms->recdir, file);
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
bool record_load_next_domid(struct xld_doms *doms)
{
	char path[PATH_MAX], buf[32];
	ssize_t r;
	int fd;

	doms->next_domid = 1;
	if (xld_path_fmt(path, sizeof(path), "%s/next-domid", doms->recdir))
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
