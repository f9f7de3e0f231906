// SPDX-License-Identifier: GPL-2.0
/* The resolved domain configuration, with xl.cfg(5)'s semantic checks. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "xlcli/xl_domcfg.h"

/* Highest host CPU number a CPULIST may name. */
#define XL_MAX_CPUS 65536
/* Most vCPUs a guest may have. */
#define XL_MAX_VCPUS 4096

/* Keys of the domain config: handled here, or of features that do not
 * exist yet (accepted, warned about by name, ignored). */
static const char *const handled_keys[] = {
    "name",	   "uuid",	"type",	    "builder",	   "memory", "maxmem",
    "vcpus",	   "maxvcpus",	"cpus",	    "cpu_weight",  "cap",    "kernel",
    "ramdisk",	   "cmdline",	"root",	    "extra",	   "disk",   "vif",
    "on_poweroff", "on_reboot", "on_crash", "on_watchdog", "serial",
};

static const struct {
	const char *key;
	const char *what;
} unsupported_keys[] = {
    {"vnc", "VNC console"},
    {"vnclisten", "VNC console"},
    {"vncdisplay", "VNC console"},
    {"vncunused", "VNC console"},
    {"vncpasswd", "VNC console"},
    {"keymap", "VNC console"},
    {"sdl", "SDL console"},
    {"opengl", "SDL console"},
    {"vfb", "virtual framebuffer"},
    {"vkb", "virtual keyboard"},
    {"vga", "emulated graphics"},
    {"stdvga", "emulated graphics"},
    {"videoram", "emulated graphics"},
    {"gfx_passthru", "PCI passthrough"},
    {"pci", "PCI passthrough"},
    {"pci_permissive", "PCI passthrough"},
    {"pci_msitranslate", "PCI passthrough"},
    {"rdm", "PCI passthrough"},
    {"usb", "USB"},
    {"usbdevice", "USB"},
    {"usbctrl", "USB"},
    {"usbdev", "USB"},
    {"soundhw", "sound"},
    {"vsnd", "sound"},
    {"vtpm", "virtual TPM"},
    {"channel", "PV channels"},
    {"p9", "9pfs"},
    {"vdispl", "virtual display"},
    {"dtdev", "device tree passthrough"},
    {"irqs", "IRQ passthrough"},
    {"iomem", "I/O memory passthrough"},
    {"ioports", "I/O port passthrough"},
    {"bootloader", "bootloaders"},
    {"bootloader_args", "bootloaders"},
    {"firmware", "firmware boot"},
    {"boot", "HVM boot order"},
    {"viridian", "Hyper-V enlightenments"},
    {"acpi", "HVM ACPI options"},
    {"apic", "HVM options"},
    {"pae", "HVM options"},
    {"hap", "HVM options"},
    {"nestedhvm", "nested virtualization"},
    {"device_model_version", "device models"},
    {"device_model_override", "device models"},
    {"device_model_args", "device models"},
    {"device_model_stubdomain_override", "device models"},
    {"pool", "CPU pools"},
    {"cpus_soft", "soft CPU affinity"},
    {"vnuma", "virtual NUMA"},
    {"seclabel", "XSM labels"},
    {"init_seclabel", "XSM labels"},
    {"tsc_mode", "TSC modes"},
    {"localtime", "RTC options"},
    {"rtc_timeoffset", "RTC options"},
    {"nomigrate", "migration options"},
    {"driver_domain", "driver domains"},
    {"max_grant_frames", "grant tables"},
    {"max_maptrack_frames", "grant tables"},
    {"pvshim", "the PV shim"},
    {"pvshim_path", "the PV shim"},
    {"pvshim_cmdline", "the PV shim"},
    {"pvshim_extra", "the PV shim"},
    {"on_soft_reset", "soft reset"},
    {"vif2", "vif2 devices"},
    {"vscsi", "PV SCSI"},
    {"claim_mode", "memory claims"},
    {"shadow_memory", "shadow paging"},
    {"cpuid", "CPUID policies"},
    {"altp2m", "alternate p2m"},
    {"e820_host", "host e820"},
    {"xen_platform_pci", "the Xen platform device"},
};

static const char *const action_names[] = {
    [XL_ACTION_DESTROY] = "destroy",
    [XL_ACTION_RESTART] = "restart",
    [XL_ACTION_RENAME_RESTART] = "rename-restart",
    [XL_ACTION_PRESERVE] = "preserve",
    [XL_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [XL_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *xl_action_name(enum xl_action a)
{
	return action_names[a];
}

/* ---- getters: a missing key is -ENOENT, a bad one reported -EINVAL */

static int get_atom(const struct xl_cfg *cfg, const char *key,
		    const struct xl_cfg_setting **sp, struct xl_diag *d)
{
	const struct xl_cfg_setting *s = xl_cfg_find(cfg, key);

	if (!s)
		return -ENOENT;
	if (s->value->type != XL_CFG_ATOM) {
		xl_diag_err(d,
			    "%s:%u: parameter `%s' is a list but should be a "
			    "single value",
			    s->source, s->line, key);
		return -EINVAL;
	}
	*sp = s;
	return 0;
}

static int get_string(const struct xl_cfg *cfg, const char *key, char **out,
		      struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	int rc;

	rc = get_atom(cfg, key, &s, d);
	if (rc)
		return rc;
	*out = strdup(s->value->atom);
	return *out ? 0 : -ENOMEM;
}

static int get_ulong(const struct xl_cfg *cfg, const char *key,
		     unsigned long min, unsigned long max, unsigned long *out,
		     struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	unsigned long v;
	int rc;

	rc = get_atom(cfg, key, &s, d);
	if (rc)
		return rc;
	if (xl_parse_ulong(s->value->atom, 0, &v)) {
		xl_diag_err(
		    d, "%s:%u: parameter `%s' is not a valid number: \"%s\"",
		    s->source, s->line, key, s->value->atom);
		return -EINVAL;
	}
	if (v < min || v > max) {
		xl_diag_err(d, "%s:%u: %s = %lu is out of range (%lu to %lu)",
			    s->source, s->line, key, v, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * A key that may be a single string or a list of strings (Xen accepts
 * both for disk, vif, serial, cpus).  Returns the number of strings in
 * *@n and the setting, or -ENOENT / -EINVAL.
 */
static int get_strings(const struct xl_cfg *cfg, const char *key,
		       const struct xl_cfg_setting **sp, struct xl_diag *d)
{
	const struct xl_cfg_setting *s = xl_cfg_find(cfg, key);
	size_t i;

	if (!s)
		return -ENOENT;
	if (s->value->type == XL_CFG_LIST) {
		for (i = 0; i < s->value->nitems; i++) {
			if (s->value->items[i]->type != XL_CFG_ATOM) {
				xl_diag_err(d,
					    "%s:%u: %s: item %zu is a list but "
					    "should be a string",
					    s->source, s->value->items[i]->line,
					    key, i);
				return -EINVAL;
			}
		}
	}
	*sp = s;
	return 0;
}

static size_t strings_count(const struct xl_cfg_setting *s)
{
	return s->value->type == XL_CFG_LIST ? s->value->nitems : 1;
}

static const struct xl_cfg_value *strings_item(const struct xl_cfg_setting *s,
					       size_t i)
{
	return s->value->type == XL_CFG_LIST ? s->value->items[i] : s->value;
}

/* ---- CPULIST */

struct cpuset {
	unsigned char *bits; /* XL_MAX_CPUS bits */
};

static int cpu_range(const char *s, unsigned long *lo, unsigned long *hi)
{
	const char *dash = strchr(s, '-');
	char tmp[24];
	size_t n;

	if (!dash)
		return xl_parse_ulong(s, 10, lo) ? -EINVAL : (*hi = *lo, 0);
	n = (size_t)(dash - s);
	if (!n || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (xl_parse_ulong(tmp, 10, lo) || xl_parse_ulong(dash + 1, 10, hi) ||
	    *hi < *lo)
		return -EINVAL;
	return 0;
}

int xl_cpulist_parse(const char *s, char **out, const char **why)
{
	struct xl_buf b = {0};
	unsigned char *bits = NULL;
	int symbolic = 0, any = 0;
	char *copy = NULL, *tok, *save = NULL;
	unsigned long lo, hi, i;
	int rc;

	*why = NULL;
	copy = strdup(s);
	bits = calloc(XL_MAX_CPUS / 8, 1);
	if (!copy || !bits) {
		rc = -ENOMEM;
		goto out;
	}
	if (!*s) {
		*why = "empty CPU list";
		rc = -EINVAL;
		goto out;
	}
	if (s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,")) {
		*why = "empty item in CPU list";
		rc = -EINVAL;
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int neg = *tok == '^';
		const char *t = tok + neg;

		if (!strcmp(t, "all")) {
			if (neg) {
				*why = "^all excludes every CPU";
				rc = -EINVAL;
				goto out;
			}
			symbolic = 1;
			continue;
		}
		if (!strncmp(t, "nodes:", 6) || !strncmp(t, "node:", 5)) {
			t = strchr(t, ':') + 1;
			if (cpu_range(t, &lo, &hi) || hi >= XL_MAX_CPUS) {
				*why = "invalid NUMA node range";
				rc = -EINVAL;
				goto out;
			}
			symbolic = 1;
			continue;
		}
		if (cpu_range(t, &lo, &hi)) {
			*why = "invalid CPU range";
			rc = -EINVAL;
			goto out;
		}
		if (hi >= XL_MAX_CPUS) {
			*why = "CPU number too large";
			rc = -EINVAL;
			goto out;
		}
		for (i = lo; i <= hi; i++) {
			if (neg)
				bits[i / 8] &= (unsigned char)~(1u << (i % 8));
			else
				bits[i / 8] |= (unsigned char)(1u << (i % 8));
		}
	}
	if (symbolic) {
		*out = strdup(s);
		rc = *out ? 0 : -ENOMEM;
		goto out;
	}
	for (i = 0; i < XL_MAX_CPUS; i++) {
		if (!(bits[i / 8] & (1u << (i % 8))))
			continue;
		lo = i;
		while (i + 1 < XL_MAX_CPUS &&
		       (bits[(i + 1) / 8] & (1u << ((i + 1) % 8))))
			i++;
		if (lo == i)
			xl_buf_printf(&b, "%s%lu", any ? "," : "", lo);
		else
			xl_buf_printf(&b, "%s%lu-%lu", any ? "," : "", lo, i);
		any = 1;
	}
	if (!any) {
		*why = "the CPU list leaves no CPU";
		rc = -EINVAL;
		goto out;
	}
	if (b.oom) {
		rc = -ENOMEM;
		goto out;
	}
	*out = xl_buf_steal(&b);
	rc = *out ? 0 : -ENOMEM;
out:
	xl_buf_dispose(&b);
	free(bits);
	free(copy);
	return rc;
}

static int resolve_cpus(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	const char *why;
	size_t i, n;
	int rc;

	rc = get_strings(cfg, "cpus", &s, d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	n = strings_count(s);
	dc->cpus_per_vcpu = s->value->type == XL_CFG_LIST;
	if (dc->cpus_per_vcpu && n > dc->maxvcpus) {
		xl_diag_err(d,
			    "%s:%u: cpus lists %zu vCPUs but the guest has "
			    "maxvcpus = %u",
			    s->source, s->line, n, dc->maxvcpus);
		return -EINVAL;
	}
	dc->cpus = calloc(n ? n : 1, sizeof(*dc->cpus));
	if (!dc->cpus)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct xl_cfg_value *v = strings_item(s, i);

		rc = xl_cpulist_parse(v->atom, &dc->cpus[i], &why);
		if (rc == -EINVAL)
			xl_diag_err(d, "%s:%u: invalid cpus \"%s\": %s",
				    s->source, v->line, v->atom, why);
		if (rc)
			return rc;
		dc->ncpus++;
	}
	return 0;
}

/* ---- devices */

static int resolve_disks(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			 struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	size_t i, j, n;
	char *err;
	int rc, bad = 0;

	rc = get_strings(cfg, "disk", &s, d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	n = strings_count(s);
	dc->disks = calloc(n ? n : 1, sizeof(*dc->disks));
	if (!dc->disks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct xl_cfg_value *v = strings_item(s, i);

		err = NULL;
		rc = xl_disk_parse(v->atom, &dc->disks[i], &err);
		if (rc == -EINVAL) {
			xl_diag_err(d, "%s:%u: %s", s->source, v->line, err);
			free(err);
			continue;
		}
		if (rc)
			return rc;
		dc->ndisks++;
		for (j = 0; j < i; j++) {
			if (dc->disks[j].vdev &&
			    !strcmp(dc->disks[j].vdev, dc->disks[i].vdev)) {
				xl_diag_err(
				    d, "%s:%u: disk vdev `%s' is used twice",
				    s->source, v->line, dc->disks[i].vdev);
				bad = 1;
				break;
			}
		}
	}
	/* failed disks leave holes: keep the array dense */
	if (dc->ndisks != n) {
		size_t k = 0;

		for (i = 0; i < n; i++)
			if (dc->disks[i].vdev)
				dc->disks[k++] = dc->disks[i];
		dc->ndisks = k;
		return -EINVAL;
	}
	return bad ? -EINVAL : 0;
}

static void prefix_lines(struct xl_diag *d, const char *src, unsigned int line,
			 const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		xl_diag_warn(d, "%s:%u: warning: %.*s", src, line,
			     (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

static int resolve_vifs(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			struct xl_diag *d, uint32_t (*rnd)(void *), void *arg)
{
	const struct xl_cfg_setting *s;
	struct xl_buf warn = {0};
	size_t i, j, n;
	char *err;
	int rc, bad = 0;

	rc = get_strings(cfg, "vif", &s, d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	n = strings_count(s);
	dc->vifs = calloc(n ? n : 1, sizeof(*dc->vifs));
	if (!dc->vifs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct xl_cfg_value *v = strings_item(s, i);
		struct xl_vif *vif = &dc->vifs[dc->nvifs];

		err = NULL;
		rc = xl_vif_parse(v->atom, vif, &err, &warn);
		prefix_lines(d, s->source, v->line, xl_buf_str(&warn));
		xl_buf_dispose(&warn);
		if (rc == -EINVAL) {
			xl_diag_err(d, "%s:%u: %s", s->source, v->line, err);
			free(err);
			bad = 1;
			continue;
		}
		if (rc)
			return rc;
		if (vif->devid < 0)
			vif->devid = (int)i;
		dc->nvifs++;
		for (j = 0; j + 1 < dc->nvifs; j++) {
			char mac[18];

			if (dc->vifs[j].devid == vif->devid) {
				xl_diag_err(d,
					    "%s:%u: vif devid %d is used twice",
					    s->source, v->line, vif->devid);
				bad = 1;
			}
			if (vif->mac_set && dc->vifs[j].mac_set &&
			    !memcmp(dc->vifs[j].mac, vif->mac, 6)) {
				xl_vif_mac_format(vif->mac, mac);
				xl_diag_err(d,
					    "%s:%u: vif mac %s is used twice",
					    s->source, v->line, mac);
				bad = 1;
			}
		}
	}
	if (bad)
		return -EINVAL;
	rc = xl_vif_assign_macs(dc->vifs, dc->nvifs, rnd, arg);
	if (rc)
		xl_diag_err(d,
			    "%s:%u: vif: no free MAC address left to generate",
			    s->source, s->line);
	return rc;
}

static int resolve_serial(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			  struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	size_t i, n;
	int rc;

	rc = get_strings(cfg, "serial", &s, d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	n = strings_count(s);
	dc->serial = calloc(n ? n : 1, sizeof(*dc->serial));
	if (!dc->serial)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct xl_cfg_value *v = strings_item(s, i);
		const char *a = v->atom;

		if (strcmp(a, "pty") && strcmp(a, "none") &&
		    strcmp(a, "null") && strncmp(a, "file:", 5) &&
		    strncmp(a, "unix:", 5)) {
			xl_diag_err(
			    d,
			    "%s:%u: serial device \"%s\" is not supported "
			    "(pty, none, null, file:PATH or unix:PATH)",
			    s->source, v->line, a);
			return -EINVAL;
		}
		if ((!strncmp(a, "file:", 5) || !strncmp(a, "unix:", 5)) &&
		    !a[5]) {
			xl_diag_err(d,
				    "%s:%u: serial device \"%s\" needs a path",
				    s->source, v->line, a);
			return -EINVAL;
		}
		dc->serial[i] = strdup(a);
		if (!dc->serial[i])
			return -ENOMEM;
		dc->nserial++;
	}
	return 0;
}

/* ---- scalars */

static int resolve_action(const struct xl_cfg *cfg, const char *key,
			  enum xl_action def, enum xl_action *out,
			  struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	size_t i;
	int rc;

	*out = def;
	rc = get_atom(cfg, key, &s, d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(s->value->atom, action_names[i])) {
			*out = (enum xl_action)i;
			return 0;
		}
	}
	xl_diag_err(d, "%s:%u: Unknown %s action \"%s\" specified", s->source,
		    s->line, key, s->value->atom);
	return -EINVAL;
}

static int resolve_type(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			struct xl_diag *d)
{
	const struct xl_cfg_setting *s = NULL;
	const char *t = NULL;
	int rc;

	rc = get_atom(cfg, "builder", &s, d);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc) {
		dc->builder = strdup(s->value->atom);
		if (!dc->builder)
			return -ENOMEM;
		if (!strcmp(s->value->atom, "generic")) {
			t = "pv";
		} else if (!strcmp(s->value->atom, "hvm")) {
			t = "hvm";
		} else {
			xl_diag_err(
			    d, "%s:%u: Invalid builder \"%s\" (generic or hvm)",
			    s->source, s->line, s->value->atom);
			return -EINVAL;
		}
	}
	s = NULL;
	rc = get_atom(cfg, "type", &s, d);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc)
		t = s->value->atom;
	if (!t || !strcmp(t, "pv")) {
		dc->type = "pvh";
		dc->type_alias = "pv";
		if (!t)
			dc->type_alias = NULL;
		return 0;
	}
	if (!strcmp(t, "pvh")) {
		dc->type = "pvh";
		return 0;
	}
	if (!s) {
		/* builder = "hvm" without type */
		s = xl_cfg_find(cfg, "builder");
	}
	if (!strcmp(t, "hvm")) {
		xl_diag_err(
		    d,
		    "%s:%u: HVM guests (type = \"hvm\") are not supported yet: "
		    "use type = \"pvh\" with a kernel (direct kernel boot)",
		    s->source, s->line);
		return -EINVAL;
	}
	xl_diag_err(d, "%s:%u: Invalid domain type \"%s\" (pvh, pv or hvm)",
		    s->source, s->line, t);
	return -EINVAL;
}

static int resolve_name(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	const unsigned char *p;
	int rc;

	rc = get_atom(cfg, "name", &s, d);
	if (rc == -ENOENT) {
		xl_diag_err(d, "Domain name must be specified.");
		return -EINVAL;
	}
	if (rc)
		return rc;
	p = (const unsigned char *)s->value->atom;
	if (!*p) {
		xl_diag_err(d, "%s:%u: Domain name must not be empty",
			    s->source, s->line);
		return -EINVAL;
	}
	if (!strcmp((const char *)p, "Domain-0")) {
		xl_diag_err(d, "%s:%u: Domain name \"Domain-0\" is reserved",
			    s->source, s->line);
		return -EINVAL;
	}
	if (strspn((const char *)p, "0123456789") == strlen((const char *)p)) {
		xl_diag_err(d,
			    "%s:%u: Domain name \"%s\" is a number: it would "
			    "be taken for a domain id",
			    s->source, s->line, p);
		return -EINVAL;
	}
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '/') {
			xl_diag_err(d,
				    "%s:%u: Domain name \"%s\" contains '/' or "
				    "a control character",
				    s->source, s->line, s->value->atom);
			return -EINVAL;
		}
	}
	dc->name = strdup(s->value->atom);
	return dc->name ? 0 : -ENOMEM;
}

static int resolve_uuid(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			struct xl_diag *d)
{
	const struct xl_cfg_setting *s;
	int rc;

	rc = get_atom(cfg, "uuid", &s, d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (uuid_parse(s->value->atom, dc->uuid)) {
		xl_diag_err(d, "%s:%u: Failed to parse UUID: \"%s\"", s->source,
			    s->line, s->value->atom);
		return -EINVAL;
	}
	dc->has_uuid = 1;
	return 0;
}

static int resolve_cmdline(const struct xl_cfg *cfg, struct xl_domcfg *dc,
			   struct xl_diag *d)
{
	struct xl_buf b = {0};
	int rc;

	rc = get_string(cfg, "cmdline", &dc->cmdline, d);
	if (rc && rc != -ENOENT)
		return rc;
	rc = get_string(cfg, "root", &dc->root, d);
	if (rc && rc != -ENOENT)
		return rc;
	rc = get_string(cfg, "extra", &dc->extra, d);
	if (rc && rc != -ENOENT)
		return rc;
	if (dc->cmdline) {
		if (dc->root || dc->extra) {
			const struct xl_cfg_setting *s =
			    xl_cfg_find(cfg, "cmdline");

			xl_diag_warn(d,
				     "%s:%u: warning: cmdline is set: ignoring "
				     "root and extra",
				     s->source, s->line);
		}
		return 0;
	}
	if (!dc->root && !dc->extra)
		return 0;
	if (dc->root)
		xl_buf_printf(&b, "root=%s", dc->root);
	if (dc->extra)
		xl_buf_printf(&b, "%s%s", dc->root ? " " : "", dc->extra);
	if (b.oom) {
		xl_buf_dispose(&b);
		return -ENOMEM;
	}
	dc->cmdline = xl_buf_steal(&b);
	return dc->cmdline ? 0 : -ENOMEM;
}

static void check_keys(const struct xl_cfg *cfg, struct xl_diag *d)
{
	size_t i, j;

	for (i = 0; i < cfg->nset; i++) {
		const struct xl_cfg_setting *s = &cfg->set[i];
		int known = 0;

		for (j = 0; j < sizeof(handled_keys) / sizeof(handled_keys[0]);
		     j++)
			if (!strcmp(s->name, handled_keys[j]))
				known = 1;
		if (known)
			continue;
		for (j = 0;
		     j < sizeof(unsupported_keys) / sizeof(unsupported_keys[0]);
		     j++) {
			if (!strcmp(s->name, unsupported_keys[j].key)) {
				xl_diag_warn(d,
					     "%s:%u: warning: %s (%s) is not "
					     "supported yet: ignored",
					     s->source, s->line, s->name,
					     unsupported_keys[j].what);
				known = 1;
			}
		}
		if (!known)
			xl_diag_info(d, "%s:%u: unknown key `%s' ignored",
				     s->source, s->line, s->name);
	}
}

/* Records a failure: -ENOMEM wins, else the first -EINVAL. */
static void merge(int *rc, int r)
{
	if (r == -ENOMEM || (r && !*rc))
		*rc = r;
}

int xl_domcfg_resolve(const struct xl_cfg *cfg, struct xl_domcfg *dc,
		      struct xl_diag *d, uint32_t (*rnd)(void *arg), void *arg)
{
	const struct xl_cfg_setting *s;
	unsigned long v;
	int rc = 0, r;

	memset(dc, 0, sizeof(*dc));
	check_keys(cfg, d);
	merge(&rc, resolve_name(cfg, dc, d));
	merge(&rc, resolve_uuid(cfg, dc, d));
	merge(&rc, resolve_type(cfg, dc, d));

	dc->memory = 128;
	r = get_ulong(cfg, "memory", 1, 1ul << 32, &dc->memory, d);
	if (r != -ENOENT)
		merge(&rc, r);
	dc->maxmem = dc->memory;
	r = get_ulong(cfg, "maxmem", 1, 1ul << 32, &dc->maxmem, d);
	if (r != -ENOENT)
		merge(&rc, r);
	if (!r && dc->maxmem < dc->memory) {
		s = xl_cfg_find(cfg, "maxmem");
		xl_diag_err(d, "%s:%u: maxmem (%lu) < memory (%lu)", s->source,
			    s->line, dc->maxmem, dc->memory);
		merge(&rc, -EINVAL);
	}

	v = 1;
	r = get_ulong(cfg, "vcpus", 1, XL_MAX_VCPUS, &v, d);
	if (r != -ENOENT)
		merge(&rc, r);
	dc->vcpus = (unsigned int)v;
	r = get_ulong(cfg, "maxvcpus", 1, XL_MAX_VCPUS, &v, d);
	if (r != -ENOENT)
		merge(&rc, r);
	dc->maxvcpus = (unsigned int)v;
	if (!r && dc->maxvcpus < dc->vcpus) {
		s = xl_cfg_find(cfg, "maxvcpus");
		xl_diag_err(
		    d, "%s:%u: maxvcpus < vcpus (maxvcpus = %u, vcpus = %u)",
		    s->source, s->line, dc->maxvcpus, dc->vcpus);
		merge(&rc, -EINVAL);
	}
	merge(&rc, resolve_cpus(cfg, dc, d));

	v = 256;
	r = get_ulong(cfg, "cpu_weight", 1, 65535, &v, d);
	if (r != -ENOENT)
		merge(&rc, r);
	dc->cpu_weight = (unsigned int)v;
	v = 0;
	r = get_ulong(cfg, "cap", 0, 100ul * XL_MAX_VCPUS, &v, d);
	if (r != -ENOENT)
		merge(&rc, r);
	dc->cap = (unsigned int)v;

	r = get_string(cfg, "kernel", &dc->kernel, d);
	if (r != -ENOENT)
		merge(&rc, r);
	if (r == -ENOENT && dc->type) {
		xl_diag_err(d,
			    "kernel must be specified for a %s guest (direct "
			    "kernel boot)",
			    dc->type);
		merge(&rc, -EINVAL);
	} else if (!r && !*dc->kernel) {
		s = xl_cfg_find(cfg, "kernel");
		xl_diag_err(d, "%s:%u: kernel must not be empty", s->source,
			    s->line);
		merge(&rc, -EINVAL);
	}
	r = get_string(cfg, "ramdisk", &dc->ramdisk, d);
	if (r != -ENOENT)
		merge(&rc, r);
	merge(&rc, resolve_cmdline(cfg, dc, d));

	merge(&rc, resolve_disks(cfg, dc, d));
	merge(&rc, resolve_vifs(cfg, dc, d, rnd, arg));
	merge(&rc, resolve_action(cfg, "on_poweroff", XL_ACTION_DESTROY,
				  &dc->on_poweroff, d));
	merge(&rc, resolve_action(cfg, "on_reboot", XL_ACTION_RESTART,
				  &dc->on_reboot, d));
	merge(&rc, resolve_action(cfg, "on_crash", XL_ACTION_DESTROY,
				  &dc->on_crash, d));
	merge(&rc, resolve_action(cfg, "on_watchdog", XL_ACTION_DESTROY,
				  &dc->on_watchdog, d));
	merge(&rc, resolve_serial(cfg, dc, d));

	if (!rc && (d->err.oom || d->warn.oom || d->info.oom))
		rc = -ENOMEM;
	if (rc)
		xl_domcfg_dispose(dc);
	return rc;
}

void xl_domcfg_dispose(struct xl_domcfg *dc)
{
	size_t i;

	if (!dc)
		return;
	free(dc->name);
	free(dc->builder);
	for (i = 0; i < dc->ncpus; i++)
		free(dc->cpus[i]);
	free(dc->cpus);
	free(dc->kernel);
	free(dc->ramdisk);
	free(dc->cmdline);
	free(dc->root);
	free(dc->extra);
	for (i = 0; i < dc->ndisks; i++)
		xl_disk_dispose(&dc->disks[i]);
	free(dc->disks);
	for (i = 0; i < dc->nvifs; i++)
		xl_vif_dispose(&dc->vifs[i]);
	free(dc->vifs);
	for (i = 0; i < dc->nserial; i++)
		free(dc->serial[i]);
	free(dc->serial);
	memset(dc, 0, sizeof(*dc));
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

json_object *xl_domcfg_to_json(const struct xl_domcfg *dc)
{
	json_object *o = json_object_new_object();
	json_object *a;
	char uuid[37];
	size_t i;

	if (!o)
		return NULL;
	add_str(o, "name", dc->name);
	if (dc->has_uuid) {
		uuid_unparse_lower(dc->uuid, uuid);
		add_str(o, "uuid", uuid);
	} else {
		add_str(o, "uuid", NULL);
	}
	add_str(o, "type", dc->type);
	if (dc->type_alias)
		add_str(o, "type_given", dc->type_alias);
	if (dc->builder)
		add_str(o, "builder", dc->builder);
	json_object_object_add(o, "memory",
			       json_object_new_int64((int64_t)dc->memory));
	json_object_object_add(o, "maxmem",
			       json_object_new_int64((int64_t)dc->maxmem));
	json_object_object_add(o, "vcpus", json_object_new_int((int)dc->vcpus));
	json_object_object_add(o, "maxvcpus",
			       json_object_new_int((int)dc->maxvcpus));
	if (dc->ncpus && !dc->cpus_per_vcpu) {
		add_str(o, "cpus", dc->cpus[0]);
	} else if (dc->cpus_per_vcpu) {
		a = json_object_new_array();
		for (i = 0; i < dc->ncpus; i++)
			json_object_array_add(
			    a, json_object_new_string(dc->cpus[i]));
		json_object_object_add(o, "cpus", a);
	} else {
		add_str(o, "cpus", "all");
	}
	json_object_object_add(o, "cpu_weight",
			       json_object_new_int((int)dc->cpu_weight));
	json_object_object_add(o, "cap", json_object_new_int((int)dc->cap));
	add_str(o, "kernel", dc->kernel);
	add_str(o, "ramdisk", dc->ramdisk);
	add_str(o, "cmdline", dc->cmdline);
	add_str(o, "on_poweroff", action_names[dc->on_poweroff]);
	add_str(o, "on_reboot", action_names[dc->on_reboot]);
	add_str(o, "on_watchdog", action_names[dc->on_watchdog]);
	add_str(o, "on_crash", action_names[dc->on_crash]);
	a = json_object_new_array();
	for (i = 0; i < dc->ndisks; i++)
		json_object_array_add(a, xl_disk_to_json(&dc->disks[i]));
	json_object_object_add(o, "disks", a);
	a = json_object_new_array();
	for (i = 0; i < dc->nvifs; i++)
		json_object_array_add(a, xl_vif_to_json(&dc->vifs[i]));
	json_object_object_add(o, "vifs", a);
	a = json_object_new_array();
	for (i = 0; i < dc->nserial; i++)
		json_object_array_add(a, json_object_new_string(dc->serial[i]));
	json_object_object_add(o, "serial", a);
	return o;
}
