// SPDX-License-Identifier: GPL-2.0
/*
 * The ucall port: a test guest writes the guest-physical address of a
 * struct hv_ucall (guest_abi.h) with a 4-byte OUT.  The monitor copies the
 * struct out of guest memory before looking at it, so a guest changing it
 * meanwhile changes nothing, and cleans its strings before printing them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../console.h"
#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

struct hv_ucall_dev {
	struct hv_device dev;
};

/* NUL-terminate and replace what a terminal would interpret. */
static void clean(char *s, size_t size)
{
	s[size - 1] = '\0';
	for (; *s; s++)
		if ((*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
			*s = '?';
}

static int ucall_io(struct hv_device *dev, uint64_t offset, void *data,
		    unsigned int len, int is_write)
{
	struct hv_vm *vm = dev->vm;
	struct hv_ucall uc;
	const void *src;
	uint32_t gpa;

	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	if (offset != 0 || len != sizeof(gpa)) {
		hv_err("ucall: %u-byte write at offset %llu ignored (want a "
		       "4-byte address)", len, (unsigned long long)offset);
		return 0;
	}
	memcpy(&gpa, data, sizeof(gpa));
	src = hv_gpa_ptr(vm, gpa, sizeof(uc));
	if (!src) {
		hv_err("ucall: address %#x is outside guest RAM: stopping "
		       "the guest as crashed", gpa);
		hv_vm_request_stop(vm, HV_STOP_CRASH);
		return 0;
	}
	memcpy(&uc, src, sizeof(uc));
	clean(uc.file, sizeof(uc.file));
	clean(uc.msg, sizeof(uc.msg));

	switch (uc.cmd) {
	case HV_UCALL_PRINT:
		hv_console_put(vm, uc.msg, strlen(uc.msg));
		break;
	case HV_UCALL_ASSERT:
		hv_err("guest assertion failed: %s:%u: %s", uc.file, uc.line,
		       uc.msg);
		hv_vm_request_stop(vm, HV_STOP_CRASH);
		break;
	case HV_UCALL_DONE:
		hv_vm_request_stop(vm, HV_STOP_POWEROFF);
		break;
	default:
		hv_err("ucall: unknown command %u: stopping the guest as "
		       "crashed", uc.cmd);
		hv_vm_request_stop(vm, HV_STOP_CRASH);
		break;
	}
	return 0;
}

static void ucall_reset(struct hv_device *dev)
{
	(void)dev;
}

static void ucall_destroy(struct hv_device *dev)
{
	free((struct hv_ucall_dev *)dev);
}

static const struct hv_device_ops ucall_ops = {
	.io = ucall_io,
	.reset = ucall_reset,
	/* Nothing to save: the device keeps no state. */
	.save = hv_device_save_none,
	.load = hv_device_load_none,
	.destroy = ucall_destroy,
};

struct hv_device *hv_ucall_new(struct hv_vm *vm)
{
	struct hv_ucall_dev *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->dev = (struct hv_device){
		.name = "ucall", .bus = HV_BUS_PIO, .base = HV_ABI_PORT_UCALL,
		.len = 4, .ops = &ucall_ops, .vm = vm,
	};
	return &u->dev;
}
