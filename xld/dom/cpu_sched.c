// SPDX-License-Identifier: GPL-2.0
/*
 * CPU weight and cap through the cpu controller of cgroups.
 *
 * A guest's CPU time is its monitor's (vCPU and I/O threads alike), so a
 * domain's weight and cap are those of a group holding the monitor:
 * <controller root>/<XLD_CGROUP, default "xld">/<domid>.  The mapping,
 * linear so that Xen's default weight 256 is the cgroup default:
 *   cgroup v1: cpu.shares = weight * 4 (4..262140; 256 -> 1024);
 *   cgroup v2: cpu.weight = weight * 100 / 256 rounded, within 1..10000
 *              (256 -> 100; every weight past 25600 is 10000);
 *   cap C% of one CPU: a quota of C * 1000 us per 100000 us period
 *              (cpu.cfs_quota_us / cpu.cfs_period_us, or cpu.max), and
 *              no quota for cap 0.
 * The group's parent is found from the mounts, never from xld's own
 * cgroup, so that a restarted xld finds its groups again.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xld/dom/cpu_sched.h"
#include "xld/log.h"

#define ROOT_MAX 200 /* a cgroup mount point: /sys/fs/cgroup/cpu,cpuacct */
#define GROUP_MAX 100
/* <root>/<group>/<domid> and a file in it */
#define DIR_MAX (ROOT_MAX + GROUP_MAX + 16)
#define FILE_MAX (DIR_MAX + 32)
/* How long a destroyed monitor's group may stay busy (dying threads). */
#define REMOVE_TRIES 50
#define REMOVE_WAIT_NS (10 * 1000 * 1000)

struct xld_sched {
	int version;	     /* 1 or 2; 0 when unusable */
	char root[ROOT_MAX]; /* the controller's mount point */
	char group[GROUP_MAX];
	bool made;     /* the parent group exists */
	char why[512]; /* when unusable */
};

/* ---- the mapping ---- */

unsigned long xld_sched_v1_shares(unsigned int weight)
{
	return (unsigned long)weight * 4;
}

unsigned long xld_sched_v2_weight(unsigned int weight)
{
	unsigned long w = ((unsigned long)weight * 100 + 128) / 256;

	return w < 1 ? 1 : w > 10000 ? 10000 : w;
}

unsigned long xld_sched_quota_us(unsigned int cap)
{
	return (unsigned long)cap * XLD_SCHED_PERIOD_US / 100;
}

unsigned int xld_sched_cap_max(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return 100u * (unsigned int)(n > 0 ? n : 1);
}

int xld_sched_check(long long weight, long long cap, char *err, size_t errlen)
{
	unsigned int max = xld_sched_cap_max();

	if (weight < 1 || weight > XLD_SCHED_WEIGHT_MAX) {
		snprintf(err, errlen,
			 "Cpu weight out of range, valid values are within "
			 "range from 1 to %d",
			 XLD_SCHED_WEIGHT_MAX);
		return -EINVAL;
	}
	if (cap < 0 || cap > max) {
		snprintf(err, errlen,
			 "Cpu cap out of range, valid range is from 0 to %u "
			 "for this host's %u CPUs",
			 max, max / 100);
		return -EINVAL;
	}
	return 0;
}

/* @key of @cfg: absent is @def, else an integer in @lo..@hi. */
static int cfg_int(json_object *cfg, const char *key, int64_t lo, int64_t hi,
		   unsigned int def, unsigned int *out, char *err,
		   size_t errlen)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(cfg, key, &v)) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v)
						  : lo - 1;
	if (errno || n < lo || n > hi) {
		snprintf(err, errlen,
			 "%s must be an integer from %" PRId64 " to %" PRId64,
			 key, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned int)n;
	return 0;
}

int xld_sched_config(json_object *cfg, unsigned int *weight, unsigned int *cap,
		     char *err, size_t errlen)
{
	unsigned int w, c;
	int rc;

	rc = cfg_int(cfg, "cpu_weight", 1, XLD_SCHED_WEIGHT_MAX,
		     XLD_SCHED_WEIGHT_DEFAULT, &w, err, errlen);
	if (!rc)
		/* Xen's cap is 16 bits wide; the host's CPUs bound it later */
		rc = cfg_int(cfg, "cap", 0, 65535, XLD_SCHED_CAP_NONE, &c, err,
			     errlen);
	if (rc)
		return rc;
	*weight = w;
	*cap = c;
	return 0;
}

/* ---- finding the controller ---- */

/* Undo the octal escapes (\040) of a /proc/mounts field, in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Is @word one of the words of @list, split at any of @seps? */
static bool has_word(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, seps);

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}

static int file_read(const char *path, char *buf, size_t len)
{
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return (int)r;
	buf[r] = '\0';
	return 0;
}

/* Write @val to @path in one write(), as cgroup files want it. */
static int file_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t r;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	r = write(fd, val, len);
	if (r < 0)
		r = -errno;
	else if ((size_t)r != len)
		r = -EIO;
	close(fd);
	return (int)(r < 0 ? r : 0);
}

/* The cpu controller's mount point and version from @mounts. */
static int find_controller(struct xld_sched *s, const char *mounts)
{
	char line[4096], dev[256], mnt[PATH_MAX], type[64], opts[1024];
	char path[FILE_MAX], ctrl[512];
	FILE *f = fopen(mounts, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* a line longer than any mount of interest: skip all of it */
		if (!strchr(line, '\n') && !feof(f)) {
			while (fgets(line, sizeof(line), f) &&
			       !strchr(line, '\n'))
				;
			continue;
		}
		if (sscanf(line, "%255s %4095s %63s %1023s", dev, mnt, type,
			   opts) != 4)
			continue;
		unescape(mnt);
		if (strlen(mnt) >= sizeof(s->root))
			continue;
		if (!strcmp(type, "cgroup") && has_word(opts, "cpu", ",")) {
			s->version = 1;
		} else if (!strcmp(type, "cgroup2")) {
			/* on a hybrid host it lacks cpu, bound to v1 */
			snprintf(path, sizeof(path), "%s/cgroup.controllers",
				 mnt);
			if (file_read(path, ctrl, sizeof(ctrl)) ||
			    !has_word(ctrl, "cpu", " \n"))
				continue;
			s->version = 2;
		} else {
			continue;
		}
		strcpy(s->root, mnt);
		break;
	}
	fclose(f);
	return s->version ? 0 : -ENODEV;
}

/* XLD_CGROUP: names of letters, digits and ._-+:@, one or more, '/'. */
static int group_check(const char *g)
{
	const char *p = g;

	if (!*g || strlen(g) >= GROUP_MAX)
		return -EINVAL;
	while (*p) {
		size_t len = strcspn(p, "/"), i;

		if (!len || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)p[i]) &&
			    !strchr("._-+:@", p[i]))
				return -EINVAL;
		p += len;
		if (*p == '/')
			p++;
		if (!*p && p[-1] == '/')
			return -EINVAL;
	}
	return 0;
}

/* cgroup v2: let @dir's children use the cpu controller. */
static int v2_delegate(const char *dir, char *err, size_t errlen)
{
	char path[FILE_MAX], ctl[512];
	int rc;

	snprintf(path, sizeof(path), "%.*s/cgroup.subtree_control", DIR_MAX,
		 dir);
	rc = file_read(path, ctl, sizeof(ctl));
	if (!rc && has_word(ctl, "cpu", " \n"))
		return 0;
	if (!rc)
		rc = file_write(path, "+cpu");
	if (rc)
		snprintf(err, errlen, "cannot enable cpu in %s: %s", path,
			 strerror(-rc));
	return rc;
}

/*
 * Make root/group, one level at a time (v2: each level hands the cpu
 * controller down, the group itself too).  On failure the controller is
 * unusable, and s->why says why.
 */
static int parent_make(struct xld_sched *s)
{
	char dir[DIR_MAX], *p, *next;
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", s->root, s->group);
	for (p = dir + strlen(s->root); p; p = next) {
		next = strchr(p + 1, '/');
		/* the level above hands the controller down (v2) */
		*p = '\0';
		rc = s->version == 2 ? v2_delegate(dir, s->why, sizeof(s->why))
				     : 0;
		*p = '/';
		if (rc)
			return rc;
		if (next)
			*next = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			rc = -errno;
			snprintf(s->why, sizeof(s->why),
				 "cannot make the cgroup %s: %s", dir,
				 strerror(errno));
			return rc;
		}
		if (next)
			*next = '/';
	}
	return s->version == 2 ? v2_delegate(dir, s->why, sizeof(s->why)) : 0;
}

struct xld_sched *xld_sched_new(const char *group, const char *mounts)
{
	struct xld_sched *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return NULL;
	if (!group || !*group)
		group = XLD_SCHED_GROUP_DEFAULT;
	while (*group == '/')
		group++;
	if (group_check(group)) {
		snprintf(s->why, sizeof(s->why),
			 "XLD_CGROUP '%.100s' is not a cgroup path (names of "
			 "letters, digits and ._-+:@ joined by /)",
			 group);
		return s;
	}
	strcpy(s->group, group);
	if (!mounts)
		mounts = "/proc/self/mounts";
	rc = find_controller(s, mounts);
	if (rc) {
		snprintf(s->why, sizeof(s->why),
			 rc == -ENODEV
			     ? "no cgroup cpu controller is mounted (neither a "
			       "cgroup2 hierarchy offering 'cpu' nor a cgroup "
			       "v1 hierarchy with the cpu controller in %s)"
			     : "cannot read %s to find the cgroup cpu "
			       "controller",
			 mounts);
		return s;
	}
	/* the parent is made with the first domain's group: an xld that
	 * runs no guest leaves no trace in the hierarchy */
	s->why[0] = '\0';
	xld_info("CPU weights and caps: cgroup v%d groups under %s/%s",
		 s->version, s->root, s->group);
	return s;
}

void xld_sched_free(struct xld_sched *s)
{
	free(s);
}

const char *xld_sched_unusable(const struct xld_sched *s)
{
	return s->version ? NULL : s->why;
}

const char *xld_sched_kind(const struct xld_sched *s)
{
	return s->version == 2	 ? "cgroup v2"
	       : s->version == 1 ? "cgroup v1"
				 : NULL;
}

int xld_sched_group_path(const struct xld_sched *s, uint32_t domid, char *buf,
			 size_t len)
{
	int r;

	if (!s->version)
		return -ENOTSUP;
	r = snprintf(buf, len, "%s/%s/%" PRIu32, s->root, s->group, domid);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}

/* ---- one domain's group ---- */

/* Write @val to @dir/@name; @err names both on failure. */
static int group_write(const char *dir, const char *name, const char *val,
		       char *err, size_t errlen)
{
	char path[FILE_MAX];
	int rc;

	snprintf(path, sizeof(path), "%.*s/%s", DIR_MAX, dir, name);
	rc = file_write(path, val);
	if (rc)
		snprintf(err, errlen, "cannot write '%s' to %s: %s", val, path,
			 strerror(-rc));
	return rc;
}

int xld_sched_set(struct xld_sched *s, uint32_t domid, pid_t pid,
		  unsigned int weight, unsigned int cap, char *err,
		  size_t errlen)
{
	char dir[DIR_MAX], val[64];
	unsigned long quota = xld_sched_quota_us(cap);
	int rc;

	if (!s->version) {
		snprintf(err, errlen, "%s", s->why);
		return -ENOTSUP;
	}
	rc = xld_sched_group_path(s, domid, dir, sizeof(dir));
	if (rc) {
		snprintf(err, errlen, "cgroup path too long");
		return rc;
	}
	/* the parent first (again if someone removed it meanwhile) */
	if (!s->made || (mkdir(dir, 0755) < 0 && errno == ENOENT)) {
		rc = parent_make(s);
		if (rc) {
			s->version = 0;
			snprintf(err, errlen, "%s", s->why);
			return -ENOTSUP;
		}
		s->made = true;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot make the cgroup %s: %s", dir,
			 strerror(errno));
		return rc;
	}
	if (s->version == 1) {
		snprintf(val, sizeof(val), "%lu", xld_sched_v1_shares(weight));
		rc = group_write(dir, "cpu.shares", val, err, errlen);
		snprintf(val, sizeof(val), "%d", XLD_SCHED_PERIOD_US);
		if (!rc)
			rc = group_write(dir, "cpu.cfs_period_us", val, err,
					 errlen);
		if (quota)
			snprintf(val, sizeof(val), "%lu", quota);
		else
			snprintf(val, sizeof(val), "-1");
		if (!rc)
			rc = group_write(dir, "cpu.cfs_quota_us", val, err,
					 errlen);
	} else {
		snprintf(val, sizeof(val), "%lu", xld_sched_v2_weight(weight));
		rc = group_write(dir, "cpu.weight", val, err, errlen);
		if (quota)
			snprintf(val, sizeof(val), "%lu %d", quota,
				 XLD_SCHED_PERIOD_US);
		else
			snprintf(val, sizeof(val), "max %d",
				 XLD_SCHED_PERIOD_US);
		if (!rc)
			rc = group_write(dir, "cpu.max", val, err, errlen);
	}
	if (!rc && pid > 0) {
		/* cgroup.procs moves every thread of the process */
		snprintf(val, sizeof(val), "%ld", (long)pid);
		rc = group_write(dir, "cgroup.procs", val, err, errlen);
	}
	return rc;
}

static int group_remove(const char *dir)
{
	struct timespec ts = {0, REMOVE_WAIT_NS};
	int i;

	/* a monitor just gone may still be leaving it: EBUSY a moment */
	for (i = 0; i < REMOVE_TRIES; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	return -errno;
}

void xld_sched_remove(struct xld_sched *s, uint32_t domid)
{
	char dir[DIR_MAX];
	int rc;

	if (xld_sched_group_path(s, domid, dir, sizeof(dir)))
		return;
	rc = group_remove(dir);
	if (rc)
		xld_warn("domain %" PRIu32 ": cannot remove its cgroup %s: %s",
			 domid, dir, strerror(-rc));
}

void xld_sched_prune(struct xld_sched *s, const uint32_t *live, size_t n)
{
	char dir[DIR_MAX], sub[DIR_MAX + 260];
	struct dirent *e;
	unsigned long id;
	char *end;
	size_t i;
	DIR *d;

	if (!s->version)
		return;
	snprintf(dir, sizeof(dir), "%s/%s", s->root, s->group);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR ||
		    !isdigit((unsigned char)e->d_name[0]))
			continue;
		id = strtoul(e->d_name, &end, 10);
		if (*end || id > UINT32_MAX)
			continue;
		for (i = 0; i < n && live[i] != id; i++)
			;
		if (i < n)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		/* a group still holding a process is someone's: kept */
		if (rmdir(sub) == 0)
			xld_info("removed the stale cgroup %s", sub);
	}
	if (d)
		closedir(d);
}
