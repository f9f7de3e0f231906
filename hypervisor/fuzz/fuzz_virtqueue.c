// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: split virtqueues (virtio_queue.c) behind the
 * virtio-mmio transport (virtio_mmio.c) and the device models that serve
 * them: virtio-blk's request parser against a memfd disk (dev/vblk.c),
 * virtio-net's transmit and receive paths against a datagram socketpair
 * standing in for the TAP (dev/vnet.c), and the balloon's inflate and
 * deflate page lists (dev/vballoon.c).  A bare queue is driven too, its
 * chains popped, read, written and returned by the target itself.
 *
 * Guest RAM is a 2 MiB malloc'd buffer (the balloon needs pages past the
 * first MiB); each device is built by its real constructor, its I/O
 * thread never started (fuzz/hvt_fuzz.h), and served on this thread when
 * kicked.
 *
 * Input, little endian:
 *   u8 device (mod 4: 0 bare queue, 1 vblk, 2 vnet, 3 vballoon)
 *   4 x { u16 num; u32 desc, avail, used }  the queues' layouts, written
 *       through the transport's registers (the first nr_queues are used)
 *   then operations until the input ends, each a u8 opcode (mod 5):
 *     0 u32 gpa, u16 len, bytes   guest writes RAM (clipped to RAM)
 *     1 u8 q                      the guest kicks queue q; the device runs
 *     2 u16 len, bytes            a frame arrives on the "TAP" (vnet)
 *     3 u16 reg, u32 value        a register write (status, reset, ...)
 *     4 u16 reg                   a register read
 *     5                           save the device's state and load it back
 *   and a last kick of every queue.
 *
 * A failure is any crash or sanitizer report, a leak, an input slower than
 * 1 s, or an abort() on what the target checks around hv_vq_pop and
 * hv_vq_push (linked with --wrap): a popped chain whose head, length or
 * buffers are out of the queue or of RAM; a push of a head that was not
 * the chain just popped, or a used length over the chain's writable
 * bytes; a used index that does not move by exactly one, or whose ring
 * copy disagrees; a live queue whose used index is not its available
 * index once the device has served it; a saved state that its own device
 * refuses to load.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dev/devices.h"
#include "guest_abi.h"
#include "hv.h"
#include "virtio_mmio.h"
#include "fuzz/hvt_fuzz.h"

#define RAM_SIZE	(2ULL << 20)
#define NR_LAYOUTS	4
#define HDR_BYTES	(1 + NR_LAYOUTS * 14)

/* Transport registers (virtio 1.x, 4.2.2). */
#define REG_DRV_FEATURES	0x020
#define REG_DRV_FEATURES_SEL	0x024
#define REG_QUEUE_SEL		0x030
#define REG_QUEUE_NUM		0x038
#define REG_QUEUE_READY		0x044
#define REG_QUEUE_NOTIFY	0x050
#define REG_STATUS		0x070
#define REG_QUEUE_DESC		0x080
#define REG_QUEUE_DRIVER	0x090
#define REG_QUEUE_DEVICE	0x0a0
#define REG_END			0x200

enum { DEV_BARE, NR_DEVS = HVT_DEV_VBALLOON + 1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __real_hv_vq_pop(struct hv_vm *vm, struct hv_vq *vq,
		     struct hv_vq_chain *chain, const char **why);
int __real_hv_vq_push(struct hv_vm *vm, struct hv_vq *vq, uint16_t head,
		      uint32_t len);
int __wrap_hv_vq_pop(struct hv_vm *vm, struct hv_vq *vq,
		     struct hv_vq_chain *chain, const char **why);
int __wrap_hv_vq_push(struct hv_vm *vm, struct hv_vq *vq, uint16_t head,
		      uint32_t len);

/* The chain a queue popped last and has not returned yet. */
static struct {
	const struct hv_vq *vq;
	uint16_t head;
	uint64_t writable;
	int out;
} popped[HV_VIRTIO_MAX_QUEUES + 1];

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t *ram;
static struct hv_vm vm;

static int take(struct input *in, void *dst, size_t n)
{
	if (in->left < n)
		return -1;
	memcpy(dst, in->p, n);
	in->p += n;
	in->left -= n;
	return 0;
}

static unsigned int slot_of(const struct hv_vq *vq)
{
	for (unsigned int i = 0; i < HV_VIRTIO_MAX_QUEUES + 1; i++)
		if (popped[i].vq == vq || !popped[i].vq) {
			popped[i].vq = vq;
			return i;
		}
	abort();	/* more queues than any device has */
}

static int in_ram(const uint8_t *p, uint64_t len)
{
	return p >= ram && p <= ram + RAM_SIZE &&
	       len <= (uint64_t)(ram + RAM_SIZE - p);
}

int __wrap_hv_vq_pop(struct hv_vm *v, struct hv_vq *vq,
		     struct hv_vq_chain *chain, const char **why)
{
	uint16_t last = vq->last_avail;
	uint64_t wr = 0;
	unsigned int s;
	int rc;

	*why = NULL;
	rc = __real_hv_vq_pop(v, vq, chain, why);
	if (rc < 0) {
		if (rc != -EINVAL || !*why || vq->last_avail != last)
			abort();
		return rc;
	}
	if (rc == 0) {
		if (vq->last_avail != last)
			abort();
		return rc;
	}
	if (rc != 1 || vq->last_avail != (uint16_t)(last + 1) ||
	    chain->head >= vq->num || !chain->nr || chain->nr > vq->num)
		abort();
	for (unsigned int i = 0; i < chain->nr; i++) {
		const struct hv_vq_buf *b = &chain->buf[i];

		if (!in_ram(b->p, b->len))
			abort();
		/* Readable buffers first, then writable ones. */
		if (i && chain->buf[i - 1].writable && !b->writable)
			abort();
		if (b->writable)
			wr += b->len;
	}
	s = slot_of(vq);
	popped[s].head = chain->head;
	popped[s].writable = wr;
	popped[s].out = 1;
	return rc;
}

int __wrap_hv_vq_push(struct hv_vm *v, struct hv_vq *vq, uint16_t head,
		      uint32_t len)
{
	unsigned int s = slot_of(vq);
	uint16_t before = vq->used_idx, idx;
	uint32_t elem[2];
	uint8_t *used;
	int rc;

	if (!popped[s].out || popped[s].head != head ||
	    len > popped[s].writable)
		abort();
	rc = __real_hv_vq_push(v, vq, head, len);
	if (rc) {
		if (vq->used_idx != before)
			abort();
		return rc;
	}
	popped[s].out = 0;
	if (vq->used_idx != (uint16_t)(before + 1))
		abort();
	used = hv_gpa_ptr(v, vq->used, 4 + 8ULL * vq->num + 2);
	if (!used)
		abort();
	memcpy(&idx, used + 2, 2);
	memcpy(elem, used + 4 + 8 * (before % vq->num), 8);
	if (idx != vq->used_idx || elem[0] != head || elem[1] != len)
		abort();
	return rc;
}

static void reg_write(struct hv_device *dev, uint64_t reg, uint32_t v)
{
	if (dev)
		dev->ops->io(dev, reg, &v, 4, 1);
}

/* What a driver does: features, queues from the input, DRIVER_OK. */
static void driver_setup(struct hv_device *dev, struct hv_vq *vqs,
			 unsigned int nr_queues, const uint8_t *hdr)
{
	for (unsigned int q = 0; q < nr_queues; q++) {
		const uint8_t *l = hdr + 14 * q;
		uint16_t num;
		uint32_t a[3];

		memcpy(&num, l, 2);
		memcpy(a, l + 2, 12);
		if (!dev) {
			vqs[q] = (struct hv_vq){ .num = num, .desc = a[0],
						 .avail = a[1], .used = a[2] };
			hv_vq_activate(&vm, &vqs[q]);
			continue;
		}
		if (q == 0) {
			reg_write(dev, REG_STATUS, 1 | 2);
			reg_write(dev, REG_DRV_FEATURES_SEL, 1);
			/* VERSION_1 */
			reg_write(dev, REG_DRV_FEATURES, 1);
			reg_write(dev, REG_DRV_FEATURES_SEL, 0);
			reg_write(dev, REG_DRV_FEATURES, 0);
			reg_write(dev, REG_STATUS, 1 | 2 | 8);
		}
		reg_write(dev, REG_QUEUE_SEL, q);
		reg_write(dev, REG_QUEUE_NUM, num);
		reg_write(dev, REG_QUEUE_DESC, a[0]);
		reg_write(dev, REG_QUEUE_DRIVER, a[1]);
		reg_write(dev, REG_QUEUE_DEVICE, a[2]);
		reg_write(dev, REG_QUEUE_READY, 1);
	}
	reg_write(dev, REG_STATUS, 1 | 2 | 8 | 4);
}

/* A bare queue: pop every chain, read and write its buffers, return it. */
static void bare_run(struct hv_vq *vq)
{
	struct hv_vq_chain *chain = malloc(sizeof(*chain));
	const char *why;
	uint8_t sum = 0;

	if (!chain)
		abort();
	for (unsigned int n = 0; vq->ready && n <= HV_VQ_MAX_SIZE; n++) {
		uint32_t written = 0;
		int rc = __wrap_hv_vq_pop(&vm, vq, chain, &why);

		if (rc < 0)
			vq->ready = 0;	/* broken: needs a reset */
		if (rc <= 0)
			break;
		for (unsigned int i = 0; i < chain->nr; i++) {
			struct hv_vq_buf *b = &chain->buf[i];

			if (!b->writable) {
				for (uint32_t k = 0; k < b->len; k++)
					sum += b->p[k];
				continue;
			}
			memset(b->p, 0xa5, b->len);
			written += b->len;
		}
		if (__wrap_hv_vq_push(&vm, vq, chain->head, written))
			abort();
		hv_vq_wants_interrupt(&vm, vq);
	}
	/* Keep the reads: the sum is what was read. */
	__asm__ volatile("" : : "r"(sum));
	free(chain);
}

static void device_run(int kind, struct hv_device *dev, struct hv_vq *bare)
{
	struct hv_virtio_mmio *t = (struct hv_virtio_mmio *)dev;

	if (kind == DEV_BARE) {
		bare_run(bare);
		return;
	}
	hvt_dev_run(kind, dev);
	/* Served whole: every chain taken was returned. */
	for (unsigned int q = 0; q < t->nr_queues; q++)
		if (t->vq[q].ready &&
		    (t->status & HV_VIRTIO_STATUS_DRIVER_OK) &&
		    !(t->status & HV_VIRTIO_STATUS_NEEDS_RESET) &&
		    t->vq[q].used_idx != t->vq[q].last_avail)
			abort();
}

/* What a save and a restore do: the state saved must load again. */
static void save_load(struct hv_device *dev)
{
	uint8_t st[1024];
	size_t len = 0;

	if (!dev || dev->ops->save(dev, st, sizeof(st), &len))
		return;
	if (dev->ops->load(dev, st, len))
		abort();
}

/* Read what the device sent to the "TAP", so the socket never fills. */
static void tap_drain(int fd)
{
	static uint8_t frame[70000];

	if (fd < 0)
		return;
	while (recv(fd, frame, sizeof(frame), MSG_DONTWAIT) >= 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int nr_queues[NR_DEVS] = { 1, 1, 2, 2 };
	struct input in = { data + HDR_BYTES, size - HDR_BYTES };
	struct hv_config cfg = { 0 };
	struct hv_device *dev = NULL;
	struct hv_vq bare = { 0 };
	uint8_t op, buf[65536 + 64];
	int kind, peer = -1;

	if (size < HDR_BYTES)
		return 0;
	if (!ram) {
		ram = malloc(RAM_SIZE);
		if (!ram)
			abort();
	}
	memset(ram, 0, RAM_SIZE);
	memset(popped, 0, sizeof(popped));
	hvt_vm_init(&vm, &cfg, ram, RAM_SIZE);

	kind = data[0] % NR_DEVS;
	if (kind != DEV_BARE)
		dev = hvt_dev_new(&vm, &cfg, kind, &peer);
	driver_setup(dev, &bare, nr_queues[kind], data + 1);

	while (!take(&in, &op, 1)) {
		uint32_t gpa, v;
		uint16_t len, reg;
		uint8_t q;

		switch (op % 6) {
		case 0:
			if (take(&in, &gpa, 4) || take(&in, &len, 2))
				goto out;
			if (len > in.left)
				len = (uint16_t)in.left;
			take(&in, buf, len);
			if (gpa < RAM_SIZE)
				memcpy(ram + gpa, buf,
				       len < RAM_SIZE - gpa ? len :
							      RAM_SIZE - gpa);
			break;
		case 1:
			if (take(&in, &q, 1))
				goto out;
			reg_write(dev, REG_QUEUE_NOTIFY, q % nr_queues[kind]);
			device_run(kind, dev, &bare);
			tap_drain(peer);
			break;
		case 2:
			if (take(&in, &len, 2))
				goto out;
			if (len > in.left)
				len = (uint16_t)in.left;
			take(&in, buf, len);
			if (peer >= 0)
				send(peer, buf, len, MSG_DONTWAIT);
			break;
		case 3:
			if (take(&in, &reg, 2) || take(&in, &v, 4))
				goto out;
			reg = reg % REG_END & ~3U;
			if (dev)
				dev->ops->io(dev, reg, &v, 4, 1);
			break;
		case 4:
			if (take(&in, &reg, 2))
				goto out;
			reg = reg % REG_END & ~3U;
			if (dev)
				dev->ops->io(dev, reg, &v, 4, 0);
			break;
		case 5:
			save_load(dev);
			break;
		}
	}
out:
	for (unsigned int q = 0; q < nr_queues[kind]; q++)
		reg_write(dev, REG_QUEUE_NOTIFY, q);
	device_run(kind, dev, &bare);
	if (dev)
		dev->ops->destroy(dev);
	if (peer >= 0)
		close(peer);
	hvt_vm_dispose(&vm);
	return 0;
}
