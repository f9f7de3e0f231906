// SPDX-License-Identifier: GPL-2.0
/* The virtio-mmio transport, version 2 registers (see virtio_mmio.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "guest_abi.h"
#include "hv.h"
#include "virtio_mmio.h"

#define REG_MAGIC		0x000
#define REG_VERSION		0x004
#define REG_DEVICE_ID		0x008
#define REG_VENDOR_ID		0x00c
#define REG_DEV_FEATURES	0x010
#define REG_DEV_FEATURES_SEL	0x014
#define REG_DRV_FEATURES	0x020
#define REG_DRV_FEATURES_SEL	0x024
#define REG_QUEUE_SEL		0x030
#define REG_QUEUE_NUM_MAX	0x034
#define REG_QUEUE_NUM		0x038
#define REG_QUEUE_READY		0x044
#define REG_QUEUE_NOTIFY	0x050
#define REG_INTERRUPT_STATUS	0x060
#define REG_INTERRUPT_ACK	0x064
#define REG_STATUS		0x070
#define REG_QUEUE_DESC_LOW	0x080
#define REG_QUEUE_DESC_HIGH	0x084
#define REG_QUEUE_DRIVER_LOW	0x090
#define REG_QUEUE_DRIVER_HIGH	0x094
#define REG_QUEUE_DEVICE_LOW	0x0a0
#define REG_QUEUE_DEVICE_HIGH	0x0a4
#define REG_CONFIG_GENERATION	0x0fc
#define REG_CONFIG		0x100

#define VIRTIO_MAGIC		0x74726976	/* "virt" */
#define VIRTIO_VENDOR		HV_ABI_BOOT_MAGIC	/* "XLHV" */

void hv_virtio_mmio_interrupt(struct hv_virtio_mmio *t, uint32_t isr)
{
	t->isr |= isr;
	hv_vm_irq_line(t->dev.vm, t->irq, 1);
}

/*
 * A guest can break its rings in a loop, thousands of times a second:
 * the first few breaks are logged, then no more.  One budget for the
 * monitor, which serves one guest.
 */
#define BROKEN_LOG_MAX	16
static unsigned int broken_logged;

void hv_virtio_mmio_broken(struct hv_virtio_mmio *t, unsigned int q,
			   const char *why)
{
	unsigned int n = __atomic_fetch_add(&broken_logged, 1,
					    __ATOMIC_RELAXED);

	if (n < BROKEN_LOG_MAX)
		hv_err("%s: queue %u: %s: device needs reset%s", t->dev.name,
		       q, why, n + 1 == BROKEN_LOG_MAX ?
				       " (not logging more)" : "");
	else
		__atomic_store_n(&broken_logged, BROKEN_LOG_MAX,
				 __ATOMIC_RELAXED);
	t->vq[q].ready = 0;
	t->status |= HV_VIRTIO_STATUS_NEEDS_RESET;
	if (t->status & HV_VIRTIO_STATUS_DRIVER_OK)
		hv_virtio_mmio_interrupt(t, HV_VIRTIO_ISR_CONFIG);
}

void hv_virtio_mmio_config_changed(struct hv_virtio_mmio *t)
{
	t->config_generation++;
	if (t->status & HV_VIRTIO_STATUS_DRIVER_OK)
		hv_virtio_mmio_interrupt(t, HV_VIRTIO_ISR_CONFIG);
}

static void device_reset(struct hv_virtio_mmio *t)
{
	t->driver_features = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->status = 0;
	t->isr = 0;
	t->generation++;
	memset(t->vq, 0, sizeof(t->vq));
	hv_vm_irq_line(t->dev.vm, t->irq, 0);
	if (t->ops->reset)
		t->ops->reset(t);
}

#define STATUS_KNOWN (HV_VIRTIO_STATUS_ACK | HV_VIRTIO_STATUS_DRIVER | \
		      HV_VIRTIO_STATUS_DRIVER_OK | \
		      HV_VIRTIO_STATUS_FEATURES_OK | \
		      HV_VIRTIO_STATUS_NEEDS_RESET | HV_VIRTIO_STATUS_FAILED)

static void set_status(struct hv_virtio_mmio *t, uint32_t v)
{
	uint64_t extra;

	if (v == 0) {
		device_reset(t);
		return;
	}
	/* FEATURES_OK only for a subset of ours that includes VERSION_1. */
	if ((v & HV_VIRTIO_STATUS_FEATURES_OK) &&
	    !(t->status & HV_VIRTIO_STATUS_FEATURES_OK)) {
		extra = t->driver_features & ~t->features;
		if (extra || !(t->driver_features & HV_VIRTIO_F_VERSION_1))
			v &= ~(uint32_t)HV_VIRTIO_STATUS_FEATURES_OK;
	}
	/*
	 * NEEDS_RESET is ours to set; the driver cannot clear it.  Bits the
	 * spec does not define are dropped: a restore refuses them.
	 */
	v &= STATUS_KNOWN & ~(uint32_t)HV_VIRTIO_STATUS_NEEDS_RESET;
	t->status = v | (t->status & HV_VIRTIO_STATUS_NEEDS_RESET);
}

static void set_addr(uint64_t *a, int high, uint32_t v)
{
	if (high)
		*a = (*a & 0xffffffffULL) | (uint64_t)v << 32;
	else
		*a = (*a & ~0xffffffffULL) | v;
}

static void reg_write(struct hv_virtio_mmio *t, uint64_t reg, uint32_t v)
{
	struct hv_vq *vq = t->queue_sel < t->nr_queues ? &t->vq[t->queue_sel] :
							  NULL;

	/* Queue registers need a queue, and are frozen while it is live. */
	switch (reg) {
	case REG_QUEUE_NUM:
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		if (!vq || vq->ready)
			return;
		break;
	case REG_QUEUE_READY:
		if (!vq)
			return;
		break;
	}
	switch (reg) {
	case REG_DEV_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case REG_DRV_FEATURES:
		if (t->status & HV_VIRTIO_STATUS_FEATURES_OK)
			break;
		if (t->drv_features_sel == 0)
			set_addr(&t->driver_features, 0, v);
		else if (t->drv_features_sel == 1)
			set_addr(&t->driver_features, 1, v);
		break;
	case REG_DRV_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case REG_QUEUE_SEL:
		/* Out of range selects nothing: QueueNumMax then reads 0. */
		t->queue_sel = v;
		break;
	case REG_QUEUE_NUM:
		vq->num = v;
		break;
	case REG_QUEUE_READY:
		if (!v) {
			vq->ready = 0;
		} else if (!vq->ready &&
			   hv_vq_activate(t->dev.vm, vq) < 0) {
			hv_virtio_mmio_broken(t, t->queue_sel,
					      "unusable ring layout");
		}
		break;
	case REG_QUEUE_NOTIFY:
		if (v < t->nr_queues && t->vq[v].ready &&
		    (t->status & HV_VIRTIO_STATUS_DRIVER_OK))
			t->ops->notify(t, v);
		break;
	case REG_INTERRUPT_ACK:
		t->isr &= ~v;
		if (!t->isr)
			hv_vm_irq_line(t->dev.vm, t->irq, 0);
		break;
	case REG_STATUS:
		set_status(t, v);
		break;
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
		set_addr(&vq->desc, reg == REG_QUEUE_DESC_HIGH, v);
		break;
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
		set_addr(&vq->avail, reg == REG_QUEUE_DRIVER_HIGH, v);
		break;
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		set_addr(&vq->used, reg == REG_QUEUE_DEVICE_HIGH, v);
		break;
	}
}

static uint32_t reg_read(struct hv_virtio_mmio *t, uint64_t reg)
{
	int sel_ok = t->queue_sel < t->nr_queues;

	switch (reg) {
	case REG_MAGIC:
		return VIRTIO_MAGIC;
	case REG_VERSION:
		return 2;
	case REG_DEVICE_ID:
		return t->device_id;
	case REG_VENDOR_ID:
		return VIRTIO_VENDOR;
	case REG_DEV_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(t->features >> (32 * t->dev_features_sel));
	case REG_QUEUE_NUM_MAX:
		return sel_ok ? HV_VQ_MAX_SIZE : 0;
	case REG_QUEUE_READY:
		return sel_ok && t->vq[t->queue_sel].ready;
	case REG_INTERRUPT_STATUS:
		return t->isr;
	case REG_STATUS:
		return t->status;
	case REG_CONFIG_GENERATION:
		return t->config_generation;
	}
	return 0;
}

int hv_virtio_mmio_io(struct hv_device *dev, uint64_t offset, void *data,
		      unsigned int len, int is_write)
{
	struct hv_virtio_mmio *t = (struct hv_virtio_mmio *)dev;
	uint32_t v = 0;

	if (offset >= REG_CONFIG) {
		uint64_t off = offset - REG_CONFIG;

		/* Bytes past the config's end read as zero. */
		pthread_mutex_lock(&t->lock);
		if (is_write && t->ops->config_write)
			t->ops->config_write(t, off, data, len);
		if (!is_write) {
			memset(data, 0, len);
			if (off < t->config_len)
				memcpy(data, t->config + off,
				       len < t->config_len - off ?
					       len : t->config_len - off);
		}
		pthread_mutex_unlock(&t->lock);
		return 0;
	}
	/* The register file takes aligned 32-bit accesses only. */
	if (len != 4 || (offset & 3)) {
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	pthread_mutex_lock(&t->lock);
	if (is_write) {
		memcpy(&v, data, 4);
		reg_write(t, offset, v);
	} else {
		v = reg_read(t, offset);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void hv_virtio_mmio_reset(struct hv_virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	device_reset(t);
	pthread_mutex_unlock(&t->lock);
}

void hv_virtio_mmio_init(struct hv_virtio_mmio *t, struct hv_vm *vm,
			 unsigned int slot, const char *name,
			 uint32_t device_id, uint64_t features,
			 unsigned int nr_queues,
			 const struct hv_virtio_ops *ops)
{
	t->dev.name = name;
	t->dev.bus = HV_BUS_MMIO;
	t->dev.base = HV_ABI_VIRTIO_MMIO_BASE + slot * HV_ABI_VIRTIO_MMIO_SIZE;
	t->dev.len = HV_ABI_VIRTIO_MMIO_SIZE;
	t->dev.vm = vm;
	t->irq = HV_ABI_VIRTIO_IRQ(slot);
	t->device_id = device_id;
	t->features = features | HV_VIRTIO_F_VERSION_1;
	t->nr_queues = nr_queues;
	t->ops = ops;
	pthread_mutex_init(&t->lock, NULL);
}

void hv_virtio_mmio_dispose(struct hv_virtio_mmio *t)
{
	pthread_mutex_destroy(&t->lock);
}

/* The saved transport: registers, then nr_queues queue states. */
struct mmio_state {
	uint64_t driver_features;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint32_t status, isr, generation, nr_queues, pad;
};

int hv_virtio_mmio_save(struct hv_virtio_mmio *t, void *buf, size_t cap,
			size_t *len)
{
	size_t need = sizeof(struct mmio_state) +
		      t->nr_queues * sizeof(struct hv_vq_state);
	struct mmio_state s;
	uint8_t *p = buf;

	if (cap < need)
		return -ENOSPC;
	pthread_mutex_lock(&t->lock);
	s = (struct mmio_state){
		.driver_features = t->driver_features,
		.dev_features_sel = t->dev_features_sel,
		.drv_features_sel = t->drv_features_sel,
		.queue_sel = t->queue_sel, .status = t->status, .isr = t->isr,
		.generation = t->generation, .nr_queues = t->nr_queues,
	};
	memcpy(p, &s, sizeof(s));
	for (unsigned int i = 0; i < t->nr_queues; i++) {
		struct hv_vq_state q;

		hv_vq_save(&t->vq[i], &q);
		memcpy(p + sizeof(s) + i * sizeof(q), &q, sizeof(q));
	}
	pthread_mutex_unlock(&t->lock);
	*len = need;
	return 0;
}

int hv_virtio_mmio_load(struct hv_virtio_mmio *t, const void *buf,
			size_t len)
{
	struct hv_vq vq[HV_VIRTIO_MAX_QUEUES];
	const uint8_t *p = buf;
	struct mmio_state s;

	if (len != sizeof(s) + t->nr_queues * sizeof(struct hv_vq_state))
		return -EINVAL;
	memcpy(&s, p, sizeof(s));
	if (s.nr_queues != t->nr_queues || s.status & ~STATUS_KNOWN ||
	    s.isr & ~(uint32_t)(HV_VIRTIO_ISR_USED | HV_VIRTIO_ISR_CONFIG) ||
	    s.pad)
		return -EINVAL;
	/* Features were checked when the driver set FEATURES_OK. */
	if (s.status & HV_VIRTIO_STATUS_FEATURES_OK &&
	    (s.driver_features & ~t->features ||
	     !(s.driver_features & HV_VIRTIO_F_VERSION_1)))
		return -EINVAL;
	memset(vq, 0, sizeof(vq));
	for (unsigned int i = 0; i < t->nr_queues; i++) {
		struct hv_vq_state q;

		memcpy(&q, p + sizeof(s) + i * sizeof(q), sizeof(q));
		if (hv_vq_load(t->dev.vm, &vq[i], &q))
			return -EINVAL;
	}
	pthread_mutex_lock(&t->lock);
	t->driver_features = s.driver_features;
	t->dev_features_sel = s.dev_features_sel;
	t->drv_features_sel = s.drv_features_sel;
	t->queue_sel = s.queue_sel;
	t->status = s.status;
	t->isr = s.isr;
	t->generation = s.generation;
	memcpy(t->vq, vq, sizeof(t->vq));
	if (t->isr)
		hv_vm_irq_line(t->dev.vm, t->irq, 1);
	pthread_mutex_unlock(&t->lock);
	return 0;
}
