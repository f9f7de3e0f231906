/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded byte ring that never makes its writer wait: when it is full
 * the oldest bytes are overwritten.  Readers keep their own position (a
 * count of bytes ever written), so each learns how much it missed.  No
 * locking here: the console serialises writers and readers.
 */
#ifndef HV_RING_H
#define HV_RING_H

#include <stddef.h>
#include <stdint.h>

#define HV_RING_MIN	4096u
#define HV_RING_MAX	(16u << 20)

struct hv_ring {
	uint8_t *buf;
	size_t size;
	uint64_t head;		/* bytes ever put: the next byte's position */
};

/*
 * Make @r hold the last @size bytes put (HV_RING_MIN..HV_RING_MAX).
 * Returns 0, -EINVAL for a size out of range or -ENOMEM.
 */
int hv_ring_init(struct hv_ring *r, size_t size);
/* Free the buffer; safe on NULL, a zeroed or a disposed ring. */
void hv_ring_dispose(struct hv_ring *r);

/* Append @len bytes, overwriting the oldest when full. */
void hv_ring_put(struct hv_ring *r, const void *data, size_t len);

/* The position of the oldest byte still held. */
uint64_t hv_ring_tail(const struct hv_ring *r);

/*
 * Copy up to @len bytes from position *@pos on into @buf, advance *@pos
 * and return the count.  A position older than the tail first moves to
 * the tail; the bytes skipped are added to *@dropped.  A position past
 * the head (a bug, or a ring reset) moves back to the head.
 */
size_t hv_ring_read(const struct hv_ring *r, uint64_t *pos, void *buf,
		    size_t len, uint64_t *dropped);

#endif
