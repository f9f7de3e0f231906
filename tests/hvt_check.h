/* SPDX-License-Identifier: GPL-2.0 */
/* The one way every Check suite runs, for Automake's test driver. */
#ifndef HVT_CHECK_H
#define HVT_CHECK_H

#include <check.h>
#include <stdlib.h>

/*
 * Run every test of @s, each in its own process (CK_FORK: a crash fails
 * that test, not the suite), and turn the result into an exit status.
 */
static inline int hvt_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
