// SPDX-License-Identifier: GPL-2.0
/* The store on disk: snapshot and journal survive a crash; damage is found
 * and nothing of a damaged file is loaded. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "xld/log.h"
#include "xld/store/xs.h"
#include "xld/store/xs_syncer.h"
#include "tests/hvt_check.h"

static char dir[] = "/tmp/check_xs_journal.XXXXXX";
static struct xs_arena arena;

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(xs_arena_init(&arena, 4096), 0);
	xld_log_open("/dev/null", false);
}

static void teardown(void)
{
	char cmd[128];

	xs_arena_dispose(&arena);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/check_xs_journal.XXXXXX");
}

static int wr(struct xs_store *st, const char *path, const char *val)
{
	struct xs_op op = {.st = st, .priv = true, .arena = &arena};

	return xs_node_write(&op, path, val, (uint32_t)strlen(val));
}

/* Load @dir into a fresh store; returns the rc, *dump gets the tree. */
static int load(char **dump)
{
	struct xs_store *st = xs_store_new(NULL, NULL);
	struct xs_journal *j = NULL;
	char err[256];
	int rc;

	ck_assert_ptr_nonnull(st);
	rc = xs_journal_open(st, dir, &j, err, sizeof(err));
	*dump = rc ? NULL : xs_store_dump(st);
	if (rc)
		ck_assert_msg(err[0], "no error message for %d", rc);
	/* as if killed: no close, no snapshot */
	xs_journal_discard(j);
	xs_store_free(st);
	return rc;
}

/*
 * Build a store in @dir: a snapshot holding /base, then journaled changes.
 * Leaves the journal as a crash would (changes flushed, nothing closed).
 * Returns the dump after the last change and (in *before_last) before it.
 */
static char *build(char **before_last)
{
	struct xs_store *st = xs_store_new(NULL, NULL);
	struct xs_op op = {.st = st, .priv = true, .arena = &arena};
	struct xs_perm p[2] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}};
	struct xs_journal *j = NULL;
	char err[256], *dump;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(wr(st, "/base/x", "in the snapshot"), 0);
	ck_assert_int_eq(xs_journal_open(st, dir, &j, err, sizeof(err)), 0);
	ck_assert_int_eq(wr(st, "/local/domain/5/name", "g5"), 0);
	ck_assert_int_eq(xs_node_set_perms(&op, "/local/domain/5", p, 2), 0);
	ck_assert_int_eq(wr(st, "/base/x", "changed"), 0);
	ck_assert_int_eq(wr(st, "/gone/a/b", "1"), 0);
	ck_assert_int_eq(xs_node_rm(&op, "/gone"), 0);
	ck_assert_int_eq(wr(st, "/base/bin", "a\nb"), 0);
	ck_assert_int_eq(xs_journal_flush(j), 0);
	*before_last = xs_store_dump(st);
	ck_assert_int_eq(wr(st, "/last", "the last change"), 0);
	ck_assert_int_eq(xs_journal_flush(j), 0);
	dump = xs_store_dump(st);
	xs_journal_discard(j);
	xs_store_free(st);
	return dump;
}

START_TEST(survives_crash)
{
	char *want, *before, *got;

	want = build(&before);
	ck_assert_int_eq(load(&got), 0);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(got, "/local/domain/5 [n5,r6]"));
	ck_assert_ptr_null(strstr(got, "/gone"));
	xs_free(got);
	/* loading wrote a fresh snapshot: loading again gives the same */
	ck_assert_int_eq(load(&got), 0);
	ck_assert_str_eq(got, want);
	xs_free(got);
	xs_free(want);
	xs_free(before);
}
END_TEST

/* A release's revoked rights (XSA-322) are journaled as SET_PERMS are:
 * a crash right after it loads the same tree, Domain-0 owning the nodes. */
START_TEST(release_journaled)
{
	struct xs_store *st = xs_store_new(NULL, NULL);
	struct xs_op op = {.st = st, .priv = true, .arena = &arena};
	struct xs_op d5 = {.st = st, .domid = 5, .arena = &arena};
	struct xs_perm own = {5, XS_PERM_NONE};
	struct xs_perm rd5[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_READ}};
	struct xs_journal *j = NULL;
	char err[256], *want, *got;

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(xs_journal_open(st, dir, &j, err, sizeof(err)), 0);
	ck_assert_int_eq(xs_domain_introduce(st, 5), 0);
	ck_assert_int_eq(xs_node_mkdir(&op, "/local/domain/5"), 0);
	ck_assert_int_eq(xs_node_set_perms(&op, "/local/domain/5", &own, 1), 0);
	ck_assert_int_eq(xs_node_write(&d5, "/local/domain/5/k", "v", 1), 0);
	ck_assert_int_eq(wr(st, "/shared", "s"), 0);
	ck_assert_int_eq(xs_node_set_perms(&op, "/shared", rd5, 2), 0);
	ck_assert_int_eq(xs_journal_flush(j), 0);
	ck_assert_int_eq(xs_domain_release(st, 5), 0);
	ck_assert_int_eq(xs_journal_flush(j), 0);
	want = xs_store_dump(st);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(strstr(want, "/local/domain/5/k [n0]"));
	ck_assert_ptr_nonnull(strstr(want, "/shared [n0]"));
	xs_journal_discard(j);
	xs_store_free(st);
	ck_assert_int_eq(load(&got), 0);
	ck_assert_str_eq(got, want);
	xs_free(got);
	/* and the counts: domain 5 owns nothing after the reload */
	st = xs_store_new(NULL, NULL);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(xs_journal_open(st, dir, &j, err, sizeof(err)), 0);
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 0);
	xs_journal_discard(j);
	xs_store_free(st);
	xs_free(want);
}
END_TEST

static void damage(const char *file, long off, int how)
{
	char path[256];
	struct stat sb;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ck_assert_int_eq(stat(path, &sb), 0);
	if (off < 0)
		off += sb.st_size;
	if (how == 't') {
		ck_assert_int_eq(truncate(path, off), 0);
		return;
	}
	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	{
		unsigned char c;

		ck_assert_int_eq(pread(fd, &c, 1, off), 1);
		c ^= 0x40;
		ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	}
	close(fd);
}

/* file, offset (negative: from the end), flip or truncate, outcome */
static const struct {
	const char *file;
	long off;
	int how;
	int want; /* 1: all but the last change, or -EBADMSG */
} cases[] = {
    {XS_JOURNAL_FILE, -1, 't', 1}, /* torn last record */
    {XS_JOURNAL_FILE, -5, 't', 1},
    {XS_JOURNAL_FILE, -3, 'f', 1},	  /* bad CRC, last record */
    {XS_JOURNAL_FILE, 20, 'f', -EBADMSG}, /* damage in the middle */
    {XS_JOURNAL_FILE, 2, 'f', -EBADMSG},  /* magic */
    {XS_JOURNAL_FILE, 10, 't', -EBADMSG}, /* header cut */
    {XS_SNAPSHOT_FILE, 30, 'f', -EBADMSG},
    {XS_SNAPSHOT_FILE, -1, 'f', -EBADMSG},
    {XS_SNAPSHOT_FILE, -1, 't', -EBADMSG}, /* truncated snapshot */
    {XS_SNAPSHOT_FILE, 16, 't', -EBADMSG},
    {XS_SNAPSHOT_FILE, 0, 'f', -EBADMSG},
    {XS_SNAPSHOT_FILE, 9, 'f', -EBADMSG}, /* sequence number */
    {XS_JOURNAL_FILE, 9, 'f', -EBADMSG},
    {XS_JOURNAL_FILE, 17, 'f', -EBADMSG}, /* header CRC */
};

START_TEST(damaged_files)
{
	char *want, *before, *got = NULL;
	int rc;

	want = build(&before);
	damage(cases[_i].file, cases[_i].off, cases[_i].how);
	rc = load(&got);
	if (cases[_i].want < 0) {
		ck_assert_int_eq(rc, cases[_i].want);
		ck_assert_ptr_null(got);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(got, before);
	}
	xs_free(got);
	xs_free(want);
	xs_free(before);
}
END_TEST

/* Died between writing a snapshot and starting its journal: the old
 * journal (already in the snapshot) must not be replayed again. */
START_TEST(stale_journal)
{
	char *want, *before, *got, cmd[256];

	want = build(&before);
	snprintf(cmd, sizeof(cmd), "cp %s/%s %s/old", dir, XS_JOURNAL_FILE,
		 dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(load(&got), 0); /* snapshots, empties the journal */
	xs_free(got);
	snprintf(cmd, sizeof(cmd), "mv %s/old %s/%s", dir, dir,
		 XS_JOURNAL_FILE);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(load(&got), 0);
	ck_assert_str_eq(got, want);
	xs_free(got);
	xs_free(want);
	xs_free(before);
}
END_TEST

START_TEST(empty_dir)
{
	char *got;

	ck_assert_int_eq(load(&got), 0);
	ck_assert_str_eq(got, "/ [n0] = \"\"\n/tool [n0] = \"\"\n"
			      "/tool/xenstored [n0] = \"\"\n");
	xs_free(got);
}
END_TEST

START_TEST(crc32_known)
{
	/* the standard check value of CRC-32 (IEEE) */
	ck_assert_uint_eq(xs_crc32(0, "123456789", 9), 0xcbf43926u);
}
END_TEST

/* The background sync reports its own errors and owns a duplicate. */
START_TEST(syncer_errors_and_dup)
{
	struct xs_syncer *s = xs_syncer_new();
	char path[sizeof(dir) + 8];
	int p[2], fd;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert(xs_syncer_start(s, p[1]));
	xs_syncer_wait(s);
	ck_assert_int_eq(xs_syncer_error(s), -EINVAL); /* no sync on pipes */
	ck_assert_int_eq(xs_syncer_error(s), 0);       /* read once */
	close(p[0]);
	close(p[1]);

	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	ck_assert(xs_syncer_start(s, fd));
	close(fd); /* the caller's copy may go at once */
	xs_syncer_wait(s);
	ck_assert_int_eq(xs_syncer_error(s), 0);
	xs_syncer_free(s);
}
END_TEST

static Suite *xs_journal_suite(void)
{
	Suite *s = suite_create("xs_journal");
	TCase *tc = tcase_create("journal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, crc32_known);
	tcase_add_test(tc, empty_dir);
	tcase_add_test(tc, survives_crash);
	tcase_add_test(tc, release_journaled);
	tcase_add_test(tc, stale_journal);
	tcase_add_test(tc, syncer_errors_and_dup);
	tcase_add_loop_test(tc, damaged_files, 0,
			    sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(xs_journal_suite());
}
