// SPDX-License-Identifier: GPL-2.0
/* xl's command lookup: exact names, unambiguous prefixes, ambiguity. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "xlcli/xl.h"
#include "tests/hvt_check.h"

static int dummy(int argc, char **argv)
{
	return 0;
}

static const struct xl_cmd tab[] = {
    {"create", dummy, 0, "", "", ""},  {"console", dummy, 0, "", "", ""},
    {"list", dummy, 0, "", "", ""},    {"list-vm", dummy, 0, "", "", ""},
    {"destroy", dummy, 0, "", "", ""},
};

static const struct {
	const char *name;
	int want; /* index in tab, or -errno */
} cases[] = {
    {"create", 0},   {"cr", 0},	    {"console", 1}, {"con", 1},
    {"c", -EINVAL},  {"co", 1},	    {"list", 2}, /* exact beats the longer
						    list-vm */
    {"li", -EINVAL}, {"list-", 3},  {"d", 4},	    {"destroyx", -ENOENT},
    {"x", -ENOENT},  {"", -ENOENT},
};

START_TEST(test_lookup)
{
	const struct xl_cmd *c;

	errno = 0;
	c = xl_cmd_lookup(tab, sizeof(tab) / sizeof(tab[0]), cases[_i].name);
	if (cases[_i].want >= 0) {
		ck_assert_ptr_eq(c, &tab[cases[_i].want]);
	} else {
		ck_assert_ptr_null(c);
		ck_assert_int_eq(errno, -cases[_i].want);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_cmd");
	TCase *tc = tcase_create("lookup");

	tcase_add_loop_test(tc, test_lookup, 0,
			    sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
