// SPDX-License-Identifier: GPL-2.0
/* Whole-VM state save and restore and its file format (see state.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hv.h"
#include "state.h"

#define WBUF_SIZE	(1U << 20)
#define NR_IRQCHIPS	3	/* PIC master, PIC slave, IOAPIC */

/* ---- CRC32C ---------------------------------------------------------- */

__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64 = c;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c64 = __builtin_ia32_crc32di(c64, v);
	}
	c = (uint32_t)c64;
	for (; len; p++, len--)
		c = __builtin_ia32_crc32qi(c, *p);
	return c;
}

uint32_t hv_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c = ~crc;

	if (__builtin_cpu_supports("sse4.2"))
		return ~crc_hw(c, p, len);
	/* Bit by bit: slow, but only for x86-64 CPUs without SSE4.2. */
	for (; len; p++, len--) {
		c ^= *p;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78U : c >> 1;
	}
	return ~c;
}

/* ---- Writing --------------------------------------------------------- */

struct wr {
	int fd;
	uint8_t *buf;
	size_t used;
	uint32_t crc;		/* of the current section's payload */
};

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int wr_flush(struct wr *w)
{
	int rc = write_all(w->fd, w->buf, w->used);

	w->used = 0;
	return rc;
}

/* Raw bytes, outside any section CRC. */
static int wr_raw(struct wr *w, const void *p, size_t len)
{
	int rc;

	if (len >= WBUF_SIZE) {
		rc = wr_flush(w);
		return rc ? rc : write_all(w->fd, p, len);
	}
	if (w->used + len > WBUF_SIZE) {
		rc = wr_flush(w);
		if (rc)
			return rc;
	}
	memcpy(w->buf + w->used, p, len);
	w->used += len;
	return 0;
}

static int wr_payload(struct wr *w, const void *p, size_t len)
{
	w->crc = hv_crc32c(w->crc, p, len);
	return wr_raw(w, p, len);
}

static int wr_sec_begin(struct wr *w, uint32_t type, uint32_t instance,
			uint64_t len)
{
	struct hv_state_sec_hdr sh = {
		.type = type, .instance = instance, .len = len,
	};

	sh.crc = hv_crc32c(0, &sh, offsetof(struct hv_state_sec_hdr, crc));
	w->crc = 0;
	return wr_raw(w, &sh, sizeof(sh));
}

static int wr_sec_end(struct wr *w)
{
	uint32_t crc = w->crc;

	return wr_raw(w, &crc, sizeof(crc));
}

static int page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;

	for (size_t i = 0; i < HV_STATE_PAGE / 8; i++)
		if (q[i])
			return 0;
	return 1;
}

/*
 * The next extent of @fd holding data at or after @off, as [*start, *end);
 * the whole rest when @fd is -1 or cannot say.  0 when there is none.
 */
int hv_state_next_data(int fd, uint64_t off, uint64_t size, uint64_t *start,
		       uint64_t *end)
{
	off_t d, h;

	if (off >= size)
		return 0;
	if (fd < 0) {
		*start = off;
		*end = size;
		return 1;
	}
	d = lseek(fd, (off_t)off, SEEK_DATA);
	if (d < 0) {
		if (errno == ENXIO)
			return 0;	/* only a hole is left */
		*start = off;
		*end = size;
		return 1;
	}
	h = lseek(fd, d, SEEK_HOLE);
	*start = (uint64_t)d & ~(HV_STATE_PAGE - 1);
	*end = h < 0 || (uint64_t)h > size ? size : (uint64_t)h;
	return *start < size;
}

/* RAM: page count, bitmap of nonzero pages, those pages in runs. */
static int wr_ram(struct wr *w, const uint8_t *ram, uint64_t ram_size,
		  int ram_fd)
{
	uint64_t pages = ram_size / HV_STATE_PAGE, present = 0;
	size_t words = (size_t)((pages + 63) / 64);
	uint64_t *bitmap, start, end, off = 0;
	int rc;

	bitmap = calloc(words ? words : 1, sizeof(*bitmap));
	if (!bitmap)
		return -ENOMEM;
	/* Holes are zero: only the extents with data are looked at. */
	while (hv_state_next_data(ram_fd, off, ram_size, &start, &end)) {
		for (uint64_t i = start / HV_STATE_PAGE;
		     i < pages && i * HV_STATE_PAGE < end; i++) {
			if (!page_is_zero(ram + i * HV_STATE_PAGE)) {
				bitmap[i / 64] |= 1ULL << (i % 64);
				present++;
			}
		}
		off = (end + HV_STATE_PAGE - 1) & ~(HV_STATE_PAGE - 1);
	}
	rc = wr_sec_begin(w, HV_SEC_RAM, 0, 8 + words * 8 +
			  present * HV_STATE_PAGE);
	if (!rc)
		rc = wr_payload(w, &pages, sizeof(pages));
	if (!rc)
		rc = wr_payload(w, bitmap, words * 8);
	for (uint64_t i = 0; !rc && i < pages;) {
		uint64_t run = 0;

		while (i + run < pages &&
		       bitmap[(i + run) / 64] & 1ULL << ((i + run) % 64))
			run++;
		if (run)
			rc = wr_payload(w, ram + i * HV_STATE_PAGE,
					run * HV_STATE_PAGE);
		i += run ? run : 1;
	}
	if (!rc)
		rc = wr_sec_end(w);
	free(bitmap);
	return rc;
}

int hv_state_write(int fd, struct hv_state_hdr *hdr,
		   const struct hv_state_sec *secs, uint32_t nr,
		   const uint8_t *ram, uint64_t ram_size, int ram_fd)
{
	struct wr w = { .fd = fd };
	int rc;

	w.buf = malloc(WBUF_SIZE);
	if (!w.buf)
		return -ENOMEM;
	memcpy(hdr->magic, HV_STATE_MAGIC, sizeof(hdr->magic));
	hdr->version = HV_STATE_VERSION;
	hdr->hdr_len = sizeof(*hdr);
	hdr->ram_size = ram_size;
	hdr->nr_sections = nr + 2;
	hdr->crc = hv_crc32c(0, hdr, offsetof(struct hv_state_hdr, crc));
	rc = wr_raw(&w, hdr, sizeof(*hdr));
	for (uint32_t i = 0; !rc && i < nr; i++) {
		rc = wr_sec_begin(&w, secs[i].type, secs[i].instance,
				  secs[i].len);
		if (!rc)
			rc = wr_payload(&w, secs[i].data, secs[i].len);
		if (!rc)
			rc = wr_sec_end(&w);
	}
	if (!rc)
		rc = wr_ram(&w, ram, ram_size, ram_fd);
	if (!rc)
		rc = wr_sec_begin(&w, HV_SEC_END, 0, 0);
	if (!rc)
		rc = wr_sec_end(&w);
	if (!rc)
		rc = wr_flush(&w);
	free(w.buf);
	return rc;
}

/* ---- Reading --------------------------------------------------------- */

struct rd {
	int fd;
	char *err;
	size_t errlen;
};

static int rd_fail(struct rd *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int rd_fail(struct rd *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* Exactly @len bytes; a short file says where it ended. */
static int rd_full(struct rd *r, void *buf, size_t len, const char *what)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(r->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rd_fail(r, -errno, "read %s: %s", what,
				       strerror(errno));
		if (n == 0)
			return rd_fail(r, -EINVAL, "truncated in %s", what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hv_state_read_hdr(int fd, struct hv_state_hdr *out, char *err,
		      size_t errlen)
{
	struct rd r = { .fd = fd, .err = err, .errlen = errlen };
	struct hv_state_hdr h;
	int rc;

	rc = rd_full(&r, &h, sizeof(h), "the header");
	if (rc)
		return rc;
	if (memcmp(h.magic, HV_STATE_MAGIC, sizeof(h.magic)))
		return rd_fail(&r, -EINVAL, "not an xlhv state file (bad "
			       "magic)");
	if (h.version != HV_STATE_VERSION)
		return rd_fail(&r, -EPROTONOSUPPORT, "state format version "
			       "%u, this xlhv reads only version %u",
			       h.version, HV_STATE_VERSION);
	if (hv_crc32c(0, &h, offsetof(struct hv_state_hdr, crc)) != h.crc)
		return rd_fail(&r, -EINVAL, "header checksum mismatch");
	if (h.hdr_len != sizeof(h))
		return rd_fail(&r, -EINVAL, "header length %u, want %zu",
			       h.hdr_len, sizeof(h));
	if (h.ram_size < (uint64_t)HV_MEM_MIN_MB << 20 ||
	    h.ram_size > (uint64_t)HV_MEM_MAX_MB << 20 ||
	    h.ram_size & ((1ULL << 20) - 1))
		return rd_fail(&r, -EINVAL, "RAM size %llu bytes is not a "
			       "whole number of MiB from %d to %d",
			       (unsigned long long)h.ram_size, HV_MEM_MIN_MB,
			       HV_MEM_MAX_MB);
	if (h.nr_vcpus < 1 || h.nr_vcpus > HV_STATE_MAX_VCPUS)
		return rd_fail(&r, -EINVAL, "%u vCPUs (want 1 to %d)",
			       h.nr_vcpus, HV_STATE_MAX_VCPUS);
	if (h.nr_sections < h.nr_vcpus + 2 ||
	    h.nr_sections > HV_STATE_MAX_SECTIONS)
		return rd_fail(&r, -EINVAL, "section count %u out of range "
			       "(%u to %d for %u vCPUs)", h.nr_sections,
			       h.nr_vcpus + 2, HV_STATE_MAX_SECTIONS,
			       h.nr_vcpus);
	if (h.flags & ~HV_STATE_F_ALL)
		return rd_fail(&r, -EINVAL, "unknown flags %#x", h.flags);
	*out = h;
	return 0;
}

static const char *const sec_names[] = {
	[HV_SEC_VM] = "VM", [HV_SEC_CLOCK] = "CLOCK",
	[HV_SEC_IRQCHIP] = "IRQCHIP", [HV_SEC_PIT] = "PIT",
	[HV_SEC_VCPU] = "VCPU", [HV_SEC_DEVICE] = "DEVICE",
	[HV_SEC_RAM] = "RAM", [HV_SEC_END] = "END",
};

/* The section expected at position @i, given what came before. */
struct order {
	uint32_t want_fixed;	/* next of VM, CLOCK, IRQCHIP, PIT */
	uint32_t vcpus, devs;
	int ram, end;
};

static int check_order(struct rd *r, const struct hv_state_hdr *h,
		       struct order *o, const struct hv_state_sec_hdr *sh,
		       uint32_t idx)
{
	uint32_t t = sh->type;
	static const uint32_t fixed[] = { HV_SEC_VM, HV_SEC_CLOCK,
					  HV_SEC_IRQCHIP, HV_SEC_PIT };
	static const uint32_t skip_flag[] = { 0, HV_STATE_F_NO_CLOCK,
					      HV_STATE_F_NO_IRQCHIP,
					      HV_STATE_F_NO_PIT };

	/* Skip the fixed sections the header says are absent. */
	while (o->want_fixed < 4 && skip_flag[o->want_fixed] & h->flags)
		o->want_fixed++;
	if (o->want_fixed < 4) {
		if (t != fixed[o->want_fixed] || sh->instance)
			goto bad;
		o->want_fixed++;
		return 0;
	}
	if (t == HV_SEC_VCPU && !o->devs && !o->ram &&
	    sh->instance == o->vcpus && o->vcpus < h->nr_vcpus) {
		o->vcpus++;
		return 0;
	}
	if (o->vcpus != h->nr_vcpus && t != HV_SEC_VCPU)
		return rd_fail(r, -EINVAL, "section %u: %s where VCPU %u was "
			       "due (the header says %u vCPUs)", idx,
			       t < HV_SEC_END + 1 && t ? sec_names[t] : "?",
			       o->vcpus, h->nr_vcpus);
	if (t == HV_SEC_DEVICE && !o->ram && sh->instance == o->devs &&
	    o->devs < HV_STATE_MAX_DEVS) {
		o->devs++;
		return 0;
	}
	if (t == HV_SEC_RAM && !o->ram && !sh->instance) {
		o->ram = 1;
		return 0;
	}
	if (t == HV_SEC_END && o->ram && !sh->instance) {
		o->end = 1;
		return 0;
	}
bad:
	if (t == 0 || t > HV_SEC_END)
		return rd_fail(r, -EINVAL, "section %u has unknown type %u",
			       idx, t);
	return rd_fail(r, -EINVAL, "section %u: %s %u out of order", idx,
		       sec_names[t], sh->instance);
}

/* Exact payload sizes of the fixed sections (0: checked elsewhere). */
static uint64_t fixed_len(uint32_t type)
{
	switch (type) {
	case HV_SEC_VM:
		return sizeof(struct hv_state_vm);
	case HV_SEC_CLOCK:
		return sizeof(struct kvm_clock_data);
	case HV_SEC_IRQCHIP:
		return NR_IRQCHIPS * sizeof(struct kvm_irqchip);
	case HV_SEC_PIT:
		return sizeof(struct kvm_pit_state2);
	}
	return 0;
}

static int read_crc(struct rd *r, uint32_t crc, uint32_t idx,
		    const char *name)
{
	uint32_t want;
	int rc;

	rc = rd_full(r, &want, sizeof(want), name);
	if (rc)
		return rc;
	if (want != crc)
		return rd_fail(r, -EINVAL, "section %u (%s): checksum "
			       "mismatch", idx, name);
	return 0;
}

static int read_ram(struct rd *r, const struct hv_state_hdr *h,
		    const struct hv_state_sec_hdr *sh, uint32_t idx,
		    uint8_t *ram)
{
	uint64_t pages = h->ram_size / HV_STATE_PAGE, count, present = 0;
	size_t words = (size_t)((pages + 63) / 64);
	uint64_t *bitmap = NULL;
	uint32_t crc = 0;
	int rc;

	if (sh->len < 8 + words * 8)
		return rd_fail(r, -EINVAL, "section %u (RAM): length %llu "
			       "cannot hold its page bitmap", idx,
			       (unsigned long long)sh->len);
	rc = rd_full(r, &count, sizeof(count), "the RAM section");
	if (rc)
		return rc;
	crc = hv_crc32c(crc, &count, sizeof(count));
	if (count != pages)
		return rd_fail(r, -EINVAL, "section %u (RAM): %llu pages, but "
			       "the header says %llu MiB (%llu pages)", idx,
			       (unsigned long long)count,
			       (unsigned long long)(h->ram_size >> 20),
			       (unsigned long long)pages);
	bitmap = malloc(words * 8);
	if (!bitmap)
		return rd_fail(r, -ENOMEM, "out of memory");
	rc = rd_full(r, bitmap, words * 8, "the RAM bitmap");
	if (rc)
		goto out;
	crc = hv_crc32c(crc, bitmap, words * 8);
	if (pages % 64 && bitmap[words - 1] >> (pages % 64)) {
		rc = rd_fail(r, -EINVAL, "section %u (RAM): bitmap marks "
			     "pages past the end of RAM", idx);
		goto out;
	}
	for (size_t i = 0; i < words; i++)
		present += (uint64_t)__builtin_popcountll(bitmap[i]);
	if (sh->len != 8 + words * 8 + present * HV_STATE_PAGE) {
		rc = rd_fail(r, -EINVAL, "section %u (RAM): length %llu, but "
			     "its bitmap marks %llu pages (%llu bytes)", idx,
			     (unsigned long long)sh->len,
			     (unsigned long long)present,
			     (unsigned long long)(8 + words * 8 +
						  present * HV_STATE_PAGE));
		goto out;
	}
	for (uint64_t i = 0; i < pages;) {
		uint64_t run = 0;
		uint8_t *p = ram + i * HV_STATE_PAGE;

		while (i + run < pages &&
		       bitmap[(i + run) / 64] & 1ULL << ((i + run) % 64))
			run++;
		if (run) {
			rc = rd_full(r, p, run * HV_STATE_PAGE,
				     "the RAM pages");
			if (rc)
				goto out;
			crc = hv_crc32c(crc, p, run * HV_STATE_PAGE);
		}
		i += run ? run : 1;
	}
	rc = read_crc(r, crc, idx, "RAM");
out:
	free(bitmap);
	return rc;
}

void hv_state_secs_free(struct hv_state_sec *secs, uint32_t nr)
{
	if (!secs)
		return;
	for (uint32_t i = 0; i < nr; i++)
		free(secs[i].data);
	free(secs);
}

int hv_state_read_body(int fd, const struct hv_state_hdr *h,
		       struct hv_state_sec **out, uint32_t *out_nr,
		       uint8_t *ram, char *err, size_t errlen)
{
	struct rd r = { .fd = fd, .err = err, .errlen = errlen };
	struct hv_state_sec *secs = NULL;
	struct order o = { 0 };
	uint32_t nr = 0;
	uint8_t extra;
	int rc = 0;

	secs = calloc(h->nr_sections, sizeof(*secs));
	if (!secs)
		return rd_fail(&r, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < h->nr_sections && !o.end; i++) {
		struct hv_state_sec_hdr sh;
		const char *name;
		char what[48];
		uint64_t want;

		snprintf(what, sizeof(what), "section %u's header", i);
		rc = rd_full(&r, &sh, sizeof(sh), what);
		if (rc)
			goto out;
		if (hv_crc32c(0, &sh, offsetof(struct hv_state_sec_hdr, crc)) !=
		    sh.crc) {
			rc = rd_fail(&r, -EINVAL, "section %u: header "
				     "checksum mismatch", i);
			goto out;
		}
		rc = check_order(&r, h, &o, &sh, i);
		if (rc)
			goto out;
		name = sec_names[sh.type];
		if (sh.type == HV_SEC_RAM) {
			rc = read_ram(&r, h, &sh, i, ram);
			if (rc)
				goto out;
			continue;
		}
		want = fixed_len(sh.type);
		if (sh.type == HV_SEC_END)
			want = 0;
		if ((want || sh.type == HV_SEC_END) ? sh.len != want :
		    sh.len > HV_STATE_SEC_MAX) {
			rc = rd_fail(&r, -EINVAL, "section %u (%s %u): length "
				     "%llu, want %s%llu", i, name, sh.instance,
				     (unsigned long long)sh.len,
				     want || sh.type == HV_SEC_END ? "" :
								     "at most ",
				     (unsigned long long)(want ||
					sh.type == HV_SEC_END ? want :
					HV_STATE_SEC_MAX));
			goto out;
		}
		secs[nr] = (struct hv_state_sec){ .type = sh.type,
						  .instance = sh.instance,
						  .len = sh.len };
		secs[nr].data = malloc(sh.len ? sh.len : 1);
		if (!secs[nr].data) {
			rc = rd_fail(&r, -ENOMEM, "out of memory");
			goto out;
		}
		nr++;
		snprintf(what, sizeof(what), "section %u (%s %u)", i, name,
			 sh.instance);
		rc = rd_full(&r, secs[nr - 1].data, sh.len, what);
		if (!rc)
			rc = read_crc(&r, hv_crc32c(0, secs[nr - 1].data,
						    sh.len), i, name);
		if (rc)
			goto out;
		if (sh.type == HV_SEC_END)
			break;
	}
	if (!o.end) {
		rc = rd_fail(&r, -EINVAL, "no END section within the %u "
			     "sections the header announces", h->nr_sections);
		goto out;
	}
	if (nr + 1 != h->nr_sections) {
		rc = rd_fail(&r, -EINVAL, "END after %u sections, but the "
			     "header announces %u", nr + 1, h->nr_sections);
		goto out;
	}
	if (read(fd, &extra, 1) != 0) {
		rc = rd_fail(&r, -EINVAL, "data after the END section");
		goto out;
	}
	*out = secs;
	*out_nr = nr;
	secs = NULL;
out:
	hv_state_secs_free(secs, nr);
	return rc;
}

/* ---- Save ------------------------------------------------------------ */

/* Append a section holding a copy of @len bytes at @p. */
static int sec_add(struct hv_state_sec *secs, uint32_t *nr, uint32_t type,
		   uint32_t instance, const void *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	if (!d)
		return -ENOMEM;
	memcpy(d, p, len);
	secs[(*nr)++] = (struct hv_state_sec){ type, instance, len, d };
	return 0;
}

static int save_vm_secs(struct hv_vm *vm, struct hv_state_hdr *hdr,
			struct hv_state_sec *secs, uint32_t *nr)
{
	struct hv_state_vm vs = { .boot_kind = (uint32_t)vm->boot_kind,
				  .boot_arg = vm->boot_arg };
	struct kvm_irqchip chips[NR_IRQCHIPS];
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
	int rc;

	rc = sec_add(secs, nr, HV_SEC_VM, 0, &vs, sizeof(vs));
	if (rc)
		return rc;
	memset(&clock, 0, sizeof(clock));
	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &clock) == 0) {
		rc = sec_add(secs, nr, HV_SEC_CLOCK, 0, &clock, sizeof(clock));
		if (rc)
			return rc;
	} else {
		hv_err("save: KVM_GET_CLOCK: %s: the clock is not saved",
		       strerror(errno));
		hdr->flags |= HV_STATE_F_NO_CLOCK;
	}
	if (!vm->caps.irqchip) {
		hdr->flags |= HV_STATE_F_NO_IRQCHIP;
	} else {
		memset(chips, 0, sizeof(chips));
		for (unsigned int i = 0; i < NR_IRQCHIPS; i++) {
			chips[i].chip_id = i;
			if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &chips[i]) < 0) {
				hv_err("save: KVM_GET_IRQCHIP %u: %s", i,
				       strerror(errno));
				return -errno;
			}
		}
		rc = sec_add(secs, nr, HV_SEC_IRQCHIP, 0, chips,
			     sizeof(chips));
		if (rc)
			return rc;
	}
	if (!vm->caps.pit) {
		hdr->flags |= HV_STATE_F_NO_PIT;
	} else {
		memset(&pit, 0, sizeof(pit));
		if (ioctl(vm->vm_fd, KVM_GET_PIT2, &pit) < 0) {
			hv_err("save: KVM_GET_PIT2: %s", strerror(errno));
			return -errno;
		}
		rc = sec_add(secs, nr, HV_SEC_PIT, 0, &pit, sizeof(pit));
	}
	return rc;
}

static int save_vcpus(struct hv_vm *vm, struct hv_state_sec *secs,
		      uint32_t *nr)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		uint8_t *blob;
		size_t len;
		int rc;

		rc = hv_vcpu_state_get(&vm->vcpus[i], &blob, &len);
		if (rc)
			return rc;
		secs[(*nr)++] = (struct hv_state_sec){ HV_SEC_VCPU, i, len,
						       blob };
	}
	return 0;
}

static int save_devices(struct hv_vm *vm, struct hv_state_sec *secs,
			uint32_t *nr)
{
	uint8_t *buf;
	int rc = 0;

	if (vm->nr_devs > HV_STATE_MAX_DEVS)
		return -E2BIG;
	buf = malloc(HV_STATE_SEC_MAX);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < vm->nr_devs; i++) {
		struct hv_device *dev = vm->devs[i];
		size_t len = 0;

		if (!dev->ops->save) {
			hv_err("save: device %s cannot save its state",
			       dev->name);
			rc = -EOPNOTSUPP;
			break;
		}
		memset(buf, 0, HV_STATE_DEV_NAME);
		strncpy((char *)buf, dev->name, HV_STATE_DEV_NAME - 1);
		rc = dev->ops->save(dev, buf + HV_STATE_DEV_NAME,
				    HV_STATE_SEC_MAX - HV_STATE_DEV_NAME,
				    &len);
		if (rc) {
			hv_err("save: device %s: %s", dev->name,
			       strerror(-rc));
			break;
		}
		rc = sec_add(secs, nr, HV_SEC_DEVICE, (uint32_t)i, buf,
			     HV_STATE_DEV_NAME + len);
		if (rc)
			break;
	}
	free(buf);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int hv_state_collect(struct hv_vm *vm, uint32_t *flags,
		     struct hv_state_sec **out, uint32_t *out_nr)
{
	struct hv_state_hdr hdr = { .flags = 0 };
	struct hv_state_sec *secs;
	uint32_t nr = 0;
	int rc;

	secs = calloc(HV_STATE_MAX_SECTIONS, sizeof(*secs));
	if (!secs)
		return -ENOMEM;
	rc = save_vm_secs(vm, &hdr, secs, &nr);
	if (!rc)
		rc = save_vcpus(vm, secs, &nr);
	if (!rc)
		rc = save_devices(vm, secs, &nr);
	if (rc) {
		hv_state_secs_free(secs, nr);
		return rc;
	}
	*flags = hdr.flags;
	*out = secs;
	*out_nr = nr;
	return 0;
}

int hv_state_save(struct hv_vm *vm, const char *path, int given_fd,
		  uint64_t *bytes)
{
	struct hv_state_hdr hdr = { .nr_vcpus = vm->nr_vcpus };
	struct hv_state_sec *secs = NULL;
	uint32_t nr = 0;
	double t0 = now_s();
	struct stat st;
	int fd = given_fd, rc;

	rc = hv_state_collect(vm, &hdr.flags, &secs, &nr);
	if (rc)
		return rc;
	if (given_fd >= 0 && (ftruncate(fd, 0) < 0 ||
			      lseek(fd, 0, SEEK_SET) < 0)) {
		rc = -errno;
		hv_err("save: %s: %s", path, strerror(errno));
		goto out;
	}
	if (given_fd < 0)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
	if (fd < 0) {
		rc = -errno;
		hv_err("save: %s: %s", path, strerror(errno));
		goto out;
	}
	rc = hv_state_write(fd, &hdr, secs, nr, vm->ram, vm->ram_size,
			    vm->mem_fd);
	if (!rc && fdatasync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	if (rc) {
		hv_err("save: write %s: %s", path, strerror(-rc));
		goto out;
	}
	if (fstat(fd, &st) == 0 && bytes)
		*bytes = (uint64_t)st.st_size;
	if (fstat(fd, &st) == 0)
		hv_err("saved %u vCPUs and %llu MiB of RAM to %s: %lld bytes "
		       "in %.3f s", vm->nr_vcpus,
		       (unsigned long long)(vm->ram_size >> 20), path,
		       (long long)st.st_size, now_s() - t0);
out:
	if (given_fd >= 0 && rc && ftruncate(fd, 0) < 0) {
		/* the caller removes it */
	}
	if (given_fd < 0 && fd >= 0) {
		close(fd);
		if (rc)
			unlink(path);
	}
	hv_state_secs_free(secs, nr);
	return rc;
}

/* ---- Load ------------------------------------------------------------ */

static int load_fail(const char *path, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int load_fail(const char *what, int rc, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hv_err("%s: %s", what, msg);
	return rc;
}

/* Everything checked that can be without KVM, before anything is set. */
static int check_secs(struct hv_vm *vm, const struct hv_state_hdr *hdr,
		      const struct hv_state_sec *secs, uint32_t nr,
		      const char *path)
{
	uint32_t ndev = 0;
	const char *why;

	if (!(hdr->flags & HV_STATE_F_NO_IRQCHIP) != !!vm->caps.irqchip)
		return load_fail(path, -EINVAL, "saved %s an in-kernel "
				 "irqchip, but this VM has %s",
				 vm->caps.irqchip ? "without" : "with",
				 vm->caps.irqchip ? "one" : "none");
	if (!(hdr->flags & HV_STATE_F_NO_PIT) != !!vm->caps.pit)
		return load_fail(path, -EINVAL, "saved %s a PIT, but this VM "
				 "has %s", vm->caps.pit ? "without" : "with",
				 vm->caps.pit ? "one" : "none");
	for (uint32_t i = 0; i < nr; i++) {
		const struct hv_state_sec *s = &secs[i];
		char name[HV_STATE_DEV_NAME];

		if (s->type == HV_SEC_VCPU &&
		    hv_vcpu_state_check(s->data, s->len, &why))
			return load_fail(path, -EINVAL, "vCPU %u: %s",
					 s->instance, why);
		if (s->type != HV_SEC_DEVICE)
			continue;
		if (s->len < HV_STATE_DEV_NAME ||
		    s->data[HV_STATE_DEV_NAME - 1])
			return load_fail(path, -EINVAL, "device section %u "
					 "has no name", s->instance);
		memcpy(name, s->data, sizeof(name));
		if (s->instance >= vm->nr_devs ||
		    strcmp(name, vm->devs[s->instance]->name))
			return load_fail(path, -EINVAL, "device %u is \"%s\" "
					 "in the file, but \"%s\" here (the "
					 "same devices must be configured)",
					 s->instance, name,
					 s->instance < vm->nr_devs ?
					 vm->devs[s->instance]->name : "none");
		if (!vm->devs[s->instance]->ops->load)
			return load_fail(path, -EOPNOTSUPP, "device %s cannot "
					 "load its state", name);
		ndev++;
	}
	if (ndev != vm->nr_devs)
		return load_fail(path, -EINVAL, "%u devices in the file, %zu "
				 "here (the same devices must be configured)",
				 ndev, vm->nr_devs);
	return 0;
}

static int apply_vm(struct hv_vm *vm, const struct hv_state_sec *s,
		    const char *path)
{
	struct kvm_clock_data clock;
	struct hv_state_vm vs;

	switch (s->type) {
	case HV_SEC_VM:
		memcpy(&vs, s->data, sizeof(vs));
		vm->boot_kind = (int)vs.boot_kind;
		vm->boot_arg = vs.boot_arg;
		return 0;
	case HV_SEC_CLOCK:
		memcpy(&clock, s->data, sizeof(clock));
		/* Only the value: the flags say how it was read. */
		clock.flags = 0;
		if (ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0)
			return load_fail(path, -errno, "KVM_SET_CLOCK: %s",
					 strerror(errno));
		return 0;
	case HV_SEC_IRQCHIP:
		for (unsigned int i = 0; i < NR_IRQCHIPS; i++) {
			struct kvm_irqchip chip;

			memcpy(&chip, s->data + i * sizeof(chip), sizeof(chip));
			if (chip.chip_id != i)
				return load_fail(path, -EINVAL, "irqchip %u "
						 "says it is chip %u", i,
						 chip.chip_id);
			if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &chip) < 0)
				return load_fail(path, -errno,
						 "KVM_SET_IRQCHIP %u: %s", i,
						 strerror(errno));
		}
		return 0;
	case HV_SEC_PIT:
		if (ioctl(vm->vm_fd, KVM_SET_PIT2, s->data) < 0)
			return load_fail(path, -errno, "KVM_SET_PIT2: %s",
					 strerror(errno));
		return 0;
	}
	return 0;
}

int hv_state_apply(struct hv_vm *vm, const struct hv_state_hdr *hdr,
		   const struct hv_state_sec *secs, uint32_t nr,
		   const char *path)
{
	const char *why;
	int rc;

	rc = check_secs(vm, hdr, secs, nr, path);
	if (rc)
		return rc;
	/* The VM-wide state first, then vCPUs, then devices. */
	for (uint32_t i = 0; i < nr && !rc; i++)
		rc = apply_vm(vm, &secs[i], path);
	for (uint32_t i = 0; i < nr && !rc; i++) {
		if (secs[i].type != HV_SEC_VCPU)
			continue;
		rc = hv_vcpu_state_set(&vm->vcpus[secs[i].instance],
				       secs[i].data, secs[i].len, &why);
		if (rc)
			load_fail(path, rc, "vCPU %u: %s: %s",
				  secs[i].instance, why, strerror(-rc));
	}
	for (uint32_t i = 0; i < nr && !rc; i++) {
		struct hv_device *dev;

		if (secs[i].type != HV_SEC_DEVICE)
			continue;
		dev = vm->devs[secs[i].instance];
		rc = dev->ops->load(dev, secs[i].data + HV_STATE_DEV_NAME,
				    secs[i].len - HV_STATE_DEV_NAME);
		if (rc)
			load_fail(path, rc, "device %s: its state is %s",
				  dev->name, rc == -EINVAL ? "invalid" :
				  strerror(-rc));
	}
	return rc;
}

int hv_state_check_layout(const struct hv_state_hdr *hdr,
			  const struct hv_state_sec *secs, uint32_t nr,
			  char *err, size_t errlen)
{
	struct rd r = { .fd = -1, .err = err, .errlen = errlen };
	struct order o = { 0 };
	int rc;

	for (uint32_t i = 0; i < nr; i++) {
		struct hv_state_sec_hdr sh = { .type = secs[i].type,
					       .instance = secs[i].instance,
					       .len = secs[i].len };
		uint64_t want;

		if (sh.type == HV_SEC_RAM || sh.type == HV_SEC_END)
			return rd_fail(&r, -EINVAL, "section %u: %s in a "
				       "stream", i, sec_names[sh.type]);
		rc = check_order(&r, hdr, &o, &sh, i);
		if (rc)
			return rc;
		want = fixed_len(sh.type);
		if (want ? sh.len != want : sh.len > HV_STATE_SEC_MAX)
			return rd_fail(&r, -EINVAL, "%s %u: length %llu, want "
				       "%s%llu", sec_names[sh.type],
				       sh.instance, (unsigned long long)sh.len,
				       want ? "" : "at most ",
				       (unsigned long long)(want ? want :
							    HV_STATE_SEC_MAX));
	}
	while (o.want_fixed < 4 &&
	       ((const uint32_t[]){ 0, HV_STATE_F_NO_CLOCK,
				    HV_STATE_F_NO_IRQCHIP,
				    HV_STATE_F_NO_PIT })[o.want_fixed] &
		       hdr->flags)
		o.want_fixed++;
	if (o.want_fixed < 4)
		return rd_fail(&r, -EINVAL, "the state ends before its %s "
			       "section", sec_names[o.want_fixed + 1]);
	if (o.vcpus != hdr->nr_vcpus)
		return rd_fail(&r, -EINVAL, "the state ends where VCPU %u was "
			       "due (the header says %u vCPUs)", o.vcpus,
			       hdr->nr_vcpus);
	return 0;
}

int hv_state_load(struct hv_vm *vm, int fd, const struct hv_state_hdr *hdr,
		  const char *path)
{
	struct hv_state_sec *secs = NULL;
	uint32_t nr = 0;
	char err[256], what[1100];
	int rc;

	snprintf(what, sizeof(what), "restore %s", path);
	if (hdr->ram_size != vm->ram_size || hdr->nr_vcpus != vm->nr_vcpus)
		return load_fail(what, -EINVAL, "VM built with the wrong "
				 "size");
	rc = hv_state_read_body(fd, hdr, &secs, &nr, vm->ram, err,
				sizeof(err));
	if (rc)
		return load_fail(what, rc, "%s", err);
	rc = hv_state_apply(vm, hdr, secs, nr, what);
	hv_state_secs_free(secs, nr);
	return rc;
}

/* ---- Devices without state ------------------------------------------- */

int hv_device_save_none(struct hv_device *dev, void *buf, size_t cap,
			size_t *len)
{
	(void)dev;
	(void)buf;
	(void)cap;
	*len = 0;
	return 0;
}

int hv_device_load_none(struct hv_device *dev, const void *buf, size_t len)
{
	(void)dev;
	(void)buf;
	return len ? -EINVAL : 0;
}
