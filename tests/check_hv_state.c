// SPDX-License-Identifier: GPL-2.0
/*
 * State files (hypervisor/state.c) as hostile input: a good file read
 * back whole; every truncation at a section boundary, flipped bytes, a
 * wrong version, a RAM size the file does not hold and absurd counts all
 * refused with a message and nothing returned.  Device and vCPU state
 * checks.  And dirty-page logging on a real VM running memtouch: the
 * pages it writes show as dirty, the others do not (the "dirty" case,
 * which needs KVM: tests/hv-dirty.sh runs it, in the test host where this
 * machine has no KVM).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hypervisor/dev/devices.h"
#include "hypervisor/hv.h"
#include "hypervisor/state.h"
#include "hypervisor/virtio_mmio.h"
#include "tests/hvt_check.h"

#define RAM_MB		4
#define RAM		((uint64_t)RAM_MB << 20)
#define NR_VCPUS	2

/* ---- A synthetic but well-formed file -------------------------------- */

static uint8_t *ram_in, *ram_out;
static uint8_t *file;		/* the good file */
static size_t file_len;
static uint8_t vcpu_blob[NR_VCPUS][200];

/* Section offsets in the good file, found by walking it. */
static size_t bounds[HV_STATE_MAX_SECTIONS + 2];
static unsigned int nr_bounds;

static void make_file(void)
{
	static uint8_t vm[sizeof(struct hv_state_vm)] = { 1, 2, 3 };
	static uint8_t clock[sizeof(struct kvm_clock_data)] = { 4 };
	static uint8_t chips[3 * sizeof(struct kvm_irqchip)] = { 5 };
	static uint8_t pit[sizeof(struct kvm_pit_state2)] = { 6 };
	static uint8_t dev[HV_STATE_DEV_NAME + 7] = "uart";
	struct hv_state_sec secs[] = {
		{ HV_SEC_VM, 0, sizeof(vm), vm },
		{ HV_SEC_CLOCK, 0, sizeof(clock), clock },
		{ HV_SEC_IRQCHIP, 0, sizeof(chips), chips },
		{ HV_SEC_PIT, 0, sizeof(pit), pit },
		{ HV_SEC_VCPU, 0, sizeof(vcpu_blob[0]), vcpu_blob[0] },
		{ HV_SEC_VCPU, 1, sizeof(vcpu_blob[1]), vcpu_blob[1] },
		{ HV_SEC_DEVICE, 0, sizeof(dev), dev },
	};
	struct hv_state_hdr hdr = { .nr_vcpus = NR_VCPUS };
	char tmpl[] = "/tmp/check_hv_state.XXXXXX";
	int fd;
	size_t off;

	ram_in = calloc(1, RAM);
	ram_out = calloc(1, RAM);
	ck_assert_ptr_nonnull(ram_in);
	ck_assert_ptr_nonnull(ram_out);
	/* A few scattered nonzero pages, one of them the last. */
	for (uint64_t p = 0; p < RAM / 4096; p += 37)
		memset(ram_in + p * 4096, (int)(p & 0xff) | 1, 4096);
	ram_in[RAM - 1] = 0x5a;
	for (int v = 0; v < NR_VCPUS; v++)
		for (size_t i = 0; i < sizeof(vcpu_blob[v]); i++)
			vcpu_blob[v][i] = (uint8_t)(i * 7 + v);
	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	ck_assert_int_eq(hv_state_write(fd, &hdr, secs, 7, ram_in, RAM, -1),
			 0);
	file_len = (size_t)lseek(fd, 0, SEEK_END);
	file = malloc(file_len);
	ck_assert_int_eq(pread(fd, file, file_len, 0), (ssize_t)file_len);
	close(fd);

	/* Walk the sections: header, then {hdr, payload, crc} each. */
	nr_bounds = 0;
	off = sizeof(struct hv_state_hdr);
	bounds[nr_bounds++] = off;
	while (off < file_len) {
		struct hv_state_sec_hdr sh;

		memcpy(&sh, file + off, sizeof(sh));
		off += sizeof(sh) + sh.len + 4;
		bounds[nr_bounds++] = off;
	}
	ck_assert_uint_eq(off, file_len);
	ck_assert_uint_eq(nr_bounds, 7 + 2 + 1);
}

static void free_file(void)
{
	free(ram_in);
	free(ram_out);
	free(file);
}

/* Read @buf as a state file: 0 and the sections, or the error. */
static int read_buf(const uint8_t *buf, size_t len, char *err, size_t errlen,
		    struct hv_state_sec **secs, uint32_t *nr)
{
	struct hv_state_hdr hdr;
	int fd, rc;

	/* A memfd: the reader sees a file, not a buffer. */
	fd = memfd_create("state", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	memset(ram_out, 0, RAM);
	err[0] = '\0';
	rc = hv_state_read_hdr(fd, &hdr, err, errlen);
	if (!rc)
		rc = hv_state_read_body(fd, &hdr, secs, nr, ram_out, err,
					errlen);
	close(fd);
	return rc;
}

static void refix_hdr_crc(uint8_t *buf)
{
	struct hv_state_hdr h;

	memcpy(&h, buf, sizeof(h));
	h.crc = hv_crc32c(0, &h, offsetof(struct hv_state_hdr, crc));
	memcpy(buf, &h, sizeof(h));
}

static void refix_sec_crc(uint8_t *buf, size_t off)
{
	struct hv_state_sec_hdr sh;

	memcpy(&sh, buf + off, sizeof(sh));
	sh.crc = hv_crc32c(0, &sh, offsetof(struct hv_state_sec_hdr, crc));
	memcpy(buf + off, &sh, sizeof(sh));
}

/* The file must be refused, with a message containing @want. */
static void expect_refused(const uint8_t *buf, size_t len, const char *want,
			   const char *what)
{
	struct hv_state_sec *secs = NULL;
	uint32_t nr = 0;
	char err[256];
	int rc;

	rc = read_buf(buf, len, err, sizeof(err), &secs, &nr);
	ck_assert_msg(rc < 0, "%s: accepted", what);
	ck_assert_ptr_null(secs);
	ck_assert_msg(err[0], "%s: refused without a message", what);
	if (want)
		ck_assert_msg(strstr(err, want), "%s: message \"%s\" lacks "
			      "\"%s\"", what, err, want);
}

START_TEST(test_crc32c)
{
	/* The standard check value, and continuation in pieces. */
	ck_assert_uint_eq(hv_crc32c(0, "123456789", 9), 0xe3069283);
	ck_assert_uint_eq(hv_crc32c(hv_crc32c(0, "1234", 4), "56789", 5),
			  0xe3069283);
	ck_assert_uint_eq(hv_crc32c(0, "", 0), 0);
}
END_TEST

START_TEST(test_round_trip)
{
	struct hv_state_sec *secs = NULL;
	uint32_t nr = 0;
	char err[256];

	make_file();
	ck_assert_msg(read_buf(file, file_len, err, sizeof(err), &secs,
			       &nr) == 0, "good file refused: %s", err);
	ck_assert_uint_eq(nr, 7 + 1);	/* and END */
	ck_assert_uint_eq(secs[4].type, HV_SEC_VCPU);
	ck_assert_uint_eq(secs[5].instance, 1);
	ck_assert_mem_eq(secs[5].data, vcpu_blob[1], sizeof(vcpu_blob[1]));
	ck_assert_str_eq((char *)secs[6].data, "uart");
	ck_assert_int_eq(memcmp(ram_in, ram_out, RAM), 0);
	/* Zero pages are not written: far smaller than the RAM. */
	ck_assert_uint_lt(file_len, RAM / 30);
	hv_state_secs_free(secs, nr);
	free_file();
}
END_TEST

/* RAM in a memfd with holes: the holes are skipped, the file the same. */
START_TEST(test_sparse_ram)
{
	struct hv_state_hdr hdr = { .nr_vcpus = 1 };
	static uint8_t blob[8];
	struct hv_state_sec sec = { HV_SEC_VCPU, 0, sizeof(blob), blob };
	int memfd, a, b;
	uint8_t *map, *fa, *fb;
	off_t la, lb;

	make_file();
	memfd = memfd_create("ram", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, (off_t)RAM), 0);
	for (uint64_t p = 0; p < RAM / 4096; p++)
		if (ram_in[p * 4096] || ram_in[p * 4096 + 4095])
			ck_assert_int_eq(pwrite(memfd, ram_in + p * 4096, 4096,
						(off_t)(p * 4096)), 4096);
	/* A page written with zeros is data, not a hole: still left out. */
	ck_assert_int_eq(pwrite(memfd, ram_out, 4096, 4096 * 5), 4096);
	map = mmap(NULL, RAM, PROT_READ, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(memcmp(map, ram_in, RAM), 0);
	a = memfd_create("a", MFD_CLOEXEC);
	b = memfd_create("b", MFD_CLOEXEC);
	ck_assert_int_eq(hv_state_write(a, &hdr, &sec, 1, map, RAM, memfd), 0);
	hdr = (struct hv_state_hdr){ .nr_vcpus = 1 };
	ck_assert_int_eq(hv_state_write(b, &hdr, &sec, 1, ram_in, RAM, -1), 0);
	la = lseek(a, 0, SEEK_END);
	lb = lseek(b, 0, SEEK_END);
	ck_assert_int_eq(la, lb);
	fa = malloc((size_t)la);
	fb = malloc((size_t)lb);
	ck_assert_int_eq(pread(a, fa, (size_t)la, 0), la);
	ck_assert_int_eq(pread(b, fb, (size_t)lb, 0), lb);
	ck_assert_int_eq(memcmp(fa, fb, (size_t)la), 0);
	free(fa);
	free(fb);
	munmap(map, RAM);
	close(memfd);
	close(a);
	close(b);
	free_file();
}
END_TEST

START_TEST(test_truncated)
{
	make_file();
	/* At every section boundary, and one byte either side of it. */
	for (unsigned int i = 0; i < nr_bounds - 1; i++) {
		for (int d = -1; d <= 1; d++) {
			char what[64];

			snprintf(what, sizeof(what), "cut at %zu",
				 bounds[i] + d);
			expect_refused(file, bounds[i] + d, "truncated", what);
		}
	}
	expect_refused(file, 0, "truncated", "empty file");
	expect_refused(file, file_len - 1, "truncated", "last byte gone");
	free_file();
}
END_TEST

START_TEST(test_flipped)
{
	uint8_t *bad;

	make_file();
	bad = malloc(file_len);
	/* Every byte of the headers and the small sections, then a stride. */
	for (size_t off = 0; off < file_len;
	     off += off < bounds[7] + 64 ? 1 : 997) {
		char what[64];

		memcpy(bad, file, file_len);
		bad[off] ^= 0x20;
		snprintf(what, sizeof(what), "byte %zu flipped", off);
		expect_refused(bad, file_len, NULL, what);
	}
	/* The last byte (the END section's CRC). */
	memcpy(bad, file, file_len);
	bad[file_len - 1] ^= 1;
	expect_refused(bad, file_len, "checksum", "END CRC flipped");
	free(bad);
	free_file();
}
END_TEST

START_TEST(test_wrong_version)
{
	struct hv_state_hdr h;
	uint8_t *bad;

	make_file();
	bad = malloc(file_len);
	memcpy(bad, file, file_len);
	memcpy(&h, bad, sizeof(h));
	h.version = HV_STATE_VERSION + 1;
	memcpy(bad, &h, sizeof(h));
	refix_hdr_crc(bad);
	expect_refused(bad, file_len, "version 2", "version 2");
	memcpy(bad, file, file_len);
	memcpy(bad, "XLHVSTAU", 8);
	expect_refused(bad, file_len, "magic", "bad magic");
	free(bad);
	free_file();
}
END_TEST

/* Header fields a checksum cannot vouch for: each is checked. */
START_TEST(test_bad_header_values)
{
	static const struct {
		size_t off;
		uint64_t v;
		int width;
		const char *want;
	} cases[] = {
		/* RAM bigger than the file holds (still a valid size). */
		{ offsetof(struct hv_state_hdr, ram_size), RAM * 2, 8,
		  "the header says 8 MiB" },
		{ offsetof(struct hv_state_hdr, ram_size), RAM + 4096, 8,
		  "whole number of MiB" },
		{ offsetof(struct hv_state_hdr, ram_size), 1ULL << 40, 8,
		  "whole number of MiB" },
		{ offsetof(struct hv_state_hdr, nr_sections), 0xffffffffULL,
		  4, "section count" },
		{ offsetof(struct hv_state_hdr, nr_sections), 0, 4,
		  "section count" },
		{ offsetof(struct hv_state_hdr, nr_sections), 20, 4,
		  "header announces" },
		{ offsetof(struct hv_state_hdr, nr_vcpus), 0xffffffffULL, 4,
		  "vCPUs" },
		{ offsetof(struct hv_state_hdr, nr_vcpus), 3, 4, "VCPU" },
		{ offsetof(struct hv_state_hdr, nr_vcpus), 1, 4, "VCPU 1" },
		{ offsetof(struct hv_state_hdr, flags), 0x100, 4, "flags" },
		{ offsetof(struct hv_state_hdr, flags), HV_STATE_F_NO_CLOCK,
		  4, "out of order" },
		{ offsetof(struct hv_state_hdr, hdr_len), 4096, 4,
		  "header length" },
	};
	uint8_t *bad;

	make_file();
	bad = malloc(file_len);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bad, file, file_len);
		memcpy(bad + cases[i].off, &cases[i].v, (size_t)cases[i].width);
		refix_hdr_crc(bad);
		expect_refused(bad, file_len, cases[i].want, cases[i].want);
	}
	free(bad);
	free_file();
}
END_TEST

/* Section lengths and types with correct header CRCs: still refused. */
START_TEST(test_bad_sections)
{
	struct hv_state_sec_hdr sh;
	size_t ram, off;
	uint8_t *bad;

	make_file();
	ram = bounds[7];	/* the RAM section's header */
	bad = malloc(file_len + 16);

	/* RAM says it holds one page more than its bitmap marks. */
	memcpy(bad, file, file_len);
	memcpy(&sh, bad + ram, sizeof(sh));
	ck_assert_uint_eq(sh.type, HV_SEC_RAM);
	sh.len += 4096;
	memcpy(bad + ram, &sh, sizeof(sh));
	refix_sec_crc(bad, ram);
	expect_refused(bad, file_len, "bitmap marks", "RAM length");

	/* RAM too short for its bitmap. */
	memcpy(bad, file, file_len);
	sh.len = 8;
	memcpy(bad + ram, &sh, sizeof(sh));
	refix_sec_crc(bad, ram);
	expect_refused(bad, file_len, "bitmap", "RAM length 8");

	/* A section of 2^64 - 1 bytes, and one just over the limit. */
	for (int k = 0; k < 2; k++) {
		off = bounds[4];	/* VCPU 0 */
		memcpy(bad, file, file_len);
		memcpy(&sh, bad + off, sizeof(sh));
		sh.len = k ? HV_STATE_SEC_MAX + 1ULL : UINT64_MAX;
		memcpy(bad + off, &sh, sizeof(sh));
		refix_sec_crc(bad, off);
		expect_refused(bad, file_len, "at most", "huge section");
	}

	/* A fixed-size section of the wrong size. */
	off = bounds[1];		/* CLOCK */
	memcpy(bad, file, file_len);
	memcpy(&sh, bad + off, sizeof(sh));
	sh.len -= 1;
	memcpy(bad + off, &sh, sizeof(sh));
	refix_sec_crc(bad, off);
	expect_refused(bad, file_len, "length", "short CLOCK");

	/* Unknown type; duplicated VCPU; data after END. */
	memcpy(bad, file, file_len);
	memcpy(&sh, bad + off, sizeof(sh));
	sh.type = 99;
	memcpy(bad + off, &sh, sizeof(sh));
	refix_sec_crc(bad, off);
	expect_refused(bad, file_len, "unknown type 99", "type 99");

	off = bounds[5];		/* VCPU 1 */
	memcpy(bad, file, file_len);
	memcpy(&sh, bad + off, sizeof(sh));
	sh.instance = 0;
	memcpy(bad + off, &sh, sizeof(sh));
	refix_sec_crc(bad, off);
	expect_refused(bad, file_len, "out of order", "VCPU 0 twice");

	memcpy(bad, file, file_len);
	memset(bad + file_len, 0, 16);
	expect_refused(bad, file_len + 16, "after the END", "trailing data");
	free(bad);
	free_file();
}
END_TEST

/* ---- vCPU blobs ------------------------------------------------------ */

static size_t rec(uint8_t *p, uint32_t kind, uint32_t len)
{
	uint32_t h[2] = { kind, len };

	memcpy(p, h, sizeof(h));
	memset(p + 8, 0, (len + 7) & ~7U);
	return 8 + ((len + 7) & ~7U);
}

START_TEST(test_vcpu_blob_check)
{
	static uint8_t b[16384];
	const char *why = NULL;
	size_t n = 0, good;

	n += rec(b + n, 1, sizeof(struct kvm_regs));
	n += rec(b + n, 2, sizeof(struct kvm_sregs));
	n += rec(b + n, 6, sizeof(struct kvm_msrs));	/* zero MSRs */
	n += rec(b + n, 8, sizeof(struct kvm_mp_state));
	good = n;
	ck_assert_int_eq(hv_vcpu_state_check(b, n, &why), 0);
	/* Cut anywhere inside: refused. */
	for (size_t cut = 1; cut < n; cut += 3)
		if (cut != 8 + sizeof(struct kvm_regs))
			ck_assert_msg(hv_vcpu_state_check(b, cut, &why) ==
				      -EINVAL, "cut %zu accepted", cut);
	/* A required record missing. */
	ck_assert_int_eq(hv_vcpu_state_check(b, 8 + sizeof(struct kvm_regs),
					     &why), -EINVAL);
	ck_assert_str_eq(why, "a required record is missing");
	/* Twice the same record. */
	n = good + rec(b + good, 1, sizeof(struct kvm_regs));
	ck_assert_int_eq(hv_vcpu_state_check(b, n, &why), -EINVAL);
	/* A wrong size, an unknown kind, a lying MSR count. */
	n = good + rec(b + good, 7, 12);
	ck_assert_int_eq(hv_vcpu_state_check(b, n, &why), -EINVAL);
	n = good + rec(b + good, 77, 8);
	ck_assert_int_eq(hv_vcpu_state_check(b, n, &why), -EINVAL);
	n = good + rec(b + good, 4, 16);	/* XSAVE under 4 KiB */
	ck_assert_int_eq(hv_vcpu_state_check(b, n, &why), -EINVAL);
	{
		uint32_t nmsrs = 0xffffffffu;
		size_t msr = 8 + sizeof(struct kvm_regs) + 8 +
			     sizeof(struct kvm_sregs) + 8;

		memcpy(b + msr, &nmsrs, 4);
		ck_assert_int_eq(hv_vcpu_state_check(b, good, &why), -EINVAL);
		ck_assert_str_eq(why, "MSR count does not match its record");
	}
}
END_TEST

/* ---- Devices against a fake VM --------------------------------------- */

static struct hv_vm fvm;

static void fvm_setup(void)
{
	memset(&fvm, 0, sizeof(fvm));
	fvm.ram_size = RAM;
	fvm.ram = calloc(1, RAM);
	fvm.stop_efd = -1;
	fvm.console_fd = -1;
	pthread_mutex_init(&fvm.stop_lock, NULL);
	pthread_cond_init(&fvm.stop_cond, NULL);
}

static void fvm_teardown(void)
{
	free(fvm.ram);
}

START_TEST(test_uart_save_load)
{
	struct hv_device *a = hv_uart_new(&fvm), *b = hv_uart_new(&fvm);
	uint8_t buf[256], bad[256], v;
	size_t len = 0;

	/* Set the scratch register and queue input on the first. */
	v = 0x42;
	a->ops->io(a, 7, &v, 1, 1);
	ck_assert_uint_eq(hv_uart_receive(a, (const uint8_t *)"hi", 2), 2);
	ck_assert_int_eq(a->ops->save(a, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(a->ops->save(a, buf, 3, &len), -ENOSPC);
	ck_assert_int_eq(b->ops->load(b, buf, len), 0);
	b->ops->io(b, 7, &v, 1, 0);
	ck_assert_uint_eq(v, 0x42);
	b->ops->io(b, 0, &v, 1, 0);
	ck_assert_uint_eq(v, 'h');
	b->ops->io(b, 0, &v, 1, 0);
	ck_assert_uint_eq(v, 'i');
	/* A wrong length, and a FIFO index past its end. */
	ck_assert_int_eq(b->ops->load(b, buf, len - 1), -EINVAL);
	memcpy(bad, buf, len);
	bad[24] = 16;	/* rx_head (after 8 registers and 16 FIFO bytes) */
	ck_assert_int_eq(b->ops->load(b, bad, len), -EINVAL);
	memcpy(bad, buf, len);
	bad[28] = 17;	/* rx_count */
	ck_assert_int_eq(b->ops->load(b, bad, len), -EINVAL);
	a->ops->destroy(a);
	b->ops->destroy(b);
}
END_TEST

START_TEST(test_stateless_devices)
{
	struct hv_device *devs[] = { hv_ucall_new(&fvm), hv_i8042_new(&fvm),
				     hv_pvpanic_new(&fvm) };
	uint8_t buf[16];

	for (size_t i = 0; i < 3; i++) {
		size_t len = 99;

		ck_assert_int_eq(devs[i]->ops->save(devs[i], buf, sizeof(buf),
						    &len), 0);
		ck_assert_uint_eq(len, 0);
		ck_assert_int_eq(devs[i]->ops->load(devs[i], buf, 0), 0);
		ck_assert_int_eq(devs[i]->ops->load(devs[i], buf, 1), -EINVAL);
		devs[i]->ops->destroy(devs[i]);
	}
}
END_TEST

static void nop_notify(struct hv_virtio_mmio *t, unsigned int q)
{
	(void)t;
	(void)q;
}

static const struct hv_virtio_ops nop_ops = { .notify = nop_notify };

START_TEST(test_virtio_save_load)
{
	struct hv_virtio_mmio a = { 0 }, b = { 0 };
	struct hv_vq_state q;
	uint8_t buf[1024], bad[1024];
	size_t len = 0, qoff = 40;	/* after the transport's registers */

	hv_virtio_mmio_init(&a, &fvm, 0, "t", 2, 0, 1, &nop_ops);
	hv_virtio_mmio_init(&b, &fvm, 0, "t", 2, 0, 1, &nop_ops);
	a.status = HV_VIRTIO_STATUS_ACK | HV_VIRTIO_STATUS_DRIVER;
	a.vq[0] = (struct hv_vq){ .num = 64, .desc = 0x10000,
				  .avail = 0x20000, .used = 0x30000,
				  .ready = 1, .last_avail = 5, .used_idx = 4 };
	ck_assert_int_eq(hv_virtio_mmio_save(&a, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, qoff + sizeof(q));
	ck_assert_int_eq(hv_virtio_mmio_load(&b, buf, len), 0);
	ck_assert_uint_eq(b.vq[0].last_avail, 5);
	ck_assert_uint_eq(b.vq[0].used_idx, 4);
	ck_assert_int_eq(b.vq[0].ready, 1);
	ck_assert_uint_eq(b.status, a.status);

	/* A ready queue whose size is no power of two, or rings off RAM. */
	memcpy(bad, buf, len);
	memcpy(&q, bad + qoff, sizeof(q));
	q.num = 3;
	memcpy(bad + qoff, &q, sizeof(q));
	ck_assert_int_eq(hv_virtio_mmio_load(&b, bad, len), -EINVAL);
	q.num = 64;
	q.used = RAM - 8;
	memcpy(bad + qoff, &q, sizeof(q));
	ck_assert_int_eq(hv_virtio_mmio_load(&b, bad, len), -EINVAL);
	/* Unknown status bits; a wrong queue count; a short buffer. */
	memcpy(bad, buf, len);
	bad[20] = 0x10;		/* status */
	ck_assert_int_eq(hv_virtio_mmio_load(&b, bad, len), -EINVAL);
	ck_assert_int_eq(hv_virtio_mmio_load(&b, buf, len - 1), -EINVAL);
	/* The refusals changed nothing. */
	ck_assert_uint_eq(b.vq[0].num, 64);
	ck_assert_uint_eq(b.vq[0].used, 0x30000);
	hv_virtio_mmio_dispose(&a);
	hv_virtio_mmio_dispose(&b);
}
END_TEST

/* ---- Dirty-page logging on a real VM --------------------------------- */

static int page_dirty(const uint64_t *bm, uint64_t page)
{
	return !!(bm[page / 64] & 1ULL << (page % 64));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

START_TEST(test_dirty_log)
{
	const char *top = getenv("top_builddir");
	char kernel[4096], out[4096];
	struct hv_config cfg = {
		.kernel = kernel, .cmdline = "pages=256 passes=0 report=0",
		.kvm_path = "/dev/kvm", .mem_mb = 16, .nr_vcpus = 1,
	};
	uint64_t entry, base = 0, first, last, *bm;
	size_t len, got = 0;
	const char *why;
	struct hv_vm *vm;
	int pipefd[2];
	char *at;

	snprintf(kernel, sizeof(kernel), "%s/tests/guests/memtouch",
		 top ? top : "..");
	ck_assert_int_eq(pipe2(pipefd, O_NONBLOCK), 0);
	cfg.console_fd = pipefd[1];
	vm = hv_vm_new(&cfg, &why);
	ck_assert_msg(vm, "hv_vm_new: %s", why ? why : "?");
	ck_assert_int_eq(hv_boot_load(vm, &entry), 0);
	ck_assert_int_eq(hv_vcpus_create(vm), 0);
	ck_assert_int_eq(hv_boot_setup(vm), 0);
	ck_assert_int_eq(hv_cpuid_setup(&vm->vcpus[0]), 0);
	ck_assert_int_eq(hv_boot_vcpu(&vm->vcpus[0], entry), 0);

	len = hv_dirty_bitmap_len(vm, 0);
	ck_assert_uint_eq(len, 16 * 256 / 8);
	ck_assert_uint_eq(hv_dirty_bitmap_len(vm, 1), 0);
	bm = calloc(1, len);
	/* Off: there is no log to read. */
	ck_assert_int_eq(hv_dirty_log_get(vm, 0, bm, len), -ENOENT);
	ck_assert_int_eq(hv_dirty_log_enable(vm, 1, 1), -EINVAL);
	ck_assert_int_eq(hv_dirty_log_enable(vm, 0, 1), 0);
	ck_assert_int_eq(hv_dirty_log_get(vm, 0, bm, len - 8), -EINVAL);
	ck_assert_int_eq(hv_vcpus_start(vm), 0);

	/* Where memtouch's region is: it says so on the console. */
	for (int i = 0; i < 100 && !base; i++) {
		ssize_t r = read(pipefd[0], out + got, sizeof(out) - 1 - got);

		if (r > 0)
			got += (size_t)r;
		out[got] = '\0';
		at = strstr(out, "pages from ");
		if (at && strchr(at, '\n'))
			base = strtoull(at + 11, NULL, 16);
		else
			sleep_ms(20);
	}
	ck_assert_msg(base, "memtouch did not start: %s", out);
	first = base / 4096;
	last = first + 256;

	/* A round: clear, let it run, pause, read. */
	sleep_ms(100);
	hv_vm_pause(vm);
	ck_assert_int_eq(hv_dirty_log_get(vm, 0, bm, len), 0);
	hv_vm_unpause(vm);
	sleep_ms(200);
	hv_vm_pause(vm);
	ck_assert_int_eq(hv_dirty_log_get(vm, 0, bm, len), 0);
	for (uint64_t p = first; p < last; p++)
		ck_assert_msg(page_dirty(bm, p), "page %#llx written by "
			      "memtouch is not dirty", (unsigned long long)p);
	/* The upper half of RAM is never written. */
	for (uint64_t p = 8 * 256; p < 16 * 256; p++)
		ck_assert_msg(!page_dirty(bm, p), "page %#llx untouched but "
			      "dirty", (unsigned long long)p);
	/* Reading cleared it: paused, nothing is written. */
	ck_assert_int_eq(hv_dirty_log_get(vm, 0, bm, len), 0);
	for (size_t i = 0; i < len / 8; i++)
		ck_assert_msg(!bm[i], "word %zu dirty while paused", i);
	/* Logging off again: no log, and the guest runs on. */
	ck_assert_int_eq(hv_dirty_log_enable(vm, 0, 0), 0);
	ck_assert_int_eq(hv_dirty_log_get(vm, 0, bm, len), -ENOENT);
	hv_vm_unpause(vm);
	sleep_ms(50);
	ck_assert_int_eq(hv_vm_stopped(vm), HV_RUNNING);
	hv_vm_free(vm);
	free(bm);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("hv_state");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_crc32c);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_sparse_ram);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_flipped);
	tcase_add_test(tc, test_wrong_version);
	tcase_add_test(tc, test_bad_header_values);
	tcase_add_test(tc, test_bad_sections);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("vcpu");
	tcase_add_test(tc, test_vcpu_blob_check);
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_checked_fixture(tc, fvm_setup, fvm_teardown);
	tcase_add_test(tc, test_uart_save_load);
	tcase_add_test(tc, test_stateless_devices);
	tcase_add_test(tc, test_virtio_save_load);
	suite_add_tcase(s, tc);

	/* Only when asked for by name (hv-dirty.sh): it needs KVM. */
	if (getenv("CK_RUN_CASE") && !strcmp(getenv("CK_RUN_CASE"), "dirty")) {
		tc = tcase_create("dirty");
		tcase_add_test(tc, test_dirty_log);
		/* emulated in the test host: several times slower */
		tcase_set_timeout(tc, 120);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return hvt_run_suite(state_suite());
}
