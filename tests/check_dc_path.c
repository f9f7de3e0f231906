// SPDX-License-Identifier: GPL-2.0
/*
 * Where the programs find each other (libdomctl/dc_path.c): the variable,
 * else the build tree's copy for a program of this build tree, else the
 * installed path, for a program anywhere else.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libdomctl/dc_path.h"
#include "tests/hvt_check.h"

/* tests/dc.am: this build's directories, as libdcpath.la was given them */
#define BUILDDIR HVT_ABS_BUILDDIR
#define SRCDIR HVT_ABS_SRCDIR

static char tree[PATH_MAX];	/* BUILDDIR without symbolic links */

static void setup(void)
{
	unsetenv("XLD_XLHV");
	unsetenv("XL_DOMXML");
	unsetenv("XLD_SCRIPTDIR");
	ck_assert_ptr_nonnull(realpath(BUILDDIR, tree));
}

/* @sfx appended to the build directory, in a static buffer. */
static const char *in_tree(const char *sfx)
{
	static char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s%s", tree, sfx);
	return p;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

/* Where a program is, and whether it is one of the build tree's. */
static const struct {
	const char *sfx;	/* after the build directory, or NULL */
	const char *abs;	/* or this path */
	int want;
} exes[] = {
	{ "/xld/.libs/lt-xld", NULL, 1 },	/* libtool's real program */
	{ "/xld/.libs/xld", NULL, 1 },
	{ "/xlcli/xl", NULL, 1 },
	{ "/tests/.libs/check_xld_dom", NULL, 1 },
	{ "-other/xld/xld", NULL, 0 },		/* a sibling, not inside */
	{ "x/xlcli/xl", NULL, 0 },
	{ NULL, "/usr/sbin/xld", 0 },
	{ NULL, "/usr/local/sbin/xl", 0 },
	{ NULL, "xlcli/xl", 0 },		/* not absolute */
	{ NULL, NULL, 0 },			/* no /proc/self/exe */
};

START_TEST(test_exe_in_tree)
{
	const char *exe = exes[_i].sfx ? in_tree(exes[_i].sfx) : exes[_i].abs;

	ck_assert_msg(dc_path_exe_in_tree(exe) == exes[_i].want,
		      "%s: want %d", exe ? exe : "NULL", exes[_i].want);
}
END_TEST

START_TEST(test_build_tree)
{
	const char *exe = in_tree("/xld/.libs/lt-xld"), *how;
	char p[PATH_MAX];

	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_XLHV, p, sizeof(p),
					  &how), 0);
	ck_assert_str_eq(p, BUILDDIR "/hypervisor/xlhv");
	ck_assert_str_eq(how, "the build tree's xlhv; XLD_XLHV overrides it");
	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_XL_DOMXML, p,
					  sizeof(p), &how), 0);
	ck_assert_str_eq(p, BUILDDIR "/xlcli/xl-domxml");
	/* the scripts are sources, not built */
	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_SCRIPTDIR, p,
					  sizeof(p), &how), 0);
	ck_assert_str_eq(p, SRCDIR "/xld/scripts");
	ck_assert(starts_with(how, "in the source tree's"));
}
END_TEST

START_TEST(test_installed)
{
	const char *how;
	char p[PATH_MAX];

	ck_assert_int_eq(dc_path_find_for("/usr/sbin/xld", DC_PATH_XLHV, p,
					  sizeof(p), &how), 0);
	ck_assert_msg(p[0] == '/' && ends_with(p, "/xlhv") &&
			  strcmp(p, BUILDDIR "/hypervisor/xlhv"),
		      "installed xlhv: %s", p);
	ck_assert_str_eq(how, "the installed xlhv; XLD_XLHV overrides it");
	ck_assert_int_eq(dc_path_find_for("/usr/sbin/xl", DC_PATH_XL_DOMXML,
					  p, sizeof(p), &how), 0);
	ck_assert_msg(p[0] == '/' && ends_with(p, "/xld/xl-domxml") &&
			  strcmp(p, BUILDDIR "/xlcli/xl-domxml"),
		      "installed xl-domxml: %s", p);
	ck_assert(starts_with(how, "the installed xl-domxml"));
	ck_assert_int_eq(dc_path_find_for(NULL, DC_PATH_SCRIPTDIR, p,
					  sizeof(p), &how), 0);
	ck_assert_msg(p[0] == '/' && ends_with(p, "/xld/scripts") &&
			  strcmp(p, SRCDIR "/xld/scripts"),
		      "installed scripts: %s", p);
	ck_assert(starts_with(how, "in the installed scripts"));
}
END_TEST

START_TEST(test_env_overrides)
{
	const char *exe = in_tree("/xlcli/xl"), *how;
	char p[PATH_MAX];

	/* over the build tree's and the installed path alike */
	setenv("XLD_XLHV", "/opt/xlhv", 1);
	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_XLHV, p, sizeof(p),
					  &how), 0);
	ck_assert_str_eq(p, "/opt/xlhv");
	ck_assert_str_eq(how, "from $XLD_XLHV");
	ck_assert_int_eq(dc_path_find_for("/usr/sbin/xl", DC_PATH_XLHV, p,
					  sizeof(p), NULL), 0);
	ck_assert_str_eq(p, "/opt/xlhv");
	setenv("XL_DOMXML", "/opt/xl-domxml", 1);
	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_XL_DOMXML, p,
					  sizeof(p), &how), 0);
	ck_assert_str_eq(p, "/opt/xl-domxml");
	ck_assert_str_eq(how, "from $XL_DOMXML");
	setenv("XLD_SCRIPTDIR", "/opt/scripts", 1);
	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_SCRIPTDIR, p,
					  sizeof(p), &how), 0);
	ck_assert_str_eq(p, "/opt/scripts");
	ck_assert_str_eq(how, "in $XLD_SCRIPTDIR");
	/* set but empty is not set */
	setenv("XLD_XLHV", "", 1);
	ck_assert_int_eq(dc_path_find_for(exe, DC_PATH_XLHV, p, sizeof(p),
					  NULL), 0);
	ck_assert_str_eq(p, BUILDDIR "/hypervisor/xlhv");
}
END_TEST

START_TEST(test_errors)
{
	const char *how = "unchanged";
	char p[8] = "unset";

	setenv("XLD_XLHV", "/a/path/longer/than/eight", 1);
	ck_assert_int_eq(dc_path_find_for(NULL, DC_PATH_XLHV, p, sizeof(p),
					  &how), -ENAMETOOLONG);
	ck_assert_str_eq(p, "unset");
	ck_assert_str_eq(how, "unchanged");
	setenv("XLD_XLHV", "/1234567", 1);	/* 8 bytes with its NUL: no */
	ck_assert_int_eq(dc_path_find_for(NULL, DC_PATH_XLHV, p, sizeof(p),
					  NULL), -ENAMETOOLONG);
	setenv("XLD_XLHV", "/123456", 1);
	ck_assert_int_eq(dc_path_find_for(NULL, DC_PATH_XLHV, p, sizeof(p),
					  NULL), 0);
	ck_assert_str_eq(p, "/123456");
	ck_assert_int_eq(dc_path_find_for(NULL, (enum dc_path_file)99, p,
					  sizeof(p), &how), -EINVAL);
}
END_TEST

/* This test program runs from the build tree: it finds the built files. */
START_TEST(test_self)
{
	const char *how;
	char p[PATH_MAX];

	ck_assert_int_eq(dc_path_find(DC_PATH_XLHV, p, sizeof(p), &how), 0);
	ck_assert_str_eq(p, BUILDDIR "/hypervisor/xlhv");
	ck_assert_msg(access(p, X_OK) == 0, "%s is not built", p);
	ck_assert_int_eq(dc_path_find(DC_PATH_XL_DOMXML, p, sizeof(p), &how),
			 0);
	ck_assert_msg(access(p, X_OK) == 0, "%s is not built", p);
	ck_assert_int_eq(dc_path_find(DC_PATH_SCRIPTDIR, p, sizeof(p), &how),
			 0);
	ck_assert_str_eq(p, SRCDIR "/xld/scripts");
	strcat(p, "/vif-bridge");
	ck_assert_msg(access(p, X_OK) == 0, "%s is not executable", p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dc_path");
	TCase *tc = tcase_create("lookup");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_exe_in_tree, 0,
			    sizeof(exes) / sizeof(exes[0]));
	tcase_add_test(tc, test_build_tree);
	tcase_add_test(tc, test_installed);
	tcase_add_test(tc, test_env_overrides);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_self);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
