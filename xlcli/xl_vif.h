/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network interface specification strings, xl-network-configuration(5):
 * comma-separated key=value pairs (mac, bridge, gatewaydev, type, model,
 * vifname, script, ip, backend, rate, devid, mtu, vlan) and the flags
 * trusted/untrusted.  The empty string is a valid vif with defaults.
 */
#ifndef XL_VIF_H
#define XL_VIF_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "xlcli/xl_util.h"

enum xl_vif_type {
	XL_VIF_TYPE_DEFAULT,
	XL_VIF_TYPE_VIF,
	XL_VIF_TYPE_IOEMU,
};

struct xl_vif {
	int devid; /* -1: its index in the vif list */
	uint8_t mac[6];
	int mac_set; /* given, or generated */
	int mac_generated;
	char *bridge;
	char *gatewaydev;
	char *ip;
	char *script;
	char *backend;
	char *vifname;
	char *model;
	enum xl_vif_type type;
	char *rate; /* as written, NULL if unlimited */
	uint64_t rate_bytes_per_interval;
	uint32_t rate_interval_usecs;
	unsigned int mtu; /* 0: default */
	char *vlan;
	int trusted; /* -1 default, 0, 1 */
};

/*
 * Parses @spec into @vif (zeroed first).  On error returns -EINVAL and
 * sets *@err to a malloc'd message ("config parsing error in vif
 * specification: ..."); warnings (deprecated or ignored keys) are
 * appended to @warn one per line.  Returns -ENOMEM when out of memory.
 */
int xl_vif_parse(const char *spec, struct xl_vif *vif, char **err,
		 struct xl_buf *warn);
void xl_vif_dispose(struct xl_vif *vif);

/*
 * Parses a rate "RATE/s[@INTERVAL]" (RATE with B, KB, MB, GB bytes or b,
 * Kb, Mb, Gb bits, INTERVAL in s, ms or us, default 50ms).  Returns 0 or
 * -EINVAL/-EOVERFLOW with *@why set to a static reason.
 */
int xl_vif_parse_rate(const char *rate, uint64_t *bytes_per_interval,
		      uint32_t *interval_usecs, const char **why);

/*
 * Gives every vif without a MAC one in Xen's range 00:16:3e:00:00:00 -
 * 00:16:3e:7f:ff:ff, distinct from every other MAC of @vifs.  @rnd
 * returns random 32-bit values.  Returns 0 or -EAGAIN if no free
 * address was found.
 */
int xl_vif_assign_macs(struct xl_vif *vifs, size_t n,
		       uint32_t (*rnd)(void *arg), void *arg);

/* "00:16:3e:01:02:03" into @out (18 bytes). */
void xl_vif_mac_format(const uint8_t mac[6], char out[18]);

json_object *xl_vif_to_json(const struct xl_vif *vif);

#endif
