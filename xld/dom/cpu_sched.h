/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each domain's CPU weight and cap (xl sched-credit, xl.cfg cpu_weight and
 * cap), realised as a cgroup of the cpu controller holding the domain's
 * monitor with all its threads: <controller root>/<XLD_CGROUP>/<domid>.
 * See xld(8), "CPU WEIGHT AND CAP", for the mapping.
 */
#ifndef XLD_CPU_SCHED_H
#define XLD_CPU_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#define XLD_SCHED_WEIGHT_DEFAULT 256 /* Xen's credit scheduler's */
#define XLD_SCHED_WEIGHT_MAX 65535
#define XLD_SCHED_CAP_NONE 0
#define XLD_SCHED_PERIOD_US 100000 /* the cap's period: 100 ms */
#define XLD_SCHED_GROUP_DEFAULT "xld"

struct xld_sched;

/*
 * Find the cpu controller (cgroup v2 or v1) in @mounts (a file in
 * /proc/mounts format; NULL: /proc/self/mounts), for groups below
 * <its root>/@group (NULL or "": "xld"), made with the first domain's.
 * A host without a usable controller is not an error:
 * xld_sched_unusable() then says what is missing.  Returns NULL with
 * errno set when out of memory.
 */
struct xld_sched *xld_sched_new(const char *group, const char *mounts);
void xld_sched_free(struct xld_sched *s);

/* NULL when weights and caps can be applied, else why not. */
const char *xld_sched_unusable(const struct xld_sched *s);
/* "cgroup v2" or "cgroup v1"; NULL when unusable. */
const char *xld_sched_kind(const struct xld_sched *s);

/* The largest cap: 100 per CPU of this host. */
unsigned int xld_sched_cap_max(void);

/*
 * Check @weight (1..65535) and @cap (0..xld_sched_cap_max()) as Xen's
 * toolstack does.  0, or -EINVAL with Xen's message in @err.
 */
int xld_sched_check(long long weight, long long cap, char *err, size_t errlen);

/*
 * cpu_weight and cap of a resolved config (default 256 and 0): their
 * types and Xen's ranges, not the host's CPUs (a record stays loadable
 * on a smaller host).  0, or -EINVAL with @err.
 */
int xld_sched_config(json_object *cfg, unsigned int *weight, unsigned int *cap,
		     char *err, size_t errlen);

/*
 * Make @domid's group (and the parent) if needed, give it @weight and
 * @cap, and move @pid (every thread; 0: nobody) into it.  0; -ENOTSUP
 * when unusable, or made so by a parent that cannot be made; -errno with
 * @err saying which file refused what.
 */
int xld_sched_set(struct xld_sched *s, uint32_t domid, pid_t pid,
		  unsigned int weight, unsigned int cap, char *err,
		  size_t errlen);

/* Remove @domid's group, once its monitor is gone (logs a failure). */
void xld_sched_remove(struct xld_sched *s, uint32_t domid);

/*
 * Remove the empty domain groups left by domains not in @live (of @n):
 * an xld that was killed, or a monitor that died meanwhile.
 */
void xld_sched_prune(struct xld_sched *s, const uint32_t *live, size_t n);

/* @domid's group directory into @buf; -ENOTSUP when unusable. */
int xld_sched_group_path(const struct xld_sched *s, uint32_t domid, char *buf,
			 size_t len);

/* The mapping, for the tests: Xen's weight 256 is the cgroup default. */
unsigned long xld_sched_v1_shares(unsigned int weight);
unsigned long xld_sched_v2_weight(unsigned int weight);
/* The quota in microseconds per XLD_SCHED_PERIOD_US; 0 for no cap. */
unsigned long xld_sched_quota_us(unsigned int cap);

#endif
