// SPDX-License-Identifier: GPL-2.0
/* The ordered device table and its creation and teardown. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../hv.h"
#include "devices.h"

static int has_disk(const struct hv_vm *vm)
{
	return vm->cfg && vm->cfg->disk;
}

const struct hv_device_desc hv_device_table[] = {
	{ "uart", hv_uart_new, NULL },
	{ "ucall", hv_ucall_new, NULL },
	{ "acpi_pm", hv_acpi_pm_new, NULL },
	{ "i8042", hv_i8042_new, NULL },
	{ "pvpanic", hv_pvpanic_new, NULL },
	{ "vblk", hv_vblk_new, has_disk },
};

const size_t hv_device_table_len =
	sizeof(hv_device_table) / sizeof(hv_device_table[0]);

int hv_devices_create(struct hv_vm *vm)
{
	struct hv_device *dev;
	int rc;

	vm->devs = calloc(hv_device_table_len, sizeof(*vm->devs));
	if (!vm->devs)
		return -ENOMEM;
	for (size_t i = 0; i < hv_device_table_len; i++) {
		if (hv_device_table[i].wanted && !hv_device_table[i].wanted(vm))
			continue;
		dev = hv_device_table[i].create(vm);
		if (!dev)
			return errno ? -errno : -ENOMEM;
		vm->devs[vm->nr_devs++] = dev;
		rc = hv_bus_register(dev->bus == HV_BUS_PIO ? &vm->pio :
							      &vm->mmio,
				     dev);
		if (rc) {
			hv_err("device %s at %#llx: %s", dev->name,
			       (unsigned long long)dev->base, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void hv_devices_destroy(struct hv_vm *vm)
{
	while (vm->nr_devs) {
		struct hv_device *dev = vm->devs[--vm->nr_devs];

		dev->ops->destroy(dev);
	}
	free(vm->devs);
	vm->devs = NULL;
}
