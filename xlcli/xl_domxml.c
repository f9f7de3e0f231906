// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt domain XML <-> xl.cfg (see xl_domxml.h).  The XML side follows
 * libvirt's domain format (formatdomain.html) for a kvm domain booted
 * from a kernel; the xl side is the resolved config (xl_domcfg.h) on the
 * way out and xl.cfg text, resolved later by xl itself, on the way in.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <uuid/uuid.h>

#include "xlcli/xl_cfg.h"
#include "xlcli/xl_domxml.h"

#define XL_DEFAULT_WEIGHT 256
#define XL_CAP_PERIOD 100000 /* us: cap is a percentage of one CPU */
#define XL_MAX_MEM_MIB (1ul << 32)
#define XL_MAX_VCPUS 4096

/* ---- xl -> libvirt ---- */

struct xw {
	int oom;
};

static xmlNodePtr el(struct xw *w, xmlNodePtr parent, const char *name,
		     const char *text)
{
	xmlNodePtr n;

	if (!parent)
		return NULL;
	n = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
	if (!n)
		w->oom = 1;
	return n;
}

static void at(struct xw *w, xmlNodePtr n, const char *name, const char *v)
{
	if (n && !xmlNewProp(n, BAD_CAST name, BAD_CAST v))
		w->oom = 1;
}

static xmlNodePtr el_ul(struct xw *w, xmlNodePtr parent, const char *name,
			unsigned long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lu", v);
	return el(w, parent, name, s);
}

/* libvirt's storage format names for xl's */
static const char *format_to_libvirt(enum xl_disk_format f)
{
	switch (f) {
	case XL_DISK_FORMAT_RAW:
		return "raw";
	case XL_DISK_FORMAT_QCOW:
		return "qcow";
	case XL_DISK_FORMAT_QCOW2:
		return "qcow2";
	case XL_DISK_FORMAT_VHD:
		return "vpc";
	case XL_DISK_FORMAT_QED:
		return "qed";
	default:
		return NULL;
	}
}

static void disk_to_xml(struct xw *w, xmlNodePtr devs, const struct xl_disk *k,
			size_t i, const char *src, struct xl_diag *d)
{
	/* phy:, or a device node: libvirt's block disk */
	int block = k->backendtype == XL_DISK_BACKEND_PHY ||
		    (k->target && !strncmp(k->target, "/dev/", 5));
	const char *fmt = format_to_libvirt(k->format);
	xmlNodePtr n, c;

	if (k->backendtype && !block)
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): backendtype=%s is "
			     "not converted",
			     src, i, k->vdev,
			     xl_disk_backend_name(k->backendtype));
	if (k->backend)
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): backend=%s is not "
			     "converted",
			     src, i, k->vdev, k->backend);
	if (k->script) {
		/* the target is the script's, not a file libvirt could open */
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): script=%s is not "
			     "converted: disk skipped",
			     src, i, k->vdev, k->script);
		return;
	}
	if (k->target && *k->target && *k->target != '/') {
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): target %s is not an "
			     "absolute path, as libvirt needs: disk skipped",
			     src, i, k->vdev, k->target);
		return;
	}
	if (k->specification)
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): specification is not "
			     "converted",
			     src, i, k->vdev);
	if (k->direct_io_safe || k->discard >= 0 || k->trusted >= 0 ||
	    k->grant_usage >= 0)
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): direct-io-safe, "
			     "discard, trusted and grant_usage are not "
			     "converted",
			     src, i, k->vdev);
	if (k->colo > 0)
		xl_diag_warn(d,
			     "%s: warning: disk %zu (%s): colo is not "
			     "converted",
			     src, i, k->vdev);

	n = el(w, devs, "disk", NULL);
	at(w, n, "type", block ? "block" : "file");
	at(w, n, "device", k->cdrom ? "cdrom" : "disk");
	if (fmt) {
		c = el(w, n, "driver", NULL);
		at(w, c, "name", "qemu");
		at(w, c, "type", fmt);
	}
	if (k->target && *k->target) {
		c = el(w, n, "source", NULL);
		at(w, c, block ? "dev" : "file", k->target);
	}
	c = el(w, n, "target", NULL);
	at(w, c, "dev", k->vdev);
	if (!k->cdrom)
		at(w, c, "bus", "virtio");
	if (!k->readwrite)
		el(w, n, "readonly", NULL);
}

static void vif_to_xml(struct xw *w, xmlNodePtr devs, const struct xl_vif *v,
		       const char *src, struct xl_diag *d)
{
	static const struct {
		const char *key;
		size_t off;
	} lost[] = {
	    {"gatewaydev", offsetof(struct xl_vif, gatewaydev)},
	    {"backend", offsetof(struct xl_vif, backend)},
	    {"rate", offsetof(struct xl_vif, rate)},
	    {"vlan", offsetof(struct xl_vif, vlan)},
	};
	xmlNodePtr n, c;
	char mac[18], mtu[16];
	size_t i;

	for (i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		const char *val =
		    *(char *const *)((const char *)v + lost[i].off);

		if (val)
			xl_diag_warn(d,
				     "%s: warning: vif %d: %s=%s is not "
				     "converted",
				     src, v->devid, lost[i].key, val);
	}
	if (v->type != XL_VIF_TYPE_DEFAULT)
		xl_diag_warn(d, "%s: warning: vif %d: type=%s is not converted",
			     src, v->devid,
			     v->type == XL_VIF_TYPE_VIF ? "vif" : "ioemu");
	if (v->trusted >= 0)
		xl_diag_warn(d,
			     "%s: warning: vif %d: %strusted is not converted",
			     src, v->devid, v->trusted ? "" : "un");

	n = el(w, devs, "interface", NULL);
	at(w, n, "type", v->bridge ? "bridge" : "ethernet");
	/* a MAC xl generated is left for libvirt to generate */
	if (v->mac_set && !v->mac_generated) {
		xl_vif_mac_format(v->mac, mac);
		c = el(w, n, "mac", NULL);
		at(w, c, "address", mac);
	}
	if (v->bridge) {
		c = el(w, n, "source", NULL);
		at(w, c, "bridge", v->bridge);
	}
	if (v->ip) {
		char *ips = strdup(v->ip), *tok, *save = NULL;

		if (!ips) {
			w->oom = 1;
			return;
		}
		for (tok = strtok_r(ips, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			c = el(w, n, "ip", NULL);
			at(w, c, "address", tok);
		}
		free(ips);
	}
	if (v->script) {
		c = el(w, n, "script", NULL);
		at(w, c, "path", v->script);
	}
	if (v->vifname) {
		c = el(w, n, "target", NULL);
		at(w, c, "dev", v->vifname);
	}
	if (v->model) {
		c = el(w, n, "model", NULL);
		at(w, c, "type", v->model);
	}
	if (v->mtu) {
		snprintf(mtu, sizeof(mtu), "%u", v->mtu);
		c = el(w, n, "mtu", NULL);
		at(w, c, "size", mtu);
	}
}

static void serial_to_xml(struct xw *w, xmlNodePtr devs, const char *s,
			  unsigned int port, const char *src, struct xl_diag *d)
{
	xmlNodePtr n, c;
	char p[16];

	if (!strcmp(s, "none")) {
		xl_diag_warn(d, "%s: warning: serial \"none\" is not converted",
			     src);
		return;
	}
	n = el(w, devs, "serial", NULL);
	if (!strcmp(s, "pty")) {
		at(w, n, "type", "pty");
	} else if (!strcmp(s, "null")) {
		at(w, n, "type", "null");
	} else if (!strncmp(s, "file:", 5)) {
		at(w, n, "type", "file");
		c = el(w, n, "source", NULL);
		at(w, c, "path", s + 5);
	} else {
		/* unix:PATH, checked by the resolver */
		at(w, n, "type", "unix");
		c = el(w, n, "source", NULL);
		at(w, c, "mode", "bind");
		at(w, c, "path", s + 5);
	}
	snprintf(p, sizeof(p), "%u", port);
	c = el(w, n, "target", NULL);
	at(w, c, "port", p);
}

/* on_poweroff and on_reboot take fewer actions than on_crash. */
static void action_to_xml(struct xw *w, xmlNodePtr dom, const char *key,
			  enum xl_action a, int crash, const char *src,
			  struct xl_diag *d)
{
	if (!crash && (a == XL_ACTION_COREDUMP_DESTROY ||
		       a == XL_ACTION_COREDUMP_RESTART)) {
		xl_diag_warn(d,
			     "%s: warning: %s = \"%s\" has no libvirt "
			     "equivalent: not converted",
			     src, key, xl_action_name(a));
		return;
	}
	el(w, dom, key, xl_action_name(a));
}

static int symbolic_cpus(const char *s)
{
	return strstr(s, "all") || strstr(s, "node");
}

static void cpus_to_xml(struct xw *w, xmlNodePtr vcpu, xmlNodePtr *tune,
			xmlNodePtr dom, const struct xl_domcfg *dc,
			const char *src, struct xl_diag *d)
{
	char n[24];
	size_t i;

	if (!dc->ncpus)
		return;
	if (!dc->cpus_per_vcpu) {
		if (!strcmp(dc->cpus[0], "all"))
			return;
		if (symbolic_cpus(dc->cpus[0])) {
			xl_diag_warn(d,
				     "%s: warning: cpus = \"%s\" (NUMA "
				     "nodes) is not converted",
				     src, dc->cpus[0]);
			return;
		}
		at(w, vcpu, "cpuset", dc->cpus[0]);
		return;
	}
	for (i = 0; i < dc->ncpus; i++) {
		xmlNodePtr pin;

		if (!strcmp(dc->cpus[i], "all"))
			continue;
		if (symbolic_cpus(dc->cpus[i])) {
			xl_diag_warn(d,
				     "%s: warning: cpus of vCPU %zu (\"%s\", "
				     "NUMA nodes) is not converted",
				     src, i, dc->cpus[i]);
			continue;
		}
		if (!*tune)
			*tune = el(w, dom, "cputune", NULL);
		pin = el(w, *tune, "vcpupin", NULL);
		snprintf(n, sizeof(n), "%zu", i);
		at(w, pin, "vcpu", n);
		at(w, pin, "cpuset", dc->cpus[i]);
	}
}

int xl_domxml_from_domcfg(const struct xl_domcfg *dc, const char *source,
			  char **xml, struct xl_diag *d)
{
	struct xw w = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr dom, n, os, devs, tune = NULL;
	xmlChar *mem = NULL;
	char uuid[37], buf[24];
	int len = 0, rc;
	size_t i;

	doc = xmlNewDoc(BAD_CAST "1.0");
	dom = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL) : NULL;
	if (!dom) {
		rc = -ENOMEM;
		goto out;
	}
	xmlDocSetRootElement(doc, dom);
	at(&w, dom, "type", "kvm");
	el(&w, dom, "name", dc->name);
	if (dc->has_uuid) {
		uuid_unparse_lower(dc->uuid, uuid);
		el(&w, dom, "uuid", uuid);
	}
	n = el_ul(&w, dom, "memory", dc->maxmem * 1024);
	at(&w, n, "unit", "KiB");
	n = el_ul(&w, dom, "currentMemory", dc->memory * 1024);
	at(&w, n, "unit", "KiB");
	n = el_ul(&w, dom, "vcpu", dc->maxvcpus);
	at(&w, n, "placement", "static");
	if (dc->vcpus != dc->maxvcpus) {
		snprintf(buf, sizeof(buf), "%u", dc->vcpus);
		at(&w, n, "current", buf);
	}
	if (dc->cpu_weight != XL_DEFAULT_WEIGHT || dc->cap) {
		tune = el(&w, dom, "cputune", NULL);
		if (dc->cpu_weight != XL_DEFAULT_WEIGHT)
			el_ul(&w, tune, "shares", dc->cpu_weight);
		if (dc->cap) {
			el_ul(&w, tune, "period", XL_CAP_PERIOD);
			el_ul(&w, tune, "quota",
			      (unsigned long)dc->cap * (XL_CAP_PERIOD / 100));
		}
	}
	cpus_to_xml(&w, n, &tune, dom, dc, source, d);

	os = el(&w, dom, "os", NULL);
	n = el(&w, os, "type", "hvm");
	at(&w, n, "arch", "x86_64");
	if (dc->kernel)
		el(&w, os, "kernel", dc->kernel);
	if (dc->ramdisk)
		el(&w, os, "initrd", dc->ramdisk);
	if (dc->cmdline)
		el(&w, os, "cmdline", dc->cmdline);

	action_to_xml(&w, dom, "on_poweroff", dc->on_poweroff, 0, source, d);
	action_to_xml(&w, dom, "on_reboot", dc->on_reboot, 0, source, d);
	action_to_xml(&w, dom, "on_crash", dc->on_crash, 1, source, d);
	if (dc->on_watchdog != XL_ACTION_DESTROY)
		xl_diag_warn(d,
			     "%s: warning: on_watchdog = \"%s\" is not "
			     "converted",
			     source, xl_action_name(dc->on_watchdog));

	devs = el(&w, dom, "devices", NULL);
	for (i = 0; i < dc->ndisks; i++)
		disk_to_xml(&w, devs, &dc->disks[i], i, source, d);
	for (i = 0; i < dc->nvifs; i++)
		vif_to_xml(&w, devs, &dc->vifs[i], source, d);
	for (i = 0; i < dc->nserial; i++)
		serial_to_xml(&w, devs, dc->serial[i], (unsigned int)i, source,
			      d);

	if (w.oom || d->warn.oom) {
		rc = -ENOMEM;
		goto out;
	}
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	if (!mem || len <= 0) {
		rc = -ENOMEM;
		goto out;
	}
	/* without the XML declaration, as virsh dumpxml prints it */
	{
		const char *s = (const char *)mem;
		const char *nl =
		    !strncmp(s, "<?xml", 5) ? strchr(s, '\n') : NULL;

		*xml = strdup(nl ? nl + 1 : s);
	}
	rc = *xml ? 0 : -ENOMEM;
out:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- libvirt -> xl ---- */

struct xr {
	const char *src;
	struct xl_diag *d;
	int bad;
	/* what was found */
	char *name, *uuid, *kernel, *initrd, *cmdline;
	uint64_t mem_max, mem_cur; /* MiB, 0: not given */
	unsigned long vcpus, cur_vcpus;
	char *cpuset;
	char **pins; /* per vCPU, after <vcpu> */
	unsigned long weight, cap;
	const char *on[3];
	struct xl_buf disks, vifs, serials;
	size_t ndisks, nvifs, nserials;
	int console_pty;
};

enum { ON_POWEROFF, ON_REBOOT, ON_CRASH };

static unsigned int lineof(xmlNodePtr n)
{
	long l = xmlGetLineNo(n);

	return l > 0 ? (unsigned int)l : 0;
}

static void xerr(struct xr *r, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void xerr(struct xr *r, xmlNodePtr n, const char *fmt, ...)
{
	struct xl_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	xl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	xl_diag_err(r->d, "%s:%u: %s", r->src, lineof(n), xl_buf_str(&b));
	xl_buf_dispose(&b);
	r->bad = 1;
}

static void xwarn(struct xr *r, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void xwarn(struct xr *r, xmlNodePtr n, const char *fmt, ...)
{
	struct xl_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	xl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	xl_diag_warn(r->d, "%s:%u: warning: %s", r->src, lineof(n),
		     xl_buf_str(&b));
	xl_buf_dispose(&b);
}

static int is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static void not_converted(struct xr *r, xmlNodePtr n, const char *where)
{
	xwarn(r, n, "<%s>%s%s is not converted", (const char *)n->name,
	      where ? " in " : "", where ? where : "");
}

/* A copy of @n's trimmed text (NULL on OOM, with r->bad set). */
static char *text_of(struct xr *r, xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s, *e, *out;

	if (!c) {
		out = strdup("");
		goto done;
	}
	s = (char *)c;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	out = strndup(s, (size_t)(e - s));
	xmlFree(c);
done:
	if (!out) {
		xl_diag_err(r->d, "%s: out of memory", r->src);
		r->bad = 1;
	}
	return out;
}

/* The attribute @name of @n, malloc'd by libxml2, or NULL. */
static char *attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, BAD_CAST name);
}

/* An element that may appear once: remember it, refuse a second. */
static int once(struct xr *r, xmlNodePtr n, char **slot)
{
	if (*slot) {
		xerr(r, n, "<%s> appears twice", (const char *)n->name);
		return -EINVAL;
	}
	*slot = text_of(r, n);
	return *slot ? 0 : -ENOMEM;
}

/* Control characters in a path or string we hand on: refused. */
static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A libvirt memory size with its unit, in MiB rounded up. */
static int memory_of(struct xr *r, xmlNodePtr n, uint64_t *mib)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
	    {"b", 1},
	    {"bytes", 1},
	    {"KB", 1000},
	    {"k", 1024},
	    {"KiB", 1024},
	    {"MB", 1000000},
	    {"M", 1u << 20},
	    {"MiB", 1u << 20},
	    {"GB", 1000000000},
	    {"G", 1u << 30},
	    {"GiB", 1u << 30},
	    {"TB", 1000000000000ull},
	    {"T", 1ull << 40},
	    {"TiB", 1ull << 40},
	    {"PB", 1000000000000000ull},
	    {"P", 1ull << 50},
	    {"PiB", 1ull << 50},
	    {"EB", 1000000000000000000ull},
	    {"E", 1ull << 60},
	    {"EiB", 1ull << 60},
	};
	char *text = text_of(r, n), *unit = attr(n, "unit");
	uint64_t v, bytes, mult = 1024;
	size_t i;
	int rc;

	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	if (unit) {
		/* the exact spelling first: "KB" is 1000, "k" 1024 */
		mult = 0;
		for (i = 0; !mult && i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(unit, units[i].unit))
				mult = units[i].mult;
		for (i = 0; !mult && i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcasecmp(unit, units[i].unit))
				mult = units[i].mult;
		if (!mult) {
			xerr(r, n, "<%s unit='%s'>: unknown unit",
			     (const char *)n->name, unit);
			rc = -EINVAL;
			goto out;
		}
	}
	rc = parse_u64(text, &v);
	if (!rc && __builtin_mul_overflow(v, mult, &bytes))
		rc = -ERANGE;
	if (rc) {
		xerr(r, n, "<%s>: \"%.64s\" is not a memory size%s",
		     (const char *)n->name, text,
		     rc == -ERANGE ? " (too large)" : "");
		goto out;
	}
	*mib = bytes / (1u << 20) + (bytes % (1u << 20) ? 1 : 0);
	if (bytes % (1u << 20))
		xwarn(r, n,
		      "<%s> %s %s is not a whole MiB: rounded up to %" PRIu64
		      " MiB",
		      (const char *)n->name, text, unit ? unit : "KiB", *mib);
	if (*mib < 1 || *mib > XL_MAX_MEM_MIB) {
		xerr(r, n, "<%s> %s %s is out of range (1 MiB to %lu MiB)",
		     (const char *)n->name, text, unit ? unit : "KiB",
		     XL_MAX_MEM_MIB);
		rc = -EINVAL;
		goto out;
	}
	rc = 0;
out:
	free(text);
	xmlFree(unit);
	return rc;
}

static int ulong_of(struct xr *r, xmlNodePtr n, const char *what, const char *s,
		    unsigned long min, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v < min || v > max) {
		xerr(r, n, "%s: \"%.64s\" is not a number from %lu to %lu",
		     what, s, min, max);
		return -EINVAL;
	}
	*out = (unsigned long)v;
	return 0;
}

static int cpuset_ok(struct xr *r, xmlNodePtr n, const char *what,
		     const char *s)
{
	const char *why = NULL;
	char *norm = NULL;
	int rc;

	rc = xl_cpulist_parse(s, &norm, &why);
	free(norm);
	if (rc == -EINVAL)
		xerr(r, n, "%s: invalid CPU set \"%.64s\": %s", what, s, why);
	return rc;
}

static void do_vcpu(struct xr *r, xmlNodePtr n)
{
	char *t = text_of(r, n), *cur = attr(n, "current");
	char *set = attr(n, "cpuset"), *pl = attr(n, "placement");

	if (!t)
		goto out;
	if (r->vcpus) {
		xerr(r, n, "<vcpu> appears twice");
		goto out;
	}
	if (ulong_of(r, n, "<vcpu>", t, 1, XL_MAX_VCPUS, &r->vcpus))
		goto out;
	r->cur_vcpus = r->vcpus;
	if (cur)
		ulong_of(r, n, "<vcpu current>", cur, 1, r->vcpus,
			 &r->cur_vcpus);
	if (set && !cpuset_ok(r, n, "<vcpu cpuset>", set)) {
		r->cpuset = strdup(set);
		if (!r->cpuset)
			r->bad = 1;
	}
	if (pl && strcmp(pl, "static"))
		xwarn(r, n, "<vcpu placement='%.32s'> is not converted", pl);
out:
	free(t);
	xmlFree(cur);
	xmlFree(set);
	xmlFree(pl);
}

static void do_cputune(struct xr *r, xmlNodePtr tune)
{
	unsigned long period = 0, v;
	long long quota = 0;
	xmlNodePtr n, qn = NULL;
	char *t;

	for (n = tune->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "shares")) {
			t = text_of(r, n);
			if (t)
				ulong_of(r, n, "<shares> (cpu_weight)", t, 1,
					 65535, &r->weight);
			free(t);
		} else if (is(n, "period")) {
			t = text_of(r, n);
			if (t)
				ulong_of(r, n, "<period>", t, 1000, 1000000,
					 &period);
			free(t);
		} else if (is(n, "quota")) {
			t = text_of(r, n);
			qn = n;
			if (t && !strcmp(t, "-1")) {
				quota = -1;
			} else if (t &&
				   !ulong_of(r, n, "<quota>", t, 1000,
					     1000000ul * XL_MAX_VCPUS, &v)) {
				quota = (long long)v;
			}
			free(t);
		} else if (is(n, "vcpupin")) {
			char *vc = attr(n, "vcpu"), *set = attr(n, "cpuset");

			if (!r->vcpus) {
				xerr(r, n, "<vcpupin> before <vcpu>");
			} else if (!vc || !set) {
				xerr(r, n, "<vcpupin> needs vcpu and cpuset");
			} else if (!ulong_of(r, n, "<vcpupin vcpu>", vc, 0,
					     r->vcpus - 1, &v) &&
				   !cpuset_ok(r, n, "<vcpupin cpuset>", set)) {
				if (!r->pins)
					r->pins =
					    calloc(r->vcpus, sizeof(*r->pins));
				if (!r->pins) {
					r->bad = 1;
				} else {
					free(r->pins[v]);
					r->pins[v] = strdup(set);
				}
			}
			xmlFree(vc);
			xmlFree(set);
		} else {
			not_converted(r, n, "<cputune>");
		}
	}
	if (quota > 0) {
		if (!period)
			period = XL_CAP_PERIOD;
		r->cap = (unsigned long)((quota * 100 + (long long)period / 2) /
					 (long long)period);
		if (!r->cap)
			r->cap = 1;
		if ((unsigned long long)r->cap * period !=
		    (unsigned long long)quota * 100)
			xwarn(r, qn,
			      "<quota>/<period> is not a whole percentage "
			      "of a CPU: cap = %lu",
			      r->cap);
	}
}

static void do_os(struct xr *r, xmlNodePtr os)
{
	xmlNodePtr n;
	char *t, *a;

	a = attr(os, "firmware");
	if (a)
		xwarn(r, os, "<os firmware='%.32s'> is not converted", a);
	xmlFree(a);
	for (n = os->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "type")) {
			t = text_of(r, n);
			if (t && strcmp(t, "hvm") && strcmp(t, "xen") &&
			    strcmp(t, "linux"))
				xerr(r, n,
				     "<os><type>%.32s</type>: only hvm (or "
				     "Xen's xen/linux) guests convert",
				     t);
			free(t);
			a = attr(n, "arch");
			if (a && strcmp(a, "x86_64"))
				xerr(r, n,
				     "<type arch='%.32s'>: only x86_64 guests "
				     "run here",
				     a);
			xmlFree(a);
			a = attr(n, "machine");
			if (a)
				xwarn(r, n,
				      "<type machine='%.32s'> is not converted",
				      a);
			xmlFree(a);
		} else if (is(n, "kernel")) {
			once(r, n, &r->kernel);
		} else if (is(n, "initrd")) {
			once(r, n, &r->initrd);
		} else if (is(n, "cmdline")) {
			once(r, n, &r->cmdline);
		} else {
			not_converted(r, n, "<os>");
		}
	}
}

static void do_action(struct xr *r, xmlNodePtr n, int which)
{
	static const char *const ok[] = {
	    "destroy",	"restart",	    "rename-restart",
	    "preserve", "coredump-destroy", "coredump-restart",
	};
	char *t = text_of(r, n);
	size_t i, nok = which == ON_CRASH ? 6 : 4;

	if (!t)
		return;
	for (i = 0; i < nok; i++)
		if (!strcmp(t, ok[i]))
			r->on[which] = ok[i];
	if (!r->on[which])
		xerr(r, n, "<%s>%.32s</%s>: unknown action",
		     (const char *)n->name, t, (const char *)n->name);
	free(t);
}

/* Values inside a disk or vif spec must not break it apart. */
static int spec_value_ok(struct xr *r, xmlNodePtr n, const char *what,
			 const char *v)
{
	if (!*v || strpbrk(v, ",= \t") || has_ctl(v)) {
		xerr(r, n,
		     "%s \"%.64s\" is empty or has a comma, '=', blank "
		     "or control character",
		     what, v);
		return 0;
	}
	return 1;
}

static const char *format_from_libvirt(const char *t)
{
	static const char *const map[][2] = {
	    {"raw", "raw"}, {"qcow", "qcow"}, {"qcow2", "qcow2"},
	    {"vpc", "vhd"}, {"qed", "qed"},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(t, map[i][0]))
			return map[i][1];
	return NULL;
}

static void do_disk(struct xr *r, xmlNodePtr disk)
{
	char *type = attr(disk, "type"), *dev = attr(disk, "device");
	char *path = NULL, *vdev = NULL, *fmt = NULL, *a;
	int ro = 0, block = 0, cdrom = 0, bad = 0;
	struct xl_buf spec = {0};
	xmlNodePtr n;

	if (!type || (strcmp(type, "file") && strcmp(type, "block"))) {
		xwarn(r, disk,
		      "<disk type='%.32s'> is not converted: disk skipped",
		      type ? type : "");
		goto out;
	}
	block = !strcmp(type, "block");
	if (dev && strcmp(dev, "disk") && strcmp(dev, "cdrom")) {
		xwarn(r, disk,
		      "<disk device='%.32s'> is not converted: disk skipped",
		      dev);
		goto out;
	}
	cdrom = dev && !strcmp(dev, "cdrom");
	for (n = disk->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "source")) {
			a = attr(n, block ? "dev" : "file");
			if (a && !path) {
				path = strdup(a);
			} else if (a) {
				xerr(r, n, "<disk> has two <source>s");
				bad = 1;
			}
			xmlFree(a);
		} else if (is(n, "target")) {
			a = attr(n, "dev");
			if (a && !vdev)
				vdev = strdup(a);
			xmlFree(a);
			a = attr(n, "bus");
			if (a && strcmp(a, "virtio") && strcmp(a, "xen") &&
			    !cdrom)
				xwarn(r, n,
				      "<target bus='%.32s'>: xld's disks are "
				      "virtio",
				      a);
			xmlFree(a);
		} else if (is(n, "driver")) {
			xmlAttrPtr p;

			for (p = n->properties; p; p = p->next)
				if (strcmp((const char *)p->name, "name") &&
				    strcmp((const char *)p->name, "type"))
					xwarn(
					    r, n,
					    "<driver %s=...> in <disk> is not "
					    "converted",
					    (const char *)p->name);
			a = attr(n, "type");
			if (a && !format_from_libvirt(a))
				xwarn(r, n,
				      "<driver type='%.32s'> is not converted",
				      a);
			else if (a)
				fmt = strdup(format_from_libvirt(a));
			xmlFree(a);
		} else if (is(n, "readonly")) {
			ro = 1;
		} else if (is(n, "alias") || is(n, "address")) {
			/* libvirt's own bookkeeping: nothing to convert */
		} else {
			not_converted(r, n, "<disk>");
		}
	}
	if (bad)
		goto out;
	if (!vdev) {
		xerr(r, disk, "<disk> has no <target dev=...>");
		goto out;
	}
	if (!spec_value_ok(r, disk, "<target dev>", vdev))
		goto out;
	if (!strncmp(vdev, "vd", 2) && vdev[2] >= 'a' && vdev[2] <= 'z') {
		/* libvirt's virtio name; xl's is xvdX (virtio here too) */
		char *x;

		if (asprintf(&x, "x%s", vdev) < 0) {
			r->bad = 1;
			goto out;
		}
		xwarn(r, disk, "<target dev='%s'> becomes vdev %s", vdev, x);
		free(vdev);
		vdev = x;
	}
	if (!path && !cdrom) {
		xerr(r, disk, "<disk> %s has no <source %s=...>", vdev,
		     block ? "dev" : "file");
		goto out;
	}
	if (path && (!*path || has_ctl(path))) {
		xerr(r, disk,
		     "<disk> %s: <source> \"%.64s\" is empty or has "
		     "control characters",
		     vdev, path);
		goto out;
	}
	if (fmt)
		xl_buf_printf(&spec, "format=%s, ", fmt);
	else if (cdrom && !path)
		xl_buf_printf(&spec, "format=empty, ");
	xl_buf_printf(&spec, "vdev=%s, access=%s", vdev, ro ? "ro" : "rw");
	if (cdrom)
		xl_buf_printf(&spec, ", devtype=cdrom");
	if (path)
		xl_buf_printf(&spec, ", target=%s", path);
	xl_buf_printf(&r->disks, "%s    ", r->ndisks ? ",\n" : "");
	xl_cfg_quote(&r->disks, xl_buf_str(&spec));
	r->ndisks++;
out:
	if (spec.oom)
		r->bad = 1;
	xl_buf_dispose(&spec);
	free(path);
	free(vdev);
	free(fmt);
	xmlFree(type);
	xmlFree(dev);
}

static int mac_ok(const char *s)
{
	unsigned int b[6];
	char c;

	return strlen(s) == 17 &&
	       sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		      &b[3], &b[4], &b[5], &c) == 6;
}

/* Adds KEY=VALUE from attribute @name of @n to @spec. */
static void vif_kv(struct xr *r, xmlNodePtr n, const char *name,
		   const char *key, struct xl_buf *spec)
{
	char *a = attr(n, name);
	char what[64];

	snprintf(what, sizeof(what), "<%s %s>", (const char *)n->name, name);
	if (!a)
		xwarn(r, n, "%s is missing", what);
	else if (spec_value_ok(r, n, what, a))
		xl_buf_printf(spec, "%s%s=%s", spec->len ? ", " : "", key, a);
	xmlFree(a);
}

static void do_interface(struct xr *r, xmlNodePtr ifc)
{
	char *type = attr(ifc, "type"), *a;
	struct xl_buf spec = {0}, ips = {0};
	xmlNodePtr n;

	if (!type || (strcmp(type, "bridge") && strcmp(type, "ethernet")))
		xwarn(r, ifc,
		      "<interface type='%.32s'>: only bridge and ethernet "
		      "convert; the vif gets no bridge",
		      type ? type : "");
	for (n = ifc->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "mac")) {
			a = attr(n, "address");
			if (!a || !mac_ok(a))
				xerr(r, n,
				     "<mac address='%.32s'> is not a MAC "
				     "address",
				     a ? a : "");
			else
				xl_buf_printf(&spec, "%smac=%s",
					      spec.len ? ", " : "", a);
			xmlFree(a);
		} else if (is(n, "source")) {
			if (type && !strcmp(type, "bridge"))
				vif_kv(r, n, "bridge", "bridge", &spec);
			else
				not_converted(r, n, "<interface>");
		} else if (is(n, "model")) {
			vif_kv(r, n, "type", "model", &spec);
		} else if (is(n, "target")) {
			vif_kv(r, n, "dev", "vifname", &spec);
		} else if (is(n, "script")) {
			vif_kv(r, n, "path", "script", &spec);
		} else if (is(n, "mtu")) {
			unsigned long mtu;

			a = attr(n, "size");
			if (!ulong_of(r, n, "<mtu size>", a ? a : "", 68, 65535,
				      &mtu))
				xl_buf_printf(&spec, "%smtu=%lu",
					      spec.len ? ", " : "", mtu);
			xmlFree(a);
		} else if (is(n, "ip")) {
			a = attr(n, "address");
			if (a && spec_value_ok(r, n, "<ip address>", a))
				xl_buf_printf(&ips, "%s%s", ips.len ? " " : "",
					      a);
			xmlFree(a);
		} else if (is(n, "alias") || is(n, "address")) {
			/* libvirt's bookkeeping */
		} else {
			not_converted(r, n, "<interface>");
		}
	}
	if (ips.len)
		xl_buf_printf(&spec, "%sip=%s", spec.len ? ", " : "",
			      xl_buf_str(&ips));
	xl_buf_printf(&r->vifs, "%s    ", r->nvifs ? ",\n" : "");
	xl_cfg_quote(&r->vifs, xl_buf_str(&spec));
	r->nvifs++;
	if (spec.oom || ips.oom)
		r->bad = 1;
	xl_buf_dispose(&spec);
	xl_buf_dispose(&ips);
	xmlFree(type);
}

static void add_serial(struct xr *r, const char *s)
{
	xl_buf_printf(&r->serials, "%s", r->nserials ? ", " : "");
	xl_cfg_quote(&r->serials, s);
	r->nserials++;
}

static void do_serial(struct xr *r, xmlNodePtr ser)
{
	char *type = attr(ser, "type"), *path = NULL;
	struct xl_buf s = {0};
	xmlNodePtr n;

	for (n = ser->children; n; n = n->next) {
		if (is(n, "source") && !path)
			path = attr(n, "path");
		else if (n->type == XML_ELEMENT_NODE && !is(n, "target") &&
			 !is(n, "alias") && !is(n, "source"))
			not_converted(r, n, "<serial>");
	}
	if (type && (!strcmp(type, "pty") || !strcmp(type, "null"))) {
		add_serial(r, type);
	} else if (type && (!strcmp(type, "file") || !strcmp(type, "unix"))) {
		if (!path || !*path || has_ctl(path)) {
			xerr(r, ser,
			     "<serial type='%s'> needs <source path=...>",
			     type);
		} else {
			xl_buf_printf(&s, "%s:%s", type, path);
			add_serial(r, xl_buf_str(&s));
		}
	} else {
		xwarn(r, ser, "<serial type='%.32s'> is not converted",
		      type ? type : "");
	}
	xl_buf_dispose(&s);
	xmlFree(path);
	xmlFree(type);
}

static void do_devices(struct xr *r, xmlNodePtr devs)
{
	xmlNodePtr n;
	char *t;

	for (n = devs->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "disk")) {
			do_disk(r, n);
		} else if (is(n, "interface")) {
			do_interface(r, n);
		} else if (is(n, "serial")) {
			do_serial(r, n);
		} else if (is(n, "console")) {
			t = attr(n, "type");
			if (t && !strcmp(t, "pty"))
				r->console_pty = 1;
			else
				not_converted(r, n, "<devices>");
			xmlFree(t);
		} else {
			not_converted(r, n, "<devices>");
		}
	}
}

static void do_features(struct xr *r, xmlNodePtr f)
{
	xmlNodePtr n;

	for (n = f->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		/* xld always gives guests ACPI and an APIC */
		if (!is(n, "acpi") && !is(n, "apic") && !is(n, "pae"))
			not_converted(r, n, "<features>");
	}
}

static void do_domain(struct xr *r, xmlNodePtr dom)
{
	xmlNodePtr n, maxn = NULL, curn = NULL;
	char *t = attr(dom, "type");

	if (!t)
		xwarn(r, dom, "<domain> has no type: taken as kvm");
	else if (strcmp(t, "kvm") && strcmp(t, "qemu") && strcmp(t, "xen"))
		xwarn(r, dom, "<domain type='%.32s'> is converted as kvm", t);
	xmlFree(t);
	for (n = dom->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is(n, "name")) {
			once(r, n, &r->name);
		} else if (is(n, "uuid")) {
			uuid_t u;

			if (!once(r, n, &r->uuid) && uuid_parse(r->uuid, u))
				xerr(r, n, "<uuid>%.64s</uuid> is not a UUID",
				     r->uuid);
		} else if (is(n, "memory")) {
			if (maxn)
				xerr(r, n, "<memory> appears twice");
			maxn = n;
			memory_of(r, n, &r->mem_max);
		} else if (is(n, "currentMemory")) {
			if (curn)
				xerr(r, n, "<currentMemory> appears twice");
			curn = n;
			memory_of(r, n, &r->mem_cur);
		} else if (is(n, "vcpu")) {
			do_vcpu(r, n);
		} else if (is(n, "cputune")) {
			do_cputune(r, n);
		} else if (is(n, "os")) {
			do_os(r, n);
		} else if (is(n, "on_poweroff")) {
			do_action(r, n, ON_POWEROFF);
		} else if (is(n, "on_reboot")) {
			do_action(r, n, ON_REBOOT);
		} else if (is(n, "on_crash")) {
			do_action(r, n, ON_CRASH);
		} else if (is(n, "devices")) {
			do_devices(r, n);
		} else if (is(n, "features")) {
			do_features(r, n);
		} else {
			not_converted(r, n, NULL);
		}
	}
	if (!r->name)
		xerr(r, dom, "<domain> has no <name>");
	else if (!*r->name || has_ctl(r->name))
		xerr(r, dom, "<name> is empty or has control characters");
	if (!maxn && !curn)
		xerr(r, dom, "<domain> has no <memory>");
	if (maxn && curn && r->mem_cur > r->mem_max)
		xerr(r, curn,
		     "<currentMemory> (%" PRIu64 " MiB) is more than <memory> "
		     "(%" PRIu64 " MiB)",
		     r->mem_cur, r->mem_max);
	if (!r->kernel)
		xwarn(r, dom,
		      "<os> has no <kernel>: xl needs one (direct kernel "
		      "boot) before it can create the domain");
	if (r->console_pty && !r->nserials)
		add_serial(r, "pty");
}

static void emit_str(struct xl_buf *b, const char *key, const char *v)
{
	if (!v)
		return;
	xl_buf_printf(b, "%s = ", key);
	xl_cfg_quote(b, v);
	xl_buf_add(b, "\n", 1);
}

static void emit(struct xr *r, struct xl_buf *b)
{
	static const char *const keys[] = {"on_poweroff", "on_reboot",
					   "on_crash"};
	uint64_t cur, max;
	size_t i;

	xl_buf_printf(b, "# Converted from libvirt domain XML %s\n", r->src);
	emit_str(b, "name", r->name);
	emit_str(b, "uuid", r->uuid);
	xl_buf_printf(b, "type = \"pvh\"\n");
	max = r->mem_max ? r->mem_max : r->mem_cur;
	cur = r->mem_cur ? r->mem_cur : r->mem_max;
	xl_buf_printf(b, "memory = %" PRIu64 "\n", cur);
	if (max != cur)
		xl_buf_printf(b, "maxmem = %" PRIu64 "\n", max);
	if (r->vcpus) {
		xl_buf_printf(b, "vcpus = %lu\n", r->cur_vcpus);
		if (r->cur_vcpus != r->vcpus)
			xl_buf_printf(b, "maxvcpus = %lu\n", r->vcpus);
	}
	if (r->pins) {
		size_t last = 0;

		for (i = 0; i < r->vcpus; i++)
			if (r->pins[i])
				last = i;
		xl_buf_printf(b, "cpus = [ ");
		for (i = 0; i <= last; i++) {
			xl_buf_printf(b, "%s", i ? ", " : "");
			xl_cfg_quote(b, r->pins[i]  ? r->pins[i]
					: r->cpuset ? r->cpuset
						    : "all");
		}
		xl_buf_printf(b, " ]\n");
	} else {
		emit_str(b, "cpus", r->cpuset);
	}
	if (r->weight)
		xl_buf_printf(b, "cpu_weight = %lu\n", r->weight);
	if (r->cap)
		xl_buf_printf(b, "cap = %lu\n", r->cap);
	emit_str(b, "kernel", r->kernel);
	emit_str(b, "ramdisk", r->initrd);
	emit_str(b, "cmdline", r->cmdline);
	if (r->ndisks)
		xl_buf_printf(b, "disk = [\n%s\n]\n", xl_buf_str(&r->disks));
	if (r->nvifs)
		xl_buf_printf(b, "vif = [\n%s\n]\n", xl_buf_str(&r->vifs));
	if (r->nserials)
		xl_buf_printf(b, "serial = [ %s ]\n", xl_buf_str(&r->serials));
	for (i = 0; i < 3; i++)
		if (r->on[i])
			emit_str(b, keys[i], r->on[i]);
}

static void xr_dispose(struct xr *r)
{
	size_t i;

	free(r->name);
	free(r->uuid);
	free(r->kernel);
	free(r->initrd);
	free(r->cmdline);
	free(r->cpuset);
	if (r->pins)
		for (i = 0; i < r->vcpus; i++)
			free(r->pins[i]);
	free(r->pins);
	xl_buf_dispose(&r->disks);
	xl_buf_dispose(&r->vifs);
	xl_buf_dispose(&r->serials);
}

int xl_domxml_to_xlcfg(const char *source, const char *data, size_t len,
		       char **cfg, struct xl_diag *d)
{
	struct xr r = {.src = source, .d = d};
	struct xl_buf out = {0};
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	int rc;

	if (len > XL_DOMXML_MAX) {
		xl_diag_err(d,
			    "%s: %zu bytes: a domain XML is at most %u bytes",
			    source, len, XL_DOMXML_MAX);
		return -EFBIG;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		rc = -ENOMEM;
		goto out;
	}
	/* no network, no entity substitution, no DTD loading */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, source, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc) {
		xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
		char msg[256] = "not well-formed";
		size_t n;

		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			n = strlen(msg);
			while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
				msg[--n] = '\0';
		}
		xl_diag_err(d, "%s:%d: malformed XML: %s", source,
			    e ? e->line : 0, msg);
		rc = -EINVAL;
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		const char *dt = memmem(data, len, "<!DOCTYPE", 9), *p;
		unsigned int line = 1;

		for (p = data; dt && p < dt; p++)
			line += *p == '\n';
		xl_diag_err(d,
			    "%s:%u: <!DOCTYPE> is not accepted in a domain "
			    "XML (libvirt writes none)",
			    source, line);
		rc = -EINVAL;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "domain")) {
		xl_diag_err(d,
			    "%s:%u: the root element is <%s>, not libvirt's "
			    "<domain>",
			    source, root ? lineof(root) : 1,
			    root ? (const char *)root->name : "");
		rc = -EINVAL;
		goto out;
	}
	do_domain(&r, root);
	if (r.disks.oom || r.vifs.oom || r.serials.oom || d->err.oom ||
	    d->warn.oom) {
		rc = -ENOMEM;
		goto out;
	}
	if (r.bad) {
		rc = -EINVAL;
		goto out;
	}
	emit(&r, &out);
	if (out.oom) {
		rc = -ENOMEM;
		goto out;
	}
	*cfg = xl_buf_steal(&out);
	rc = *cfg ? 0 : -ENOMEM;
out:
	xl_buf_dispose(&out);
	xr_dispose(&r);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}
