// SPDX-License-Identifier: GPL-2.0
/*
 * Xen's xl save-file header (xlcli/xl_savefile.c): written as Xen lays
 * it out (48 bytes, our KVM flag, the JSON config with its NUL), read
 * back, and refused when damaged: each byte of the header and config cut
 * off, and the fields Xen checks changed.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl_savefile.h"
#include "tests/hvt_check.h"

/* The header and config xl_savefile_write makes, in @buf. */
static size_t make(char *buf, size_t cap)
{
	json_object *cfg = json_tokener_parse("{\"name\": \"g\", \"memory\": 16}");
	FILE *f = tmpfile();
	size_t n;

	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(xl_savefile_write(fileno(f), "test", cfg), 0);
	rewind(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	json_object_put(cfg);
	return n;
}

/* xl_savefile_read of @len bytes of @buf, then "STREAM". */
static int readback(const char *buf, size_t len, char **cfg, char *rest)
{
	FILE *f = tmpfile();
	int rc;

	fwrite(buf, 1, len, f);
	fwrite("STREAM", 1, 6, f);
	fflush(f);
	rewind(f);
	rc = xl_savefile_read(fileno(f), "test", cfg);
	if (!rc && rest)
		rest[read(fileno(f), rest, 6) == 6 ? 6 : 0] = '\0';
	fclose(f);
	return rc;
}

START_TEST(test_layout)
{
	char buf[4096], rest[8], *cfg = NULL;
	uint32_t w[4], clen;
	size_t n = make(buf, sizeof(buf));

	ck_assert_mem_eq(buf, "Xen saved domain, xl format\n \0 \r", 32);
	memcpy(w, buf + 32, 16);
	ck_assert_uint_eq(w[0], 0x01020304);
	ck_assert_uint_eq(w[1], 0x80000003);
	ck_assert_uint_eq(w[2], 0);
	memcpy(&clen, buf + 48, 4);
	ck_assert_uint_eq(w[3], 4 + clen);
	ck_assert_uint_eq(n, 48 + 4 + clen);
	ck_assert_int_eq(buf[n - 1], '\0');
	ck_assert_int_eq(readback(buf, n, &cfg, rest), 0);
	ck_assert_ptr_nonnull(strstr(cfg, "\"name\": \"g\""));
	/* the stream starts right after the config */
	ck_assert_str_eq(rest, "STREAM");
	free(cfg);
}
END_TEST

/* Cut anywhere in the header or config: refused, nothing returned. */
START_TEST(test_cut)
{
	char buf[4096], *cfg = NULL;
	size_t n = make(buf, sizeof(buf));
	FILE *f;
	int rc;

	if ((size_t)_i >= n)
		return;
	f = tmpfile();
	fwrite(buf, 1, (size_t)_i, f);
	fflush(f);
	rewind(f);
	rc = xl_savefile_read(fileno(f), "test", &cfg);
	fclose(f);
	ck_assert_int_lt(rc, 0);
	ck_assert_ptr_null(cfg);
}
END_TEST

static const struct {
	size_t off;
	uint32_t val;
} bad[] = {
    {0, 0x214e4558},	  /* magic */
    {32, 0x04030201},	  /* byte order */
    {36, 0x00000003},	  /* Xen's flags, without ours */
    {36, 0x80000013},	  /* an unknown flag */
    {44, 0x7fffffff},	  /* more optional data than a config */
    {48, 0x00010000},	  /* a config longer than the optional data */
};

START_TEST(test_bad)
{
	char buf[4096], *cfg = NULL;
	size_t n = make(buf, sizeof(buf));

	memcpy(buf + bad[_i].off, &bad[_i].val, 4);
	ck_assert_int_lt(readback(buf, n, &cfg, NULL), 0);
	ck_assert_ptr_null(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_savefile");
	TCase *tc = tcase_create("header");

	/* the messages go to stderr: not this suite's to read */
	if (!freopen("/dev/null", "w", stderr))
		return EXIT_FAILURE;
	tcase_add_test(tc, test_layout);
	tcase_add_loop_test(tc, test_cut, 0, 200);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
