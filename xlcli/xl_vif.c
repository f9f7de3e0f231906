// SPDX-License-Identifier: GPL-2.0
/* Network interface specification strings (xl-network-configuration(5)). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_vif.h"

struct vctx {
	const char *spec;
	struct xl_vif *vif;
	struct xl_buf *warn;
	int err;
	char *msg;
};

static void verr(struct vctx *c, const char *near, size_t nlen, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static void verr(struct vctx *c, const char *near, size_t nlen, const char *fmt,
		 ...)
{
	struct xl_buf b = {0};
	va_list ap;

	if (c->err)
		return;
	c->err = -EINVAL;
	xl_buf_printf(&b, "config parsing error in vif specification: ");
	va_start(ap, fmt);
	xl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
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

static int hexdig(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Six groups of one or two hex digits separated by colons. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	int i, d, v;

	for (i = 0; i < 6; i++) {
		if (hexdig((unsigned char)*s) < 0)
			return -EINVAL;
		v = hexdig((unsigned char)*s++);
		d = hexdig((unsigned char)*s);
		if (d >= 0) {
			v = v * 16 + d;
			s++;
		}
		mac[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A decimal number of at most 19 digits from [s, s+n). */
static int dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!all_digits(s, n) || n > 19)
		return -EOVERFLOW;
	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	*out = v;
	return 0;
}

int xl_vif_parse_rate(const char *rate, uint64_t *bytes_per_interval,
		      uint32_t *interval_usecs, const char **why)
{
	const char *at = strchr(rate, '@');
	size_t rlen = at ? (size_t)(at - rate) : strlen(rate);
	uint64_t bps, usecs = 50000, mult = 1;
	size_t n = 0;
	int bits;

	if (!rlen) {
		*why = "no rate specified";
		return -EINVAL;
	}
	/* ^[0-9]+[GMK]?[Bb]/s$ */
	while (n < rlen && rate[n] >= '0' && rate[n] <= '9')
		n++;
	if (!n)
		goto badrate;
	if (n < rlen && (rate[n] == 'G' || rate[n] == 'M' || rate[n] == 'K')) {
		mult = rate[n] == 'G'	? 1000000000
		       : rate[n] == 'M' ? 1000000
					: 1000;
		n++;
	}
	if (n >= rlen || (rate[n] != 'B' && rate[n] != 'b'))
		goto badrate;
	bits = rate[n] == 'b';
	n++;
	if (rlen - n != 2 || rate[n] != '/' || rate[n + 1] != 's')
		goto badrate;
	if (dec(rate, strspn(rate, "0123456789"), &bps) || !bps ||
	    bps > UINT32_MAX) {
		*why = "rate overflow";
		return -EOVERFLOW;
	}
	bps *= mult;
	if (bits)
		bps /= 8;
	if (at) {
		/* ^[0-9]+[mu]?s?$ */
		const char *p = at + 1;
		size_t d = strspn(p, "0123456789");
		const char *u = p + d;

		if (!d ||
		    !(!strcmp(u, "") || !strcmp(u, "s") || !strcmp(u, "ms") ||
		      !strcmp(u, "us") || !strcmp(u, "m") || !strcmp(u, "u"))) {
			*why = "invalid replenishment interval";
			return -EINVAL;
		}
		if (dec(p, d, &usecs) || !usecs || usecs > UINT32_MAX) {
			*why = "replenishment interval overflow";
			return -EOVERFLOW;
		}
		if (*u == 'm')
			usecs *= 1000;
		else if (*u != 'u')
			usecs *= 1000000;
		if (usecs > UINT32_MAX) {
			*why = "replenishment interval overflow";
			return -EOVERFLOW;
		}
	}
	if (bps > UINT64_MAX / usecs) {
		*why = "rate overflow";
		return -EOVERFLOW;
	}
	*bytes_per_interval = bps * usecs / 1000000;
	*interval_usecs = (uint32_t)usecs;
	return 0;
badrate:
	*why = "invalid rate";
	return -EINVAL;
}

/* One VLAN id 1..4094 from [s, s+n). */
static int vlan_id(const char *s, size_t n)
{
	uint64_t v;

	if (dec(s, n, &v) || v < 1 || v > 4094)
		return -1;
	return (int)v;
}

/*
 * vlan=TERM[/TERM...], TERM one of N[p|u], N-M[u], N+OxC[u].  Exactly
 * one PVID ('p') unless the whole value is one plain id.
 */
static int vlan_valid(const char *v)
{
	int pvids = 0, terms = 0, plain_single = 0;
	const char *p = v;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t d = strspn(p, "0123456789");
		char suffix = 0;

		if (n && (p[n - 1] == 'p' || p[n - 1] == 'u')) {
			suffix = p[n - 1];
			n--;
		}
		if (d > n || vlan_id(p, d) < 0)
			return 0;
		if (d == n) {
			plain_single = !suffix;
		} else if (p[d] == '-') {
			int lo = vlan_id(p, d),
			    hi = vlan_id(p + d + 1, n - d - 1);

			if (hi < 0 || hi < lo || suffix == 'p')
				return 0;
		} else if (p[d] == '+') {
			const char *x = memchr(p + d, 'x', n - d);
			uint64_t off, cnt;

			if (!x || suffix == 'p' ||
			    dec(p + d + 1, (size_t)(x - p - d - 1), &off) ||
			    dec(x + 1, (size_t)(p + n - x - 1), &cnt) || !off ||
			    (uint64_t)vlan_id(p, d) + off * cnt > 4094)
				return 0;
		} else {
			return 0;
		}
		pvids += suffix == 'p';
		terms++;
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			return 0;
	}
	if (!terms)
		return 0;
	if (terms == 1 && plain_single)
		return 1;
	return pvids == 1;
}

static int setstr(struct vctx *c, char **slot, const char *v)
{
	char *n = strdup(v);

	if (!n) {
		c->err = -ENOMEM;
		return -ENOMEM;
	}
	free(*slot);
	*slot = n;
	return 0;
}

/* One "key=value" or flag; @tok is a NUL-terminated copy. */
static void vif_param(struct vctx *c, char *tok)
{
	struct xl_vif *vif = c->vif;
	char *eqp = strchr(tok, '=');
	const char *why;
	unsigned long ul;
	char *v;

	if (!strcmp(tok, "trusted")) {
		vif->trusted = 1;
		return;
	}
	if (!strcmp(tok, "untrusted")) {
		vif->trusted = 0;
		return;
	}
	if (!eqp) {
		verr(c, NULL, 0, "unrecognized argument `%s'", tok);
		return;
	}
	*eqp = '\0';
	v = eqp + 1;
	if (!strcmp(tok, "mac")) {
		if (parse_mac(v, vif->mac)) {
			verr(c, NULL, 0, "invalid mac address `%s'", v);
			return;
		}
		if (vif->mac[0] & 1) {
			verr(c, NULL, 0, "mac address `%s' is multicast", v);
			return;
		}
		vif->mac_set = 1;
	} else if (!strcmp(tok, "bridge")) {
		setstr(c, &vif->bridge, v);
	} else if (!strcmp(tok, "netdev") || !strcmp(tok, "gatewaydev")) {
		if (!strcmp(tok, "netdev"))
			xl_buf_printf(c->warn,
				      "the netdev parameter is deprecated, "
				      "please use gatewaydev instead\n");
		setstr(c, &vif->gatewaydev, v);
	} else if (!strcmp(tok, "type")) {
		if (!strcmp(v, "vif"))
			vif->type = XL_VIF_TYPE_VIF;
		else if (!strcmp(v, "ioemu"))
			vif->type = XL_VIF_TYPE_IOEMU;
		else
			verr(c, NULL, 0, "invalid type `%s' (vif or ioemu)", v);
	} else if (!strcmp(tok, "ip")) {
		setstr(c, &vif->ip, v);
	} else if (!strcmp(tok, "script")) {
		setstr(c, &vif->script, v);
	} else if (!strcmp(tok, "backend")) {
		setstr(c, &vif->backend, v);
	} else if (!strcmp(tok, "vifname")) {
		/* a Linux interface name: at most 15 bytes, no '/' */
		if (!*v || strlen(v) > 15 || strchr(v, '/') ||
		    strpbrk(v, " \t\n:")) {
			verr(c, NULL, 0, "invalid vifname `%s'", v);
			return;
		}
		setstr(c, &vif->vifname, v);
	} else if (!strcmp(tok, "model")) {
		setstr(c, &vif->model, v);
	} else if (!strcmp(tok, "rate")) {
		if (xl_vif_parse_rate(v, &vif->rate_bytes_per_interval,
				      &vif->rate_interval_usecs, &why)) {
			verr(c, NULL, 0, "%s `%s'", why, v);
			return;
		}
		setstr(c, &vif->rate, v);
	} else if (!strcmp(tok, "devid")) {
		if (xl_parse_ulong(v, 10, &ul) || ul > 65535) {
			verr(c, NULL, 0, "invalid devid `%s'", v);
			return;
		}
		vif->devid = (int)ul;
	} else if (!strcmp(tok, "mtu")) {
		if (xl_parse_ulong(v, 10, &ul) || ul < 68 || ul > 65535) {
			verr(c, NULL, 0, "invalid mtu `%s' (68 to 65535)", v);
			return;
		}
		vif->mtu = (unsigned int)ul;
	} else if (!strcmp(tok, "vlan")) {
		if (!vlan_valid(v)) {
			verr(c, NULL, 0, "invalid vlan `%s'", v);
			return;
		}
		setstr(c, &vif->vlan, v);
	} else if (!strcmp(tok, "accel")) {
		xl_buf_printf(
		    c->warn,
		    "the accel parameter for vifs is not supported: ignored\n");
	} else if (!strncmp(tok, "colo_", 5) || !strcmp(tok, "forwarddev")) {
		xl_buf_printf(
		    c->warn,
		    "vif parameter `%s' (COLO) is not supported: ignored\n",
		    tok);
	} else {
		*eqp = '=';
		verr(c, NULL, 0, "unrecognized argument `%s'", tok);
	}
}

int xl_vif_parse(const char *spec, struct xl_vif *vif, char **err,
		 struct xl_buf *warn)
{
	struct vctx c = {0};
	const char *p = spec;
	char *tok = NULL;
	int rc;

	memset(vif, 0, sizeof(*vif));
	vif->devid = -1;
	vif->trusted = -1;
	c.spec = spec;
	c.vif = vif;
	c.warn = warn;

	while (*p && !c.err) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p;

		p += len + (comma ? 1 : 0);
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len)
			continue;
		tok = strndup(s, len);
		if (!tok) {
			c.err = -ENOMEM;
			break;
		}
		vif_param(&c, tok);
		free(tok);
		tok = NULL;
	}
	if (!c.err && warn->oom)
		c.err = -ENOMEM;
	rc = c.err;
	if (rc) {
		xl_vif_dispose(vif);
		if (rc == -EINVAL)
			*err = c.msg;
		else
			free(c.msg);
	}
	return rc;
}

void xl_vif_dispose(struct xl_vif *vif)
{
	if (!vif)
		return;
	free(vif->bridge);
	free(vif->gatewaydev);
	free(vif->ip);
	free(vif->script);
	free(vif->backend);
	free(vif->vifname);
	free(vif->model);
	free(vif->rate);
	free(vif->vlan);
	memset(vif, 0, sizeof(*vif));
	vif->devid = -1;
	vif->trusted = -1;
}

static int mac_used(const struct xl_vif *vifs, size_t n, const uint8_t *mac)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (vifs[i].mac_set && !memcmp(vifs[i].mac, mac, 6))
			return 1;
	return 0;
}

int xl_vif_assign_macs(struct xl_vif *vifs, size_t n,
		       uint32_t (*rnd)(void *arg), void *arg)
{
	uint8_t mac[6] = {0x00, 0x16, 0x3e};
	size_t i;
	int tries;

	for (i = 0; i < n; i++) {
		if (vifs[i].mac_set)
			continue;
		for (tries = 0;; tries++) {
			uint32_t r = rnd(arg);

			if (tries == 10000)
				return -EAGAIN;
			mac[3] = (uint8_t)((r >> 16) & 0x7f);
			mac[4] = (uint8_t)(r >> 8);
			mac[5] = (uint8_t)r;
			if (!mac_used(vifs, n, mac))
				break;
		}
		memcpy(vifs[i].mac, mac, 6);
		vifs[i].mac_set = 1;
		vifs[i].mac_generated = 1;
	}
	return 0;
}

void xl_vif_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

static void add_str(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

json_object *xl_vif_to_json(const struct xl_vif *vif)
{
	json_object *o = json_object_new_object();
	char mac[18];

	if (!o)
		return NULL;
	json_object_object_add(o, "devid", json_object_new_int(vif->devid));
	json_object_object_add(o, "mac_generated",
			       json_object_new_boolean(vif->mac_generated));
	if (vif->mac_set) {
		xl_vif_mac_format(vif->mac, mac);
		add_str(o, "mac", mac);
	}
	add_str(o, "bridge", vif->bridge);
	add_str(o, "gatewaydev", vif->gatewaydev);
	if (vif->type)
		add_str(o, "type",
			vif->type == XL_VIF_TYPE_VIF ? "vif" : "ioemu");
	add_str(o, "model", vif->model);
	add_str(o, "vifname", vif->vifname);
	add_str(o, "script", vif->script);
	add_str(o, "ip", vif->ip);
	add_str(o, "backend", vif->backend);
	if (vif->rate) {
		add_str(o, "rate", vif->rate);
		json_object_object_add(
		    o, "rate_bytes_per_interval",
		    json_object_new_int64(
			(int64_t)vif->rate_bytes_per_interval));
		json_object_object_add(
		    o, "rate_interval_usecs",
		    json_object_new_int64(vif->rate_interval_usecs));
	}
	if (vif->mtu)
		json_object_object_add(o, "mtu",
				       json_object_new_int((int)vif->mtu));
	add_str(o, "vlan", vif->vlan);
	if (vif->trusted >= 0)
		json_object_object_add(o, "trusted",
				       json_object_new_boolean(vif->trusted));
	return o;
}
