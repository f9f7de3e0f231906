// SPDX-License-Identifier: GPL-2.0
/*
 * xld's core dumps without guests: the file name and directory rules, a
 * request refused before any thread starts, and a dump of a domain with
 * no monitor, whose failure comes back through the event loop.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xld/dom/dump.h"
#include "tests/hvt_check.h"

static char dir[] = "/tmp/check_xld_dump.XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_path)
{
	char buf[128], big[PATH_MAX];

	/* 2026-11-27 13:05:09 UTC */
	ck_assert_int_eq(
	    xld_dump_path(buf, sizeof(buf), "/d", "web", 7, 1795784709), 0);
	ck_assert_str_eq(buf, "/d/web-7-20261127-130509.core");
	/* one byte short: refused, never cut */
	ck_assert_int_eq(xld_dump_path(buf,
				       strlen("/d/web-7-20261127-130509."
					      "core"),
				       "/d", "web", 7, 1795784709),
			 -ENAMETOOLONG);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(xld_dump_path(buf, sizeof(buf), big, "web", 7, 0),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(test_dir)
{
	char p[PATH_MAX];
	struct stat sb;
	FILE *f;

	snprintf(p, sizeof(p), "%s/dump", dir);
	ck_assert_int_eq(xld_dump_dir_make(p), 0);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	/* there already: fine */
	ck_assert_int_eq(xld_dump_dir_make(p), 0);
	/* a file in its place, or no parent: the error to log */
	snprintf(p, sizeof(p), "%s/file", dir);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(xld_dump_dir_make(p), -ENOTDIR);
	snprintf(p, sizeof(p), "%s/no/dump", dir);
	ck_assert_int_eq(xld_dump_dir_make(p), -ENOENT);
}
END_TEST

struct result {
	struct xld_loop *loop;
	int calls;
	int rc;
	uint32_t domid;
	uint64_t tag;
	char path[256];
};

static void done(void *arg, uint32_t domid, uint64_t tag, const char *path,
		 int rc, const struct dc_save_result *res, const char *msg)
{
	struct result *r = arg;

	r->calls++;
	r->rc = rc;
	r->domid = domid;
	r->tag = tag;
	snprintf(r->path, sizeof(r->path), "%s", path);
	xld_loop_stop(r->loop);
}

START_TEST(test_refused)
{
	struct xld_loop *loop = xld_loop_new();
	struct xld_dumps *dumps;
	struct result r = {.loop = loop};
	char big[DC_SAVE_PATH_MAX + 8];

	ck_assert_ptr_nonnull(loop);
	dumps = xld_dumps_new(loop, dir);
	ck_assert_ptr_nonnull(dumps);
	ck_assert_int_eq(xld_dump_start(dumps, 1, "rel.core", done, &r, 0),
			 -EINVAL);
	big[0] = '/';
	memset(big + 1, 'a', sizeof(big) - 2);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(xld_dump_start(dumps, 1, big, done, &r, 0),
			 -ENAMETOOLONG);
	ck_assert_int_eq(r.calls, 0);
	xld_dumps_free(dumps);
	xld_loop_free(loop);
}
END_TEST

/* No monitor answers for the domain: the failure arrives in the loop. */
START_TEST(test_no_monitor)
{
	struct xld_loop *loop = xld_loop_new();
	struct xld_dumps *dumps;
	struct result r = {.loop = loop};
	char p[PATH_MAX];

	ck_assert_ptr_nonnull(loop);
	dumps = xld_dumps_new(loop, dir);
	ck_assert_ptr_nonnull(dumps);
	snprintf(p, sizeof(p), "%s/x.core", dir);
	ck_assert_int_eq(xld_dump_start(dumps, 5, p, done, &r, 42), 0);
	ck_assert_int_eq(xld_loop_run(loop), 0);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.rc, -ESRCH);
	ck_assert_int_eq(r.domid, 5);
	ck_assert_int_eq(r.tag, 42);
	ck_assert_str_eq(r.path, p);
	ck_assert_int_ne(access(p, F_OK), 0);
	xld_dumps_free(dumps);
	ck_assert_int_eq(r.calls, 1);
	xld_loop_free(loop);
}
END_TEST

/* xld exits with a dump under way: it waits, then says "cancelled". */
START_TEST(test_cancelled)
{
	struct xld_loop *loop = xld_loop_new();
	struct xld_dumps *dumps;
	struct result r = {.loop = loop};
	char p[PATH_MAX];

	ck_assert_ptr_nonnull(loop);
	dumps = xld_dumps_new(loop, dir);
	ck_assert_ptr_nonnull(dumps);
	snprintf(p, sizeof(p), "%s/y.core", dir);
	ck_assert_int_eq(xld_dump_start(dumps, 6, p, done, &r, 0), 0);
	xld_dumps_free(dumps);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.rc, -ECANCELED);
	xld_loop_free(loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xld_dump");
	TCase *tc;

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_dir);
	suite_add_tcase(s, tc);
	tc = tcase_create("jobs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_no_monitor);
	tcase_add_test(tc, test_cancelled);
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
