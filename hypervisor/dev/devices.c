// SPDX-License-Identifier: GPL-2.0
/* The ordered device table and its creation and teardown. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../hv.h"
#include "devices.h"

static unsigned int nr_disks(const struct hv_vm *vm)
{
	return vm->cfg ? vm->cfg->nr_disks : 0;
}

static int has_disks(const struct hv_vm *vm)
{
	return nr_disks(vm) > 0;
}

static unsigned int nr_nets(const struct hv_vm *vm)
{
	return vm->cfg ? vm->cfg->nr_nets : 0;
}

static int has_nets(const struct hv_vm *vm)
{
	return nr_nets(vm) > 0;
}

const struct hv_device_desc hv_device_table[] = {
	{ .name = "uart", .create = hv_uart_new },
	{ .name = "ucall", .create = hv_ucall_new },
	{ .name = "acpi_pm", .create = hv_acpi_pm_new },
	{ .name = "cpuhp", .create = hv_cpuhp_new },
	{ .name = "i8042", .create = hv_i8042_new },
	{ .name = "pvpanic", .create = hv_pvpanic_new },
	{ .name = "vblk", .wanted = has_disks, .count = nr_disks,
	  .create_nth = hv_vblk_new },
	{ .name = "vnet", .wanted = has_nets, .count = nr_nets,
	  .create_nth = hv_vnet_new },
	{ .name = "vballoon", .create = hv_vballoon_new },
};

const size_t hv_device_table_len =
	sizeof(hv_device_table) / sizeof(hv_device_table[0]);

int hv_devices_create(struct hv_vm *vm)
{
	const struct hv_device_desc *d;
	struct hv_device *dev;
	size_t max = 0;
	unsigned int n;
	int rc;

	for (size_t i = 0; i < hv_device_table_len; i++)
		max += hv_device_table[i].count ?
			       hv_device_table[i].count(vm) : 1;
	vm->devs = calloc(max ? max : 1, sizeof(*vm->devs));
	if (!vm->devs)
		return -ENOMEM;
	for (size_t i = 0; i < hv_device_table_len; i++) {
		d = &hv_device_table[i];
		if (d->wanted && !d->wanted(vm))
			continue;
		n = d->count ? d->count(vm) : 1;
		for (unsigned int k = 0; k < n; k++) {
			errno = 0;
			dev = d->count ? d->create_nth(vm, k) : d->create(vm);
			if (!dev)
				return errno ? -errno : -ENOMEM;
			vm->devs[vm->nr_devs++] = dev;
			rc = hv_bus_register(dev->bus == HV_BUS_PIO ?
						     &vm->pio : &vm->mmio,
					     dev);
			if (rc) {
				hv_err("device %s at %#llx: %s", dev->name,
				       (unsigned long long)dev->base,
				       strerror(-rc));
				return rc;
			}
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
