// SPDX-License-Identifier: GPL-2.0
/*
 * A running domain's resources changed: memory target and maximum
 * (balloon), online vCPUs (ACPI hotplug), CPU weight and cap (cgroups).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "xld/dom/cpu_sched.h"
#include "xld/dom/dom.h"
#include "xld/dom/dom_internal.h"
#include "xld/log.h"

int xld_dom_set_memory(struct xld_doms *doms, struct xld_dom *d,
		       uint64_t target_kib)
{
	int rc;

	if (xld_dom_busy(d))
		return -EBUSY;	    /* the monitor is busy writing the dump */
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
	dom_notify(doms, d, XLD_DOM_CHANGED);
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

int xld_dom_set_vcpus(struct xld_doms *doms, struct xld_dom *d, uint32_t online)
{
	struct dc_dominfo info;
	int rc;

	if (xld_dom_busy(d))
		return -EBUSY; /* the monitor is busy writing the dump */
	if (online < 1 || online > d->maxvcpus)
		return -ERANGE;
	rc = dc_domain_set_vcpus(doms->dc, d->domid, online);
	if (rc)
		return rc;
	store_vcpus(doms, d, online);
	/* added ones count at once; removed ones once the guest ejects them
	 * (xld_dom_sample asks until it has) */
	if (dc_domain_info(doms->dc, d->domid, &info) == 0)
		monitor_info_apply(d, &info);
	d->vcpus_asked = online;
	xld_info("domain %" PRIu32 " (%s): %" PRIu32 " of %" PRIu32
		 " vCPUs online asked",
		 d->domid, d->name, online, d->maxvcpus);
	dom_notify(doms, d, XLD_DOM_CHANGED);
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
