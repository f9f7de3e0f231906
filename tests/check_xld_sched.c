// SPDX-License-Identifier: GPL-2.0
/*
 * xld's CPU weights and caps without guests: the mapping to cgroup values,
 * Xen's ranges and messages, the config keys, and finding (or not) the
 * cpu controller in a mounts file.  xl-sched.sh drives the real cgroups.
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

#include "xld/dom/cpu_sched.h"
#include "tests/hvt_check.h"

/* ---- the mapping ---- */

START_TEST(test_mapping)
{
	/* Xen's default is the cgroup default, linearly */
	ck_assert_uint_eq(xld_sched_v1_shares(256), 1024);
	ck_assert_uint_eq(xld_sched_v1_shares(1), 4);
	ck_assert_uint_eq(xld_sched_v1_shares(65535), 262140);
	ck_assert_uint_eq(xld_sched_v2_weight(256), 100);
	ck_assert_uint_eq(xld_sched_v2_weight(512), 200);
	ck_assert_uint_eq(xld_sched_v2_weight(128), 50);
	ck_assert_uint_eq(xld_sched_v2_weight(1), 1);
	ck_assert_uint_eq(xld_sched_v2_weight(25600), 10000);
	ck_assert_uint_eq(xld_sched_v2_weight(65535), 10000);
	ck_assert_uint_eq(xld_sched_quota_us(0), 0);
	ck_assert_uint_eq(xld_sched_quota_us(1), 1000);
	ck_assert_uint_eq(xld_sched_quota_us(20), 20000);
	ck_assert_uint_eq(xld_sched_quota_us(250), 250000);
}
END_TEST

/* ---- Xen's ranges ---- */

START_TEST(test_check)
{
	long long max = xld_sched_cap_max();
	char err[256];

	ck_assert_int_eq(max % 100, 0);
	ck_assert_int_ge(max, 100);
	ck_assert_int_eq(xld_sched_check(1, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(xld_sched_check(65535, max, err, sizeof(err)), 0);
	ck_assert_int_eq(xld_sched_check(0, 0, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "Cpu weight out of range, valid values are "
			      "within range from 1 to 65535");
	ck_assert_int_eq(xld_sched_check(65536, 0, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(xld_sched_check(-5, 0, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(xld_sched_check(256, -1, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "Cpu cap out of range, valid range is from 0 "
			      "to "));
	ck_assert_int_eq(xld_sched_check(256, max + 1, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

static const struct {
	const char *json;
	int rc;
	unsigned int weight, cap;
	const char *err;
} configs[] = {
    {"{}", 0, 256, 0, NULL},
    {"{\"cpu_weight\":512,\"cap\":50}", 0, 512, 50, NULL},
    {"{\"cpu_weight\":1,\"cap\":65535}", 0, 1, 65535, NULL},
    {"{\"cpu_weight\":0}", -EINVAL, 0, 0,
     "cpu_weight must be an integer from 1 to 65535"},
    {"{\"cpu_weight\":\"512\"}", -EINVAL, 0, 0,
     "cpu_weight must be an integer from 1 to 65535"},
    {"{\"cpu_weight\":1.5}", -EINVAL, 0, 0, "cpu_weight must be"},
    {"{\"cap\":-1}", -EINVAL, 0, 0, "cap must be an integer from 0 to 65535"},
    {"{\"cap\":65536}", -EINVAL, 0, 0, "cap must be"},
    {"{\"cap\":null}", -EINVAL, 0, 0, "cap must be"},
};

START_TEST(test_config)
{
	json_object *o = json_tokener_parse(configs[_i].json);
	unsigned int w = 7, c = 7;
	char err[256] = "";
	int rc;

	ck_assert_ptr_nonnull(o);
	rc = xld_sched_config(o, &w, &c, err, sizeof(err));
	ck_assert_int_eq(rc, configs[_i].rc);
	if (!rc) {
		ck_assert_uint_eq(w, configs[_i].weight);
		ck_assert_uint_eq(c, configs[_i].cap);
	} else {
		/* out-params are written only on success */
		ck_assert_uint_eq(w, 7);
		ck_assert_uint_eq(c, 7);
		ck_assert_msg(strstr(err, configs[_i].err), "got '%s'", err);
	}
	json_object_put(o);
}
END_TEST

/* ---- finding the controller ---- */

static char dir[256]; /* short: paths are made from it */

static void dir_setup(void)
{
	snprintf(dir, sizeof(dir), "%s/check_xld_sched.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
	char cmd[sizeof(dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A mounts file of @text in the test's directory; its path in @path. */
static void mounts_write(const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/mounts", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_no_controller)
{
	char mounts[PATH_MAX], err[512], buf[PATH_MAX];
	struct xld_sched *s;

	/* cpuacct alone, or a cgroup2 without cpu, is not the controller */
	mounts_write("proc /proc proc rw 0 0\n"
		     "cgroup /sys/fs/cgroup/cpuacct cgroup rw,cpuacct 0 0\n"
		     "cgroup2 /nonexistent cgroup2 rw 0 0\n",
		     mounts, sizeof(mounts));
	s = xld_sched_new(NULL, mounts);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(xld_sched_unusable(s));
	ck_assert(strstr(xld_sched_unusable(s),
			 "no cgroup cpu controller is mounted"));
	ck_assert_ptr_null(xld_sched_kind(s));
	ck_assert_int_eq(xld_sched_set(s, 1, 0, 256, 0, err, sizeof(err)),
			 -ENOTSUP);
	ck_assert_str_eq(err, xld_sched_unusable(s));
	ck_assert_int_eq(xld_sched_group_path(s, 1, buf, sizeof(buf)),
			 -ENOTSUP);
	xld_sched_remove(s, 1); /* nothing to do, and no crash */
	xld_sched_free(s);
}
END_TEST

START_TEST(test_bad_group)
{
	static const char *const bad[] = {"../x", "a//b",  "a/",
					  "a b",  "a/./b", "x;rm"};
	char mounts[PATH_MAX];
	struct xld_sched *s;
	size_t i;

	mounts_write("", mounts, sizeof(mounts));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = xld_sched_new(bad[i], mounts);
		ck_assert_ptr_nonnull(s);
		ck_assert_msg(
		    xld_sched_unusable(s) &&
			strstr(xld_sched_unusable(s), "is not a cgroup path"),
		    "group '%s'", bad[i]);
		xld_sched_free(s);
	}
	s = xld_sched_new(NULL, "/nonexistent/mounts");
	ck_assert(strstr(xld_sched_unusable(s), "cannot read"));
	xld_sched_free(s);
}
END_TEST

/*
 * A v1 mount point with a space (escaped as in /proc/mounts) is found; the
 * parent group is made below it, one level at a time, with the first
 * domain's group.  A plain directory has no cpu.shares: the error says so.
 */
START_TEST(test_v1_found)
{
	char mounts[PATH_MAX], root[PATH_MAX], text[2 * PATH_MAX];
	char path[PATH_MAX + 64], buf[PATH_MAX], err[512];
	struct xld_sched *s;
	struct stat sb;

	snprintf(root, sizeof(root), "%s/cg root", dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	snprintf(text, sizeof(text),
		 "cgroup %s/cg\\040root cgroup rw,nosuid,cpu,cpuacct 0 0\n",
		 dir);
	mounts_write(text, mounts, sizeof(mounts));
	s = xld_sched_new("xld-test/a", mounts);
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!xld_sched_unusable(s), "%s", xld_sched_unusable(s));
	ck_assert_str_eq(xld_sched_kind(s), "cgroup v1");
	snprintf(path, sizeof(path), "%s/xld-test", root);
	ck_assert_int_eq(stat(path, &sb), -1);
	ck_assert_int_eq(xld_sched_set(s, 7, 0, 256, 0, err, sizeof(err)),
			 -ENOENT);
	ck_assert_msg(strstr(err, "cannot write '1024' to ") &&
			  strstr(err, "/xld-test/a/7/cpu.shares"),
		      "%s", err);
	ck_assert_int_eq(xld_sched_group_path(s, 7, buf, sizeof(buf)), 0);
	snprintf(path, sizeof(path), "%s/xld-test/a/7", root);
	ck_assert_str_eq(buf, path);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	xld_sched_remove(s, 7);
	ck_assert_int_eq(stat(path, &sb), -1);
	xld_sched_free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xld_sched");
	TCase *tc;

	tc = tcase_create("mapping");
	tcase_add_test(tc, test_mapping);
	tcase_add_test(tc, test_check);
	tcase_add_loop_test(tc, test_config, 0,
			    sizeof(configs) / sizeof(configs[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("controller");
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, test_no_controller);
	tcase_add_test(tc, test_bad_group);
	tcase_add_test(tc, test_v1_found);
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
