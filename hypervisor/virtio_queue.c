// SPDX-License-Identifier: GPL-2.0
/* Split virtqueues, checked at every step (see virtio_queue.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hv.h"
#include "state.h"
#include "virtio_queue.h"

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define AVAIL_SIZE(n)	(4 + 2 * (uint64_t)(n) + 2)
#define USED_SIZE(n)	(4 + 8 * (uint64_t)(n) + 2)

int hv_vq_activate(struct hv_vm *vm, struct hv_vq *vq)
{
	if (!vq->num || vq->num > HV_VQ_MAX_SIZE || (vq->num & (vq->num - 1)))
		return -EINVAL;
	if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3))
		return -EINVAL;
	if (!hv_gpa_ptr(vm, vq->desc, 16ULL * vq->num) ||
	    !hv_gpa_ptr(vm, vq->avail, AVAIL_SIZE(vq->num)) ||
	    !hv_gpa_ptr(vm, vq->used, USED_SIZE(vq->num)))
		return -EINVAL;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->ready = 1;
	return 0;
}

/* The ring pointers were checked by hv_vq_activate; RAM never shrinks. */
static uint16_t *avail_ring(struct hv_vm *vm, const struct hv_vq *vq)
{
	return hv_gpa_ptr(vm, vq->avail, AVAIL_SIZE(vq->num));
}

int hv_vq_pop(struct hv_vm *vm, struct hv_vq *vq, struct hv_vq_chain *chain,
	      const char **why)
{
	uint16_t *avail = avail_ring(vm, vq);
	const struct vq_desc *table = hv_gpa_ptr(vm, vq->desc,
						 16ULL * vq->num);
	uint16_t avail_idx, idx;
	int seen_write = 0;

	if (!vq->ready || !avail || !table) {
		*why = "queue not ready";
		return -EINVAL;
	}
	avail_idx = __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		*why = "available index ran more than a ring ahead";
		return -EINVAL;
	}
	idx = __atomic_load_n(&avail[2 + vq->last_avail % vq->num],
			      __ATOMIC_RELAXED);
	if (idx >= vq->num) {
		*why = "available ring names a descriptor out of range";
		return -EINVAL;
	}
	chain->head = idx;
	chain->nr = 0;
	for (;;) {
		struct vq_desc d;
		uint8_t *p;

		/* A chain longer than the table must revisit a descriptor. */
		if (chain->nr == vq->num) {
			*why = "descriptor chain loops";
			return -EINVAL;
		}
		memcpy(&d, &table[idx], sizeof(d));	/* one snapshot */
		if (d.flags & HV_VQ_DESC_F_INDIRECT) {
			*why = "indirect descriptor (not negotiated)";
			return -EINVAL;
		}
		p = hv_gpa_ptr(vm, d.addr, d.len);
		if (!p) {
			*why = "descriptor buffer outside guest RAM";
			return -EINVAL;
		}
		if (d.flags & HV_VQ_DESC_F_WRITE)
			seen_write = 1;
		else if (seen_write) {
			*why = "readable descriptor after a writable one";
			return -EINVAL;
		}
		chain->buf[chain->nr++] = (struct hv_vq_buf){
			.p = p, .len = d.len,
			.writable = !!(d.flags & HV_VQ_DESC_F_WRITE),
		};
		if (!(d.flags & HV_VQ_DESC_F_NEXT))
			break;
		idx = d.next;
		if (idx >= vq->num) {
			*why = "descriptor chain points out of range";
			return -EINVAL;
		}
	}
	vq->last_avail++;
	return 1;
}

/*
 * For live migration: the writable buffers of the chain at @head, which
 * the device has just filled, are dirty.  The walk is bounded and checked
 * as hv_vq_pop's; a guest that changed an in-flight chain only changes
 * which pages are sent again.
 */
static void mark_chain_dirty(struct hv_vm *vm, const struct hv_vq *vq,
			     uint16_t head)
{
	const struct vq_desc *table = hv_gpa_ptr(vm, vq->desc,
						 16ULL * vq->num);
	uint16_t idx = head;

	if (!table || !__atomic_load_n(&vm->dev_dirty_on, __ATOMIC_ACQUIRE))
		return;
	for (unsigned int n = 0; n < vq->num && idx < vq->num; n++) {
		struct vq_desc d;

		memcpy(&d, &table[idx], sizeof(d));
		if (d.flags & HV_VQ_DESC_F_WRITE)
			hv_dirty_mark(vm, d.addr, d.len);
		if (!(d.flags & HV_VQ_DESC_F_NEXT))
			break;
		idx = d.next;
	}
}

int hv_vq_push(struct hv_vm *vm, struct hv_vq *vq, uint16_t head,
	       uint32_t len)
{
	uint8_t *used = hv_gpa_ptr(vm, vq->used, USED_SIZE(vq->num));
	uint32_t elem[2] = { head, len };

	if (!vq->ready || !used)
		return -EINVAL;
	mark_chain_dirty(vm, vq, head);
	hv_dirty_mark(vm, vq->used, USED_SIZE(vq->num));
	memcpy(used + 4 + 8 * (vq->used_idx % vq->num), elem, sizeof(elem));
	vq->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_store_n((uint16_t *)(used + 2), vq->used_idx,
			 __ATOMIC_RELEASE);
	return 0;
}

int hv_vq_wants_interrupt(struct hv_vm *vm, const struct hv_vq *vq)
{
	uint16_t *avail = hv_gpa_ptr(vm, vq->avail, AVAIL_SIZE(vq->num));

	/*
	 * The used index just published (a store) must be visible before
	 * the driver's flags are read (a load), or a driver that clears
	 * NO_INTERRUPT in between waits forever: only a full fence orders a
	 * store before a later load.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return avail && !(__atomic_load_n(&avail[0], __ATOMIC_ACQUIRE) &
			  HV_VQ_AVAIL_F_NO_INTERRUPT);
}

void hv_vq_save(const struct hv_vq *vq, struct hv_vq_state *s)
{
	*s = (struct hv_vq_state){
		.num = vq->num, .ready = (uint32_t)vq->ready,
		.desc = vq->desc, .avail = vq->avail, .used = vq->used,
		.last_avail = vq->last_avail, .used_idx = vq->used_idx,
	};
}

int hv_vq_load(struct hv_vm *vm, struct hv_vq *vq,
	       const struct hv_vq_state *s)
{
	struct hv_vq q = {
		.num = s->num, .desc = s->desc, .avail = s->avail,
		.used = s->used,
	};

	if (s->ready > 1 || s->pad)
		return -EINVAL;
	if (s->ready && hv_vq_activate(vm, &q) < 0)
		return -EINVAL;
	q.last_avail = s->last_avail;
	q.used_idx = s->used_idx;
	*vq = q;
	return 0;
}
