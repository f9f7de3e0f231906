/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migration stream: what `xl save` writes after Xen's xl header, what
 * `xl restore` reads, and what `xl migrate` sends down its pipe.  Shaped
 * as Xen's migration v2 (libxc-migration-stream): an image header, then
 * records of {type, length, body padded to 8 bytes}, ending with END.
 * Ours adds a CRC32C to every record header and uses its own record types
 * for what KVM has and Xen does not.
 *
 *   image header  40 bytes.  marker (8, all ones), id (4, "XLHV"),
 *                 version (4), options (2), page shift (2): big-endian,
 *                 as Xen's image header.  Then little-endian: vCPUs (4),
 *                 guest RAM bytes (8), flags (4, HV_STATE_F_*: what the
 *                 sending KVM lacked), CRC32C of bytes 0..35 (4).
 *   record        16-byte header {type u32, length u32, crc u32, 0 u32},
 *                 little-endian; length bytes of body, then zeros to a
 *                 multiple of 8.  crc is the CRC32C of type and length
 *                 (8 bytes) then the body (not the padding).  A length over
 *                 HV_MIG_REC_MAX is refused.  A type with
 *                 HV_MIG_REC_OPTIONAL set may be skipped by a reader that
 *                 does not know it; an unknown type without it is an error.
 *
 * Order: PAGE_DATA records (live passes), then the state of the paused
 * guest: VM, CLOCK, IRQCHIP, PIT (unless flags say the KVM lacked them),
 * one VCPU per vCPU, one DEVICE per device, then, with --debug, VERIFY and
 * every page again (compared, not written), then END.  A page may be sent
 * many times; the last copy before END wins.
 *
 * The stream is hostile input.  Reading checks every length, count, page
 * number, type and CRC before anything is used, and says what is wrong.
 */
#ifndef HV_MIGSTREAM_H
#define HV_MIGSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define HV_MIG_MARKER		0xffffffffffffffffULL
#define HV_MIG_ID		0x584c4856u	/* "XLHV" */
#define HV_MIG_VERSION		1
#define HV_MIG_IHDR_LEN		40
#define HV_MIG_RHDR_LEN		16
#define HV_MIG_REC_MAX		(128u << 20)	/* Xen's REC_LENGTH_MAX */
#define HV_MIG_REC_OPTIONAL	0x80000000u	/* Xen's REC_TYPE_OPTIONAL */
#define HV_MIG_PAGE_SHIFT	12
#define HV_MIG_PAGE		4096u
/* Pages in one PAGE_DATA record at most (4 MiB of data). */
#define HV_MIG_BATCH		1024u

enum hv_mig_rec_type {
	HV_MIG_END = 0x00,
	HV_MIG_PAGE_DATA = 0x01,	/* {count u32, 0 u32, pfn u64[count], data} */
	HV_MIG_VERIFY = 0x0d,		/* empty: PAGE_DATA after it is compared */
	/* Ours (Xen's 0x13..0x7fffffff are "reserved for mandatory"). */
	HV_MIG_VM = 0x40,		/* struct hv_state_vm */
	HV_MIG_CLOCK,			/* struct kvm_clock_data */
	HV_MIG_IRQCHIP,			/* 3 struct kvm_irqchip */
	HV_MIG_PIT,			/* struct kvm_pit_state2 */
	HV_MIG_VCPU,			/* {index u32, 0 u32, vCPU state blob} */
	HV_MIG_DEVICE,			/* {index u32, 0 u32, name[16], state} */
	/* Safe to skip: the sender's own words on what it sent (text). */
	HV_MIG_SENDER_INFO = HV_MIG_REC_OPTIONAL | 0x01,
};

/* PAGE_DATA pfn entries: bits 63..60 the kind, 51..0 the page number. */
#define HV_MIG_PFN_MASK		0x000fffffffffffffULL
#define HV_MIG_PFN_KIND(e)	((uint32_t)((e) >> 60))
#define HV_MIG_PFN_DATA		0x0u	/* 4096 bytes follow */
#define HV_MIG_PFN_ZERO		0xfu	/* all zero: no data follows */

struct hv_mig_ihdr {
	uint32_t version;
	uint16_t options;		/* 0 */
	uint16_t page_shift;		/* HV_MIG_PAGE_SHIFT */
	uint32_t nr_vcpus;
	uint64_t ram_size;
	uint32_t flags;			/* HV_STATE_F_* */
};

/*
 * A buffered writer on @fd (1 MiB; a pipe, socket or file; blocking or
 * not): a record is checked before any of it is buffered, so a refused
 * one writes nothing.  Callers ignore SIGPIPE.  Returns NULL with errno
 * set.
 */
struct hv_mig_wr;
struct hv_mig_wr *hv_mig_wr_new(int fd);
/*
 * Every write returns 0 or -errno (-EPIPE: the reader went away;
 * -EMSGSIZE: a body over HV_MIG_REC_MAX; -EINVAL: a bad page count or
 * page number).  After a write error every call returns it again.
 */
int hv_mig_write_ihdr(struct hv_mig_wr *w, const struct hv_mig_ihdr *h);
int hv_mig_write_rec(struct hv_mig_wr *w, uint32_t type, const void *body,
		     uint32_t len);
/* A record whose body is @a (@alen bytes) then @b (@blen). */
int hv_mig_write_rec2(struct hv_mig_wr *w, uint32_t type, const void *a,
		      uint32_t alen, const void *b, uint32_t blen);
/*
 * One PAGE_DATA record for @count (1..HV_MIG_BATCH) page numbers @pfns of
 * @ram: an all-zero page is sent as HV_MIG_PFN_ZERO with no data.
 * Each page is copied aside before it is checked and checksummed, so a
 * running guest may write them meanwhile: the copy is what is sent.
 */
int hv_mig_write_pages(struct hv_mig_wr *w, const uint64_t *pfns,
		       uint32_t count, const uint8_t *ram);
int hv_mig_wr_flush(struct hv_mig_wr *w);
uint64_t hv_mig_wr_bytes(const struct hv_mig_wr *w);	/* written so far */
void hv_mig_wr_free(struct hv_mig_wr *w);

/*
 * A reader on @fd (a pipe, socket or file; blocking or not).  A read that
 * waits @stall_ms (0: forever) without a byte fails with -ETIMEDOUT
 * ("migration stream stalled for N s").  The end of the stream inside a
 * header or record is -ECONNRESET ("stream truncated in record N at
 * offset O").  It never reads past the record it returns: after END the
 * fd is where the stream ended (xl migrate's messages follow on it).
 * Returns NULL with errno set.
 */
struct hv_mig_rd;
struct hv_mig_rd *hv_mig_rd_new(int fd, int stall_ms);
void hv_mig_rd_free(struct hv_mig_rd *r);
uint64_t hv_mig_rd_bytes(const struct hv_mig_rd *r);	/* read so far */

/*
 * Read and check the image header.  0, or -EINVAL / -EPROTONOSUPPORT /
 * -ECONNRESET (truncated) / -errno with @err saying what is wrong.
 */
int hv_mig_read_ihdr(struct hv_mig_rd *r, struct hv_mig_ihdr *h, char *err,
		     size_t errlen);

struct hv_mig_rec {
	uint32_t type;
	uint32_t len;
	const uint8_t *body;		/* valid until the next read */
	uint32_t index;			/* records before it (skipped too) */
	uint64_t offset;		/* of its header, in the stream */
};

/*
 * Read the next record, checking its length, CRC and padding.  An unknown
 * optional record is skipped here; an unknown mandatory one is an error.
 * Errors as hv_mig_read_ihdr, @err naming the record and its offset.
 */
int hv_mig_read_rec(struct hv_mig_rd *r, struct hv_mig_rec *rec, char *err,
		    size_t errlen);

/* A PAGE_DATA body, checked against a guest of @nr_pages pages. */
struct hv_mig_pages {
	uint32_t count;
	const uint64_t *entries;	/* kind and page number, as sent */
	const uint8_t *data;		/* the DATA pages, in entry order */
};
/*
 * Check count (1..HV_MIG_BATCH), the reserved word, every entry's kind
 * (DATA or ZERO), reserved bits and page number (< @nr_pages), and that
 * the length is exactly 8 + 8 * count + 4096 * data pages.  0 and *@p
 * (pointing into @rec's body), or -EINVAL with @err.
 */
int hv_mig_parse_pages(const struct hv_mig_rec *rec, uint64_t nr_pages,
		       struct hv_mig_pages *p, char *err, size_t errlen);

/* "PAGE_DATA", "VCPU", ...; "unknown" for a type we do not know. */
const char *hv_mig_rec_name(uint32_t type);

/*
 * Read a whole stream from @fd and check it as a receiver would, without
 * KVM: the header; every record; PAGE_DATA against the header's RAM
 * size; the order (pages, then VM, CLOCK, IRQCHIP, PIT unless the flags
 * say they are absent, one VCPU per vCPU in any order, DEVICEs each
 * index once, then optionally VERIFY and pages, then END, then nothing);
 * each vCPU's blob (hv_vcpu_state_check).  A read stalled
 * HV_MIG_CHECK_STALL_MS fails.  0, or -errno with @err saying what and
 * where.
 */
#define HV_MIG_CHECK_STALL_MS	60000
int hv_mig_check_stream(int fd, char *err, size_t errlen);

#endif
