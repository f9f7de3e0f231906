// SPDX-License-Identifier: GPL-2.0
/*
 * Disk specification strings (xl-disk-configuration(5)).
 *
 * The string is read left to right, one comma-separated parameter at a
 * time, with the precedence Xen's parser gives them:
 *   1. "target=" takes the whole rest of the string (less one trailing
 *      comma), so it must come last and may contain commas and colons;
 *   2. a deprecated prefix "word:" (raw: qcow: qcow2: vhd: set the
 *      format, iscsi: nbd: enbd: drbd: the script block-WORD, tapdisk:
 *      tap: tap2: aio: ioemu: file: phy: are dropped) is stripped and
 *      reading goes on right after its colon; another "word:" followed by
 *      a non-alphanumeric is an unknown prefix;
 *   3. key=value and bare flags;
 *   4. anything else fills the next positional slot: target, format,
 *      vdev, access.  After a deprecated prefix the format slot is
 *      skipped, and "vdev:cdrom" / "vdev:disk" are accepted in it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_disk.h"
#include "xlcli/xl_util.h"

struct dctx {
	const char *spec;
	struct xl_disk *disk;
	int had_depr_prefix;
	int access_set;
	int err; /* 0, -EINVAL or -ENOMEM */
	char *msg;
};

static void derr(struct dctx *c, const char *near, size_t nlen,
		 const char *what)
{
	struct xl_buf b = {0};

	if (c->err)
		return;
	c->err = -EINVAL;
	xl_buf_printf(&b, "config parsing error in disk specification: %s",
		      what);
	if (near)
		xl_buf_printf(&b, ": near `%.*s'", (int)nlen, near);
	xl_buf_printf(&b, " in `%s'", c->spec);
	if (b.oom) {
		c->err = -ENOMEM;
		xl_buf_dispose(&b);
		return;
	}
	c->msg = xl_buf_steal(&b);
}

static void derr_s(struct dctx *c, const char *near, const char *what)
{
	derr(c, near, strlen(near), what);
}

/* Sets a string once: a second non-empty value is "WHAT respecified". */
static void savestring(struct dctx *c, const char *what, char **slot,
		       const char *val, size_t len)
{
	char msg[64];
	char *n;

	if (*slot && **slot) {
		snprintf(msg, sizeof(msg), "%s respecified", what);
		derr(c, val, len, msg);
		return;
	}
	n = strndup(val, len);
	if (!n) {
		c->err = -ENOMEM;
		return;
	}
	free(*slot);
	*slot = n;
}

static const char *const format_names[] = {
    [XL_DISK_FORMAT_UNKNOWN] = "unknown", [XL_DISK_FORMAT_RAW] = "raw",
    [XL_DISK_FORMAT_QCOW] = "qcow",	  [XL_DISK_FORMAT_QCOW2] = "qcow2",
    [XL_DISK_FORMAT_VHD] = "vhd",	  [XL_DISK_FORMAT_QED] = "qed",
    [XL_DISK_FORMAT_EMPTY] = "empty",
};

static const char *const backend_names[] = {
    [XL_DISK_BACKEND_UNKNOWN] = "unknown",
    [XL_DISK_BACKEND_PHY] = "phy",
    [XL_DISK_BACKEND_TAP] = "tap",
    [XL_DISK_BACKEND_QDISK] = "qdisk",
    [XL_DISK_BACKEND_STANDALONE] = "standalone",
};

const char *xl_disk_format_name(enum xl_disk_format f)
{
	return format_names[f];
}

const char *xl_disk_backend_name(enum xl_disk_backend b)
{
	return backend_names[b];
}

static int eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

/* Sets an enum once: a different second value is "WHAT respecified".
 * Returns the value the enum keeps. */
static int setenum(struct dctx *c, int cur, int val, const char *s, size_t len,
		   const char *what)
{
	char msg[64];

	if (cur && cur != val) {
		snprintf(msg, sizeof(msg), "%s respecified", what);
		derr(c, s, len, msg);
		return cur;
	}
	return val;
}

static void setformat(struct dctx *c, const char *s, size_t len)
{
	int f;
	size_t i;

	if (!len) {
		f = XL_DISK_FORMAT_RAW;
		goto set;
	}
	/* "unknown" is not a name a user may give */
	for (i = XL_DISK_FORMAT_RAW; i <= XL_DISK_FORMAT_EMPTY; i++)
		if (eq(s, len, format_names[i]))
			break;
	if (i > XL_DISK_FORMAT_EMPTY) {
		derr(c, s, len, "unknown value for format");
		return;
	}
	f = (int)i;
set:
	c->disk->format = setenum(c, c->disk->format, f, s, len, "format");
}

static void setbackendtype(struct dctx *c, const char *s, size_t len)
{
	size_t i;

	for (i = XL_DISK_BACKEND_PHY; i <= XL_DISK_BACKEND_STANDALONE; i++)
		if (eq(s, len, backend_names[i]))
			break;
	if (i > XL_DISK_BACKEND_STANDALONE) {
		derr(c, s, len, "unknown value for backendtype");
		return;
	}
	c->disk->backendtype =
	    setenum(c, c->disk->backendtype, (int)i, s, len, "backendtype");
}

static void setspecification(struct dctx *c, const char *s, size_t len)
{
	int v;

	if (eq(s, len, "xen")) {
		v = XL_DISK_SPEC_XEN;
	} else if (eq(s, len, "virtio")) {
		v = XL_DISK_SPEC_VIRTIO;
	} else {
		derr(c, s, len, "unknown value for specification");
		return;
	}
	c->disk->specification =
	    setenum(c, c->disk->specification, v, s, len, "specification");
}

static void setaccess(struct dctx *c, const char *s, size_t len)
{
	if (eq(s, len, "r") || eq(s, len, "ro"))
		c->disk->readwrite = 0;
	else if (eq(s, len, "rw") || eq(s, len, "w") || !len)
		c->disk->readwrite = 1;
	else
		derr(c, s, len, "unknown value for access");
}

/* "vdev:devtype" in the vdev slot (deprecated).  Returns 1 if it was. */
static int vdev_and_devtype(struct dctx *c, const char *s, size_t len)
{
	const char *colon = NULL;
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ':')
			colon = s + i;
	if (!colon)
		return 0;
	savestring(c, "vdev", &c->disk->vdev, s, (size_t)(colon - s));
	colon++;
	len -= (size_t)(colon - s);
	if (eq(colon, len, "cdrom"))
		c->disk->cdrom = 1;
	else if (eq(colon, len, "disk"))
		c->disk->cdrom = 0;
	else
		derr(c, colon, len, "unknown deprecated type");
	return 1;
}

static void positional(struct dctx *c, const char *s, size_t len)
{
	struct xl_disk *d = c->disk;

	if (!d->target) {
		savestring(c, "target", &d->target, s, len);
	} else if (!c->had_depr_prefix && d->format == XL_DISK_FORMAT_UNKNOWN) {
		if (!*d->target && vdev_and_devtype(c, s, len))
			d->format = XL_DISK_FORMAT_EMPTY;
		else
			setformat(c, s, len);
	} else if (!d->vdev) {
		if (!vdev_and_devtype(c, s, len))
			savestring(c, "vdev", &d->vdev, s, len);
	} else if (!c->access_set) {
		c->access_set = 1;
		setaccess(c, s, len);
	} else {
		derr(c, s, len, "too many positional parameters");
	}
}

static int is_lower(int ch)
{
	return ch >= 'a' && ch <= 'z';
}

static int is_alnum(int ch)
{
	return is_lower(ch) || (ch >= '0' && ch <= '9');
}

/*
 * A deprecated "word:" prefix at @p.  Returns the length consumed
 * (word and colon), 0 if there is none, -1 after an error.
 */
static int depr_prefix(struct dctx *c, const char *p)
{
	static const char *const formats[] = {"raw", "qcow", "qcow2", "vhd"};
	static const char *const scripts[] = {"iscsi", "nbd", "enbd", "drbd"};
	static const char *const ignored[] = {"tapdisk", "tap",	 "tap2", "aio",
					      "ioemu",	 "file", "phy"};
	char script[16];
	size_t n = 0, i;

	if (!is_lower((unsigned char)p[0]))
		return 0;
	while (is_alnum((unsigned char)p[n]))
		n++;
	if (p[n] != ':')
		return 0;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (eq(p, n, formats[i])) {
			c->had_depr_prefix = 1;
			setformat(c, p, n);
			return (int)n + 1;
		}
	}
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		if (eq(p, n, scripts[i])) {
			c->had_depr_prefix = 1;
			snprintf(script, sizeof(script), "block-%s",
				 scripts[i]);
			savestring(c, "script", &c->disk->script, script,
				   strlen(script));
			return (int)n + 1;
		}
	}
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		if (eq(p, n, ignored[i])) {
			c->had_depr_prefix = 1;
			return (int)n + 1;
		}
	}
	/* "hdc:cdrom" is a vdev with a type, not a prefix */
	if (is_alnum((unsigned char)p[n + 1]))
		return 0;
	derr(c, p, n + 1, "unknown deprecated disk prefix");
	return -1;
}

static int flag(struct dctx *c, const char *s, size_t len)
{
	struct xl_disk *d = c->disk;

	if (eq(s, len, "cdrom"))
		d->cdrom = 1;
	else if (eq(s, len, "direct-io-safe"))
		d->direct_io_safe = 1;
	else if (eq(s, len, "discard"))
		d->discard = 1;
	else if (eq(s, len, "no-discard"))
		d->discard = 0;
	else if (eq(s, len, "colo"))
		d->colo = 1;
	else if (eq(s, len, "no-colo"))
		d->colo = 0;
	else if (eq(s, len, "trusted"))
		d->trusted = 1;
	else if (eq(s, len, "untrusted"))
		d->trusted = 0;
	else
		return 0;
	return 1;
}

static void keyvalue(struct dctx *c, const char *s, size_t len, const char *eqp)
{
	struct xl_disk *d = c->disk;
	size_t klen = (size_t)(eqp - s);
	const char *v = eqp + 1;
	size_t vlen = len - klen - 1;
	unsigned long port;
	char tmp[16];
	size_t i;

	if (eq(s, klen, "format")) {
		setformat(c, v, vlen);
	} else if (eq(s, klen, "devtype")) {
		if (eq(v, vlen, "cdrom"))
			d->cdrom = 1;
		else if (eq(v, vlen, "disk"))
			d->cdrom = 0;
		else
			derr(c, s, len, "unknown value for type");
	} else if (eq(s, klen, "access")) {
		c->access_set = 1;
		setaccess(c, v, vlen);
	} else if (eq(s, klen, "backend")) {
		savestring(c, "backend", &d->backend, v, vlen);
	} else if (eq(s, klen, "backendtype")) {
		setbackendtype(c, v, vlen);
	} else if (eq(s, klen, "specification")) {
		setspecification(c, v, vlen);
	} else if (eq(s, klen, "vdev")) {
		savestring(c, "vdev", &d->vdev, v, vlen);
	} else if (eq(s, klen, "script")) {
		savestring(c, "script", &d->script, v, vlen);
	} else if (eq(s, klen, "colo-host")) {
		savestring(c, "colo-host", &d->colo_host, v, vlen);
	} else if (eq(s, klen, "colo-port")) {
		if (vlen >= sizeof(tmp))
			goto badport;
		memcpy(tmp, v, vlen);
		tmp[vlen] = '\0';
		if (xl_parse_ulong(tmp, 10, &port) || !port || port > 65535)
			goto badport;
		d->colo_port = (unsigned int)port;
	} else if (eq(s, klen, "colo-export")) {
		savestring(c, "colo-export", &d->colo_export, v, vlen);
	} else if (eq(s, klen, "active-disk")) {
		savestring(c, "active-disk", &d->active_disk, v, vlen);
	} else if (eq(s, klen, "hidden-disk")) {
		savestring(c, "hidden-disk", &d->hidden_disk, v, vlen);
	} else if (eq(s, klen, "grant_usage")) {
		if (eq(v, vlen, "1"))
			d->grant_usage = 1;
		else if (eq(v, vlen, "0"))
			d->grant_usage = 0;
		else
			derr(c, s, len, "unknown value for grant_usage");
	} else {
		for (i = 0; i < klen; i++)
			if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
				break;
		if (klen && is_lower((unsigned char)s[0]) && i == klen)
			derr(c, s, len, "unknown parameter");
		else
			derr(c, s, len, "bad disk syntax");
	}
	return;
badport:
	derr(c, v, vlen, "unknown value for colo-port");
}

/* Checks a guest device name: xvdX, hdX, sdX (X letters, then an
 * optional partition number), dNpN, or a device number. */
static int vdev_valid(const char *v)
{
	const char *p = v;

	if (!strncmp(p, "xvd", 3) || !strncmp(p, "hd", 2) ||
	    !strncmp(p, "sd", 2)) {
		p += *p == 'x' ? 3 : 2;
		if (!is_lower((unsigned char)*p))
			return 0;
		while (is_lower((unsigned char)*p))
			p++;
		while (*p >= '0' && *p <= '9')
			p++;
		return !*p && (p - v) < 16;
	}
	if (*p == 'd') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == 'p') {
			p++;
			if (*p < '0' || *p > '9')
				return 0;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		return !*p && (p - v) < 16;
	}
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return !*p && (p - v) < 10;
}

int xl_disk_parse(const char *spec, struct xl_disk *disk, char **err)
{
	struct dctx c = {0};
	const char *p = spec;
	int rc;

	memset(disk, 0, sizeof(*disk));
	disk->readwrite = 1;
	disk->direct_io_safe = 0;
	disk->discard = disk->trusted = disk->grant_usage = disk->colo = -1;
	c.spec = spec;
	c.disk = disk;

	while (*p && !c.err) {
		const char *comma;
		size_t len;
		int n;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (!strncmp(p, "target=", 7)) {
			p += 7;
			len = strlen(p);
			if (len && p[len - 1] == ',')
				len--;
			savestring(&c, "target", &disk->target, p, len);
			break;
		}
		n = depr_prefix(&c, p);
		if (n < 0)
			break;
		if (n > 0) {
			p += n;
			continue;
		}
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (memchr(p, '=', len))
			keyvalue(&c, p, len, memchr(p, '=', len));
		else if (!flag(&c, p, len))
			positional(&c, p, len);
		p += len + (comma ? 1 : 0);
	}

	if (!c.err) {
		if (disk->format == XL_DISK_FORMAT_UNKNOWN)
			disk->format = XL_DISK_FORMAT_RAW;
		if (disk->target && !*disk->target) {
			free(disk->target);
			disk->target = NULL;
		}
		if (disk->cdrom) {
			disk->readwrite = 0;
			if (!disk->target)
				disk->format = XL_DISK_FORMAT_EMPTY;
		}
		if (!disk->vdev || !*disk->vdev)
			derr(&c, NULL, 0, "no vdev specified");
		else if (!vdev_valid(disk->vdev))
			derr_s(&c, disk->vdev, "invalid vdev");
		else if (!disk->target && !disk->cdrom)
			derr(&c, NULL, 0,
			     "no target specified (only a cdrom may be empty)");
		else if (disk->format == XL_DISK_FORMAT_EMPTY && !disk->cdrom)
			derr(&c, NULL, 0,
			     "format empty is only allowed for a cdrom");
	}
	rc = c.err;
	if (rc) {
		xl_disk_dispose(disk);
		if (rc == -EINVAL)
			*err = c.msg;
		else
			free(c.msg);
	}
	return rc;
}

void xl_disk_dispose(struct xl_disk *d)
{
	if (!d)
		return;
	free(d->target);
	free(d->vdev);
	free(d->backend);
	free(d->script);
	free(d->colo_host);
	free(d->colo_export);
	free(d->active_disk);
	free(d->hidden_disk);
	memset(d, 0, sizeof(*d));
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_tri(json_object *o, const char *k, int v)
{
	if (v >= 0)
		json_object_object_add(o, k, json_object_new_boolean(v));
}

json_object *xl_disk_to_json(const struct xl_disk *d)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_str(o, "vdev", d->vdev);
	add_str(o, "target", d->target);
	add_str(o, "format", format_names[d->format]);
	add_str(o, "access", d->readwrite ? "rw" : "ro");
	add_str(o, "devtype", d->cdrom ? "cdrom" : "disk");
	if (d->backend)
		add_str(o, "backend", d->backend);
	if (d->backendtype)
		add_str(o, "backendtype", backend_names[d->backendtype]);
	if (d->specification)
		add_str(o, "specification",
			d->specification == XL_DISK_SPEC_VIRTIO ? "virtio"
								: "xen");
	if (d->script)
		add_str(o, "script", d->script);
	if (d->direct_io_safe)
		json_object_object_add(o, "direct_io_safe",
				       json_object_new_boolean(1));
	add_tri(o, "discard", d->discard);
	add_tri(o, "trusted", d->trusted);
	add_tri(o, "grant_usage", d->grant_usage);
	add_tri(o, "colo", d->colo);
	if (d->colo_host)
		add_str(o, "colo_host", d->colo_host);
	if (d->colo_port)
		json_object_object_add(o, "colo_port",
				       json_object_new_int((int)d->colo_port));
	if (d->colo_export)
		add_str(o, "colo_export", d->colo_export);
	if (d->active_disk)
		add_str(o, "active_disk", d->active_disk);
	if (d->hidden_disk)
		add_str(o, "hidden_disk", d->hidden_disk);
	return o;
}
