/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O bus: port I/O and MMIO exits dispatched by address range to the
 * device that registered it.  Devices register before any vCPU runs, so
 * dispatch reads the table without a lock; a device guards its own state.
 */
#ifndef HV_IO_H
#define HV_IO_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;
struct hv_device;

enum hv_bus_kind {
	HV_BUS_PIO,
	HV_BUS_MMIO,
};

struct hv_device_ops {
	/*
	 * One handler for both buses and both directions: @offset is from
	 * the device's base, @data holds @len bytes (little endian) to write
	 * or to fill on a read.  Returns 0; -errno only for a host failure,
	 * which stops the VM.  Bad guest accesses are the device's to absorb.
	 */
	int (*io)(struct hv_device *dev, uint64_t offset, void *data,
		  unsigned int len, int is_write);
	void (*reset)(struct hv_device *dev);
	/*
	 * State save and restore (state.c), with the vCPUs parked.  save
	 * writes at most @cap bytes to @buf and their number to *@len; load
	 * takes what save wrote, from a file that may be hostile: it checks
	 * the length and every value, and returns -EINVAL for a bad one.
	 * A device without state uses hv_device_save_none/_load_none.
	 */
	int (*save)(struct hv_device *dev, void *buf, size_t cap, size_t *len);
	int (*load)(struct hv_device *dev, const void *buf, size_t len);
	/* Frees the containing device structure. */
	void (*destroy)(struct hv_device *dev);
};

struct hv_device {
	const char *name;
	enum hv_bus_kind bus;
	uint64_t base;
	uint64_t len;
	const struct hv_device_ops *ops;
	struct hv_vm *vm;
};

struct hv_bus {
	struct hv_device **devs;	/* sorted by base, never overlapping */
	size_t nr;
	size_t cap;
};

/*
 * Add @dev (borrowed) to @bus.  -EINVAL for an empty or wrapping range,
 * -EBUSY if it overlaps a registered device.
 */
int hv_bus_register(struct hv_bus *bus, struct hv_device *dev);
void hv_bus_dispose(struct hv_bus *bus);

/* The device covering [addr, addr + len), or NULL. */
struct hv_device *hv_bus_find(const struct hv_bus *bus, uint64_t addr,
			      unsigned int len);

/*
 * Dispatch one access.  An access no device covers reads as all ones and
 * its write is dropped; it returns -ENODEV so the caller can log it.
 */
int hv_bus_dispatch(const struct hv_bus *bus, uint64_t addr, void *data,
		    unsigned int len, int is_write);

/* The save/load of a device with no state to keep (state.c). */
int hv_device_save_none(struct hv_device *dev, void *buf, size_t cap,
			size_t *len);
int hv_device_load_none(struct hv_device *dev, const void *buf, size_t len);

#endif
