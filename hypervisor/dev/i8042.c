// SPDX-License-Identifier: GPL-2.0
/*
 * The i8042 keyboard controller's command port, only as far as reboot:
 * command 0xfe pulses the CPU reset line, the way Linux's "reboot=k" and
 * many boot loaders restart a PC.  No keyboard behind it.
 */
#include "config.h"

#include <stdlib.h>

#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

#define STATUS_SYSFLAG	0x04	/* POST passed; buffers empty */

struct hv_i8042 {
	struct hv_device dev;
};

static int i8042_io(struct hv_device *dev, uint64_t offset, void *data,
		    unsigned int len, int is_write)
{
	uint8_t *b = data;

	if (len != 1)
		return 0;
	if (!is_write)
		*b = STATUS_SYSFLAG;
	else if (*b == HV_ABI_I8042_RESET)
		hv_vm_request_stop(dev->vm, HV_STOP_REBOOT);
	return 0;
}

static void i8042_reset(struct hv_device *dev)
{
	(void)dev;
}

static void i8042_destroy(struct hv_device *dev)
{
	free((struct hv_i8042 *)dev);
}

static const struct hv_device_ops i8042_ops = {
	.io = i8042_io,
	.reset = i8042_reset,
	/* Nothing to save: the device keeps no state. */
	.save = hv_device_save_none,
	.load = hv_device_load_none,
	.destroy = i8042_destroy,
};

struct hv_device *hv_i8042_new(struct hv_vm *vm)
{
	struct hv_i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->dev = (struct hv_device){
		.name = "i8042", .bus = HV_BUS_PIO,
		.base = HV_ABI_PORT_I8042_CMD, .len = 1, .ops = &i8042_ops,
		.vm = vm,
	};
	return &k->dev;
}
