// SPDX-License-Identifier: GPL-2.0
/*
 * The migration stream (migstream.h): a buffered writer, a reader that
 * checks everything it returns, and a whole-stream checker that needs no
 * KVM (the fuzz target's and the corruption tests' way in).
 *
 * The reader never reads past the record it returns: after END the fd is
 * left where the stream ended, for whatever the caller's protocol sends
 * next (xl migrate's messages follow the stream on the same pipe).
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv.h"
#include "migstream.h"
#include "state.h"

#define WBUF_SIZE	(1U << 20)
/* The largest guest a stream may describe: the largest a VM may be. */
#define RAM_MAX		((uint64_t)HV_MEM_MAX_MB << 20)
/* Bits 59..52 of a PAGE_DATA entry: reserved, zero. */
#define PFN_RESERVED	0x0ff0000000000000ULL

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p + 4) << 32 | get_le32(p);
}

static inline uint32_t pad8(uint32_t len)
{
	return (8 - (len & 7)) & 7;
}

static const char *rec_name(uint32_t type)
{
	switch (type) {
	case HV_MIG_END:
		return "END";
	case HV_MIG_PAGE_DATA:
		return "PAGE_DATA";
	case HV_MIG_VERIFY:
		return "VERIFY";
	case HV_MIG_VM:
		return "VM";
	case HV_MIG_CLOCK:
		return "CLOCK";
	case HV_MIG_IRQCHIP:
		return "IRQCHIP";
	case HV_MIG_PIT:
		return "PIT";
	case HV_MIG_VCPU:
		return "VCPU";
	case HV_MIG_DEVICE:
		return "DEVICE";
	case HV_MIG_SENDER_INFO:
		return "SENDER_INFO";
	}
	return NULL;
}

const char *hv_mig_rec_name(uint32_t type)
{
	const char *n = rec_name(type);

	return n ? n : "unknown";
}

/* The CRC of a record: its type and length, then its body. */
static uint32_t rec_crc_start(uint32_t type, uint32_t len)
{
	uint8_t tl[8];

	put_le32(tl, type);
	put_le32(tl + 4, len);
	return hv_crc32c(0, tl, sizeof(tl));
}

/* ---- Writing --------------------------------------------------------- */

struct hv_mig_wr {
	int fd;
	int err;		/* the first write error: every later one */
	uint8_t *buf;
	size_t used;
	uint64_t bytes;		/* accepted so far (buffered included) */
	/* hv_mig_write_pages: a batch's pages copied aside, its entries */
	uint8_t *stage;
	uint64_t *head;
};

struct hv_mig_wr *hv_mig_wr_new(int fd)
{
	struct hv_mig_wr *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->buf = malloc(WBUF_SIZE);
	if (!w->buf) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->fd = fd;
	return w;
}

void hv_mig_wr_free(struct hv_mig_wr *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w->stage);
	free(w->head);
	free(w);
}

uint64_t hv_mig_wr_bytes(const struct hv_mig_wr *w)
{
	return w->bytes;
}

/* All of @len bytes, through EINTR and partial writes. */
static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int hv_mig_wr_flush(struct hv_mig_wr *w)
{
	int rc;

	if (w->err)
		return w->err;
	rc = write_all(w->fd, w->buf, w->used);
	w->used = 0;
	if (rc)
		w->err = rc;
	return rc;
}

static int wr_put(struct hv_mig_wr *w, const void *p, size_t len)
{
	int rc;

	if (w->err)
		return w->err;
	if (w->used + len > WBUF_SIZE) {
		rc = hv_mig_wr_flush(w);
		if (rc)
			return rc;
	}
	if (len >= WBUF_SIZE) {
		rc = write_all(w->fd, p, len);
		if (rc) {
			w->err = rc;
			return rc;
		}
	} else {
		memcpy(w->buf + w->used, p, len);
		w->used += len;
	}
	w->bytes += len;
	return 0;
}

int hv_mig_write_ihdr(struct hv_mig_wr *w, const struct hv_mig_ihdr *h)
{
	uint8_t b[HV_MIG_IHDR_LEN];

	put_be32(b, 0xffffffffu);
	put_be32(b + 4, 0xffffffffu);
	put_be32(b + 8, HV_MIG_ID);
	put_be32(b + 12, h->version);
	put_be16(b + 16, h->options);
	put_be16(b + 18, h->page_shift);
	put_le32(b + 20, h->nr_vcpus);
	put_le64(b + 24, h->ram_size);
	put_le32(b + 32, h->flags);
	put_le32(b + 36, hv_crc32c(0, b, 36));
	return wr_put(w, b, sizeof(b));
}

static int wr_rhdr(struct hv_mig_wr *w, uint32_t type, uint32_t len,
		   uint32_t crc)
{
	uint8_t b[HV_MIG_RHDR_LEN];

	put_le32(b, type);
	put_le32(b + 4, len);
	put_le32(b + 8, crc);
	put_le32(b + 12, 0);
	return wr_put(w, b, sizeof(b));
}

static int wr_pad(struct hv_mig_wr *w, uint32_t len)
{
	static const uint8_t zeros[8];

	return pad8(len) ? wr_put(w, zeros, pad8(len)) : 0;
}

int hv_mig_write_rec2(struct hv_mig_wr *w, uint32_t type, const void *a,
		      uint32_t alen, const void *b, uint32_t blen)
{
	uint32_t len, crc;
	int rc;

	if (w->err)
		return w->err;
	if (alen > HV_MIG_REC_MAX || blen > HV_MIG_REC_MAX - alen)
		return -EMSGSIZE;
	len = alen + blen;
	crc = rec_crc_start(type, len);
	crc = hv_crc32c(crc, a, alen);
	crc = hv_crc32c(crc, b, blen);
	rc = wr_rhdr(w, type, len, crc);
	if (!rc && alen)
		rc = wr_put(w, a, alen);
	if (!rc && blen)
		rc = wr_put(w, b, blen);
	if (!rc)
		rc = wr_pad(w, len);
	return rc;
}

int hv_mig_write_rec(struct hv_mig_wr *w, uint32_t type, const void *body,
		     uint32_t len)
{
	return hv_mig_write_rec2(w, type, body, len, NULL, 0);
}

static int page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const void *)p;
	uint64_t acc = 0;

	/* Whole cache lines at a time; the common nonzero page exits early. */
	for (size_t i = 0; i < HV_MIG_PAGE / 8; i += 8) {
		acc |= q[i] | q[i + 1] | q[i + 2] | q[i + 3] | q[i + 4] |
		       q[i + 5] | q[i + 6] | q[i + 7];
		if (acc)
			return 0;
	}
	return 1;
}

/*
 * The guest may be writing these pages as they go: each is copied aside
 * first, and the copy is what is checked for zero, checksummed and sent
 * (a page changed meanwhile is dirty again and goes in a later pass).
 */
int hv_mig_write_pages(struct hv_mig_wr *w, const uint64_t *pfns,
		       uint32_t count, const uint8_t *ram)
{
	uint32_t data = 0;

	if (w->err)
		return w->err;
	if (count < 1 || count > HV_MIG_BATCH)
		return -EINVAL;
	if (!w->stage) {
		/* both or neither: a later call tests stage alone */
		uint8_t *stage = malloc((size_t)HV_MIG_BATCH * HV_MIG_PAGE);
		uint64_t *head = malloc((1 + HV_MIG_BATCH) * sizeof(*head));

		if (!stage || !head) {
			free(stage);
			free(head);
			return -ENOMEM;
		}
		w->stage = stage;
		w->head = head;
	}
	/* count u32, then 0 u32; the entries: little-endian, x86-64 only */
	w->head[0] = count;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t *dst = w->stage + (size_t)data * HV_MIG_PAGE;

		if (pfns[i] & ~HV_MIG_PFN_MASK)
			return -EINVAL;
		memcpy(dst, ram + pfns[i] * HV_MIG_PAGE, HV_MIG_PAGE);
		if (page_is_zero(dst)) {
			w->head[1 + i] = pfns[i] |
					 (uint64_t)HV_MIG_PFN_ZERO << 60;
		} else {
			w->head[1 + i] = pfns[i];
			data++;
		}
	}
	/* The body is 8 + 8n + 4096d bytes: always a multiple of 8. */
	return hv_mig_write_rec2(w, HV_MIG_PAGE_DATA, w->head, 8 + 8 * count,
				 w->stage, data * HV_MIG_PAGE);
}

/* ---- Reading --------------------------------------------------------- */

struct hv_mig_rd {
	int fd;
	int stall_ms;
	uint8_t *body;
	size_t cap;
	uint64_t off;		/* bytes read so far */
	uint32_t idx;		/* index of the next record */
};

struct hv_mig_rd *hv_mig_rd_new(int fd, int stall_ms)
{
	struct hv_mig_rd *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = fd;
	r->stall_ms = stall_ms;
	return r;
}

void hv_mig_rd_free(struct hv_mig_rd *r)
{
	if (!r)
		return;
	free(r->body);
	free(r);
}

uint64_t hv_mig_rd_bytes(const struct hv_mig_rd *r)
{
	return r->off;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Wait for a byte to read: -ETIMEDOUT after the stall time. */
static int wait_readable(struct hv_mig_rd *r, int always)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	int n;

	if (!r->stall_ms && !always)
		return 0;
	do
		n = poll(&pfd, 1, r->stall_ms ? r->stall_ms : -1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	return 0;
}

/*
 * Exactly @len bytes into @buf.  -ECONNRESET at the end of the stream,
 * -ETIMEDOUT on a stall, -errno; *@got says how many arrived.
 */
static int rd_full(struct hv_mig_rd *r, void *buf, size_t len, size_t *got)
{
	uint8_t *p = buf;
	size_t done = 0;
	int rc = 0;

	while (done < len) {
		ssize_t n;

		rc = wait_readable(r, 0);
		if (rc)
			break;
		n = read(r->fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			rc = wait_readable(r, 1);
			if (rc)
				break;
			continue;
		}
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0) {
			rc = -ECONNRESET;
			break;
		}
		done += (size_t)n;
		r->off += (uint64_t)n;
	}
	if (got)
		*got = done;
	return rc;
}

/* Say why a read stopped, for @what (a record or the header). */
static int rd_error(const struct hv_mig_rd *r, int rc, const char *what,
		    uint64_t start, char *err, size_t errlen)
{
	switch (rc) {
	case -ECONNRESET:
		return fail(err, errlen, rc, "stream truncated in %s at "
			    "offset %llu (%llu bytes after its start)", what,
			    (unsigned long long)r->off,
			    (unsigned long long)(r->off - start));
	case -ETIMEDOUT:
		if (r->stall_ms % 1000)
			return fail(err, errlen, rc, "migration stream stalled "
				    "for %d ms in %s at offset %llu",
				    r->stall_ms, what,
				    (unsigned long long)r->off);
		return fail(err, errlen, rc, "migration stream stalled for "
			    "%d s in %s at offset %llu", r->stall_ms / 1000,
			    what, (unsigned long long)r->off);
	}
	return fail(err, errlen, rc, "read %s at offset %llu: %s", what,
		    (unsigned long long)r->off, strerror(-rc));
}

int hv_mig_read_ihdr(struct hv_mig_rd *r, struct hv_mig_ihdr *out, char *err,
		     size_t errlen)
{
	uint8_t b[HV_MIG_IHDR_LEN];
	struct hv_mig_ihdr h;
	uint64_t marker;
	uint32_t id;
	int rc;

	rc = rd_full(r, b, sizeof(b), NULL);
	if (rc)
		return rd_error(r, rc, "the image header", 0, err, errlen);
	marker = get_be64(b);
	id = get_be32(b + 8);
	if (marker != HV_MIG_MARKER)
		return fail(err, errlen, -EINVAL, "image header: Invalid "
			    "marker: Got 0x%016llx (not a migration stream)",
			    (unsigned long long)marker);
	if (id != HV_MIG_ID)
		return fail(err, errlen, -EINVAL, "image header: Invalid ID: "
			    "Expected 0x%08x, Got 0x%08x (not an xlhv stream)",
			    HV_MIG_ID, id);
	h.version = get_be32(b + 12);
	if (h.version != HV_MIG_VERSION)
		return fail(err, errlen, -EPROTONOSUPPORT, "image header: "
			    "Invalid Version: Expected %d, Got %u",
			    HV_MIG_VERSION, h.version);
	if (hv_crc32c(0, b, 36) != get_le32(b + 36))
		return fail(err, errlen, -EINVAL, "image header: checksum "
			    "mismatch");
	h.options = get_be16(b + 16);
	h.page_shift = get_be16(b + 18);
	h.nr_vcpus = get_le32(b + 20);
	h.ram_size = get_le64(b + 24);
	h.flags = get_le32(b + 32);
	if (h.options)
		return fail(err, errlen, -EINVAL, "image header: options "
			    "0x%04x not supported (only 0: little-endian)",
			    h.options);
	if (h.page_shift != HV_MIG_PAGE_SHIFT)
		return fail(err, errlen, -EINVAL, "image header: page shift "
			    "%u, this xlhv handles only %d", h.page_shift,
			    HV_MIG_PAGE_SHIFT);
	if (h.nr_vcpus < 1 || h.nr_vcpus > HV_STATE_MAX_VCPUS)
		return fail(err, errlen, -EINVAL, "image header: %u vCPUs "
			    "(want 1 to %d)", h.nr_vcpus, HV_STATE_MAX_VCPUS);
	if (!h.ram_size || h.ram_size % HV_MIG_PAGE || h.ram_size > RAM_MAX)
		return fail(err, errlen, -EINVAL, "image header: RAM size "
			    "%llu bytes is not a whole number of %u-byte pages "
			    "from 1 to %llu MiB",
			    (unsigned long long)h.ram_size, HV_MIG_PAGE,
			    (unsigned long long)(RAM_MAX >> 20));
	if (h.flags & ~HV_STATE_F_ALL)
		return fail(err, errlen, -EINVAL, "image header: unknown "
			    "flags 0x%x", h.flags & ~HV_STATE_F_ALL);
	*out = h;
	return 0;
}

/*
 * Read @len body bytes plus padding into r->body, growing the buffer as
 * bytes arrive (not as the length claims: a lying length costs what was
 * sent, not 128 MiB).
 */
static int rd_body(struct hv_mig_rd *r, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t want, got;
		int rc;

		if (done == r->cap) {
			size_t cap = r->cap < 65536 ? 65536 : r->cap * 2;
			uint8_t *p;

			if (cap > len)
				cap = len;
			p = realloc(r->body, cap);
			if (!p)
				return -ENOMEM;
			r->body = p;
			r->cap = cap;
		}
		want = (r->cap < len ? r->cap : len) - done;
		rc = rd_full(r, r->body + done, want, &got);
		if (rc)
			return rc;
		done += got;
	}
	return 0;
}

int hv_mig_read_rec(struct hv_mig_rd *r, struct hv_mig_rec *rec, char *err,
		    size_t errlen)
{
	for (;;) {
		uint8_t b[HV_MIG_RHDR_LEN];
		uint64_t start = r->off;
		uint32_t idx = r->idx++, type, len, crc, padded;
		char what[64];
		int rc;

		snprintf(what, sizeof(what), "record %u", idx);
		rc = rd_full(r, b, sizeof(b), NULL);
		if (rc)
			return rd_error(r, rc, what, start, err, errlen);
		type = get_le32(b);
		len = get_le32(b + 4);
		crc = get_le32(b + 8);
		snprintf(what, sizeof(what), "record %u (%s, 0x%x)", idx,
			 hv_mig_rec_name(type), type);
		if (len > HV_MIG_REC_MAX)
			return fail(err, errlen, -EINVAL, "%s at offset %llu: "
				    "Record (0x%08x, %s) length %#x exceeds "
				    "max (%#x)", what,
				    (unsigned long long)start, type,
				    hv_mig_rec_name(type), len,
				    HV_MIG_REC_MAX);
		if (get_le32(b + 12))
			return fail(err, errlen, -EINVAL, "%s at offset %llu: "
				    "reserved header word is 0x%x, not 0",
				    what, (unsigned long long)start,
				    get_le32(b + 12));
		if (!rec_name(type) && !(type & HV_MIG_REC_OPTIONAL))
			return fail(err, errlen, -EINVAL, "%s at offset %llu: "
				    "Mandatory record 0x%x not handled", what,
				    (unsigned long long)start, type);
		padded = len + pad8(len);
		rc = rd_body(r, padded);
		if (rc)
			return rd_error(r, rc, what, start, err, errlen);
		if (hv_crc32c(rec_crc_start(type, len), r->body, len) != crc)
			return fail(err, errlen, -EINVAL, "%s at offset %llu: "
				    "checksum mismatch (%u bytes)", what,
				    (unsigned long long)start, len);
		for (uint32_t i = len; i < padded; i++) {
			if (!r->body[i])
				continue;
			return fail(err, errlen, -EINVAL, "%s at offset %llu: "
				    "padding byte %u is not zero", what,
				    (unsigned long long)start, i - len);
		}
		if (!rec_name(type))
			continue;	/* an optional record we do not know */
		rec->type = type;
		rec->len = len;
		rec->body = r->body;
		rec->index = idx;
		rec->offset = start;
		return 0;
	}
}

int hv_mig_parse_pages(const struct hv_mig_rec *rec, uint64_t nr_pages,
		       struct hv_mig_pages *p, char *err, size_t errlen)
{
	const uint8_t *b = rec->body;
	uint32_t count, data = 0;
	char what[64];

	snprintf(what, sizeof(what), "record %u (PAGE_DATA) at offset %llu",
		 rec->index, (unsigned long long)rec->offset);
	if (rec->type != HV_MIG_PAGE_DATA)
		return fail(err, errlen, -EINVAL, "%s: not PAGE_DATA", what);
	if (rec->len < 8)
		return fail(err, errlen, -EINVAL, "%s: %u bytes, too short "
			    "for its count", what, rec->len);
	count = get_le32(b);
	if (count < 1 || count > HV_MIG_BATCH)
		return fail(err, errlen, -EINVAL, "%s: page count %u (want 1 "
			    "to %u)", what, count, HV_MIG_BATCH);
	if (get_le32(b + 4))
		return fail(err, errlen, -EINVAL, "%s: reserved word is 0x%x, "
			    "not 0", what, get_le32(b + 4));
	if (rec->len < 8 + 8 * (uint64_t)count)
		return fail(err, errlen, -EINVAL, "%s: %u bytes, too short "
			    "for %u page numbers", what, rec->len, count);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t e = get_le64(b + 8 + 8 * (size_t)i);
		uint32_t kind = HV_MIG_PFN_KIND(e);

		if (kind != HV_MIG_PFN_DATA && kind != HV_MIG_PFN_ZERO)
			return fail(err, errlen, -EINVAL, "%s: entry %u has "
				    "unknown kind 0x%x", what, i, kind);
		if (e & PFN_RESERVED)
			return fail(err, errlen, -EINVAL, "%s: entry %u has "
				    "reserved bits set (0x%016llx)", what, i,
				    (unsigned long long)e);
		if ((e & HV_MIG_PFN_MASK) >= nr_pages)
			return fail(err, errlen, -EINVAL, "%s: entry %u: page "
				    "%llu beyond the guest's %llu pages", what,
				    i,
				    (unsigned long long)(e & HV_MIG_PFN_MASK),
				    (unsigned long long)nr_pages);
		if (kind == HV_MIG_PFN_DATA)
			data++;
	}
	if (rec->len != 8 + 8 * (uint64_t)count + (uint64_t)data * HV_MIG_PAGE)
		return fail(err, errlen, -EINVAL, "%s: %u bytes, want %llu "
			    "for %u entries with %u data pages", what, rec->len,
			    (unsigned long long)(8 + 8 * (uint64_t)count +
						 (uint64_t)data * HV_MIG_PAGE),
			    count, data);
	p->count = count;
	p->entries = (const uint64_t *)(b + 8);
	p->data = b + 8 + 8 * (size_t)count;
	return 0;
}

/* ---- The whole stream, without KVM ----------------------------------- */

/* State records in their order; rank 0: not a state record. */
static unsigned int state_rank(uint32_t type)
{
	switch (type) {
	case HV_MIG_VM:
		return 1;
	case HV_MIG_CLOCK:
		return 2;
	case HV_MIG_IRQCHIP:
		return 3;
	case HV_MIG_PIT:
		return 4;
	case HV_MIG_VCPU:
		return 5;
	case HV_MIG_DEVICE:
		return 6;
	}
	return 0;
}

struct check {
	const struct hv_mig_ihdr *h;
	unsigned int rank;	/* of the last state record */
	int verify;		/* VERIFY seen */
	uint32_t fixed_seen;	/* bit per rank 1..4 */
	uint64_t vcpus[(HV_STATE_MAX_VCPUS + 63) / 64];
	uint32_t nr_vcpus_seen;
	uint64_t devs;		/* HV_STATE_MAX_DEVS bits */
};

static uint32_t fixed_flag(unsigned int rank)
{
	switch (rank) {
	case 2:
		return HV_STATE_F_NO_CLOCK;
	case 3:
		return HV_STATE_F_NO_IRQCHIP;
	case 4:
		return HV_STATE_F_NO_PIT;
	}
	return 0;
}

static uint32_t fixed_len(uint32_t type)
{
	switch (type) {
	case HV_MIG_VM:
		return sizeof(struct hv_state_vm);
	case HV_MIG_CLOCK:
		return sizeof(struct kvm_clock_data);
	case HV_MIG_IRQCHIP:
		return 3 * sizeof(struct kvm_irqchip);
	case HV_MIG_PIT:
		return sizeof(struct kvm_pit_state2);
	}
	return 0;
}

/* The state is whole: VM, the fixed records, every vCPU. */
static int state_missing(const struct check *c, char *what, size_t len)
{
	for (unsigned int k = 1; k <= 4; k++) {
		if (fixed_flag(k) & c->h->flags || c->fixed_seen & 1U << k)
			continue;
		snprintf(what, len, "no %s record",
			 k == 1 ? "VM" : k == 2 ? "CLOCK" :
			 k == 3 ? "IRQCHIP" : "PIT");
		return 1;
	}
	if (c->nr_vcpus_seen != c->h->nr_vcpus) {
		snprintf(what, len, "%u VCPU records for %u vCPUs",
			 c->nr_vcpus_seen, c->h->nr_vcpus);
		return 1;
	}
	return 0;
}

static int check_state_rec(struct check *c, const struct hv_mig_rec *rec,
			   const char *what, char *err, size_t errlen)
{
	unsigned int rank = state_rank(rec->type);
	const char *why = NULL;
	uint32_t index;

	if (c->verify)
		return fail(err, errlen, -EINVAL, "%s: state after VERIFY",
			    what);
	if (rank < c->rank || (rank == c->rank && rank < 5))
		return fail(err, errlen, -EINVAL, "%s: out of order (want VM, "
			    "CLOCK, IRQCHIP, PIT, VCPUs, DEVICEs, each fixed "
			    "one once)", what);
	if (rank > 1 && !(c->fixed_seen & 1U << 1))
		return fail(err, errlen, -EINVAL, "%s: before the VM record",
			    what);
	/* A fixed record skipped by the header's flags cannot be here. */
	if (fixed_flag(rank) & c->h->flags)
		return fail(err, errlen, -EINVAL, "%s: the image header's "
			    "flags (0x%x) say it was not saved", what,
			    c->h->flags);
	/* Fixed ones jumped over must have been flagged absent. */
	for (unsigned int k = c->rank + 1; k < rank && k <= 4; k++)
		if (!(fixed_flag(k) & c->h->flags) &&
		    !(c->fixed_seen & 1U << k))
			return fail(err, errlen, -EINVAL, "%s: the %s record "
				    "is missing before it", what,
				    k == 2 ? "CLOCK" : k == 3 ? "IRQCHIP" :
				    "PIT");
	c->rank = rank;
	if (rank <= 4) {
		if (rec->len != fixed_len(rec->type))
			return fail(err, errlen, -EINVAL, "%s: %u bytes, want "
				    "%u", what, rec->len, fixed_len(rec->type));
		c->fixed_seen |= 1U << rank;
		return 0;
	}
	if (rec->len < 8 || (rec->type == HV_MIG_DEVICE &&
			     rec->len < 8 + HV_STATE_DEV_NAME))
		return fail(err, errlen, -EINVAL, "%s: %u bytes, too short",
			    what, rec->len);
	index = get_le32(rec->body);
	if (get_le32(rec->body + 4))
		return fail(err, errlen, -EINVAL, "%s: reserved word is 0x%x, "
			    "not 0", what, get_le32(rec->body + 4));
	if (rec->type == HV_MIG_VCPU) {
		if (index >= c->h->nr_vcpus)
			return fail(err, errlen, -EINVAL, "%s: vCPU %u, but "
				    "the image header says %u vCPUs", what,
				    index, c->h->nr_vcpus);
		if (c->vcpus[index / 64] & 1ULL << (index % 64))
			return fail(err, errlen, -EINVAL, "%s: vCPU %u sent "
				    "twice", what, index);
		if (hv_vcpu_state_check(rec->body + 8, rec->len - 8, &why))
			return fail(err, errlen, -EINVAL, "%s: vCPU %u state: "
				    "%s", what, index, why);
		c->vcpus[index / 64] |= 1ULL << (index % 64);
		c->nr_vcpus_seen++;
		return 0;
	}
	if (index >= HV_STATE_MAX_DEVS)
		return fail(err, errlen, -EINVAL, "%s: device %u (at most %d)",
			    what, index, HV_STATE_MAX_DEVS);
	if (c->devs & 1ULL << index)
		return fail(err, errlen, -EINVAL, "%s: device %u sent twice",
			    what, index);
	if (!rec->body[8] || !memchr(rec->body + 8, 0, HV_STATE_DEV_NAME))
		return fail(err, errlen, -EINVAL, "%s: device %u has no name "
			    "(want 1 to %d bytes, NUL-terminated)", what, index,
			    HV_STATE_DEV_NAME - 1);
	c->devs |= 1ULL << index;
	return 0;
}

int hv_mig_check_stream(int fd, char *err, size_t errlen)
{
	struct hv_mig_rd *r = NULL;
	struct hv_mig_ihdr h;
	struct check c = { .h = &h };
	uint64_t nr_pages;
	int rc;

	if (errlen)
		err[0] = '\0';
	r = hv_mig_rd_new(fd, HV_MIG_CHECK_STALL_MS);
	if (!r) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	rc = hv_mig_read_ihdr(r, &h, err, errlen);
	if (rc)
		goto out;
	nr_pages = h.ram_size / HV_MIG_PAGE;
	for (;;) {
		struct hv_mig_rec rec;
		struct hv_mig_pages p;
		char what[96], missing[64];
		uint8_t extra;
		size_t got;

		rc = hv_mig_read_rec(r, &rec, err, errlen);
		if (rc)
			goto out;
		snprintf(what, sizeof(what), "record %u (%s) at offset %llu",
			 rec.index, hv_mig_rec_name(rec.type),
			 (unsigned long long)rec.offset);
		switch (rec.type) {
		case HV_MIG_PAGE_DATA:
			if (c.rank && !c.verify) {
				rc = fail(err, errlen, -EINVAL, "%s: pages "
					  "after the state records (only "
					  "after VERIFY)", what);
				goto out;
			}
			rc = hv_mig_parse_pages(&rec, nr_pages, &p, err,
						errlen);
			if (rc)
				goto out;
			break;
		case HV_MIG_VERIFY:
		case HV_MIG_END:
			if (rec.len) {
				rc = fail(err, errlen, -EINVAL, "%s: %u bytes, "
					  "want none", what, rec.len);
				goto out;
			}
			if (rec.type == HV_MIG_VERIFY && c.verify) {
				rc = fail(err, errlen, -EINVAL, "%s: a second "
					  "VERIFY", what);
				goto out;
			}
			if (state_missing(&c, missing, sizeof(missing))) {
				rc = fail(err, errlen, -EINVAL, "%s: the "
					  "guest's state is not whole: %s",
					  what, missing);
				goto out;
			}
			if (rec.type == HV_MIG_VERIFY) {
				c.verify = 1;
				break;
			}
			/* END is last: the stream ends with it. */
			rc = rd_full(r, &extra, 1, &got);
			if (rc == -ECONNRESET) {
				rc = 0;
				goto out;
			}
			if (!rc)
				rc = fail(err, errlen, -EINVAL, "data after "
					  "END (at offset %llu)",
					  (unsigned long long)(r->off - 1));
			else
				rc = rd_error(r, rc, "after END", r->off, err,
					      errlen);
			goto out;
		case HV_MIG_SENDER_INFO:
			break;
		default:
			rc = check_state_rec(&c, &rec, what, err, errlen);
			if (rc)
				goto out;
		}
	}
out:
	hv_mig_rd_free(r);
	return rc;
}
