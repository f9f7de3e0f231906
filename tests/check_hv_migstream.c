// SPDX-License-Identifier: GPL-2.0
/*
 * The migration stream (hypervisor/migstream.c) without KVM: the writer
 * read back by the reader through a pipe and a file; zero pages; optional
 * records skipped and unknown mandatory ones refused; every truncation
 * and every bit flip of a small stream refused with a message; bad page
 * records, lengths and headers; the record order; a stalled and a
 * vanished peer; and 1000 random corruptions of a realistic stream, each
 * refused by hv_mig_check_stream.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hypervisor/migstream.h"
#include "hypervisor/state.h"
#include "tests/hvt_check.h"

#define NR_VCPUS	2

/* ---- Building streams ------------------------------------------------ */

/* A vCPU blob hv_vcpu_state_check accepts (vcpu_state.c's records). */
static size_t blob_rec(uint8_t *p, uint32_t kind, uint32_t len, uint8_t fill)
{
	uint32_t h[2] = { kind, len };

	memcpy(p, h, sizeof(h));
	memset(p + 8, 0, (len + 7) & ~7U);
	memset(p + 8, fill, len > 16 ? 16 : len);
	return 8 + ((len + 7) & ~7U);
}

static size_t make_blob(uint8_t *b, uint8_t fill)
{
	size_t n = 0;

	n += blob_rec(b + n, 1, sizeof(struct kvm_regs), fill);
	n += blob_rec(b + n, 2, sizeof(struct kvm_sregs), fill);
	n += blob_rec(b + n, 6, sizeof(struct kvm_msrs), 0); /* no MSRs */
	n += blob_rec(b + n, 8, sizeof(struct kvm_mp_state), 0);
	return n;
}

static int mem_fd(const uint8_t *buf, size_t len)
{
	int fd = memfd_create("migstream", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	if (len)
		ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Everything written to @fd (a memfd), read back. */
static uint8_t *slurp(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	uint8_t *buf = malloc((size_t)end + 1);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, (size_t)end, 0), end);
	*len = (size_t)end;
	return buf;
}

struct gen {
	uint64_t ram_size;
	uint32_t flags;
	int verify;		/* VERIFY and the pages again */
	int extra_optional;	/* an unknown optional record amid them */
};

/* The guest RAM the streams carry: a pattern, every third page zero. */
static uint8_t *make_ram(uint64_t size)
{
	uint8_t *ram = calloc(1, size);

	ck_assert_ptr_nonnull(ram);
	for (uint64_t p = 0; p < size / HV_MIG_PAGE; p++) {
		if (p % 3 == 0)
			continue;
		for (size_t i = 0; i < HV_MIG_PAGE; i += 64)
			ram[p * HV_MIG_PAGE + i] = (uint8_t)(p * 31 + i);
	}
	return ram;
}

/* Write the state records of a paused guest. */
static void write_state(struct hv_mig_wr *w, const struct gen *g)
{
	static const struct hv_state_vm vm = { .boot_kind = 1, .boot_arg = 2 };
	static uint8_t clock[sizeof(struct kvm_clock_data)] = { 4 };
	static uint8_t chips[3 * sizeof(struct kvm_irqchip)] = { 5 };
	static uint8_t pit[sizeof(struct kvm_pit_state2)] = { 6 };
	static uint8_t blob[4096];
	uint8_t dev[8 + HV_STATE_DEV_NAME + 12] = { 0 };
	uint32_t head[2] = { 0, 0 };
	size_t n;

	ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_VM, &vm, sizeof(vm)), 0);
	if (!(g->flags & HV_STATE_F_NO_CLOCK))
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_CLOCK, clock,
						  sizeof(clock)), 0);
	if (!(g->flags & HV_STATE_F_NO_IRQCHIP))
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_IRQCHIP, chips,
						  sizeof(chips)), 0);
	if (!(g->flags & HV_STATE_F_NO_PIT))
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_PIT, pit,
						  sizeof(pit)), 0);
	/* vCPUs in reverse: any order is fine, each once. */
	for (int v = NR_VCPUS - 1; v >= 0; v--) {
		n = make_blob(blob, (uint8_t)(0x10 + v));
		head[0] = (uint32_t)v;
		ck_assert_int_eq(hv_mig_write_rec2(w, HV_MIG_VCPU, head, 8,
						   blob, (uint32_t)n), 0);
	}
	memcpy(dev + 8, "uart", 4);
	memset(dev + 8 + HV_STATE_DEV_NAME, 0x77, 12);
	ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_DEVICE, dev, 8 +
					  HV_STATE_DEV_NAME + 5), 0);
}

/* A stream of @g's guest, into a new buffer. */
static uint8_t *make_stream(const struct gen *g, const uint8_t *ram,
			    size_t *len)
{
	struct hv_mig_ihdr h = {
		.version = HV_MIG_VERSION, .page_shift = HV_MIG_PAGE_SHIFT,
		.nr_vcpus = NR_VCPUS, .ram_size = g->ram_size,
		.flags = g->flags,
	};
	uint64_t nr = g->ram_size / HV_MIG_PAGE, pfns[HV_MIG_BATCH];
	static const char info[] = "check_hv_migstream";
	struct hv_mig_wr *w;
	uint8_t *buf;
	int fd = mem_fd(NULL, 0);

	w = hv_mig_wr_new(fd);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(hv_mig_write_ihdr(w, &h), 0);
	ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_SENDER_INFO, info,
					  sizeof(info) - 1), 0);
	/* A full pass in batches of 100, then a "dirty" pass of odd pages. */
	for (uint64_t p = 0; p < nr; p += 100) {
		uint32_t c = 0;

		for (uint64_t q = p; q < nr && q < p + 100; q++)
			pfns[c++] = q;
		ck_assert_int_eq(hv_mig_write_pages(w, pfns, c, ram), 0);
	}
	if (g->extra_optional)
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_REC_OPTIONAL |
						  0x777, "future", 6), 0);
	{
		uint32_t c = 0;

		for (uint64_t q = 1; q < nr && c < 50; q += 2)
			pfns[c++] = q;
		if (c)
			ck_assert_int_eq(hv_mig_write_pages(w, pfns, c, ram),
					 0);
	}
	write_state(w, g);
	if (g->verify) {
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_VERIFY, NULL, 0),
				 0);
		for (uint64_t p = 0; p < nr; p += HV_MIG_BATCH) {
			uint32_t c = 0;

			for (uint64_t q = p; q < nr && c < HV_MIG_BATCH; q++)
				pfns[c++] = q;
			ck_assert_int_eq(hv_mig_write_pages(w, pfns, c, ram),
					 0);
		}
	}
	ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_END, NULL, 0), 0);
	ck_assert_int_eq(hv_mig_wr_flush(w), 0);
	buf = slurp(fd, len);
	ck_assert_uint_eq(hv_mig_wr_bytes(w), *len);
	hv_mig_wr_free(w);
	close(fd);
	return buf;
}

static int check_buf(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	int fd = mem_fd(buf, len), rc;

	err[0] = '\0';
	rc = hv_mig_check_stream(fd, err, errlen);
	close(fd);
	return rc;
}

/* Read a stream from @fd into @ram: 0, or the error. */
static int read_stream(int fd, uint8_t *ram, uint64_t ram_size,
		       uint32_t *nr_recs, char *err, size_t errlen)
{
	struct hv_mig_rd *r = hv_mig_rd_new(fd, 5000);
	struct hv_mig_ihdr h;
	int rc;

	ck_assert_ptr_nonnull(r);
	*nr_recs = 0;
	rc = hv_mig_read_ihdr(r, &h, err, errlen);
	if (!rc && h.ram_size != ram_size)
		rc = -EINVAL;
	while (!rc) {
		struct hv_mig_rec rec;
		struct hv_mig_pages p;
		const uint8_t *d;

		rc = hv_mig_read_rec(r, &rec, err, errlen);
		if (rc)
			break;
		(*nr_recs)++;
		if (rec.type == HV_MIG_END)
			break;
		if (rec.type != HV_MIG_PAGE_DATA)
			continue;
		rc = hv_mig_parse_pages(&rec, ram_size / HV_MIG_PAGE, &p, err,
					errlen);
		d = p.data;
		for (uint32_t i = 0; !rc && i < p.count; i++) {
			uint64_t pfn = p.entries[i] & HV_MIG_PFN_MASK;

			if (HV_MIG_PFN_KIND(p.entries[i]) == HV_MIG_PFN_ZERO) {
				memset(ram + pfn * HV_MIG_PAGE, 0, HV_MIG_PAGE);
				continue;
			}
			memcpy(ram + pfn * HV_MIG_PAGE, d, HV_MIG_PAGE);
			d += HV_MIG_PAGE;
		}
	}
	hv_mig_rd_free(r);
	return rc;
}

/* ---- Round trips ----------------------------------------------------- */

#define BIG_RAM		(4ULL << 20)	/* more than a pipe holds */

START_TEST(test_round_trip_pipe)
{
	uint8_t *ram = make_ram(BIG_RAM), *out = malloc(BIG_RAM);
	char err[256] = "";
	uint32_t nr;
	int pfd[2], status;
	pid_t pid;

	ck_assert_ptr_nonnull(out);
	memset(out, 0xee, BIG_RAM);	/* zero pages must be written too */
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The writer on the pipe itself, in small and big records. */
		struct hv_mig_wr *w = hv_mig_wr_new(pfd[1]);
		struct hv_mig_ihdr h = {
			.version = HV_MIG_VERSION,
			.page_shift = HV_MIG_PAGE_SHIFT,
			.nr_vcpus = NR_VCPUS, .ram_size = BIG_RAM,
		};
		uint64_t pfns[HV_MIG_BATCH];
		int bad = 0;

		close(pfd[0]);
		bad |= hv_mig_write_ihdr(w, &h);
		for (uint64_t p = 0; p < BIG_RAM / HV_MIG_PAGE; p += 256) {
			for (uint32_t i = 0; i < 256; i++)
				pfns[i] = p + i;
			bad |= hv_mig_write_pages(w, pfns, 256, ram);
		}
		bad |= hv_mig_write_rec(w, HV_MIG_END, NULL, 0);
		bad |= hv_mig_wr_flush(w);
		hv_mig_wr_free(w);
		_exit(bad ? 1 : 0);
	}
	close(pfd[1]);
	ck_assert_msg(read_stream(pfd[0], out, BIG_RAM, &nr, err,
				  sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(nr, BIG_RAM / HV_MIG_PAGE / 256 + 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(memcmp(ram, out, BIG_RAM) == 0);
	close(pfd[0]);
	free(ram);
	free(out);
}
END_TEST

START_TEST(test_round_trip_file)
{
	struct gen g = { .ram_size = 1 << 20, .extra_optional = 1 };
	uint8_t *ram = make_ram(g.ram_size), *out = calloc(1, g.ram_size);
	uint8_t *buf;
	char err[256] = "";
	size_t len;
	uint32_t nr;
	int fd;

	buf = make_stream(&g, ram, &len);
	fd = mem_fd(buf, len);
	ck_assert_msg(read_stream(fd, out, g.ram_size, &nr, err,
				  sizeof(err)) == 0, "%s", err);
	ck_assert(memcmp(ram, out, g.ram_size) == 0);
	/* SENDER_INFO, 3 + 1 PAGE_DATA, 4 fixed, 2 VCPU, DEVICE, END: the
	 * unknown optional one skipped. */
	ck_assert_uint_eq(nr, 1 + 4 + 4 + NR_VCPUS + 1 + 1);
	/* The reader stopped exactly at the end of END. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), (off_t)len);
	close(fd);
	ck_assert_msg(check_buf(buf, len, err, sizeof(err)) == 0, "%s", err);
	free(buf);

	/* With VERIFY and every page again; with the KVM lacking things. */
	g.verify = 1;
	g.flags = HV_STATE_F_NO_PIT | HV_STATE_F_NO_CLOCK;
	buf = make_stream(&g, ram, &len);
	ck_assert_msg(check_buf(buf, len, err, sizeof(err)) == 0, "%s", err);
	free(buf);
	free(ram);
	free(out);
}
END_TEST

START_TEST(test_zero_pages)
{
	uint8_t *ram = calloc(1, 64 * HV_MIG_PAGE), *buf;
	uint64_t pfns[] = { 0, 5, 63 };
	struct hv_mig_rd *r;
	struct hv_mig_ihdr h = {
		.version = HV_MIG_VERSION, .page_shift = HV_MIG_PAGE_SHIFT,
		.nr_vcpus = 1, .ram_size = 64 * HV_MIG_PAGE,
	};
	struct hv_mig_wr *w;
	struct hv_mig_rec rec;
	struct hv_mig_pages p;
	char err[256];
	size_t len;
	int fd = mem_fd(NULL, 0);

	ram[5 * HV_MIG_PAGE + 4095] = 1;	/* one page with one byte */
	w = hv_mig_wr_new(fd);
	ck_assert_int_eq(hv_mig_write_ihdr(w, &h), 0);
	ck_assert_int_eq(hv_mig_write_pages(w, pfns, 3, ram), 0);
	ck_assert_int_eq(hv_mig_wr_flush(w), 0);
	hv_mig_wr_free(w);
	buf = slurp(fd, &len);
	close(fd);
	ck_assert_uint_eq(len, HV_MIG_IHDR_LEN + HV_MIG_RHDR_LEN + 8 + 24 +
			  HV_MIG_PAGE);
	fd = mem_fd(buf, len);
	r = hv_mig_rd_new(fd, 0);
	ck_assert_int_eq(hv_mig_read_ihdr(r, &h, err, sizeof(err)), 0);
	ck_assert_int_eq(hv_mig_read_rec(r, &rec, err, sizeof(err)), 0);
	ck_assert_int_eq(hv_mig_parse_pages(&rec, 64, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.count, 3);
	ck_assert_uint_eq(HV_MIG_PFN_KIND(p.entries[0]), HV_MIG_PFN_ZERO);
	ck_assert_uint_eq(p.entries[1], 5);
	ck_assert_uint_eq(HV_MIG_PFN_KIND(p.entries[2]), HV_MIG_PFN_ZERO);
	ck_assert_uint_eq(p.entries[2] & HV_MIG_PFN_MASK, 63);
	ck_assert_uint_eq(p.data[4095], 1);
	/* Then the stream ends: truncated, in record 1, at its offset. */
	ck_assert_int_eq(hv_mig_read_rec(r, &rec, err, sizeof(err)),
			 -ECONNRESET);
	ck_assert_msg(strstr(err, "stream truncated in record 1") &&
		      strstr(err, "offset 4184"), "%s", err);
	hv_mig_rd_free(r);
	close(fd);
	free(buf);
	free(ram);
}
END_TEST

/* ---- Record types ---------------------------------------------------- */

/* A header and the given records, raw: @bodies[i] of @lens[i] bytes. */
static uint8_t *raw_stream(uint32_t nr_vcpus, uint64_t ram_size, int n,
			   const uint32_t *types, const void *const *bodies,
			   const uint32_t *lens, size_t *len)
{
	struct hv_mig_ihdr h = {
		.version = HV_MIG_VERSION, .page_shift = HV_MIG_PAGE_SHIFT,
		.nr_vcpus = nr_vcpus, .ram_size = ram_size,
	};
	struct hv_mig_wr *w;
	uint8_t *buf;
	int fd = mem_fd(NULL, 0);

	w = hv_mig_wr_new(fd);
	ck_assert_int_eq(hv_mig_write_ihdr(w, &h), 0);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(hv_mig_write_rec(w, types[i], bodies[i],
						  lens[i]), 0);
	ck_assert_int_eq(hv_mig_wr_flush(w), 0);
	hv_mig_wr_free(w);
	buf = slurp(fd, len);
	close(fd);
	return buf;
}

START_TEST(test_optional_and_mandatory)
{
	const uint32_t types[] = { HV_MIG_REC_OPTIONAL | 0x1234,
				   HV_MIG_SENDER_INFO, 0x77, HV_MIG_END };
	const void *const bodies[] = { "abc", "me", "x", NULL };
	const uint32_t lens[] = { 3, 2, 1, 0 };
	struct hv_mig_ihdr h;
	struct hv_mig_rec rec;
	struct hv_mig_rd *r;
	char err[256];
	uint8_t *buf;
	size_t len;
	int fd;

	buf = raw_stream(1, 1 << 20, 4, types, bodies, lens, &len);
	fd = mem_fd(buf, len);
	r = hv_mig_rd_new(fd, 0);
	ck_assert_int_eq(hv_mig_read_ihdr(r, &h, err, sizeof(err)), 0);
	/* The unknown optional record is skipped; SENDER_INFO is ours. */
	ck_assert_int_eq(hv_mig_read_rec(r, &rec, err, sizeof(err)), 0);
	ck_assert_uint_eq(rec.type, HV_MIG_SENDER_INFO);
	ck_assert_uint_eq(rec.index, 1);
	ck_assert_uint_eq(rec.offset, HV_MIG_IHDR_LEN + HV_MIG_RHDR_LEN + 8);
	ck_assert_uint_eq(rec.len, 2);
	ck_assert_mem_eq(rec.body, "me", 2);
	/* The unknown mandatory one is refused, in Xen's words. */
	ck_assert_int_eq(hv_mig_read_rec(r, &rec, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "Mandatory record 0x77 not handled") &&
		      strstr(err, "record 2"), "%s", err);
	hv_mig_rd_free(r);
	close(fd);
	ck_assert_int_eq(check_buf(buf, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "Mandatory record 0x77"), "%s", err);
	free(buf);
}
END_TEST

/* ---- A small stream, cut and flipped everywhere ---------------------- */

static uint8_t *small_stream(size_t *len)
{
	struct gen g = { .ram_size = 2 * HV_MIG_PAGE };
	uint8_t *ram = make_ram(g.ram_size), *buf;

	buf = make_stream(&g, ram, len);
	free(ram);
	return buf;
}

START_TEST(test_every_truncation)
{
	char err[256];
	size_t len;
	uint8_t *buf = small_stream(&len);

	ck_assert_msg(check_buf(buf, len, err, sizeof(err)) == 0, "%s", err);
	for (size_t cut = 0; cut < len; cut++) {
		int rc = check_buf(buf, cut, err, sizeof(err));

		ck_assert_msg(rc == -ECONNRESET, "cut at %zu: rc %d (%s)", cut,
			      rc, err);
		ck_assert_msg(strstr(err, "stream truncated in ") &&
			      strstr(err, " at offset "), "cut at %zu: %s",
			      cut, err);
	}
	free(buf);
}
END_TEST

START_TEST(test_every_flip)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	char err[256];
	size_t len;
	uint8_t *buf = small_stream(&len);

	/* One mask per byte, in turn: low bit, high bit, all bits. */
	for (size_t i = 0; i < len; i++) {
		uint8_t m = masks[i % sizeof(masks)];
		int rc;

		buf[i] ^= m;
		rc = check_buf(buf, len, err, sizeof(err));
		buf[i] ^= m;
		ck_assert_msg(rc < 0 && err[0], "flip 0x%02x at %zu accepted",
			      m, i);
	}
	free(buf);
}
END_TEST

/* ---- PAGE_DATA bodies ------------------------------------------------ */

static const struct {
	const char *what;
	uint32_t count;		/* as sent */
	uint64_t entry;		/* entry 0 (the others: zero pages) */
	int entries, data;	/* as present in the body */
	const char *msg;
} page_cases[] = {
	{ "good", 2, 3, 2, 1, NULL },
	{ "page beyond RAM", 1, 16, 1, 1, "page 16 beyond the guest's 16" },
	{ "huge page number", 1, HV_MIG_PFN_MASK, 1, 1, "beyond the guest" },
	{ "count 0", 0, 0, 0, 0, "page count 0" },
	{ "count over the batch", HV_MIG_BATCH + 1, 0, 1, 0,
	  "page count 1025" },
	{ "kind 5", 1, 5ULL << 60 | 1, 1, 0, "unknown kind 0x5" },
	{ "reserved bits", 1, 1ULL << 55 | 1, 1, 1, "reserved bits" },
	{ "a data page missing", 2, 3, 2, 0, "want 4120" },
	{ "a data page too many", 1, 3, 1, 2, "want 4112" },
	{ "entries cut short", 4, 3, 2, 0, "too short for 4 page numbers" },
};

START_TEST(test_bad_pages)
{
	static uint8_t body[8 + 16 + 2 * HV_MIG_PAGE];
	uint32_t hdr[2] = { page_cases[_i].count, 0 };
	uint64_t zero_ent = (uint64_t)HV_MIG_PFN_ZERO << 60 | 7;
	uint32_t len = 8, type = HV_MIG_PAGE_DATA;
	const void *bodies[] = { body };
	struct hv_mig_ihdr h;
	struct hv_mig_rec rec;
	struct hv_mig_pages p;
	struct hv_mig_rd *r;
	char err[256] = "";
	uint8_t *buf;
	size_t blen;
	int fd, rc;

	memcpy(body, hdr, 8);
	if (page_cases[_i].entries) {
		memcpy(body + len, &page_cases[_i].entry, 8);
		len += 8;
	}
	if (page_cases[_i].entries > 1) {
		memcpy(body + len, &zero_ent, 8);
		len += 8;
	}
	memset(body + len, 0xab, page_cases[_i].data * HV_MIG_PAGE);
	len += page_cases[_i].data * HV_MIG_PAGE;
	buf = raw_stream(1, 16 * HV_MIG_PAGE, 1, &type, bodies, &len, &blen);
	fd = mem_fd(buf, blen);
	r = hv_mig_rd_new(fd, 0);
	ck_assert_int_eq(hv_mig_read_ihdr(r, &h, err, sizeof(err)), 0);
	ck_assert_int_eq(hv_mig_read_rec(r, &rec, err, sizeof(err)), 0);
	rc = hv_mig_parse_pages(&rec, 16, &p, err, sizeof(err));
	if (!page_cases[_i].msg) {
		ck_assert_msg(rc == 0, "%s", err);
		ck_assert_uint_eq(p.count, 2);
		ck_assert_uint_eq(p.data[0], 0xab);
	} else {
		ck_assert_msg(rc == -EINVAL, "%s: accepted",
			      page_cases[_i].what);
		ck_assert_msg(strstr(err, page_cases[_i].msg) &&
			      strstr(err, "record 0 (PAGE_DATA) at offset 40"),
			      "%s: %s", page_cases[_i].what, err);
	}
	hv_mig_rd_free(r);
	close(fd);
	free(buf);
}
END_TEST

/* ---- Record headers -------------------------------------------------- */

static uint8_t *one_rec(uint32_t type, const void *body, uint32_t blen,
			size_t *len)
{
	const void *bodies[] = { body };

	return raw_stream(1, 1 << 20, 1, &type, bodies, &blen, len);
}

static int read_one(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct hv_mig_ihdr h;
	struct hv_mig_rec rec;
	struct hv_mig_rd *r;
	int fd = mem_fd(buf, len), rc;

	r = hv_mig_rd_new(fd, 0);
	err[0] = '\0';
	rc = hv_mig_read_ihdr(r, &h, err, errlen);
	if (!rc)
		rc = hv_mig_read_rec(r, &rec, err, errlen);
	hv_mig_rd_free(r);
	close(fd);
	return rc;
}

START_TEST(test_bad_rec_headers)
{
	uint8_t *buf, body[12] = "hello";
	char err[256];
	size_t len;
	uint32_t v;

	/* A length over the maximum: refused before any body is read. */
	buf = one_rec(HV_MIG_VM, body, 5, &len);
	v = HV_MIG_REC_MAX + 1;
	memcpy(buf + HV_MIG_IHDR_LEN + 4, &v, 4);
	ck_assert_int_eq(read_one(buf, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "Record (0x00000040, VM) length 0x8000001 "
			     "exceeds max (0x8000000)") &&
		      strstr(err, "record 0 (VM, 0x40) at offset 40"), "%s",
		      err);
	/* A length at the maximum, with the bytes missing: truncated. */
	v = HV_MIG_REC_MAX;
	memcpy(buf + HV_MIG_IHDR_LEN + 4, &v, 4);
	ck_assert_int_eq(read_one(buf, len, err, sizeof(err)), -ECONNRESET);
	/* The reserved word. */
	memcpy(buf + HV_MIG_IHDR_LEN + 4, "\5\0\0\0", 4);
	ck_assert_int_eq(read_one(buf, len, err, sizeof(err)), 0);
	buf[HV_MIG_IHDR_LEN + 13] = 1;
	ck_assert_int_eq(read_one(buf, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "reserved header word"), "%s", err);
	buf[HV_MIG_IHDR_LEN + 13] = 0;
	/* The padding, outside the CRC, must be zero. */
	buf[len - 1] = 1;
	ck_assert_int_eq(read_one(buf, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "padding byte 2 is not zero"), "%s", err);
	buf[len - 1] = 0;
	/* The body, under the CRC. */
	buf[len - 8] ^= 0x20;
	ck_assert_int_eq(read_one(buf, len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "checksum mismatch"), "%s", err);
	free(buf);
	/* The writer refuses what a reader would. */
	{
		struct hv_mig_wr *w;
		uint64_t pfn = 1ULL << 60;
		int fd = mem_fd(NULL, 0);

		w = hv_mig_wr_new(fd);
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_VM, body,
						  HV_MIG_REC_MAX + 1),
				 -EMSGSIZE);
		ck_assert_int_eq(hv_mig_write_rec2(w, HV_MIG_VM, body,
						   HV_MIG_REC_MAX, body, 1),
				 -EMSGSIZE);
		ck_assert_int_eq(hv_mig_write_pages(w, &pfn, 0, body), -EINVAL);
		ck_assert_int_eq(hv_mig_write_pages(w, &pfn, 1, body), -EINVAL);
		ck_assert_int_eq(hv_mig_wr_flush(w), 0);
		ck_assert_uint_eq(hv_mig_wr_bytes(w), 0);
		ck_assert_int_eq(lseek(fd, 0, SEEK_END), 0);
		hv_mig_wr_free(w);
		close(fd);
	}
}
END_TEST

/* ---- Image headers --------------------------------------------------- */

static const struct {
	const char *what;
	struct hv_mig_ihdr h;
	int patch_off;		/* -1: none */
	uint8_t patch;
	int rc;
	const char *msg;
} ihdr_cases[] = {
	{ "good", { 1, 0, 12, 1, 1 << 20, 0 }, -1, 0, 0, NULL },
	{ "marker", { 1, 0, 12, 1, 1 << 20, 0 }, 3, 0, -EINVAL,
	  "Invalid marker: Got 0xffffff00ffffffff" },
	{ "id", { 1, 0, 12, 1, 1 << 20, 0 }, 8, 'Y', -EINVAL,
	  "Invalid ID: Expected 0x584c4856, Got 0x594c4856" },
	{ "version", { 2, 0, 12, 1, 1 << 20, 0 }, -1, 0, -EPROTONOSUPPORT,
	  "Invalid Version: Expected 1, Got 2" },
	{ "crc", { 1, 0, 12, 1, 1 << 20, 0 }, 37, 0x55, -EINVAL,
	  "checksum mismatch" },
	{ "crc of a field", { 1, 0, 12, 1, 1 << 20, 0 }, 21, 1, -EINVAL,
	  "checksum mismatch" },
	{ "options", { 1, 1, 12, 1, 1 << 20, 0 }, -1, 0, -EINVAL,
	  "options 0x0001" },
	{ "page shift", { 1, 0, 16, 1, 1 << 20, 0 }, -1, 0, -EINVAL,
	  "page shift 16" },
	{ "no vCPU", { 1, 0, 12, 0, 1 << 20, 0 }, -1, 0, -EINVAL, "0 vCPUs" },
	{ "65 vCPUs", { 1, 0, 12, 65, 1 << 20, 0 }, -1, 0, -EINVAL,
	  "65 vCPUs (want 1 to 64)" },
	{ "64 vCPUs", { 1, 0, 12, 64, 1 << 20, 0 }, -1, 0, 0, NULL },
	{ "no RAM", { 1, 0, 12, 1, 0, 0 }, -1, 0, -EINVAL, "RAM size 0" },
	{ "RAM not pages", { 1, 0, 12, 1, 4097, 0 }, -1, 0, -EINVAL,
	  "RAM size 4097" },
	{ "RAM huge", { 1, 0, 12, 1, 1ULL << 50, 0 }, -1, 0, -EINVAL,
	  "RAM size" },
	{ "flags", { 1, 0, 12, 1, 1 << 20, 8 }, -1, 0, -EINVAL,
	  "unknown flags 0x8" },
};

START_TEST(test_bad_ihdr)
{
	struct hv_mig_ihdr h = ihdr_cases[_i].h, got;
	struct hv_mig_wr *w;
	struct hv_mig_rd *r;
	char err[256] = "";
	int fd = mem_fd(NULL, 0), rc;
	uint8_t b;

	w = hv_mig_wr_new(fd);
	ck_assert_int_eq(hv_mig_write_ihdr(w, &h), 0);
	ck_assert_int_eq(hv_mig_wr_flush(w), 0);
	hv_mig_wr_free(w);
	if (ihdr_cases[_i].patch_off >= 0) {
		ck_assert_int_eq(pread(fd, &b, 1, ihdr_cases[_i].patch_off), 1);
		b = ihdr_cases[_i].patch_off == 8 ? ihdr_cases[_i].patch :
			(uint8_t)(b ^ (ihdr_cases[_i].patch ?
				       ihdr_cases[_i].patch : 0xff));
		ck_assert_int_eq(pwrite(fd, &b, 1, ihdr_cases[_i].patch_off),
				 1);
	}
	lseek(fd, 0, SEEK_SET);
	r = hv_mig_rd_new(fd, 0);
	rc = hv_mig_read_ihdr(r, &got, err, sizeof(err));
	ck_assert_msg(rc == ihdr_cases[_i].rc, "%s: rc %d (%s)",
		      ihdr_cases[_i].what, rc, err);
	if (ihdr_cases[_i].msg)
		ck_assert_msg(strstr(err, ihdr_cases[_i].msg) &&
			      strstr(err, "image header"), "%s: %s",
			      ihdr_cases[_i].what, err);
	else
		ck_assert(got.version == h.version &&
			  got.options == h.options &&
			  got.page_shift == h.page_shift &&
			  got.nr_vcpus == h.nr_vcpus &&
			  got.ram_size == h.ram_size && got.flags == h.flags);
	hv_mig_rd_free(r);
	close(fd);
}
END_TEST

/* ---- Record order and state records ---------------------------------- */

enum { R_PAGES = 1, R_VM, R_CLOCK, R_CHIPS, R_PIT, R_V0, R_V1, R_V2, R_VBAD,
       R_DEV, R_DEVNONAME, R_VERIFY, R_END, R_ENDLEN, R_INFO, R_VMLEN };

static const struct {
	const char *what;
	uint32_t flags;
	int recs[16];		/* 0-terminated */
	const char *msg;	/* NULL: accepted */
} order_cases[] = {
	{ "good", 0, { R_PAGES, R_VM, R_CLOCK, R_CHIPS, R_PIT, R_V1, R_V0,
		       R_DEV, R_END }, NULL },
	{ "good, flagged absent", HV_STATE_F_ALL,
	  { R_INFO, R_VM, R_V0, R_V1, R_VERIFY, R_PAGES, R_END }, NULL },
	{ "pages after state", HV_STATE_F_ALL,
	  { R_VM, R_PAGES, R_V0, R_V1, R_END }, "pages after the state" },
	{ "no VM", HV_STATE_F_ALL, { R_V0, R_V1, R_END },
	  "before the VM record" },
	{ "VM twice", HV_STATE_F_ALL, { R_VM, R_VM, R_V0, R_V1, R_END },
	  "out of order" },
	{ "CLOCK before VM", 0, { R_CLOCK, R_VM }, "before the VM record" },
	{ "PIT before IRQCHIP", 0, { R_VM, R_CLOCK, R_PIT, R_CHIPS },
	  "IRQCHIP record is missing" },
	{ "flagged but sent", HV_STATE_F_NO_PIT,
	  { R_VM, R_CLOCK, R_CHIPS, R_PIT }, "flags (0x2) say it was not" },
	{ "vCPU out of range", HV_STATE_F_ALL, { R_VM, R_V0, R_V2 },
	  "vCPU 2, but the image header says 2 vCPUs" },
	{ "vCPU twice", HV_STATE_F_ALL, { R_VM, R_V0, R_V0 },
	  "vCPU 0 sent twice" },
	{ "vCPU missing", HV_STATE_F_ALL, { R_VM, R_V1, R_END },
	  "1 VCPU records for 2 vCPUs" },
	{ "vCPU blob", HV_STATE_F_ALL, { R_VM, R_VBAD },
	  "vCPU 0 state: a required record is missing" },
	{ "device name", HV_STATE_F_ALL, { R_VM, R_V0, R_V1, R_DEVNONAME },
	  "has no name" },
	{ "device twice", HV_STATE_F_ALL,
	  { R_VM, R_V0, R_V1, R_DEV, R_DEV }, "device 3 sent twice" },
	{ "vCPU after device", HV_STATE_F_ALL, { R_VM, R_V0, R_DEV, R_V1 },
	  "out of order" },
	{ "VM size", HV_STATE_F_ALL, { R_VMLEN }, "17 bytes, want 16" },
	{ "END with a body", HV_STATE_F_ALL, { R_VM, R_V0, R_V1, R_ENDLEN },
	  "want none" },
	{ "state after VERIFY", HV_STATE_F_ALL,
	  { R_VM, R_V0, R_V1, R_VERIFY, R_DEV }, "state after VERIFY" },
	{ "VERIFY early", HV_STATE_F_ALL, { R_VM, R_V0, R_VERIFY },
	  "not whole: 1 VCPU records" },
	{ "VERIFY twice", HV_STATE_F_ALL,
	  { R_VM, R_V0, R_V1, R_VERIFY, R_VERIFY }, "a second VERIFY" },
	{ "no END", HV_STATE_F_ALL, { R_VM, R_V0, R_V1 },
	  "stream truncated in record 3 at offset" },
	{ "after END", HV_STATE_F_ALL, { R_VM, R_V0, R_V1, R_END, R_INFO },
	  "data after END" },
};

static void put_rec(struct hv_mig_wr *w, int what)
{
	static uint8_t blob[4096], big[sizeof(struct kvm_pit_state2) + 17];
	static uint8_t pram[4 * HV_MIG_PAGE] = { [2 * HV_MIG_PAGE] = 9 };
	static const uint64_t pfns[] = { 0, 2, 3 };
	uint8_t dev[8 + HV_STATE_DEV_NAME] = { 3, 0, 0, 0, 0, 0, 0, 0, 'x' };
	uint32_t head[2] = { 0, 0 };
	uint32_t n;

	switch (what) {
	case R_PAGES:
		ck_assert_int_eq(hv_mig_write_pages(w, pfns, 3, pram), 0);
		return;
	case R_VM:
	case R_VMLEN:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_VM, big,
						  what == R_VM ? 16 : 17), 0);
		return;
	case R_CLOCK:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_CLOCK, big,
				 sizeof(struct kvm_clock_data)), 0);
		return;
	case R_CHIPS:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_IRQCHIP, blob,
				 3 * sizeof(struct kvm_irqchip)), 0);
		return;
	case R_PIT:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_PIT, big,
				 sizeof(struct kvm_pit_state2)), 0);
		return;
	case R_V0:
	case R_V1:
	case R_V2:
	case R_VBAD:
		head[0] = what == R_VBAD ? 0 : (uint32_t)(what - R_V0);
		n = (uint32_t)make_blob(blob, 1);
		if (what == R_VBAD)
			n = 8 + sizeof(struct kvm_regs);
		ck_assert_int_eq(hv_mig_write_rec2(w, HV_MIG_VCPU, head, 8,
						   blob, n), 0);
		memset(blob, 0, sizeof(blob));
		return;
	case R_DEV:
	case R_DEVNONAME:
		if (what == R_DEVNONAME)
			dev[8] = 0;
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_DEVICE, dev,
						  sizeof(dev)), 0);
		return;
	case R_VERIFY:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_VERIFY, NULL, 0),
				 0);
		return;
	case R_END:
	case R_ENDLEN:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_END, big,
						  what == R_END ? 0 : 1), 0);
		return;
	case R_INFO:
		ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_SENDER_INFO, "i",
						  1), 0);
		return;
	}
	ck_abort_msg("record %d?", what);
}

START_TEST(test_order)
{
	struct hv_mig_ihdr h = {
		.version = HV_MIG_VERSION, .page_shift = HV_MIG_PAGE_SHIFT,
		.nr_vcpus = NR_VCPUS, .ram_size = 16 * HV_MIG_PAGE,
		.flags = order_cases[_i].flags,
	};
	struct hv_mig_wr *w;
	char err[256];
	int fd = mem_fd(NULL, 0), rc;

	w = hv_mig_wr_new(fd);
	ck_assert_int_eq(hv_mig_write_ihdr(w, &h), 0);
	for (int i = 0; order_cases[_i].recs[i]; i++)
		put_rec(w, order_cases[_i].recs[i]);
	ck_assert_int_eq(hv_mig_wr_flush(w), 0);
	hv_mig_wr_free(w);
	lseek(fd, 0, SEEK_SET);
	rc = hv_mig_check_stream(fd, err, sizeof(err));
	close(fd);
	if (!order_cases[_i].msg) {
		ck_assert_msg(rc == 0, "%s: %s", order_cases[_i].what, err);
		return;
	}
	ck_assert_msg(rc < 0, "%s: accepted", order_cases[_i].what);
	ck_assert_msg(strstr(err, order_cases[_i].msg) != NULL, "%s: %s",
		      order_cases[_i].what, err);
}
END_TEST

/* ---- Peers that stall or go away ------------------------------------- */

START_TEST(test_stall)
{
	struct hv_mig_ihdr h;
	struct hv_mig_rd *r;
	struct timespec t0, t1;
	char err[256];
	int pfd[2];
	double s;

	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_eq(write(pfd[1], "\xff\xff\xff", 3), 3);
	r = hv_mig_rd_new(pfd[0], 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(hv_mig_read_ihdr(r, &h, err, sizeof(err)), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(s >= 0.19 && s < 5, "stalled %.3f s", s);
	ck_assert_msg(strstr(err, "migration stream stalled for 200 ms in "
			     "the image header at offset 3"), "%s", err);
	hv_mig_rd_free(r);
	/* Whole seconds are said in seconds; non-blocking fds wait too. */
	ck_assert_int_eq(fcntl(pfd[0], F_SETFL, O_NONBLOCK), 0);
	r = hv_mig_rd_new(pfd[0], 1000);
	ck_assert_int_eq(hv_mig_read_ihdr(r, &h, err, sizeof(err)), -ETIMEDOUT);
	ck_assert_msg(strstr(err, "migration stream stalled for 1 s"), "%s",
		      err);
	hv_mig_rd_free(r);
	close(pfd[0]);
	close(pfd[1]);
}
END_TEST

START_TEST(test_reader_gone)
{
	struct hv_mig_ihdr h = {
		.version = HV_MIG_VERSION, .page_shift = HV_MIG_PAGE_SHIFT,
		.nr_vcpus = 1, .ram_size = 1 << 20,
	};
	static uint8_t big[2 << 20];
	struct hv_mig_wr *w;
	int pfd[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(pfd), 0);
	close(pfd[0]);
	w = hv_mig_wr_new(pfd[1]);
	/* Buffered: no error yet; then the flush, and every later call. */
	ck_assert_int_eq(hv_mig_write_ihdr(w, &h), 0);
	ck_assert_int_eq(hv_mig_wr_flush(w), -EPIPE);
	ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_END, NULL, 0), -EPIPE);
	hv_mig_wr_free(w);
	/* A record bigger than the buffer goes straight out. */
	w = hv_mig_wr_new(pfd[1]);
	ck_assert_int_eq(hv_mig_write_rec(w, HV_MIG_SENDER_INFO, big,
					  sizeof(big)), -EPIPE);
	hv_mig_wr_free(w);
	close(pfd[1]);
}
END_TEST

/* ---- 1000 corruptions of a realistic stream -------------------------- */

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same sequence everywhere for one seed. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

START_TEST(test_corruption)
{
	struct gen g = { .ram_size = 512 << 10 };
	uint8_t *ram = make_ram(g.ram_size), *buf;
	uint64_t seed = 0x6d696773747265ULL;	/* "migstre" */
	unsigned int flips = 0, cuts = 0;
	char err[256];
	size_t len;

	if (getenv("HVT_SEED"))
		seed = strtoull(getenv("HVT_SEED"), NULL, 0);
	printf("corruption: seed 0x%llx (HVT_SEED to change)\n",
	       (unsigned long long)seed);
	fflush(stdout);
	rnd_state = seed ? seed : 1;
	buf = make_stream(&g, ram, &len);
	ck_assert_msg(check_buf(buf, len, err, sizeof(err)) == 0, "%s", err);
	for (int v = 0; v < 1000; v++) {
		size_t off = (size_t)(rnd() % len), n = len;
		uint8_t mask = 0;
		int rc;

		if (rnd() & 1) {
			mask = (uint8_t)(rnd() % 255 + 1);
			buf[off] ^= mask;
			flips++;
		} else {
			n = off;
			cuts++;
		}
		rc = check_buf(buf, n, err, sizeof(err));
		buf[off] ^= mask;
		ck_assert_msg(rc < 0 && err[0], "variant %d (seed 0x%llx): %s "
			      "at %zu accepted", v, (unsigned long long)seed,
			      mask ? "flip" : "cut", off);
	}
	printf("corruption: %u flips and %u truncations of a %zu-byte "
	       "stream, all refused\n", flips, cuts, len);
	free(buf);
	free(ram);
}
END_TEST

/* ---- The fuzz target's seeds ----------------------------------------- */

/* Small valid streams, kinds of what a sender writes. */
static const struct {
	const char *name;
	struct gen g;
} seeds[] = {
	{ "two-pages", { 2 * HV_MIG_PAGE, 0, 0, 0 } },
	{ "no-pit-clock-verify", { 2 * HV_MIG_PAGE,
				   HV_STATE_F_NO_PIT | HV_STATE_F_NO_CLOCK,
				   1, 0 } },
	{ "optional-record", { 4 * HV_MIG_PAGE, HV_STATE_F_ALL, 0, 1 } },
	{ "lacking-all", { HV_MIG_PAGE, HV_STATE_F_ALL, 0, 0 } },
};

/*
 * The committed seeds are valid streams; HVT_MIGSTREAM_SEEDS=DIR writes
 * them anew into DIR (hypervisor/fuzz/seeds/migstream).
 */
START_TEST(test_seeds)
{
	const char *out = getenv("HVT_MIGSTREAM_SEEDS");
	const char *top = getenv("top_srcdir");
	char path[4096], err[256];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		uint8_t *ram = make_ram(seeds[i].g.ram_size), *buf, *file;
		size_t len, flen;
		int fd;

		buf = make_stream(&seeds[i].g, ram, &len);
		ck_assert_msg(check_buf(buf, len, err, sizeof(err)) == 0,
			      "%s: %s", seeds[i].name, err);
		if (out) {
			snprintf(path, sizeof(path), "%s/%s", out,
				 seeds[i].name);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			ck_assert_int_ge(fd, 0);
			ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
			close(fd);
		}
		if (top) {
			snprintf(path, sizeof(path),
				 "%s/hypervisor/fuzz/seeds/migstream/%s", top,
				 seeds[i].name);
			fd = open(path, O_RDONLY);
			ck_assert_msg(fd >= 0, "%s: missing", path);
			ck_assert_msg(hv_mig_check_stream(fd, err,
							  sizeof(err)) == 0,
				      "%s: %s", path, err);
			close(fd);
			/* The writer's output has not drifted from them. */
			fd = open(path, O_RDONLY);
			file = malloc(len + 1);
			flen = (size_t)read(fd, file, len + 1);
			close(fd);
			ck_assert_msg(flen == len && !memcmp(file, buf, len),
				      "%s differs from the writer's output: "
				      "rewrite it with HVT_MIGSTREAM_SEEDS",
				      path);
			free(file);
		}
		free(buf);
		free(ram);
	}
}
END_TEST

static Suite *migstream_suite(void)
{
	Suite *s = suite_create("hv_migstream");
	TCase *tc;

	tc = tcase_create("round_trip");
	tcase_add_test(tc, test_round_trip_pipe);
	tcase_add_test(tc, test_round_trip_file);
	tcase_add_test(tc, test_zero_pages);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_test(tc, test_optional_and_mandatory);
	tcase_add_loop_test(tc, test_bad_pages, 0,
			    sizeof(page_cases) / sizeof(page_cases[0]));
	tcase_add_test(tc, test_bad_rec_headers);
	tcase_add_loop_test(tc, test_bad_ihdr, 0,
			    sizeof(ihdr_cases) / sizeof(ihdr_cases[0]));
	tcase_add_loop_test(tc, test_order, 0,
			    sizeof(order_cases) / sizeof(order_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_every_flip);
	tcase_add_test(tc, test_stall);
	tcase_add_test(tc, test_reader_gone);
	tcase_add_test(tc, test_corruption);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("seeds");
	tcase_add_test(tc, test_seeds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(migstream_suite());
}
