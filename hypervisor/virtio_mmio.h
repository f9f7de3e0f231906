/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport (virtio 1.x, section 4.2, version 2 register
 * layout), shared by the virtio devices in dev/.  A device embeds struct
 * hv_virtio_mmio first in its own structure and supplies its ops.
 */
#ifndef HV_VIRTIO_MMIO_H
#define HV_VIRTIO_MMIO_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"
#include "virtio_queue.h"

#define HV_VIRTIO_MAX_QUEUES	4
#define HV_VIRTIO_F_VERSION_1	(1ULL << 32)

#define HV_VIRTIO_STATUS_ACK		1
#define HV_VIRTIO_STATUS_DRIVER		2
#define HV_VIRTIO_STATUS_DRIVER_OK	4
#define HV_VIRTIO_STATUS_FEATURES_OK	8
#define HV_VIRTIO_STATUS_NEEDS_RESET	0x40
#define HV_VIRTIO_STATUS_FAILED		0x80

#define HV_VIRTIO_ISR_USED	1
#define HV_VIRTIO_ISR_CONFIG	2

struct hv_virtio_mmio;

struct hv_virtio_ops {
	/* The driver kicked queue @q.  Runs on a vCPU: must not block. */
	void (*notify)(struct hv_virtio_mmio *t, unsigned int q);
	/* The driver reset the device (status 0); queues are already idle. */
	void (*reset)(struct hv_virtio_mmio *t);
	/*
	 * The driver wrote @len bytes at @off of the config space, under
	 * t->lock; NULL: the config space is read-only.  The bytes are the
	 * guest's: check them.
	 */
	void (*config_write)(struct hv_virtio_mmio *t, uint64_t off,
			     const void *data, unsigned int len);
};

struct hv_virtio_mmio {
	struct hv_device dev;
	const struct hv_virtio_ops *ops;
	unsigned int irq;
	uint32_t device_id;
	uint64_t features;		/* offered */
	const uint8_t *config;		/* device config space, read under */
	uint32_t config_len;		/* lock: a device may change it */

	/* Under lock: everything below. */
	pthread_mutex_t lock;
	uint64_t driver_features;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint32_t status, isr;
	uint32_t generation;		/* bumped by every reset */
	uint32_t config_generation;	/* bumped by every config change */
	unsigned int nr_queues;
	struct hv_vq vq[HV_VIRTIO_MAX_QUEUES];
};

/* Set up @t as virtio-mmio slot @slot (guest_abi.h) on @vm's MMIO bus. */
void hv_virtio_mmio_init(struct hv_virtio_mmio *t, struct hv_vm *vm,
			 unsigned int slot, const char *name,
			 uint32_t device_id, uint64_t features,
			 unsigned int nr_queues,
			 const struct hv_virtio_ops *ops);
void hv_virtio_mmio_dispose(struct hv_virtio_mmio *t);
/* Reset as at power-on (the device's hv_device_ops.reset calls this). */
void hv_virtio_mmio_reset(struct hv_virtio_mmio *t);

/*
 * The transport's state and its queues' (state.c): save writes at most
 * @cap bytes; load checks everything (-EINVAL), sets it and raises the
 * interrupt line again if an interrupt was pending.  Both take t->lock.
 */
int hv_virtio_mmio_save(struct hv_virtio_mmio *t, void *buf, size_t cap,
			size_t *len);
int hv_virtio_mmio_load(struct hv_virtio_mmio *t, const void *buf,
			size_t len);

/* The bus handler (exposed for unit tests). */
int hv_virtio_mmio_io(struct hv_device *dev, uint64_t offset, void *data,
		      unsigned int len, int is_write);

/* Raise @isr bits and the interrupt line.  Caller holds t->lock. */
void hv_virtio_mmio_interrupt(struct hv_virtio_mmio *t, uint32_t isr);

/*
 * The device changed its config space: a new ConfigGeneration, and a
 * configuration change interrupt once the driver runs.  Caller holds
 * t->lock.
 */
void hv_virtio_mmio_config_changed(struct hv_virtio_mmio *t);

/* The guest broke a queue: say why, set NEEDS_RESET.  Holds t->lock. */
void hv_virtio_mmio_broken(struct hv_virtio_mmio *t, unsigned int q,
			   const char *why);

#endif
