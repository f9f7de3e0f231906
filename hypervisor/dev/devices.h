/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices every VM gets, created in the order of hv_device_table and
 * destroyed in reverse.  Each constructor returns its embedded struct
 * hv_device (freed by its ops->destroy), or NULL with errno set.
 */
#ifndef HV_DEV_DEVICES_H
#define HV_DEV_DEVICES_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;
struct hv_device;

struct hv_device_desc {
	const char *name;
	struct hv_device *(*create)(struct hv_vm *vm);
	/* NULL for always; else whether this VM's configuration has one. */
	int (*wanted)(const struct hv_vm *vm);
	/*
	 * Devices the configuration may give several of (create is NULL):
	 * how many this VM has, and the constructor of the @n-th.
	 */
	unsigned int (*count)(const struct hv_vm *vm);
	struct hv_device *(*create_nth)(struct hv_vm *vm, unsigned int n);
};

extern const struct hv_device_desc hv_device_table[];
extern const size_t hv_device_table_len;

struct hv_device *hv_uart_new(struct hv_vm *vm);
/*
 * Feed bytes typed on the console to the UART @dev.  Returns how many it
 * took: at most what its receive FIFO has room for (none in loopback).
 */
size_t hv_uart_receive(struct hv_device *dev, const uint8_t *buf,
		       size_t len);
struct hv_device *hv_ucall_new(struct hv_vm *vm);
struct hv_device *hv_acpi_pm_new(struct hv_vm *vm);
struct hv_device *hv_cpuhp_new(struct hv_vm *vm);
struct hv_device *hv_i8042_new(struct hv_vm *vm);
struct hv_device *hv_pvpanic_new(struct hv_vm *vm);
/* The @n-th --disk (cfg->disk[n]) on HV_ABI_VIRTIO_DISK_SLOT(@n). */
struct hv_device *hv_vblk_new(struct hv_vm *vm, unsigned int n);
/* What the guest wrote to disk @n (in --disk order) is on it: 0 or
 * -errno (-ENODEV: no such disk). */
int hv_vblk_flush(struct hv_vm *vm, unsigned int n);
/* The @n-th --net (cfg->net[n]) on virtio-mmio slot 1 + @n. */
struct hv_device *hv_vnet_new(struct hv_vm *vm, unsigned int n);

/* The memory balloon on virtio-mmio slot 9 (dev/vballoon.c). */
struct hv_device *hv_vballoon_new(struct hv_vm *vm);
/*
 * Ask the guest to run with @target_kib of its RAM, giving the rest back
 * through its balloon driver.  -ERANGE above the VM's RAM or below
 * HV_MEM_MIN_MB, -EOPNOTSUPP when @vm has no balloon.
 */
int hv_vballoon_set_target(struct hv_vm *vm, uint64_t target_kib);

struct hv_vballoon_status {
	uint64_t target_kib;	/* RAM minus what the balloon should hold */
	uint64_t actual_kib;	/* RAM minus what the driver says it holds */
	uint64_t discarded_kib;	/* given back to the host, ever */
};

int hv_vballoon_status(struct hv_vm *vm, struct hv_vballoon_status *st);
/* May the guest give page @pfn of @ram_size bytes of RAM?  1 or 0. */
int hv_vballoon_pfn_ok(uint64_t ram_size, uint32_t pfn);

/*
 * Create every device of the table on @vm's buses.  A device that fails
 * says why itself (naming its file or value); errno tells the caller.
 */
int hv_devices_create(struct hv_vm *vm);
/* Destroy them in reverse order; safe on a partly created set. */
void hv_devices_destroy(struct hv_vm *vm);

#endif
