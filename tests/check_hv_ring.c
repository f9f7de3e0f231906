// SPDX-License-Identifier: GPL-2.0
/*
 * The console's bounded ring (wrap, drops counted per reader, the
 * backlog a late reader gets) and the capped, rotated console log, on
 * real files in a temporary directory.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hypervisor/console_log.h"
#include "hypervisor/ring.h"
#include "tests/hvt_check.h"

static struct hv_ring ring;

static void ring_setup(void)
{
	ck_assert_int_eq(hv_ring_init(&ring, HV_RING_MIN), 0);
}

static void ring_teardown(void)
{
	hv_ring_dispose(&ring);
}

/* Put the bytes i..i+n-1 (mod 251, so a wrap shows as a wrong byte). */
static void put_seq(uint64_t from, size_t n)
{
	uint8_t b[512];

	while (n) {
		size_t k = n < sizeof(b) ? n : sizeof(b);

		for (size_t i = 0; i < k; i++)
			b[i] = (uint8_t)((from + i) % 251);
		hv_ring_put(&ring, b, k);
		from += k;
		n -= k;
	}
}

static void check_seq(const uint8_t *b, size_t n, uint64_t from)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(b[i], (from + i) % 251);
}

START_TEST(test_ring_sizes)
{
	struct hv_ring r = { 0 };

	ck_assert_int_eq(hv_ring_init(&r, HV_RING_MIN - 1), -EINVAL);
	ck_assert_int_eq(hv_ring_init(&r, HV_RING_MAX + 1), -EINVAL);
	ck_assert_int_eq(hv_ring_init(&r, 5000), 0);	/* any size */
	hv_ring_dispose(&r);
	hv_ring_dispose(&r);	/* idempotent */
}
END_TEST

START_TEST(test_ring_in_order)
{
	uint8_t b[HV_RING_MIN];
	uint64_t pos = 0, dropped = 0;

	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b), &dropped),
			  0);
	put_seq(0, 1000);
	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, 600, &dropped), 600);
	check_seq(b, 600, 0);
	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b), &dropped),
			  400);
	check_seq(b, 400, 600);
	ck_assert_uint_eq(pos, 1000);
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

/* A reader keeping up reads across the wrap without a loss. */
START_TEST(test_ring_wrap)
{
	uint8_t b[HV_RING_MIN];
	uint64_t pos = 0, dropped = 0, total = 0;

	for (int round = 0; round < 10; round++) {
		put_seq(total, 3000);
		ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b),
					       &dropped), 3000);
		check_seq(b, 3000, total);
		total += 3000;
	}
	ck_assert_uint_eq(ring.head, 30000);
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

/* Full: the oldest go, the writer never waits, each reader counts its loss. */
START_TEST(test_ring_drops)
{
	uint8_t b[HV_RING_MIN];
	uint64_t fast = 0, slow = 0, fast_drop = 0, slow_drop = 0;

	put_seq(0, 1000);
	ck_assert_uint_eq(hv_ring_read(&ring, &fast, b, sizeof(b),
				       &fast_drop), 1000);
	put_seq(1000, 9000);	/* 10000 put, 4096 held */
	ck_assert_uint_eq(hv_ring_tail(&ring), 10000 - HV_RING_MIN);
	ck_assert_uint_eq(hv_ring_read(&ring, &slow, b, sizeof(b),
				       &slow_drop), HV_RING_MIN);
	ck_assert_uint_eq(slow_drop, 10000 - HV_RING_MIN);
	check_seq(b, HV_RING_MIN, 10000 - HV_RING_MIN);
	ck_assert_uint_eq(hv_ring_read(&ring, &fast, b, sizeof(b),
				       &fast_drop), HV_RING_MIN);
	ck_assert_uint_eq(fast_drop, 9000 - HV_RING_MIN);
	/* counts add up across losses */
	put_seq(10000, 2 * HV_RING_MIN + 5);
	ck_assert_uint_eq(hv_ring_read(&ring, &slow, b, 10, &slow_drop), 10);
	ck_assert_uint_eq(slow_drop, 10000 - HV_RING_MIN + HV_RING_MIN + 5);
	check_seq(b, 10, 10000 + HV_RING_MIN + 5);
}
END_TEST

/* One write longer than the ring keeps its end. */
START_TEST(test_ring_long_put)
{
	uint8_t b[HV_RING_MIN];
	uint64_t pos = 0, dropped = 0;

	put_seq(0, 7);
	put_seq(7, 3 * HV_RING_MIN + 1);
	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b), &dropped),
			  HV_RING_MIN);
	ck_assert_uint_eq(dropped, 3 * HV_RING_MIN + 8 - HV_RING_MIN);
	check_seq(b, HV_RING_MIN, 2 * HV_RING_MIN + 8);
}
END_TEST

/* The backlog: a reader from the tail gets the recent content, no loss. */
START_TEST(test_ring_backlog)
{
	uint8_t b[HV_RING_MIN];
	uint64_t pos, dropped = 0;

	put_seq(0, 100);
	pos = hv_ring_tail(&ring);
	ck_assert_uint_eq(pos, 0);
	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b), &dropped),
			  100);
	put_seq(100, 50000);
	pos = hv_ring_tail(&ring);
	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b), &dropped),
			  HV_RING_MIN);
	ck_assert_uint_eq(dropped, 0);
	check_seq(b, HV_RING_MIN, 50100 - HV_RING_MIN);
	/* a position from the future (never handed out) is clamped */
	pos = ring.head + 99;
	ck_assert_uint_eq(hv_ring_read(&ring, &pos, b, sizeof(b), &dropped),
			  0);
	ck_assert_uint_eq(pos, ring.head);
}
END_TEST

/* ---- the console log ---- */

static char dir[] = "/tmp/check_hv_ring.XXXXXX";
static char path[PATH_MAX];

static void log_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/guest.log", dir);
}

static void log_teardown(void)
{
	char p[PATH_MAX + 8];

	unlink(path);
	for (int i = 1; i < 10; i++) {
		snprintf(p, sizeof(p), "%s.%d", path, i);
		unlink(p);
	}
	rmdir(dir);
}

/* The size of @path.@n (n = 0: @path itself), -1 if it does not exist. */
static long long size_of(int n)
{
	char p[PATH_MAX + 8];
	struct stat st;

	if (n)
		snprintf(p, sizeof(p), "%s.%d", path, n);
	else
		snprintf(p, sizeof(p), "%s", path);
	return stat(p, &st) ? -1 : (long long)st.st_size;
}

/* @n lines "line NNNNNN ...\n", 32 bytes each. */
static void write_lines(struct hv_conlog *log, int from, int n)
{
	char l[40];

	for (int i = from; i < from + n; i++) {
		snprintf(l, sizeof(l), "line %06d padded to 32 bytes.\n", i);
		ck_assert_uint_eq(strlen(l), 32);
		ck_assert_int_eq(hv_conlog_write(log, l, 32), 0);
	}
}

START_TEST(test_log_bad_args)
{
	errno = 0;
	ck_assert_ptr_null(hv_conlog_open(path, 100, 2));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(hv_conlog_open(path, 8192, HV_CONLOG_KEEP_MAX + 1));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(hv_conlog_open("/nonexistent/dir/x.log", 0, 0));
	ck_assert_int_eq(errno, ENOENT);
	hv_conlog_free(NULL);
}
END_TEST

/* Rotation: FILE -> FILE.1 -> FILE.2, the third dropped; whole lines. */
START_TEST(test_log_rotate)
{
	struct hv_conlog *log = hv_conlog_open(path, 4096, 2);

	ck_assert_ptr_nonnull(log);
	write_lines(log, 0, 128);		/* exactly 4096 */
	ck_assert_int_eq(size_of(0), 4096);
	ck_assert_int_eq(size_of(1), -1);
	write_lines(log, 128, 1);		/* over: rotate */
	ck_assert_int_eq(size_of(0), 32);
	ck_assert_int_eq(size_of(1), 4096);
	write_lines(log, 129, 128 * 5);		/* 641 lines since */
	ck_assert_int_eq(size_of(0), 32);
	ck_assert_int_eq(size_of(1), 4096);
	ck_assert_int_eq(size_of(2), 4096);
	ck_assert_int_eq(size_of(3), -1);	/* keep 2 */
	ck_assert_uint_eq(log->rotations, 6);
	hv_conlog_free(log);
}
END_TEST

/* A write across the cap is split after its last whole line. */
START_TEST(test_log_split)
{
	struct hv_conlog *log = hv_conlog_open(path, 4096, 1);
	char buf[5000];

	ck_assert_ptr_nonnull(log);
	memset(buf, 'a', sizeof(buf));
	buf[99] = '\n';			/* one line of 100, then 4900 */
	buf[4049] = '\n';		/* ends a line at 4050 */
	ck_assert_int_eq(hv_conlog_write(log, buf, sizeof(buf)), 0);
	ck_assert_int_eq(size_of(1), 4050);
	ck_assert_int_eq(size_of(0), 950);
	/* no newline in what fits: the line starts the next file */
	ck_assert_int_eq(hv_conlog_write(log, buf + 100, 3949), 0);
	ck_assert_int_eq(size_of(1), 950);
	ck_assert_int_eq(size_of(0), 3949);
	/* a line longer than the cap is cut at it */
	memset(buf, 'b', sizeof(buf));
	ck_assert_int_eq(hv_conlog_write(log, buf, sizeof(buf)), 0);
	ck_assert_int_eq(size_of(1), 4096);
	ck_assert_int_eq(size_of(0), 5000 - 4096);
	ck_assert_uint_eq(log->rotations, 4);
	hv_conlog_free(log);
}
END_TEST

/* A line begun when the cap came goes whole into the next file. */
START_TEST(test_log_carry)
{
	struct hv_conlog *log = hv_conlog_open(path, 4096, 2);
	char buf[200], p1[PATH_MAX + 8];
	FILE *f;

	ck_assert_ptr_nonnull(log);
	write_lines(log, 0, 126);			/* 4032 */
	ck_assert_int_eq(hv_conlog_write(log, "partial-", 8), 0);
	memset(buf, 'x', 100);
	buf[100] = '\n';
	ck_assert_int_eq(hv_conlog_write(log, buf, 101), 0);
	ck_assert_int_eq(size_of(1), 4032);
	ck_assert_int_eq(size_of(0), 109);
	hv_conlog_free(log);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_int_eq(strncmp(buf, "partial-xxx", 11), 0);
	ck_assert_uint_eq(strlen(buf), 109);
	snprintf(p1, sizeof(p1), "%s.1", path);
	f = fopen(p1, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, -32, SEEK_END), 0);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "line 000125 padded to 32 bytes.\n");
}
END_TEST

/* keep 0: the file starts again; the cap still holds. */
START_TEST(test_log_keep0)
{
	struct hv_conlog *log = hv_conlog_open(path, 4096, 0);

	ck_assert_ptr_nonnull(log);
	write_lines(log, 0, 1000);
	ck_assert_int_le(size_of(0), 4096);
	ck_assert_int_eq(size_of(1), -1);
	hv_conlog_free(log);
}
END_TEST

/* A log already at its cap from an earlier run rotates at the first byte. */
START_TEST(test_log_reopen)
{
	struct hv_conlog *log = hv_conlog_open(path, 4096, 2);

	write_lines(log, 0, 100);
	hv_conlog_free(log);
	log = hv_conlog_open(path, 4096, 2);
	ck_assert_ptr_nonnull(log);
	ck_assert_uint_eq(log->size, 3200);
	write_lines(log, 100, 100);
	ck_assert_int_eq(size_of(1), 4096);
	ck_assert_int_eq(size_of(0), 200 * 32 - 4096);
	hv_conlog_free(log);
}
END_TEST

/* Uncapped, and anything not a regular file is never renamed. */
START_TEST(test_log_no_cap)
{
	struct hv_conlog *log = hv_conlog_open(path, 0, 2);
	struct stat st;

	write_lines(log, 0, 1000);
	ck_assert_int_eq(size_of(0), 32000);
	ck_assert_int_eq(size_of(1), -1);
	hv_conlog_free(log);
	log = hv_conlog_open("/dev/null", 4096, 2);
	ck_assert_ptr_nonnull(log);
	ck_assert_ptr_null(log->path);
	write_lines(log, 0, 1000);
	hv_conlog_free(log);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_ne(access("/dev/null.1", F_OK), 0);
}
END_TEST

/*
 * A pipe nobody reads (the foreground's stdout) holds the writer only
 * until its wait_fd says stop; the pipe's own description stays blocking.
 */
START_TEST(test_log_stuck_pipe)
{
	static char big[256 * 1024];
	struct hv_conlog *log;
	int p[2], efd;

	ck_assert_int_eq(pipe(p), 0);
	efd = eventfd(0, 0);
	ck_assert_int_ge(efd, 0);
	log = hv_conlog_from_fd(p[1]);
	ck_assert_ptr_nonnull(log);
	ck_assert_int_ne(log->fd, p[1]);	/* its own description */
	ck_assert_int_eq(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	log->wait_fd = efd;
	ck_assert_int_eq(eventfd_write(efd, 1), 0);
	memset(big, 'z', sizeof(big));
	ck_assert_int_eq(hv_conlog_write(log, big, sizeof(big)), -EINTR);
	hv_conlog_free(log);
	/* borrowed: still open */
	ck_assert_int_ge(fcntl(p[1], F_GETFD), 0);
	close(p[0]);
	close(p[1]);
	close(efd);
}
END_TEST

/* The directory refuses the rename: emptied instead, the cap holds. */
START_TEST(test_log_rename_fails)
{
	struct hv_conlog *log;

	if (geteuid() == 0) {
		/* root ignores directory permissions: make rename fail by
		 * putting a directory where FILE.1 would go */
		char p[PATH_MAX + 8];

		snprintf(p, sizeof(p), "%s.1", path);
		ck_assert_int_eq(mkdir(p, 0700), 0);
		snprintf(p, sizeof(p), "%s.1/x", path);
		ck_assert_int_ge(creat(p, 0600), 0);
	} else {
		ck_assert_int_eq(chmod(dir, 0500), 0);
	}
	log = hv_conlog_open(path, 4096, 1);
	if (!log) {
		/* non-root could not create it in a read-only dir */
		chmod(dir, 0700);
		log = hv_conlog_open(path, 4096, 1);
		chmod(dir, 0500);
	}
	ck_assert_ptr_nonnull(log);
	write_lines(log, 0, 128);
	ck_assert_int_ne(hv_conlog_write(log, "more\n", 5), 0);
	ck_assert_int_eq(size_of(0), 5);
	hv_conlog_free(log);
	chmod(dir, 0700);
	if (geteuid() == 0) {
		char p[PATH_MAX + 8];

		snprintf(p, sizeof(p), "%s.1/x", path);
		unlink(p);
		snprintf(p, sizeof(p), "%s.1", path);
		rmdir(p);
	}
}
END_TEST

/* The line number of the first line of @path.@n. */
static int first_line(int n)
{
	char p[PATH_MAX + 8], l[40] = "";
	FILE *f;
	int v = -1;

	snprintf(p, sizeof(p), "%s.%d", path, n);
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	if (fgets(l, sizeof(l), f))
		sscanf(l, "line %d", &v);
	fclose(f);
	return v;
}

/*
 * Held open (a monitor under its own uid): the same files and contents
 * as renaming gives, by copying: FILE stays the same file throughout.
 */
START_TEST(test_log_rotate_held)
{
	struct hv_conlog *log = hv_conlog_open(path, 4096, 2);
	struct stat before, after;

	ck_assert_ptr_nonnull(log);
	ck_assert_int_eq(hv_conlog_hold_rotated(log), 0);
	ck_assert_int_eq(size_of(1), 0);	/* there from the start */
	ck_assert_int_eq(size_of(2), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	write_lines(log, 0, 128 * 3 + 1);	/* 3 rotations */
	ck_assert_uint_eq(log->rotations, 3);
	ck_assert_int_eq(size_of(0), 32);
	ck_assert_int_eq(size_of(1), 4096);
	ck_assert_int_eq(size_of(2), 4096);
	ck_assert_int_eq(size_of(3), -1);
	ck_assert_int_eq(first_line(1), 256);	/* the newest full one */
	ck_assert_int_eq(first_line(2), 128);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	hv_conlog_free(log);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_ring");
	TCase *tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, ring_setup, ring_teardown);
	tcase_add_test(tc, test_ring_sizes);
	tcase_add_test(tc, test_ring_in_order);
	tcase_add_test(tc, test_ring_wrap);
	tcase_add_test(tc, test_ring_drops);
	tcase_add_test(tc, test_ring_long_put);
	tcase_add_test(tc, test_ring_backlog);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, log_setup, log_teardown);
	tcase_add_test(tc, test_log_bad_args);
	tcase_add_test(tc, test_log_rotate);
	tcase_add_test(tc, test_log_split);
	tcase_add_test(tc, test_log_carry);
	tcase_add_test(tc, test_log_keep0);
	tcase_add_test(tc, test_log_reopen);
	tcase_add_test(tc, test_log_no_cap);
	tcase_add_test(tc, test_log_rename_fails);
	tcase_add_test(tc, test_log_rotate_held);
	tcase_add_test(tc, test_log_stuck_pipe);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
