// SPDX-License-Identifier: GPL-2.0
/*
 * The methods of what a domain is given: memory, vCPUs (and their
 * pinning), and its CPU weight and cap (sched-credit).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xld/ctl/ctl_internal.h"
#include "xld/dom/cpu_sched.h"

/* xl vcpu-list: the vCPUs of @r's domain, read from its monitor. */
int ctl_do_vcpus(struct ctl_req *r)
{
	json_object *a;
	int rc = 0;

	if (!r->dom)
		return ctl_fail(r, -ENODEV,
				"Domain-0's CPUs are the host's: "
				"see /proc/stat");
	a = xld_dom_vcpus_json(r->dom, &rc);
	if (!a)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): cannot read "
				"its vCPU threads: %s",
				r->dom->domid, r->dom->name, strerror(-rc));
	r->result = json_object_new_object();
	if (!r->result) {
		json_object_put(a);
		return -ENOMEM;
	}
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "name",
			       json_object_new_string(r->dom->name));
	json_object_object_add(r->result, "vcpus", a);
	return 0;
}

/*
 * A CPU list as xl normalizes it ("all", "0-3,5", "all,^1") into @set;
 * CPUs the host does not have are refused.
 */
static int cpulist_set(const char *s, cpu_set_t *set)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long lo, hi, i;
	char copy[512], *tok, *save = NULL, *end;
	bool neg;

	if (ncpu < 1 || ncpu > CPU_SETSIZE)
		ncpu = CPU_SETSIZE;
	if (strlen(s) >= sizeof(copy))
		return -EINVAL;
	strcpy(copy, s);
	CPU_ZERO(set);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		neg = *tok == '^';
		tok += neg;
		if (!strcmp(tok, "all")) {
			lo = 0;
			hi = (unsigned long)ncpu - 1;
		} else {
			if (*tok < '0' || *tok > '9')
				return -EINVAL;
			lo = hi = strtoul(tok, &end, 10);
			if (*end == '-' && end[1] >= '0' && end[1] <= '9')
				hi = strtoul(end + 1, &end, 10);
			if (*end || hi < lo || hi >= (unsigned long)ncpu)
				return -EINVAL;
		}
		for (i = lo; i <= hi; i++) {
			if (neg)
				CPU_CLR(i, set);
			else
				CPU_SET(i, set);
		}
	}
	return CPU_COUNT(set) ? 0 : -EINVAL;
}

/* params.@key: a size in KiB, 1 KiB to 1 TiB (xl parsed the suffix). */
static int mem_param(struct ctl_req *r, const char *key, uint64_t *kib)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(r->params, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return ctl_fail(r, -EINVAL,
				"%s needs params.%s (KiB, a number)",
				key[0] == 't' ? "mem-set" : "mem-max", key);
	n = json_object_get_int64(v);
	if (n < 1 || n > 1024LL * 1024 * 1024)
		return ctl_fail(r, -EINVAL,
				"params.%s %" PRId64 " is not a "
				"memory size from 1 KiB to 1 TiB",
				key, n);
	*kib = (uint64_t)n;
	return 0;
}

/* xl mem-set: the guest's balloon target, at most its static maximum. */
int ctl_do_mem_set(struct ctl_req *r)
{
	uint64_t kib;
	int rc;

	rc = mem_param(r, "target_kib", &kib);
	if (rc)
		return rc;
	if (!r->dom)
		return ctl_refuse_dom0(r, "ballooned here");
	rc = xld_dom_set_memory(r->c->ctl->doms, r->dom, kib);
	if (rc == -ERANGE)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): cannot set "
				"dynamic max memory to %" PRIu64 " KiB: "
				"memory_dynamic_max must be less than or equal "
				"to memory_static_max (%" PRIu64 " KiB)",
				r->dom->domid, r->dom->name, kib,
				r->dom->maxmem_kib);
	if (rc == -EINVAL)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): cannot set "
				"dynamic max memory to %" PRIu64 " KiB: the "
				"least is %d KiB",
				r->dom->domid, r->dom->name, kib,
				XLD_MEM_MIN_KIB);
	if (rc == -ESRCH)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s) is not running: "
				"its memory cannot change",
				r->dom->domid, r->dom->name);
	if (rc)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): cannot set "
				"dynamic max memory: %s",
				r->dom->domid, r->dom->name, strerror(-rc));
	return 0;
}

/* xl mem-max: the static maximum, within the RAM the guest has. */
int ctl_do_mem_max(struct ctl_req *r)
{
	uint64_t kib;
	int rc;

	rc = mem_param(r, "maxmem_kib", &kib);
	if (rc)
		return rc;
	if (!r->dom)
		return ctl_refuse_dom0(r, "given a memory maximum here");
	rc = xld_dom_set_maxmem(r->c->ctl->doms, r->dom, kib);
	if (rc == -ERANGE)
		return ctl_fail(
		    r, rc,
		    "domain %" PRIu32 " (%s): cannot set "
		    "static max memory to %" PRIu64 " KiB: "
		    "memory_static_max must be greater than or equal "
		    "to memory_dynamic_max (%" PRIu64 " KiB)",
		    r->dom->domid, r->dom->name, kib, r->dom->memory_kib);
	if (rc == -ENOSPC)
		return ctl_fail(
		    r, rc,
		    "domain %" PRIu32 " (%s): cannot set "
		    "static max memory to %" PRIu64 " KiB: it was "
		    "built with %" PRIu64 " KiB of RAM; more needs a "
		    "new domain (maxmem in its config)",
		    r->dom->domid, r->dom->name, kib, r->dom->ram_kib);
	return rc;
}

/* xl vcpu-set: params.vcpus online, 1..maxvcpus (ACPI CPU hotplug). */
int ctl_do_vcpu_set(struct ctl_req *r)
{
	json_object *v;
	int64_t n;
	int rc;

	if (!json_object_object_get_ex(r->params, "vcpus", &v) ||
	    !json_object_is_type(v, json_type_int))
		return ctl_fail(r, -EINVAL,
				"vcpu-set needs params.vcpus (a "
				"number)");
	if (!r->dom)
		return ctl_refuse_dom0(r, "given vCPUs here");
	n = json_object_get_int64(v);
	if (n < 1 || n > (int64_t)r->dom->maxvcpus)
		/* libxl's words, which scripts may look for */
		return ctl_fail(r, -ERANGE,
				"Domain %" PRIu32 ":Requested %" PRId64
				" VCPUs, however maxcpus is %" PRIu32 "!",
				r->dom->domid, n, r->dom->maxvcpus);
	rc = xld_dom_set_vcpus(r->c->ctl->doms, r->dom, (uint32_t)n);
	if (rc == -EOPNOTSUPP)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): its guest has no "
				"ACPI CPU hotplug (a test guest, or ACPI off): "
				"its vCPUs cannot change",
				r->dom->domid, r->dom->name);
	if (rc == -ESRCH)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s) is not running: "
				"its vCPUs cannot change",
				r->dom->domid, r->dom->name);
	if (rc)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): cannot set its "
				"vCPUs to %" PRId64 ": %s",
				r->dom->domid, r->dom->name, n, strerror(-rc));
	return 0;
}

/* xl vcpu-pin: params.vcpu (-1 for all), params.cpus (a CPU list). */
int ctl_do_vcpu_pin(struct ctl_req *r)
{
	json_object *v, *c;
	cpu_set_t set;
	int64_t n;
	int rc;

	if (!json_object_object_get_ex(r->params, "vcpu", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    !json_object_object_get_ex(r->params, "cpus", &c) ||
	    !json_object_is_type(c, json_type_string))
		return ctl_fail(
		    r, -EINVAL,
		    "vcpu-pin needs params.vcpu (a "
		    "number, -1 for all) and params.cpus (a string)");
	if (!r->dom)
		return ctl_refuse_dom0(r, "pinned here");
	n = json_object_get_int64(v);
	if (n < -1 || n >= (int64_t)r->dom->vcpus)
		return ctl_fail(r, -EINVAL,
				"domain %" PRIu32 " (%s) has no "
				"vcpu %" PRId64,
				r->dom->domid, r->dom->name, n);
	if (cpulist_set(json_object_get_string(c), &set))
		return ctl_fail(r, -EINVAL,
				"invalid CPU list '%.100s' for "
				"this host's %ld CPUs",
				json_object_get_string(c),
				sysconf(_SC_NPROCESSORS_CONF));
	rc = xld_dom_vcpu_pin(r->dom, (int)n, &set);
	if (rc)
		return ctl_fail(r, rc,
				"domain %" PRIu32 " (%s): cannot pin: %s",
				r->dom->domid, r->dom->name, strerror(-rc));
	return 0;
}

/* One row of xl sched-credit; @d NULL for Domain-0 (the host's share). */
static json_object *sched_json(struct ctl_req *r, const struct xld_dom *d)
{
	json_object *o = json_object_new_object();
	char path[PATH_MAX];

	if (!o)
		return NULL;
	json_object_object_add(o, "domid",
			       json_object_new_int64(d ? d->domid : 0));
	json_object_object_add(
	    o, "name", json_object_new_string(d ? d->name : "Domain-0"));
	json_object_object_add(
	    o, "weight",
	    json_object_new_int64(d ? d->weight : XLD_SCHED_WEIGHT_DEFAULT));
	json_object_object_add(o, "cap", json_object_new_int64(d ? d->cap : 0));
	if (d && r->c->priv &&
	    !xld_sched_group_path(xld_doms_sched(r->c->ctl->doms), d->domid,
				  path, sizeof(path)))
		json_object_object_add(o, "cgroup",
				       json_object_new_string(path));
	return o;
}

/*
 * xl sched-credit: the weight and cap of params.domain, or of every
 * domain, with the figures of Xen's Pool-0 that Linux's scheduler has no
 * knob for (Xen's defaults).
 */
int ctl_do_sched_credit_get(struct ctl_req *r)
{
	struct xld_sched *s = xld_doms_sched(r->c->ctl->doms);
	json_object *arr, *pool, *o;
	const char *why = xld_sched_unusable(s);
	struct xld_dom *d;
	int rc;

	if (json_object_object_get_ex(r->params, "domain", NULL)) {
		rc = ctl_resolve_domain(r);
		if (rc)
			return rc;
	}
	r->result = json_object_new_object();
	arr = json_object_new_array();
	pool = json_object_new_object();
	if (!r->result || !arr || !pool) {
		json_object_put(arr);
		json_object_put(pool);
		return -ENOMEM;
	}
	json_object_object_add(r->result, "domains", arr);
	json_object_object_add(r->result, "pool", pool);
	json_object_object_add(pool, "name", json_object_new_string("Pool-0"));
	json_object_object_add(pool, "tslice_ms", json_object_new_int(30));
	json_object_object_add(pool, "ratelimit_us", json_object_new_int(1000));
	json_object_object_add(pool, "migration_delay_us",
			       json_object_new_int(0));
	json_object_object_add(r->result, "controller",
			       why ? NULL
				   : json_object_new_string(xld_sched_kind(s)));
	json_object_object_add(r->result, "unusable",
			       why ? json_object_new_string(why) : NULL);
	if (r->qualifier) {
		o = sched_json(r, r->dom);
		return !o || json_object_array_add(arr, o) ? -ENOMEM : 0;
	}
	o = sched_json(r, NULL);
	if (!o || json_object_array_add(arr, o))
		return -ENOMEM;
	for (d = xld_doms_first(r->c->ctl->doms); d; d = d->next) {
		o = sched_json(r, d);
		if (!o || json_object_array_add(arr, o))
			return -ENOMEM;
	}
	return 0;
}

/* An optional integer parameter; -EINVAL when it is not one. */
static int param_int(struct ctl_req *r, const char *key, long long *out,
		     bool *given)
{
	json_object *v;

	*given = json_object_object_get_ex(r->params, key, &v);
	if (!*given)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return ctl_fail(r, -EINVAL, "params.%s must be an integer",
				key);
	*out = (long long)json_object_get_int64(v);
	return 0;
}

/* xl sched-credit -d DOM -w WEIGHT -c CAP: params.weight, params.cap. */
int ctl_do_sched_credit_set(struct ctl_req *r)
{
	long long w = 0, c = 0;
	bool has_w, has_c;
	int rc;

	rc = param_int(r, "weight", &w, &has_w);
	if (!rc)
		rc = param_int(r, "cap", &c, &has_c);
	if (rc)
		return rc;
	if (!has_w && !has_c)
		return ctl_fail(r, -EINVAL,
				"sched-credit-set needs params.weight or "
				"params.cap");
	if (!r->dom)
		return ctl_fail(
		    r, -EPERM,
		    "Domain-0 is the host: xld does not set its CPU "
		    "weight or cap");
	rc = xld_dom_sched_set(r->c->ctl->doms, r->dom, has_w ? &w : NULL,
			       has_c ? &c : NULL, r->msg, sizeof(r->msg));
	if (rc)
		return rc;
	r->result = json_object_new_object();
	if (!r->result)
		return -ENOMEM;
	json_object_object_add(r->result, "domid",
			       json_object_new_int64(r->dom->domid));
	json_object_object_add(r->result, "weight",
			       json_object_new_int64(r->dom->weight));
	json_object_object_add(r->result, "cap",
			       json_object_new_int64(r->dom->cap));
	return 0;
}
