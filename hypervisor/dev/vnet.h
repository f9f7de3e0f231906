/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net over a TAP device (dev/vnet.c): the --net option's syntax and
 * the device's counters.  The constructor is in devices.h with the others.
 */
#ifndef HV_DEV_VNET_H
#define HV_DEV_VNET_H

#include <stdint.h>

struct hv_config;
struct hv_device;
struct hv_net_cfg;

/*
 * Parse "tap=NAME[,mac=MAC]" into @net (fd -1; without mac=, a MAC in
 * Xen's 00:16:3e range derived from NAME).  -EINVAL with *why saying what
 * is wrong; @net is written only on success.
 */
int hv_net_parse(const char *spec, struct hv_net_cfg *net, const char **why);

/*
 * Parse @spec and append it to @cfg's nets: -EINVAL (*why) for a bad spec,
 * a TAP or MAC given twice, or more than HV_NET_MAX of them.
 */
int hv_net_add(struct hv_config *cfg, const char *spec, const char **why);

/* The MAC used for TAP @name when none is given. */
void hv_net_default_mac(const char *name, uint8_t mac[6]);

/* What a device has done so far; safe to read while it runs. */
struct hv_vnet_stats {
	uint64_t rx_frames;	/* TAP to guest, delivered */
	uint64_t rx_dropped;	/* read from the TAP, not delivered */
	uint64_t tx_frames;	/* guest to TAP, written */
	uint64_t tx_dropped;	/* taken from the guest, not written */
};

void hv_vnet_stats(struct hv_device *dev, struct hv_vnet_stats *s);

#endif
