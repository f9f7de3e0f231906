// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI CPU hotplug (xl vcpu-set): which of the possible vCPUs are present,
 * as the DSDT's AML (acpi.c) reads it.  Every possible vCPU exists in KVM
 * from the start, waiting for INIT/SIPI; "present" is what the guest is
 * told.  Adding one sets its present and insert bits and raises the GPE,
 * whose handler Notify()s the CPU (device check) and clears the insert bit;
 * Linux then brings it up with INIT/SIPI.  Removing one sets its remove
 * bit (eject request): the guest offlines the CPU and runs its _EJ0, which
 * writes the eject register, and only then is it marked absent.
 * Registers: acpi.h, HV_CPUHP_*; bit n of each bitmap is vCPU n.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../acpi.h"
#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

#define STATE_LEN	32	/* possible, present, insert, remove */

struct hv_cpuhp {
	struct hv_device dev;
	pthread_mutex_t lock;
	unsigned int nr;	/* possible vCPUs, 1..HV_CPUHP_MAX */
	unsigned int boot;	/* present at boot */
	uint64_t present, insert, remove;
};

/* The first @n bits. */
static uint64_t first_bits(unsigned int n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static void cpuhp_reset(struct hv_device *dev)
{
	struct hv_cpuhp *hp = (struct hv_cpuhp *)dev;

	pthread_mutex_lock(&hp->lock);
	hp->present = first_bits(hp->boot);
	hp->insert = hp->remove = 0;
	pthread_mutex_unlock(&hp->lock);
}

/* The guest ejected the vCPUs of @bits: vCPU 0 never goes. */
static void eject(struct hv_cpuhp *hp, uint64_t bits)
{
	bits &= first_bits(hp->nr) & ~1ULL;
	hp->present &= ~bits;
	hp->insert &= ~bits;
	hp->remove &= ~bits;
}

static int cpuhp_io(struct hv_device *dev, uint64_t offset, void *data,
		    unsigned int len, int is_write)
{
	struct hv_cpuhp *hp = (struct hv_cpuhp *)dev;
	uint8_t *b = data;

	pthread_mutex_lock(&hp->lock);
	for (unsigned int i = 0; i < len; i++) {
		uint64_t off = offset + i;	/* bus-checked: < LEN */
		unsigned int shift = (unsigned int)(off % 8) * 8;
		uint64_t bits = is_write ? (uint64_t)b[i] << shift : 0;

		switch (off / 8 * 8) {
		case HV_CPUHP_PRESENT:
			if (!is_write)
				b[i] = (uint8_t)(hp->present >> shift);
			break;
		case HV_CPUHP_INSERT:
			if (!is_write)
				b[i] = (uint8_t)(hp->insert >> shift);
			hp->insert &= ~bits;
			break;
		case HV_CPUHP_REMOVE:
			if (!is_write)
				b[i] = (uint8_t)(hp->remove >> shift);
			hp->remove &= ~bits;
			break;
		default:		/* HV_CPUHP_EJECT */
			if (!is_write)
				b[i] = 0;
			eject(hp, bits);
			break;
		}
	}
	pthread_mutex_unlock(&hp->lock);
	return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The state: possible count, then the three bitmaps. */
static int cpuhp_save(struct hv_device *dev, void *buf, size_t cap,
		      size_t *len)
{
	struct hv_cpuhp *hp = (struct hv_cpuhp *)dev;
	uint8_t *p = buf;

	if (cap < STATE_LEN)
		return -ENOSPC;
	pthread_mutex_lock(&hp->lock);
	put64(p, hp->nr);
	put64(p + 8, hp->present);
	put64(p + 16, hp->insert);
	put64(p + 24, hp->remove);
	pthread_mutex_unlock(&hp->lock);
	*len = STATE_LEN;
	return 0;
}

static int cpuhp_load(struct hv_device *dev, const void *buf, size_t len)
{
	struct hv_cpuhp *hp = (struct hv_cpuhp *)dev;
	const uint8_t *p = buf;
	uint64_t mask = first_bits(hp->nr), present, insert, remove;

	if (len != STATE_LEN || get64(p) != hp->nr)
		return -EINVAL;
	present = get64(p + 8);
	insert = get64(p + 16);
	remove = get64(p + 24);
	/* vCPU 0 stays; requests only for possible vCPUs */
	if (!(present & 1) || (present | insert | remove) & ~mask)
		return -EINVAL;
	pthread_mutex_lock(&hp->lock);
	hp->present = present;
	hp->insert = insert;
	hp->remove = remove;
	pthread_mutex_unlock(&hp->lock);
	return 0;
}

static void cpuhp_destroy(struct hv_device *dev)
{
	struct hv_cpuhp *hp = (struct hv_cpuhp *)dev;

	pthread_mutex_destroy(&hp->lock);
	free(hp);
}

static const struct hv_device_ops cpuhp_ops = {
	.io = cpuhp_io,
	.reset = cpuhp_reset,
	.save = cpuhp_save,
	.load = cpuhp_load,
	.destroy = cpuhp_destroy,
};

static struct hv_cpuhp *cpuhp_of(struct hv_vm *vm)
{
	for (size_t i = 0; i < vm->nr_devs; i++)
		if (vm->devs[i]->ops == &cpuhp_ops)
			return (struct hv_cpuhp *)vm->devs[i];
	return NULL;
}

unsigned int hv_vm_vcpus_online(struct hv_vm *vm)
{
	struct hv_cpuhp *hp = cpuhp_of(vm);
	unsigned int n;

	if (!hp)
		return vm->nr_vcpus;
	pthread_mutex_lock(&hp->lock);
	n = (unsigned int)__builtin_popcountll(hp->present);
	pthread_mutex_unlock(&hp->lock);
	return n;
}

int hv_vm_set_vcpus(struct hv_vm *vm, unsigned int online)
{
	struct hv_cpuhp *hp = cpuhp_of(vm);
	uint64_t want, add, del, fresh, old_insert, old_remove, old_present;
	int rc = 0;

	if (!hp)
		return -ENODEV;
	if (online < 1 || online > hp->nr)
		return -ERANGE;
	want = first_bits(online);
	pthread_mutex_lock(&hp->lock);
	old_present = hp->present;
	old_insert = hp->insert;
	old_remove = hp->remove;
	add = want & ~hp->present;
	/* the highest go first, as in Xen; pending ones are asked again */
	del = hp->present & ~want;
	/* one the guest was never told of just goes */
	fresh = del & hp->insert;
	del &= ~fresh;
	hp->present = (hp->present | add) & ~fresh;
	hp->insert = (hp->insert | add) & want;
	hp->remove = (hp->remove & ~want) | del;
	if (add || del) {
		rc = hv_acpi_gpe_raise(vm, HV_ACPI_GPE_CPUHP);
		if (rc) {
			hp->present = old_present;
			hp->insert = old_insert;
			hp->remove = old_remove;
		}
	}
	pthread_mutex_unlock(&hp->lock);
	return rc;
}

struct hv_device *hv_cpuhp_new(struct hv_vm *vm)
{
	struct hv_cpuhp *hp;
	unsigned int nr = 1, boot = 1;

	if (vm->cfg) {
		boot = vm->cfg->nr_vcpus ? vm->cfg->nr_vcpus : 1;
		nr = hv_config_max_vcpus(vm->cfg);
	}
	if (nr > HV_CPUHP_MAX || boot > nr) {
		hv_err("cpuhp: %u vCPUs of %u possible: want 1 to %d, "
		       "at most the possible ones", boot, nr, HV_CPUHP_MAX);
		errno = EINVAL;
		return NULL;
	}
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return NULL;
	hp->dev = (struct hv_device){
		.name = "cpuhp", .bus = HV_BUS_PIO,
		.base = HV_ABI_PORT_CPUHP, .len = HV_CPUHP_LEN,
		.ops = &cpuhp_ops, .vm = vm,
	};
	hp->nr = nr;
	hp->boot = boot;
	pthread_mutex_init(&hp->lock, NULL);
	cpuhp_reset(&hp->dev);
	return &hp->dev;
}
