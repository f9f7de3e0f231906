// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic's I/O port (QEMU's "pvpanic" ISA device, port 0x505): reading it
 * tells the guest which events we accept, writing PANICKED reports a crash.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

#define PVPANIC_EVENTS \
	(HV_ABI_PVPANIC_PANICKED | HV_ABI_PVPANIC_CRASH_LOADED)

struct hv_pvpanic {
	struct hv_device dev;
};

static int pvpanic_io(struct hv_device *dev, uint64_t offset, void *data,
		      unsigned int len, int is_write)
{
	uint8_t v;

	if (!is_write) {
		memset(data, 0, len);
		*(uint8_t *)data = PVPANIC_EVENTS;
		return 0;
	}
	v = *(uint8_t *)data;
	if (v & HV_ABI_PVPANIC_PANICKED) {
		hv_err("guest reported a panic through pvpanic");
		hv_vm_request_stop(dev->vm, HV_STOP_CRASH);
	} else if (v & HV_ABI_PVPANIC_CRASH_LOADED) {
		hv_err("guest reported a crash kernel loading (pvpanic); "
		       "letting it run");
	}
	return 0;
}

static void pvpanic_reset(struct hv_device *dev)
{
	(void)dev;
}

static void pvpanic_destroy(struct hv_device *dev)
{
	free((struct hv_pvpanic *)dev);
}

static const struct hv_device_ops pvpanic_ops = {
	.io = pvpanic_io,
	.reset = pvpanic_reset,
	/* Nothing to save: the device keeps no state. */
	.save = hv_device_save_none,
	.load = hv_device_load_none,
	.destroy = pvpanic_destroy,
};

struct hv_device *hv_pvpanic_new(struct hv_vm *vm)
{
	struct hv_pvpanic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dev = (struct hv_device){
		.name = "pvpanic", .bus = HV_BUS_PIO,
		.base = HV_ABI_PORT_PVPANIC, .len = 1, .ops = &pvpanic_ops,
		.vm = vm,
	};
	return &p->dev;
}
