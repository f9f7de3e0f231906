// SPDX-License-Identifier: GPL-2.0
/* The xl.cfg grammar: what parses to what, and every error's wording. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_cfg.h"
#include "tests/hvt_check.h"

/* Parses @in as "g.cfg"; returns the dump, or the errors prefixed "E:". */
static char *parse(const char *in, size_t len)
{
	struct xl_diag d = {0};
	struct xl_buf out = {0};
	struct xl_cfg *cfg = xl_cfg_new();
	int rc;

	ck_assert_ptr_nonnull(cfg);
	rc = xl_cfg_parse(cfg, "g.cfg", in, len, &d);
	if (rc) {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_uint_gt(d.nerr, 0);
		xl_buf_printf(&out, "E:%s", xl_buf_str(&d.err));
	} else {
		ck_assert_uint_eq(d.nerr, 0);
		ck_assert_int_eq(xl_cfg_dump(cfg, &out), 0);
	}
	xl_cfg_free(cfg);
	xl_diag_dispose(&d);
	return xl_buf_steal(&out);
}

static const struct {
	const char *in;
	const char *want;
} cases[] = {
    /* atoms, quotes, numbers */
    {"name = \"h0\"\n", "name@1 = \"h0\"\n"},
    {"name='h0'", "name@1 = \"h0\"\n"},
    {"memory = 128\n", "memory@1 = 128\n"},
    {"memory = 0x80\nmaxmem = 0200\n", "memory@1 = 0x80\nmaxmem@2 = 0200\n"},
    {"memory = \"128\"\n", "memory@1 = \"128\"\n"},
    /* separators, comments, blank lines */
    {"name=\"h0\"; type=\"hvm\"\n", "name@1 = \"h0\"\ntype@1 = \"hvm\"\n"},
    {"# comment\n\n  name = 'a' # trailing\n;;\n", "name@3 = \"a\"\n"},
    {"a=1\n# last line comment without newline", "a@1 = 1\n"},
    {"", ""},
    {"\n\n\n", ""},
    /* dotted identifiers (xl.conf) */
    {"vif.default.script=\"vif-bridge\"\n",
     "vif.default.script@1 = \"vif-bridge\"\n"},
    {"vm.pv.cpumask = \"0-3\"\n", "vm.pv.cpumask@1 = \"0-3\"\n"},
    /* lists: empty, trailing comma, across lines, nested */
    {"vif = [ '' ]\n", "vif@1 = [\"\"]\n"},
    {"disk = []\n", "disk@1 = []\n"},
    {"disk = [ 'a', 'b', ]\n", "disk@1 = [\"a\", \"b\"]\n"},
    {"disk = [\n  'a',\n\n  'b'\n  ,\n]\nx=1\n",
     "disk@1 = [\"a\", \"b\"]\nx@7 = 1\n"},
    {"v = [ [ 'pnode=0', 'size=512' ], [1, 2] ]\n",
     "v@1 = [[\"pnode=0\", \"size=512\"], [1, 2]]\n"},
    /* the last assignment wins, at its line */
    {"memory = 128\nmemory = 256\n", "memory@2 = 256\n"},
    /* += on strings and lists */
    {"extra = 'a'\nextra += ' b'\n", "extra@2 = \"a b\"\n"},
    {"disk = ['a']\ndisk += ['b', 'c']\n", "disk@2 = [\"a\", \"b\", \"c\"]\n"},
    {"extra += 'x'\n", "extra@1 = \"x\"\n"},
    /* escapes */
    {"s = \"a\\\"b\\\\c\\n\\t\\x41\\101\"\n",
     "s@1 = \"a\\\"b\\\\c\\n\\tAA\"\n"},
    {"s = 'it\\'s'\n", "s@1 = \"it's\"\n"},
    {"s = \"# not a comment\"\n", "s@1 = \"# not a comment\"\n"},
    /* errors: lexical */
    {"memory = -1\n",
     "E:g.cfg:1: config parsing error near `-1': lexical error\n"},
    {"a = 1\nb = 2\nc = 3.5\n",
     "E:g.cfg:3: config parsing error near `.5': lexical error\n"},
    {"Name = 'x'\n",
     "E:g.cfg:1: config parsing error near `Name': lexical error\n"},
    {"name = \"unterminated\n",
     "E:g.cfg:1: config parsing error near `\"unterminated': lexical error\n"},
    {"a = 1 + 2\n",
     "E:g.cfg:1: config parsing error near `+': lexical error\n"},
    {"s = \"\\q\"\n", "E:g.cfg:1: config parsing error near `\"\\q\"': invalid "
		      "character after backslash in quoted string\n"},
    {"s = \"\\x4\"\n", "E:g.cfg:1: config parsing error near `\"\\x4\"': \\x "
		       "in quoted string needs two hex digits\n"},
    {"s = \"a\\000b\"\n", "E:g.cfg:1: config parsing error near `\"a\\000b\"': "
			  "NUL character in quoted string\n"},
    /* errors: syntax, in bison's words */
    {"name \"x\"\n", "E:g.cfg:1: config parsing error near `\"x\"': syntax "
		     "error, unexpected STRING, expecting += or '='\n"},
    {"name = \n",
     "E:g.cfg:1: config parsing error near <newline>: syntax error, unexpected "
     "NEWLINE, expecting STRING or NUMBER or '['\n"},
    {"a = 1 b = 2\n",
     "E:g.cfg:1: config parsing error near `b': syntax error, unexpected "
     "IDENT, expecting end of file or NEWLINE or ';'\n"},
    {"= 1\n",
     "E:g.cfg:1: config parsing error near `=': syntax error, unexpected '=', "
     "expecting end of file or IDENT or NEWLINE or ';'\n"},
    {"d = [ 'a' 'b' ]\n",
     "E:g.cfg:1: config parsing error near `'b'': syntax error, unexpected "
     "STRING, expecting NEWLINE or ']' or ','\n"},
    {"d = [ , ]\n", "E:g.cfg:1: config parsing error near `,': syntax error, "
		    "unexpected ','\n"},
    {"d = [ 'a'\n",
     "E:g.cfg:2: config parsing error near <end of file>: syntax error, "
     "unexpected end of file, expecting NEWLINE or ']' or ','\n"},
    /* every broken line is reported, good lines between do not hide it */
    {"a = -1\nb = 2\nc = @\n",
     "E:g.cfg:1: config parsing error near `-1': lexical error\n"
     "g.cfg:3: config parsing error near `@': lexical error\n"},
    /* += on numbers and across types */
    {"memory = 128\nmemory += 2\n",
     "E:g.cfg:2: config parsing error near `memory': += cannot be used on a "
     "number\n"},
    {"extra = 'a'\nextra += ['b']\n",
     "E:g.cfg:2: config parsing error near `extra': can't add [list] to "
     "\"string\" or vice versa\n"},
    /* CR is not whitespace in xl.cfg either */
    {"a = 1\r\n",
     "E:g.cfg:1: config parsing error near `\\x0d': lexical error\n"},
};

START_TEST(test_grammar)
{
	char *got = parse(cases[_i].in, strlen(cases[_i].in));

	ck_assert_msg(!strcmp(got, cases[_i].want),
		      "input:\n%s\nwant:\n%s\ngot:\n%s", cases[_i].in,
		      cases[_i].want, got);
	free(got);
}
END_TEST

/* A NUL byte in the middle of a file is a lexical error, not the end;
 * binary input is quoted printably, at most 120 bytes of it. */
START_TEST(test_nul_byte)
{
	static const char in[] = "a = 1\nb\0\x7f = 2\n";
	char *got = parse(in, sizeof(in) - 1);

	ck_assert_str_eq(got, "E:g.cfg:2: config parsing error near "
			      "`\\x00\\x7f': lexical error\n");
	free(got);
}
END_TEST

/* A binary file: a bounded number of errors, then it gives up. */
START_TEST(test_binary)
{
	struct xl_buf in = {0};
	char *got, *p;
	size_t i, lines = 0;

	for (i = 0; i < 1000; i++) {
		xl_buf_add(&in, "\x01\x02", 2);
		for (int k = 0; k < 300; k++)
			xl_buf_add(&in, "\xff", 1);
		xl_buf_add(&in, "\n", 1);
	}
	got = parse(in.s, in.len);
	for (p = got; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 51);
	ck_assert_ptr_nonnull(
	    strstr(got, "g.cfg:51: too many errors, giving up\n"));
	ck_assert_ptr_nonnull(strstr(got, "near `\\x01\\x02\\xff"));
	ck_assert_ptr_nonnull(strstr(got, "\\xff...': lexical error\n"));
	free(got);
	xl_buf_dispose(&in);
}
END_TEST

/* Long lines, long lists, many keys: no fixed limit a site would hit. */
START_TEST(test_big)
{
	struct xl_buf in = {0};
	struct xl_diag d = {0};
	struct xl_cfg *cfg = xl_cfg_new();
	const struct xl_cfg_setting *s;
	size_t i;

	xl_buf_add(&in, "extra = \"", 9);
	for (i = 0; i < 100000; i++)
		xl_buf_add(&in, "x", 1);
	xl_buf_add(&in, "\"\ndisk = [\n", 11);
	for (i = 0; i < 5000; i++)
		xl_buf_printf(&in, "'/img/%zu,raw,xvd%zu,rw',\n", i, i);
	xl_buf_add(&in, "]\n", 2);
	for (i = 0; i < 2000; i++)
		xl_buf_printf(&in, "key%zu = %zu\n", i, i);
	ck_assert_int_eq(xl_cfg_parse(cfg, "big.cfg", in.s, in.len, &d), 0);
	s = xl_cfg_find(cfg, "extra");
	ck_assert_uint_eq(strlen(s->value->atom), 100000);
	s = xl_cfg_find(cfg, "disk");
	ck_assert_uint_eq(s->value->nitems, 5000);
	ck_assert_str_eq(s->value->items[4999]->atom,
			 "/img/4999,raw,xvd4999,rw");
	ck_assert_uint_eq(s->value->items[4999]->line, 5002);
	s = xl_cfg_find(cfg, "key1999");
	ck_assert_str_eq(s->value->atom, "1999");
	ck_assert_uint_eq(cfg->nset, 2002);
	xl_cfg_free(cfg);
	xl_diag_dispose(&d);
	xl_buf_dispose(&in);
}
END_TEST

/* Deep nesting is refused with a message, not a stack overflow. */
START_TEST(test_deep)
{
	struct xl_buf in = {0};
	char *got;
	size_t i;

	xl_buf_add(&in, "a = ", 4);
	for (i = 0; i < 100000; i++)
		xl_buf_add(&in, "[", 1);
	got = parse(in.s, in.len);
	ck_assert_ptr_nonnull(strstr(got, "lists nested too deeply"));
	free(got);
	xl_buf_dispose(&in);
}
END_TEST

/* A second parse (the `xl create' overrides) sees and overrides the first. */
START_TEST(test_overrides)
{
	static const char file[] = "memory = 128\nextra = 'a'\nname='x'\n";
	static const char cmd[] = "memory=256\nextra+=' b'\n";
	struct xl_diag d = {0};
	struct xl_cfg *cfg = xl_cfg_new();
	const struct xl_cfg_setting *s;

	ck_assert_int_eq(xl_cfg_parse(cfg, "f.cfg", file, strlen(file), &d), 0);
	ck_assert_int_eq(
	    xl_cfg_parse(cfg, "command line", cmd, strlen(cmd), &d), 0);
	s = xl_cfg_find(cfg, "memory");
	ck_assert_str_eq(s->value->atom, "256");
	ck_assert_str_eq(s->source, "command line");
	ck_assert_uint_eq(s->line, 1);
	s = xl_cfg_find(cfg, "extra");
	ck_assert_str_eq(s->value->atom, "a b");
	s = xl_cfg_find(cfg, "name");
	ck_assert_str_eq(s->source, "f.cfg");
	ck_assert_ptr_null(xl_cfg_find(cfg, "nosuch"));
	xl_cfg_free(cfg);
	xl_diag_dispose(&d);
}
END_TEST

/* Xen's own xl.conf (dotted keys, all commented out but a few). */
START_TEST(test_xl_conf)
{
	struct xl_diag d = {0};
	struct xl_cfg *cfg = xl_cfg_new();
	char path[4096];
	const char *src = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/data/cfg/xen-xl.conf",
		 src ? src : "..");
	ck_assert_int_eq(xl_cfg_parse_file(cfg, path, &d), 0);
	ck_assert_uint_eq(cfg->nset, 0); /* every setting is commented out */
	ck_assert_int_eq(xl_cfg_parse_file(cfg, "/nonexistent/xl.conf", &d),
			 -ENOENT);
	xl_cfg_free(cfg);
	xl_diag_dispose(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xl_cfg");
	TCase *tc = tcase_create("grammar");

	tcase_add_loop_test(tc, test_grammar, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_binary);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_big);
	tcase_add_test(tc, test_deep);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_xl_conf);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
