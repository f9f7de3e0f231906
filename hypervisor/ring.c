// SPDX-License-Identifier: GPL-2.0
/* The console's bounded ring (see ring.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int hv_ring_init(struct hv_ring *r, size_t size)
{
	if (size < HV_RING_MIN || size > HV_RING_MAX)
		return -EINVAL;
	r->buf = malloc(size);
	if (!r->buf)
		return -ENOMEM;
	r->size = size;
	r->head = 0;
	return 0;
}

void hv_ring_dispose(struct hv_ring *r)
{
	if (!r)
		return;
	free(r->buf);
	r->buf = NULL;
	r->size = 0;
	r->head = 0;
}

void hv_ring_put(struct hv_ring *r, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t off, n;

	/* Only the last size bytes of a long write can survive it. */
	if (len > r->size) {
		r->head += len - r->size;
		p += len - r->size;
		len = r->size;
	}
	while (len) {
		off = (size_t)(r->head % r->size);
		n = r->size - off < len ? r->size - off : len;
		memcpy(r->buf + off, p, n);
		r->head += n;
		p += n;
		len -= n;
	}
}

uint64_t hv_ring_tail(const struct hv_ring *r)
{
	return r->head > r->size ? r->head - r->size : 0;
}

size_t hv_ring_read(const struct hv_ring *r, uint64_t *pos, void *buf,
		    size_t len, uint64_t *dropped)
{
	uint64_t tail = hv_ring_tail(r);
	uint8_t *p = buf;
	size_t done = 0, off, n;

	if (*pos < tail) {
		*dropped += tail - *pos;
		*pos = tail;
	}
	if (*pos > r->head)
		*pos = r->head;
	if (r->head - *pos < len)
		len = (size_t)(r->head - *pos);
	while (done < len) {
		off = (size_t)(*pos % r->size);
		n = r->size - off < len - done ? r->size - off : len - done;
		memcpy(p + done, r->buf + off, n);
		*pos += n;
		done += n;
	}
	return done;
}
