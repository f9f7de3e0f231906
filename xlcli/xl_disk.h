/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disk specification strings, xl-disk-configuration(5):
 *
 *   [<key>=<value>|<flag>,]*[<target>,[<format>,[<vdev>,[<access>]]]],
 *   [<key>=<value>|<flag>,]*[target=<target>]
 *
 * plus the deprecated forms real configs carry ("phy:/dev/sda,xvda,w",
 * "tap:aio:/img,xvda,w", "raw:/img,hda,w", ",hdc:cdrom,r").
 */
#ifndef XL_DISK_H
#define XL_DISK_H

#include <json-c/json.h>

enum xl_disk_format {
	XL_DISK_FORMAT_UNKNOWN,
	XL_DISK_FORMAT_RAW,
	XL_DISK_FORMAT_QCOW,
	XL_DISK_FORMAT_QCOW2,
	XL_DISK_FORMAT_VHD,
	XL_DISK_FORMAT_QED,
	XL_DISK_FORMAT_EMPTY,
};

enum xl_disk_backend {
	XL_DISK_BACKEND_UNKNOWN,
	XL_DISK_BACKEND_PHY,
	XL_DISK_BACKEND_TAP,
	XL_DISK_BACKEND_QDISK,
	XL_DISK_BACKEND_STANDALONE,
};

enum xl_disk_spec {
	XL_DISK_SPEC_UNKNOWN,
	XL_DISK_SPEC_XEN,
	XL_DISK_SPEC_VIRTIO,
};

/* -1: not said (default applies), 0: off, 1: on */
struct xl_disk {
	char *target; /* NULL or "" for an empty cdrom */
	char *vdev;
	enum xl_disk_format format;
	int readwrite; /* resolved: 1 rw, 0 ro */
	int cdrom;
	char *backend; /* backend domain name */
	enum xl_disk_backend backendtype;
	enum xl_disk_spec specification;
	char *script;
	int direct_io_safe;
	int discard;
	int trusted;
	int grant_usage;
	int colo;
	char *colo_host;
	unsigned int colo_port;
	char *colo_export;
	char *active_disk;
	char *hidden_disk;
};

/*
 * Parses @spec into @disk (zeroed first).  On error returns -EINVAL and
 * sets *@err to a malloc'd message in xl's words, e.g. "config parsing
 * error in disk specification: unknown value for format: near `qcow3' in
 * `/img,qcow3,xvda'" (without the file name, which the caller prefixes).
 * Returns -ENOMEM when out of memory.  On success *@err is untouched.
 */
int xl_disk_parse(const char *spec, struct xl_disk *disk, char **err);
void xl_disk_dispose(struct xl_disk *disk);

const char *xl_disk_format_name(enum xl_disk_format f);
const char *xl_disk_backend_name(enum xl_disk_backend b);

/* The resolved disk as a JSON object, or NULL when out of memory. */
json_object *xl_disk_to_json(const struct xl_disk *disk);

#endif
