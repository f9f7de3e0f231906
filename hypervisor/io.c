// SPDX-License-Identifier: GPL-2.0
/* The PIO/MMIO bus: a sorted table of non-overlapping ranges (see io.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

/* Index of the first device whose range ends after @addr. */
static size_t lower_bound(const struct hv_bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct hv_device *d = bus->devs[mid];

		if (d->base + d->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int hv_bus_register(struct hv_bus *bus, struct hv_device *dev)
{
	struct hv_device **devs;
	size_t i;

	if (!dev->len || dev->base + dev->len < dev->base)
		return -EINVAL;
	i = lower_bound(bus, dev->base);
	if (i < bus->nr && bus->devs[i]->base < dev->base + dev->len)
		return -EBUSY;
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 8;

		devs = realloc(bus->devs, cap * sizeof(*devs));
		if (!devs)
			return -ENOMEM;
		bus->devs = devs;
		bus->cap = cap;
	}
	memmove(&bus->devs[i + 1], &bus->devs[i],
		(bus->nr - i) * sizeof(*bus->devs));
	bus->devs[i] = dev;
	bus->nr++;
	return 0;
}

void hv_bus_dispose(struct hv_bus *bus)
{
	if (!bus)
		return;
	free(bus->devs);
	bus->devs = NULL;
	bus->nr = bus->cap = 0;
}

struct hv_device *hv_bus_find(const struct hv_bus *bus, uint64_t addr,
			      unsigned int len)
{
	struct hv_device *d;
	size_t i;

	if (!len || addr + len < addr)
		return NULL;
	i = lower_bound(bus, addr);
	if (i == bus->nr)
		return NULL;
	d = bus->devs[i];
	/* An access straddling a device's edge belongs to nobody. */
	if (addr < d->base || addr + len > d->base + d->len)
		return NULL;
	return d;
}

int hv_bus_dispatch(const struct hv_bus *bus, uint64_t addr, void *data,
		    unsigned int len, int is_write)
{
	struct hv_device *d = hv_bus_find(bus, addr, len);

	if (!d) {
		if (!is_write)
			memset(data, 0xff, len);
		return -ENODEV;
	}
	return d->ops->io(d, addr - d->base, data, len, is_write);
}
