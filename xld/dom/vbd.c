// SPDX-License-Identifier: GPL-2.0
/*
 * Disks of a domain: the config's disks checked on the host, and the
 * backend/frontend nodes of Xen's store layout (see vbd.h).
 *
 * Xen's block hotplug script refuses a disk that another running domain
 * may write, or that is asked writable while another domain has it at all
 * ("check_sharing"); the same rule holds here, with files and devices
 * compared by what they are (device and inode, or the block device's
 * number), not by the path a config happens to use.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "xld/dom/devnodes.h"
#include "xld/dom/vbd.h"
#include "xld/log.h"

#define SECTOR 512
/* blkif.h's VDISK_* bits of the backend's "info" node */
#define VDISK_CDROM 0x1
#define VDISK_READONLY 0x4

/* ---- the config ---- */

long xld_vbd_devid(const char *s)
{
	static const int hd_major[] = {3, 22, 33, 34, 56, 57, 88, 89};
	unsigned long disk = 0, part = 0;
	const char *p;
	char *end;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		disk = strtoul(s, &end, 10);
		return *end || errno || disk > INT32_MAX ? -1 : (long)disk;
	}
	if (!strncmp(s, "xvd", 3))
		p = s + 3;
	else if (!strncmp(s, "hd", 2) || !strncmp(s, "sd", 2))
		p = s + 2;
	else
		return -1;
	if (*p < 'a' || *p > 'z')
		return -1;
	for (; *p >= 'a' && *p <= 'z'; p++) {
		disk = disk * 26 + (unsigned long)(*p - 'a' + 1);
		if (disk > 1u << 20)
			return -1;
	}
	disk--;
	if (*p) {
		if (*p < '0' || *p > '9')
			return -1;
		part = strtoul(p, &end, 10);
		if (*end || part > 255)
			return -1;
	}
	if (s[0] == 'h')
		return disk < 8 && part < 64
			   ? (long)((hd_major[disk / 2] << 8) |
				    ((disk & 1) << 6) | part)
			   : -1;
	if (disk < 16 && part < 16)
		return (long)(((s[0] == 's' ? 8 : 202) << 8) | (disk << 4) |
			      part);
	return (long)((1ul << 28) | (disk << 8) | part);
}

/* @key's string; NULL when absent or null.  -EINVAL: not a string. */
static int obj_str(json_object *o, const char *key, const char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	*out = json_object_get_string(v);
	return 0;
}

static int vbd_parse(json_object *o, size_t idx, struct xld_vbd *v, char *err,
		     size_t errlen)
{
	const char *vdev, *target, *format, *access, *devtype, *script, *be;
	long num;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "disk %zu: not a JSON object", idx);
		return -EINVAL;
	}
	if (obj_str(o, "vdev", &vdev) || !vdev || !*vdev) {
		snprintf(err, errlen, "disk %zu: no vdev", idx);
		return -EINVAL;
	}
	num = xld_vbd_devid(vdev);
	if (num < 0 || strlen(vdev) >= sizeof(v->vdev)) {
		snprintf(err, errlen,
			 "disk %zu: invalid vdev '%.40s' (xvdX, hdX, sdX "
			 "with an optional partition number, or a number)",
			 idx, vdev);
		return -EINVAL;
	}
	v->devid = (unsigned int)num;
	snprintf(v->vdev, sizeof(v->vdev), "%s", vdev);

	if (obj_str(o, "devtype", &devtype) ||
	    (devtype && strcmp(devtype, "disk") && strcmp(devtype, "cdrom"))) {
		snprintf(err, errlen,
			 "disk %s: invalid devtype (disk or cdrom)", vdev);
		return -EINVAL;
	}
	v->cdrom = devtype && !strcmp(devtype, "cdrom");

	if (obj_str(o, "target", &target) || !target || !*target) {
		if (v->cdrom)
			snprintf(err, errlen,
				 "disk %s: an empty CD-ROM drive is not "
				 "supported (xlhv has no removable media): "
				 "give it an image as its target",
				 vdev);
		else
			snprintf(err, errlen, "disk %s: no target", vdev);
		return -EINVAL;
	}
	if (target[0] != '/') {
		snprintf(err, errlen,
			 "disk %s: target '%.200s' is not an absolute path "
			 "(xld does not run in xl's working directory)",
			 vdev, target);
		return -EINVAL;
	}
	if (strlen(target) > XLD_VBD_TARGET_MAX) {
		snprintf(err, errlen,
			 "disk %s: target '%.80s...' is longer than %d bytes",
			 vdev, target, XLD_VBD_TARGET_MAX);
		return -EINVAL;
	}

	if (obj_str(o, "format", &format) ||
	    (format && strcmp(format, "raw"))) {
		snprintf(err, errlen,
			 "disk %s: %.200s: format %.20s is not supported: "
			 "xlhv serves raw images and block devices (qemu-img "
			 "convert -O raw makes one)",
			 vdev, target, format ? format : "(not a string)");
		return -EINVAL;
	}

	if (obj_str(o, "access", &access)) {
		access = "?";
	} else if (!access) {
		access = v->cdrom ? "ro" : "rw";
	}
	if (!strcmp(access, "rw") || !strcmp(access, "w")) {
		v->readonly = false;
	} else if (!strcmp(access, "ro") || !strcmp(access, "r")) {
		v->readonly = true;
	} else {
		snprintf(err, errlen,
			 "disk %s: invalid access '%.20s' (r or w)", vdev,
			 access);
		return -EINVAL;
	}
	if (v->cdrom && !v->readonly) {
		snprintf(err, errlen,
			 "disk %s: a CD-ROM is read-only: access w is "
			 "refused",
			 vdev);
		return -EINVAL;
	}

	/* what would silently change which disk the guest gets */
	if (obj_str(o, "script", &script) || script) {
		snprintf(err, errlen,
			 "disk %s: script=%.80s: block hotplug scripts are "
			 "not supported (xlhv opens the target itself)",
			 vdev, script ? script : "");
		return -EINVAL;
	}
	if (obj_str(o, "backend", &be) ||
	    (be && strcmp(be, "0") && strcmp(be, "Domain-0"))) {
		snprintf(err, errlen,
			 "disk %s: backend=%.80s: only Domain-0 serves disks",
			 vdev, be ? be : "");
		return -EINVAL;
	}

	v->target = strdup(target);
	return v->target ? 0 : -ENOMEM;
}

void xld_vbds_free(struct xld_vbds *vbds)
{
	size_t i;

	if (!vbds)
		return;
	for (i = 0; i < vbds->n; i++)
		free(vbds->v[i].target);
	free(vbds);
}

static int vbd_cmp(const void *a, const void *b)
{
	unsigned int x = ((const struct xld_vbd *)a)->devid;
	unsigned int y = ((const struct xld_vbd *)b)->devid;

	return x < y ? -1 : x > y;
}

int xld_vbds_parse(json_object *cfg, uint32_t domid, struct xld_vbds **out,
		   char *err, size_t errlen)
{
	struct xld_vbds *vbds;
	json_object *a;
	size_t i, j, n = 0;
	int rc = 0;

	if (json_object_object_get_ex(cfg, "disks", &a) && a) {
		if (!json_object_is_type(a, json_type_array)) {
			snprintf(err, errlen, "disks must be a JSON array");
			return -EINVAL;
		}
		n = json_object_array_length(a);
	}
	if (n > XLD_VBD_MAX) {
		snprintf(err, errlen,
			 "%zu disks: a domain has at most %d (the virtio-blk "
			 "devices xlhv serves a guest)",
			 n, XLD_VBD_MAX);
		return -EINVAL;
	}
	vbds = calloc(1, sizeof(*vbds));
	if (!vbds)
		return -ENOMEM;
	vbds->domid = domid;
	for (i = 0; i < n && !rc; i++) {
		struct xld_vbd *v = &vbds->v[i];

		rc = vbd_parse(json_object_array_get_idx(a, i), i, v, err,
			       errlen);
		if (rc) {
			free(v->target);
			break;
		}
		vbds->n++;
		for (j = 0; j < i; j++) {
			if (vbds->v[j].devid != v->devid)
				continue;
			snprintf(err, errlen,
				 "disk %s: device %u is also disk %s's",
				 v->vdev, v->devid, vbds->v[j].vdev);
			rc = -EINVAL;
			break;
		}
	}
	if (rc) {
		xld_vbds_free(vbds);
		return rc;
	}
	/*
	 * Xen's guest names a disk by its vdev; a virtio guest by the order
	 * it finds them in (vda, vdb, ...): devid order keeps xvda first
	 * and the rest as a Xen user ranks them.
	 */
	qsort(vbds->v, vbds->n, sizeof(vbds->v[0]), vbd_cmp);
	*out = vbds;
	return 0;
}

size_t xld_vbds_disks(const struct xld_vbds *vbds, struct dc_disk *disks)
{
	size_t i;

	for (i = 0; i < vbds->n; i++) {
		disks[i].path = vbds->v[i].target;
		disks[i].readonly = vbds->v[i].readonly;
	}
	return vbds->n;
}

/* ---- the targets ---- */

/* Fill in what @v's target is from @sb (of @fd, or -1). */
static void target_note(struct xld_vbd *v, const struct stat *sb, int fd)
{
	uint64_t bytes = 0;

	v->found = true;
	v->blockdev = S_ISBLK(sb->st_mode);
	v->dev = sb->st_dev;
	v->ino = sb->st_ino;
	v->rdev = sb->st_rdev;
	if (!v->blockdev)
		bytes = (uint64_t)sb->st_size;
	else if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		bytes = 0;
	v->sectors = bytes / SECTOR;
}

static int target_check(struct xld_vbd *v, char *err, size_t errlen)
{
	struct stat sb;
	int fd, flags, rc = 0;

	if (stat(v->target, &sb) < 0) {
		rc = -errno;
		snprintf(err, errlen, "disk %s: target %s: %s", v->vdev,
			 v->target, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
		snprintf(err, errlen,
			 "disk %s: target %s is not a regular file or a "
			 "block device",
			 v->vdev, v->target);
		return -EINVAL;
	}
	/* O_NONBLOCK: something swapped in meanwhile must not hang us */
	flags = (v->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY |
		O_NONBLOCK;
	/* a device the host has mounted is no guest's to write */
	if (S_ISBLK(sb.st_mode) && !v->readonly)
		flags |= O_EXCL;
	fd = open(v->target, flags);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EBUSY)
			snprintf(err, errlen,
				 "disk %s: target %s is in use by the host "
				 "(mounted, or held by another driver): no "
				 "guest may write it",
				 v->vdev, v->target);
		else
			snprintf(err, errlen,
				 "disk %s: target %s cannot be opened %s: %s",
				 v->vdev, v->target,
				 v->readonly ? "read-only"
					     : "for writing (access w)",
				 strerror(-rc));
		return rc;
	}
	/* what was opened, not what the path named a moment before */
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		snprintf(err, errlen, "disk %s: target %s: %s", v->vdev,
			 v->target, strerror(-rc));
	} else if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
		snprintf(err, errlen,
			 "disk %s: target %s is not a regular file or a "
			 "block device",
			 v->vdev, v->target);
		rc = -EINVAL;
	} else {
		target_note(v, &sb, fd);
	}
	close(fd);
	return rc;
}

int xld_vbds_check(struct xld_vbds *vbds, char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < vbds->n; i++) {
		rc = target_check(&vbds->v[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

void xld_vbds_recover(struct xld_vbds *vbds)
{
	struct stat sb;
	size_t i;
	int fd;

	for (i = 0; i < vbds->n; i++) {
		struct xld_vbd *v = &vbds->v[i];

		if (stat(v->target, &sb) < 0 ||
		    (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode))) {
			xld_warn("domain %" PRIu32 ": disk %s: target %s is "
				 "gone: its use by the guest is not known",
				 vbds->domid, v->vdev, v->target);
			continue;
		}
		fd = S_ISBLK(sb.st_mode)
			 ? open(v->target,
				O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
			 : -1;
		target_note(v, &sb, fd);
		if (fd >= 0)
			close(fd);
	}
}

static bool same_target(const struct xld_vbd *a, const struct xld_vbd *b)
{
	if (!a->found || !b->found || a->blockdev != b->blockdev)
		return false;
	if (a->blockdev)
		return a->rdev == b->rdev;
	return a->dev == b->dev && a->ino == b->ino;
}

int xld_vbds_conflict(const struct xld_vbds *vbds, const struct xld_vbds *other,
		      const char *other_name, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < vbds->n; i++) {
		const struct xld_vbd *v = &vbds->v[i];

		for (j = 0; j < other->n; j++) {
			const struct xld_vbd *o = &other->v[j];

			if (other == vbds && j >= i)
				break;
			if (!same_target(v, o) || (v->readonly && o->readonly))
				continue;
			if (other == vbds)
				snprintf(err, errlen,
					 "disk %s: target %s is disk %s's "
					 "too: a disk one may write is "
					 "given once",
					 v->vdev, v->target, o->vdev);
			else
				snprintf(err, errlen,
					 "disk %s: target %s is in use by "
					 "domain %" PRIu32 " (%s) as its "
					 "%s disk %s: a disk that a domain "
					 "may write is not shared",
					 v->vdev, v->target, other->domid,
					 other_name,
					 o->readonly ? "read-only" : "writable",
					 o->vdev);
			return -EBUSY;
		}
	}
	return 0;
}

/* ---- the store ---- */

/* @v's nodes before the monitor runs (what libxl writes for a disk). */
static int nodes_write(struct xs_store *st, uint32_t domid,
		       const struct xld_vbd *v)
{
	const char *type = v->cdrom ? "cdrom" : "disk";
	struct xld_devnodes n;
	int rc;

	xld_devnodes_init(&n, st, "vbd", domid, v->devid);
	rc = xld_devnodes_backend(&n);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "params", "%s", v->target);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "mode",
				       v->readonly ? "r" : "w");
	/* a device model in user space serves it, as QEMU's qdisk */
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "type", "qdisk");
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "removable",
				       v->cdrom ? "1" : "0");
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "bootable", "1");
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "dev", "%s", v->vdev);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.be, "device-type", "%s", type);
	/* what Xen's block script records for a device, "major:minor" */
	if (!rc && v->found && v->blockdev)
		rc = xld_devnode_write(&n.op, n.be, "physical-device", "%x:%x",
				       major(v->rdev), minor(v->rdev));
	if (!rc)
		rc = xld_devnodes_frontend(&n);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.fe, "virtual-device", "%u",
				       v->devid);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.fe, "device-type", "%s", type);
	if (!rc)
		rc = xld_devnode_write(&n.op, n.fe, "state", "1");
	return rc;
}

void xld_vbds_unpublish(struct xs_store *st, uint32_t domid)
{
	struct xs_op op = {.st = st, .priv = true};
	char p[96];

	snprintf(p, sizeof(p), "/local/domain/0/backend/vbd/%" PRIu32, domid);
	xld_devnode_rm(&op, p);
	snprintf(p, sizeof(p), "/local/domain/%" PRIu32 "/device/vbd", domid);
	xld_devnode_rm(&op, p);
}

int xld_vbds_publish(struct xs_store *st, const struct xld_vbds *vbds,
		     char *err, size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < vbds->n; i++) {
		rc = nodes_write(st, vbds->domid, &vbds->v[i]);
		if (rc) {
			snprintf(err, errlen,
				 "disk %s: cannot write its store nodes: %s",
				 vbds->v[i].vdev, strerror(-rc));
			xld_vbds_unpublish(st, vbds->domid);
			return rc;
		}
	}
	return 0;
}

void xld_vbds_connected(struct xs_store *st, const struct xld_vbds *vbds)
{
	struct xld_devnodes n;
	unsigned int info;
	size_t i;
	int rc;

	for (i = 0; i < vbds->n; i++) {
		const struct xld_vbd *v = &vbds->v[i];

		xld_devnodes_init(&n, st, "vbd", vbds->domid, v->devid);
		info = (v->cdrom ? VDISK_CDROM : 0) |
		       (v->readonly ? VDISK_READONLY : 0);
		/* what blkback tells its frontend once it is connected */
		rc = xld_devnode_write(&n.op, n.be, "sectors", "%" PRIu64, v->sectors);
		if (!rc)
			rc = xld_devnode_write(&n.op, n.be, "sector-size", "%d", SECTOR);
		if (!rc)
			rc = xld_devnode_write(&n.op, n.be, "info", "%u", info);
		if (!rc)
			rc = xld_devnode_write(&n.op, n.be, "feature-flush-cache", "1");
		if (!rc)
			rc = xld_devnode_write(&n.op, n.be, "state", "4");
		if (!rc)
			rc = xld_devnode_write(&n.op, n.fe, "state", "4");
		if (rc)
			xld_err("domain %" PRIu32 ": disk %s: cannot write its "
				"state: %s",
				vbds->domid, v->vdev, strerror(-rc));
	}
}

void xld_vbds_republish(struct xs_store *st, const struct xld_vbds *vbds)
{
	size_t i;
	int rc;

	for (i = 0; i < vbds->n; i++) {
		rc = nodes_write(st, vbds->domid, &vbds->v[i]);
		if (rc)
			xld_err("domain %" PRIu32 ": disk %s: cannot write its "
				"nodes: %s",
				vbds->domid, vbds->v[i].vdev, strerror(-rc));
	}
	xld_vbds_connected(st, vbds);
}

static int json_devid_cmp(const void *a, const void *b)
{
	json_object *x, *y;
	int64_t dx = 0, dy = 0;

	if (json_object_object_get_ex(*(json_object *const *)a, "devid", &x))
		dx = json_object_get_int64(x);
	if (json_object_object_get_ex(*(json_object *const *)b, "devid", &y))
		dy = json_object_get_int64(y);
	return dx < dy ? -1 : dx > dy;
}

json_object *xld_vbds_json(struct xs_store *st, uint32_t domid)
{
	struct xs_op op = {.st = st, .priv = true};
	json_object *arr = json_object_new_array(), *o;
	char dir[96], be[128], names[1024], v[XLD_VBD_TARGET_MAX + 1];
	uint32_t len = 0, off;
	uint64_t gen;
	bool done;

	if (!arr)
		return NULL;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vbd/%" PRIu32,
		 domid);
	/* XLD_VBD_MAX disks at most: their names fit in one piece */
	if (xs_node_list(&op, dir, 0, names, sizeof(names), &len, &gen, &done))
		return arr; /* no disks */
	for (off = 0; off < len; off += (uint32_t)strlen(names + off) + 1) {
		if (!names[off])
			continue;
		snprintf(be, sizeof(be), "%s/%s", dir, names + off);
		o = json_object_new_object();
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
		json_object_object_add(
		    o, "devid", json_object_new_int64(atol(names + off)));
		xld_devnode_read(&op, be, "dev", v, sizeof(v));
		json_object_object_add(o, "vdev", json_object_new_string(v));
		xld_devnode_read(&op, be, "state", v, sizeof(v));
		json_object_object_add(
		    o, "state", json_object_new_int(v[0] ? atoi(v) : -1));
		xld_devnode_read(&op, be, "mode", v, sizeof(v));
		json_object_object_add(o, "mode", json_object_new_string(v));
		xld_devnode_read(&op, be, "params", v, sizeof(v));
		json_object_object_add(o, "target", json_object_new_string(v));
		json_object_object_add(o, "backend",
				       json_object_new_string(be));
	}
	json_object_array_sort(arr, json_devid_cmp);
	return arr;
}
