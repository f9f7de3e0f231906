/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, section 2.7), read from guest memory that
 * the guest may change at any moment: every index, length and address is
 * checked when it is used, and only copies are trusted.
 */
#ifndef HV_VIRTIO_QUEUE_H
#define HV_VIRTIO_QUEUE_H

#include <stdint.h>

struct hv_vm;

#define HV_VQ_MAX_SIZE		256
#define HV_VQ_DESC_F_NEXT	1
#define HV_VQ_DESC_F_WRITE	2
#define HV_VQ_DESC_F_INDIRECT	4
#define HV_VQ_AVAIL_F_NO_INTERRUPT 1

struct hv_vq {
	/* Set by the driver through the transport, fixed once ready. */
	uint32_t num;
	uint64_t desc, avail, used;	/* guest-physical */
	int ready;
	/* Device side. */
	uint16_t last_avail;
	uint16_t used_idx;
};

/* One buffer of a chain: a host pointer into guest RAM, already checked. */
struct hv_vq_buf {
	uint8_t *p;
	uint32_t len;
	int writable;
};

struct hv_vq_chain {
	uint16_t head;
	unsigned int nr;
	struct hv_vq_buf buf[HV_VQ_MAX_SIZE];
};

/*
 * Check the driver's ring layout (size a power of two up to
 * HV_VQ_MAX_SIZE, aligned rings wholly in RAM) and make the queue ready.
 * -EINVAL if it is unusable.
 */
int hv_vq_activate(struct hv_vm *vm, struct hv_vq *vq);

/*
 * Take the next available chain.  Returns 1 and fills @chain, 0 if the
 * ring is empty, or -EINVAL (with *why) if the guest broke the ring: an
 * index out of range, a loop, indirect descriptors we did not offer, a
 * buffer outside RAM, or a writable buffer before a readable one.
 */
int hv_vq_pop(struct hv_vm *vm, struct hv_vq *vq, struct hv_vq_chain *chain,
	      const char **why);

/* Return @head to the driver with @len bytes written; publish the index. */
int hv_vq_push(struct hv_vm *vm, struct hv_vq *vq, uint16_t head,
	       uint32_t len);

/* Does the driver want an interrupt for used buffers? */
int hv_vq_wants_interrupt(struct hv_vm *vm, const struct hv_vq *vq);

/* A queue's saved state (state.c), in a fixed layout. */
struct hv_vq_state {
	uint32_t num;
	uint32_t ready;
	uint64_t desc, avail, used;
	uint16_t last_avail, used_idx;
	uint32_t pad;
};

void hv_vq_save(const struct hv_vq *vq, struct hv_vq_state *s);
/*
 * Load a saved queue, from a file that may be hostile: a ready queue's
 * layout is checked as hv_vq_activate checks it.  -EINVAL if unusable.
 */
int hv_vq_load(struct hv_vm *vm, struct hv_vq *vq,
	       const struct hv_vq_state *s);

#endif
