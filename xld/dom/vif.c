// SPDX-License-Identifier: GPL-2.0
/*
 * Network interfaces of a domain: the config's vifs, TAP devices, the
 * backend/frontend nodes of Xen's store layout (see vif.h) and the TAPs'
 * counters.  Bringing them up and down, hotplug scripts included:
 * vif_updown.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libdomctl/dc_path.h"
#include "xld/dom/devnodes.h"
#include "xld/dom/vif_internal.h"
#include "xld/dom/vif.h"
#include "xld/log.h"

#define TUN_PATH "/dev/net/tun"
#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)

static int fmt(char *buf, size_t len, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}

/* ---- the config ---- */

static const char *obj_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A Linux interface name: 1..15 bytes, no '/', ':', blanks or '='. */
static int ifname_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] == 0x7f || strchr("/:=,", s[i]))
			return 0;
	return 1;
}

/* "xx:xx:xx:xx:xx:xx", unicast and not all zero, into @out lower case. */
static int mac_ok(const char *s, char out[18])
{
	unsigned int b[6];
	char end;
	int i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':'
			       : !strchr("0123456789abcdefABCDEF", s[i]))
			return -EINVAL;
	if (b[0] & 1)
		return -EDOM;
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return -EDOM;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0] & 0xffu,
		 b[1] & 0xffu, b[2] & 0xffu, b[3] & 0xffu, b[4] & 0xffu,
		 b[5] & 0xffu);
	return 0;
}

static int vif_parse(json_object *o, size_t idx, uint32_t domid,
		     struct xld_vif *v, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *s;
	json_object *j;
	int64_t n;
	int rc;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "vif %zu: not a JSON object", idx);
		return -EINVAL;
	}
	n = (int64_t)idx;
	if (json_object_object_get_ex(o, "devid", &j)) {
		errno = 0;
		n = json_object_get_int64(j);
		/* -1: its place in the list, as xl.cfg has it */
		if (!json_object_is_type(j, json_type_int) || errno || n < -1 ||
		    n > 65535) {
			snprintf(err, errlen,
				 "vif %zu: invalid devid '%s' "
				 "(0 to 65535)",
				 idx, json_object_get_string(j));
			return -EINVAL;
		}
		if (n < 0)
			n = (int64_t)idx;
	}
	v->devid = (unsigned int)n;

	s = obj_str(o, "mac");
	if (s) {
		int r = mac_ok(s, v->mac);

		if (r) {
			snprintf(err, errlen, "vif %u: mac '%.40s' is %s",
				 v->devid, s,
				 r == -EDOM ? "not a unicast address"
					    : "not of the form "
					      "xx:xx:xx:xx:xx:xx");
			return -EINVAL;
		}
	} else {
		/* xl always gives one; others get one in Xen's range */
		snprintf(v->mac, sizeof(v->mac), "00:16:3e:%02x:%02x:%02x",
			 (domid >> 8) & 0x7f, domid & 0xff, v->devid & 0xff);
	}

	s = obj_str(o, "bridge");
	if (!s)
		s = XLD_VIF_BRIDGE_DEFAULT;
	if (!ifname_ok(s)) {
		snprintf(err, errlen,
			 "vif %u: bridge name '%.80s' is not a "
			 "network interface name (1 to %d bytes, no '/', ':' "
			 "or blanks)",
			 v->devid, s, IFNAMSIZ - 1);
		return -EINVAL;
	}
	snprintf(v->bridge, sizeof(v->bridge), "%s", s);

	s = obj_str(o, "vifname");
	v->vifname_given = s != NULL;
	if (s && !ifname_ok(s)) {
		snprintf(err, errlen,
			 "vif %u: vifname '%.80s' is not a "
			 "network interface name (1 to %d bytes, no '/', ':' "
			 "or blanks)",
			 v->devid, s, IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (s)
		snprintf(v->ifname, sizeof(v->ifname), "%s", s);
	else
		snprintf(v->ifname, sizeof(v->ifname), "vif%" PRIu32 ".%u",
			 domid, v->devid);

	s = obj_str(o, "script");
	if (!s)
		s = XLD_VIF_SCRIPT_DEFAULT;
	v->script_how = NULL;
	if (*s && s[0] != '/') {
		rc = dc_path_find(DC_PATH_SCRIPTDIR, dir, sizeof(dir),
				  &v->script_how);
		if (rc) {
			snprintf(err, errlen, "vif %u: the hotplug scripts' "
				 "directory $XLD_SCRIPTDIR: %s", v->devid,
				 strerror(-rc));
			return rc;
		}
	}
	if (!*s || (s[0] == '/'
			? fmt(v->script, sizeof(v->script), "%s", s)
			: fmt(v->script, sizeof(v->script), "%s/%s", dir, s))) {
		snprintf(err, errlen, "vif %u: invalid script '%.80s'",
			 v->devid, s);
		return -EINVAL;
	}

	v->mtu = 0;
	if (json_object_object_get_ex(o, "mtu", &j)) {
		n = json_object_get_int64(j);
		if (!json_object_is_type(j, json_type_int) || n < 68 ||
		    n > 65535) {
			snprintf(err, errlen,
				 "vif %u: invalid mtu '%s' (68 "
				 "to 65535)",
				 v->devid, json_object_get_string(j));
			return -EINVAL;
		}
		v->mtu = (unsigned int)n;
	}
	return 0;
}

int xld_vifs_parse(json_object *cfg, uint32_t domid, struct xld_vifs *out,
		   char *err, size_t errlen)
{
	json_object *a;
	size_t i, j, n;
	int rc;

	memset(out, 0, sizeof(*out));
	out->domid = domid;
	if (!json_object_object_get_ex(cfg, "vifs", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array)) {
		snprintf(err, errlen, "vifs must be a JSON array");
		return -EINVAL;
	}
	n = json_object_array_length(a);
	if (n > XLD_VIF_MAX) {
		snprintf(err, errlen,
			 "%zu vifs: a domain has at most %d "
			 "network interfaces (xlhv's limit)",
			 n, XLD_VIF_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct xld_vif *v = &out->v[i];

		rc = vif_parse(json_object_array_get_idx(a, i), i, domid, v,
			       err, errlen);
		if (rc)
			return rc;
		for (j = 0; j < i; j++) {
			const struct xld_vif *o = &out->v[j];

			if (o->devid == v->devid)
				snprintf(err, errlen,
					 "vif devid %u is used "
					 "twice",
					 v->devid);
			else if (!strcmp(o->ifname, v->ifname))
				snprintf(err, errlen,
					 "vif name '%s' is used "
					 "twice",
					 v->ifname);
			else if (!strcmp(o->mac, v->mac))
				snprintf(err, errlen,
					 "vif mac %s is used "
					 "twice",
					 v->mac);
			else
				continue;
			return -EINVAL;
		}
		out->n++;
	}
	return 0;
}

size_t xld_vifs_nets(const struct xld_vifs *vifs, struct dc_net *nets)
{
	size_t i;

	for (i = 0; i < vifs->n; i++) {
		nets[i].tap = vifs->v[i].ifname;
		nets[i].mac = vifs->v[i].mac;
	}
	return vifs->n;
}

/* ---- TAP devices ---- */

static int tap_attach(const char *name, int *fd)
{
	struct ifreq ifr;
	int r;

	*fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_flags = TAP_FLAGS;
	r = ioctl(*fd, TUNSETIFF, &ifr);
	if (r < 0) {
		r = -errno;
		close(*fd);
		*fd = -1;
		return r;
	}
	return 0;
}

/* Delete the persistent TAP @name; -ENODEV when there is none. */
int vif_tap_delete(const char *name)
{
	int fd, rc;

	if (!if_nametoindex(name))
		return -ENODEV;
	rc = tap_attach(name, &fd);
	if (rc)
		return rc;
	rc = ioctl(fd, TUNSETPERSIST, 0) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int link_set(const char *name, unsigned int mtu)
{
	struct ifreq ifr;
	int s, rc = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (mtu) {
		ifr.ifr_mtu = (int)mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
			rc = -errno;
			goto out;
		}
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		rc = -errno;
out:
	close(s);
	return rc;
}

/* A new persistent TAP for @v, up. */
int vif_tap_create(const struct xld_vif *v, char *err, size_t errlen)
{
	const char *what;
	int fd = -1, rc;

	if (if_nametoindex(v->ifname)) {
		snprintf(err, errlen,
			 "vif %u: a network interface named '%s' "
			 "already exists",
			 v->devid, v->ifname);
		return -EEXIST;
	}
	what = "create the TAP";
	rc = tap_attach(v->ifname, &fd);
	if (!rc && ioctl(fd, TUNSETPERSIST, 1) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (!rc) {
		what = v->mtu ? "set its mtu and bring it up" : "bring it up";
		rc = link_set(v->ifname, v->mtu);
		if (rc)
			vif_tap_delete(v->ifname);
	}
	if (rc)
		snprintf(err, errlen, "vif %u: %s: %s %s: %s", v->devid,
			 v->ifname, what, TUN_PATH, strerror(-rc));
	return rc;
}

/* ---- the store ---- */

/* Backend and frontend nodes of @v before its script runs. */
int vif_nodes_write(struct xs_store *st, uint32_t domid,
		       const struct xld_vif *v)
{
	struct xld_devnodes n;
	int rc;

	xld_devnodes_init(&n, st, "vif", domid, v->devid);
	rc = xld_devnodes_backend(&n);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "script", "%s", v->script);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "mac", "%s", v->mac);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "bridge", "%s", v->bridge);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "handle", "%u", v->devid);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "type", "vif");
	if (!rc && v->vifname_given)
		rc = xld_devnode_write(&n.op, n.be, "vifname", "%s", v->ifname);
	if (!rc && v->mtu)
		rc = xld_devnode_write(&n.op, n.be, "mtu", "%u", v->mtu);
	if (!rc)
		rc = xld_devnodes_frontend(&n);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.fe, "mac", "%s", v->mac);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.fe, "handle", "%u", v->devid);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.fe, "state", "1");
	return rc;
}

void vif_nodes_remove(struct xs_store *st, uint32_t domid,
			 const struct xld_vif *v)
{
	struct xld_devnodes n;

	xld_devnodes_init(&n, st, "vif", domid, v->devid);
	xld_devnode_rm(&n.op, n.be);
	xld_devnode_rm(&n.op, n.fe);
}

/* The domain's backend directory once its last vif is gone. */
void vif_nodes_remove_dom(struct xs_store *st, uint32_t domid)
{
	struct xs_op op = {.st = st, .priv = true};
	char p[96];

	snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%" PRIu32, domid);
	xld_devnode_rm(&op, p);
	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/device/vif", domid);
	xld_devnode_rm(&op, p);
}

/* ---- once up ---- */

void xld_vifs_connected(struct xs_store *st, const struct xld_vifs *vifs)
{
	struct xld_devnodes n;
	size_t i;

	for (i = 0; i < vifs->n; i++) {
		xld_devnodes_init(&n, st, "vif", vifs->domid, (&vifs->v[i])->devid);
		if (xld_devnode_write(&n.op, n.be, "state", "4") ||
		    xld_devnode_write(&n.op, n.fe, "state", "4"))
			xld_err("domain %" PRIu32 ": vif %u: cannot write its "
				"state",
				vifs->domid, vifs->v[i].devid);
	}
}

void xld_vifs_republish(struct xs_store *st, const struct xld_vifs *vifs)
{
	struct xld_devnodes n;
	size_t i;

	for (i = 0; i < vifs->n; i++) {
		xld_devnodes_init(&n, st, "vif", vifs->domid, (&vifs->v[i])->devid);
		if (vif_nodes_write(st, vifs->domid, &vifs->v[i]) ||
		    xld_devnode_write(&n.op, n.be, "hotplug-status", "connected"))
			xld_err("domain %" PRIu32 ": vif %u: cannot write its "
				"nodes",
				vifs->domid, vifs->v[i].devid);
	}
	xld_vifs_connected(st, vifs);
}

/* ---- counters (xl top) ---- */

/* One counter of @ifname: a whole decimal number in its sysfs file. */
static int stat_read(const char *ifname, const char *name, uint64_t *out)
{
	char path[128], buf[32], *end;
	unsigned long long v;
	ssize_t r;
	int fd, rc;

	rc = fmt(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname,
		 name);
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		r = read(fd, buf, sizeof(buf) - 1);
	} while (r < 0 && errno == EINTR);
	rc = r < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return rc;
	buf[r] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || (*end && strcmp(end, "\n")))
		return -EINVAL;
	*out = v;
	return 0;
}

json_object *xld_vif_stats_json(const char *ifname)
{
	static const char *const names[] = {
	    "rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
	    "tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
	};
	json_object *o;
	uint64_t v = 0;
	size_t i;
	int rc;

	if (!ifname_ok(ifname)) {
		errno = EINVAL;
		return NULL;
	}
	o = json_object_new_object();
	if (!o)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = stat_read(ifname, names[i], &v);
		if (!rc && json_object_object_add(
			       o, names[i],
			       json_object_new_int64(
				   v > INT64_MAX ? INT64_MAX : (int64_t)v)))
			rc = -ENOMEM;
		if (rc) {
			json_object_put(o);
			errno = -rc;
			return NULL;
		}
	}
	return o;
}
