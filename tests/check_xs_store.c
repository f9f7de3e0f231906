// SPDX-License-Identifier: GPL-2.0
/* The store: nodes, permissions, quotas, transactions, watches, and every
 * operation under allocation failure. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xld/store/xs.h"
#include "tests/hvt_check.h"

/* Watch events land here: "token:path" lines. */
static char events[8192];

static void on_event(struct xs_watch *w, const char *epath, void *arg)
{
	size_t len = strlen(events);

	(void)arg;
	snprintf(events + len, sizeof(events) - len, "%s:%s\n", w->token,
		 epath + (strlen(epath) >= w->rel_off ? w->rel_off : 0));
}

/* A new store holds /, /tool and /tool/xenstored, as xenstored's does. */
#define BASE_NODES 3

static struct xs_store *st;
static struct xs_arena arena;
static long live_at_start;

static void setup(void)
{
	live_at_start = xs_alloc_live();
	events[0] = '\0';
	st = xs_store_new(on_event, NULL);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(xs_arena_init(&arena, 4096), 0);
}

static void teardown(void)
{
	xs_arena_dispose(&arena);
	xs_store_free(st);
	st = NULL;
	ck_assert_int_eq(xs_alloc_live(), live_at_start);
}

static struct xs_op dom(uint32_t domid)
{
	struct xs_op op = {
	    .st = st, .domid = domid, .priv = domid == 0, .arena = &arena};
	return op;
}

static int wr(struct xs_op *op, const char *path, const char *val)
{
	return xs_node_write(op, path, val, (uint32_t)strlen(val));
}

/* Read as a NUL-terminated string into a static buffer ("" on error). */
static const char *rd(struct xs_op *op, const char *path, int *rc_out)
{
	static char buf[4200];
	const char *val;
	uint32_t len;
	int rc;

	rc = xs_node_read(op, path, &val, &len);
	if (rc_out)
		*rc_out = rc;
	if (rc)
		return "";
	memcpy(buf, val, len);
	buf[len] = '\0';
	return buf;
}

/* Children as "a,b,c". */
static const char *ls(struct xs_op *op, const char *path)
{
	static char out[8192];
	char buf[4096];
	uint32_t len, i;
	uint64_t gen;
	bool done;
	int rc;

	rc = xs_node_list(op, path, 0, buf, sizeof(buf), &len, &gen, &done);
	if (rc) {
		snprintf(out, sizeof(out), "error %d", rc);
		return out;
	}
	for (i = 0; i < len; i++)
		out[i] = buf[i] ? buf[i] : ',';
	out[len ? len - 1 : 0] = '\0';
	return out;
}

START_TEST(basic_write_read_list)
{
	struct xs_op op = dom(0);
	int rc;

	ck_assert_int_eq(wr(&op, "/a/b/c", "v1"), 0);
	ck_assert_str_eq(rd(&op, "/a/b/c", NULL), "v1");
	ck_assert_str_eq(rd(&op, "/a/b", NULL), "");
	ck_assert_int_eq(wr(&op, "/a/z", "1"), 0);
	ck_assert_int_eq(wr(&op, "/a/m", "2"), 0);
	ck_assert_int_eq(wr(&op, "/a/b", "3"), 0);
	/* insertion order, not sorted */
	ck_assert_str_eq(ls(&op, "/a"), "b,z,m");
	ck_assert_str_eq(ls(&op, "/"), "tool,a");
	rd(&op, "/nope", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_int_eq(xs_node_mkdir(&op, "/a/d"), 0);
	ck_assert_int_eq(xs_node_mkdir(&op, "/a/d"), 0);
	ck_assert_str_eq(ls(&op, "/a"), "b,z,m,d");
	ck_assert_int_eq(xs_node_rm(&op, "/a/b"), 0);
	ck_assert_str_eq(ls(&op, "/a"), "z,m,d");
	rd(&op, "/a/b/c", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	/* rm of a missing node is fine if its parent exists */
	ck_assert_int_eq(xs_node_rm(&op, "/a/b"), 0);
	ck_assert_int_eq(xs_node_rm(&op, "/x/y"), -ENOENT);
	ck_assert_int_eq(xs_node_rm(&op, "/"), -EINVAL);
	/* /a /a/z /a/m /a/d */
	ck_assert_int_eq(xs_store_count(st), BASE_NODES + 4);
	/* rewriting with a longer value moves it out of the node */
	ck_assert_int_eq(wr(&op, "/a/z", "a much longer value than before"), 0);
	ck_assert_str_eq(rd(&op, "/a/z", NULL),
			 "a much longer value than before");
	ck_assert_int_eq(wr(&op, "/a/z", ""), 0);
	ck_assert_str_eq(rd(&op, "/a/z", NULL), "");
}
END_TEST

static const char *const bad_paths[] = {
    "", "a", "/a/", "//", "/a//b", "/a b", "/a\\b", "/a.b", "/a\nb",
};

START_TEST(invalid_paths)
{
	struct xs_op op = dom(0);
	const char *val;
	uint32_t len;

	ck_assert_int_eq(wr(&op, bad_paths[_i], "x"), -EINVAL);
	ck_assert_int_eq(xs_node_read(&op, bad_paths[_i], &val, &len), -EINVAL);
	ck_assert_int_eq(xs_node_rm(&op, bad_paths[_i]), -EINVAL);
	ck_assert_uint_eq(xs_store_count(st), BASE_NODES);
}
END_TEST

/* As xenstored: at most XS_REL_PATH_MAX characters below any domain's
 * home, or in all elsewhere, for Domain-0 too. */
START_TEST(long_paths)
{
	struct xs_op op = dom(0);
	char path[XS_ABS_PATH_MAX + 8];
	const size_t home = strlen("/local/domain/0/");

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[XS_REL_PATH_MAX] = '\0';
	ck_assert_int_eq(wr(&op, path, "x"), 0);
	path[XS_REL_PATH_MAX] = 'a';
	path[XS_REL_PATH_MAX + 1] = '\0';
	ck_assert_int_eq(wr(&op, path, "x"), -EINVAL);
	path[XS_REL_PATH_MAX + 1] = 'a';
	path[XS_ABS_PATH_MAX] = '\0';
	ck_assert_int_eq(wr(&op, path, "x"), -EINVAL);
	memset(path, 'a', sizeof(path));
	memcpy(path, "/local/domain/0/", home);
	path[home + XS_REL_PATH_MAX] = '\0';
	ck_assert_int_eq(wr(&op, path, "x"), 0);
	path[home + XS_REL_PATH_MAX] = 'a';
	path[home + XS_REL_PATH_MAX + 1] = '\0';
	ck_assert_int_eq(wr(&op, path, "x"), -EINVAL);
	/* another domain's home counts the same; a longer number is no home */
	memcpy(path, "/local/domain/12345/", home + 4);
	path[home + XS_REL_PATH_MAX + 1] = 'a';
	path[home + 4 + XS_REL_PATH_MAX] = '\0';
	ck_assert_int_eq(wr(&op, path, "x"), 0);
	memcpy(path, "/local/domain/123456/", home + 5);
	ck_assert_int_eq(wr(&op, path, "x"), -EINVAL);
}
END_TEST

START_TEST(perms_rules)
{
	struct xs_op d0 = dom(0), d5 = dom(5), d6 = dom(6);
	struct xs_perm p[3] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}};
	const struct xs_perms *got;
	int rc;

	ck_assert_int_eq(wr(&d0, "/local/domain/5/x", "1"), 0);
	ck_assert_int_eq(wr(&d0, "/secret/y", "s"), 0);
	/* Domain-0 owns and n0 hides everything from others */
	rd(&d5, "/secret/y", &rc);
	ck_assert_int_eq(rc, -EACCES);
	/* a missing node under an unreadable one: EACCES, not ENOENT */
	rd(&d5, "/secret/nope", &rc);
	ck_assert_int_eq(rc, -EACCES);
	ck_assert_int_eq(wr(&d5, "/secret/z", "x"), -EACCES);
	ck_assert_int_eq(wr(&d5, "/local/domain/5/x", "2"), -EACCES);
	/* hand the home to domain 5 and let domain 6 read it */
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", p, 2), 0);
	ck_assert_int_eq(xs_node_get_perms(&d5, "/local/domain/5", &got), 0);
	ck_assert_uint_eq(got->n, 2);
	ck_assert_uint_eq(got->p[0].domid, 5);
	/* children keep the perms they were created with */
	rd(&d5, "/local/domain/5/x", &rc);
	ck_assert_int_eq(rc, -EACCES);
	/* new children inherit; owner becomes the creator */
	ck_assert_int_eq(wr(&d5, "/local/domain/5/new/deep", "v"), 0);
	ck_assert_int_eq(
	    xs_node_get_perms(&d0, "/local/domain/5/new/deep", &got), 0);
	ck_assert_uint_eq(got->p[0].domid, 5);
	ck_assert_uint_eq(got->p[1].domid, 6);
	ck_assert_uint_eq(got->p[1].mode, XS_PERM_READ);
	ck_assert_str_eq(rd(&d6, "/local/domain/5/new/deep", NULL), "v");
	ck_assert_int_eq(wr(&d6, "/local/domain/5/new/deep", "w"), -EACCES);
	rd(&d6, "/local/domain/5/new/none", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	/* an unprivileged owner cannot give its node away */
	p[0].domid = 6;
	ck_assert_int_eq(xs_node_set_perms(&d5, "/local/domain/5/new", p, 1),
			 -EPERM);
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 3); /* /5, new, deep */
	ck_assert_int_eq(xs_node_rm(&d5, "/local/domain/5/new"), 0);
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 1);
	/* SET_TARGET: domain 7 acts for domain 5 */
	ck_assert_int_eq(xs_domain_set_target(st, 7, 5), 0);
	{
		struct xs_op d7 = dom(7);

		ck_assert_int_eq(wr(&d7, "/local/domain/5/t", "x"), 0);
	}
}
END_TEST

START_TEST(quotas)
{
	struct xs_op d0 = dom(0), d5 = dom(5);
	struct xs_perm own = {5, XS_PERM_NONE};
	struct xs_perm many[6] = {{5, 0}, {1, 1}, {2, 1},
				  {3, 1}, {4, 1}, {6, 1}};
	struct xs_quota q = xs_quota_default;
	char val[2100], path[64];
	struct xs_watch *w;
	uint32_t i;

	q.nodes = 20;
	xs_store_set_quota(st, &q);
	ck_assert_int_eq(xs_node_mkdir(&d0, "/local/domain/5"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", &own, 1), 0);
	memset(val, 'v', sizeof(val));
	ck_assert_int_eq(xs_node_write(&d5, "/local/domain/5/big", val, 2049),
			 -ENOSPC);
	ck_assert_int_eq(xs_node_write(&d5, "/local/domain/5/big", val, 2048),
			 0);
	/* Domain-0 has no quota */
	ck_assert_int_eq(xs_node_write(&d0, "/local/domain/5/big", val, 2100),
			 0);
	ck_assert_int_eq(xs_node_set_perms(&d5, "/local/domain/5", many, 6),
			 -ENOSPC);
	ck_assert_int_eq(xs_node_set_perms(&d5, "/local/domain/5", many, 5), 0);
	for (i = xs_domain_nodes(st, 5); i < 20; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/n%u", i);
		ck_assert_int_eq(wr(&d5, path, "x"), 0);
	}
	ck_assert_int_eq(wr(&d5, "/local/domain/5/one-more", "x"), -ENOSPC);
	/* a two-level write over quota creates nothing */
	ck_assert_int_eq(xs_node_rm(&d5, "/local/domain/5/n19"), 0);
	ck_assert_int_eq(wr(&d5, "/local/domain/5/a/b", "x"), -ENOSPC);
	rd(&d5, "/local/domain/5/a", &(int){0});
	ck_assert_int_eq(wr(&d5, "/local/domain/5/a", "x"), 0);
	for (i = 0; i < q.watches; i++) {
		snprintf(path, sizeof(path), "t%u", i);
		ck_assert_int_eq(
		    xs_watch_add(st, NULL, 5, false, "/local", path, 0, &w), 0);
	}
	ck_assert_int_eq(
	    xs_watch_add(st, NULL, 5, false, "/local", "over", 0, &w), -E2BIG);
	/* a duplicate is EEXIST before the quota is looked at (xenstored) */
	ck_assert_int_eq(
	    xs_watch_add(st, NULL, 5, false, "/local", "t0", 0, &w), -EEXIST);
	ck_assert_uint_eq(xs_domain_watches(st, 5), q.watches);
	/* 10 transactions per domain, then ENOSPC */
	{
		struct xs_txn *t[11];

		for (i = 0; i < 10; i++)
			ck_assert_int_eq(xs_txn_start(&d5, &t[i]), 0);
		ck_assert_int_eq(xs_txn_start(&d5, &t[10]), -ENOSPC);
		ck_assert_int_eq(xs_txn_start(&d0, &t[10]), 0);
		ck_assert_int_eq(xs_txn_end(&d0, t[10], false), 0);
		ck_assert_int_eq(xs_txn_end(&d5, t[0], false), 0);
		ck_assert_int_eq(xs_txn_start(&d5, &t[0]), 0);
		for (i = 0; i < 10; i++)
			ck_assert_int_eq(xs_txn_end(&d5, t[i], false), 0);
	}
	/* memory held by a domain's transactions is bounded */
	{
		struct xs_quota q2 = q;
		struct xs_op t5 = d5;
		struct xs_txn *t;

		q2.txn_mem = 12000;
		xs_store_set_quota(st, &q2);
		ck_assert_int_eq(xs_txn_start(&d5, &t), 0);
		t5.txn = t;
		/* (n3..n18 exist: no node quota in the way) */
		/* rewriting one node does not add up */
		for (i = 0; i < 50; i++)
			ck_assert_int_eq(
			    xs_node_write(&t5, "/local/domain/5/a", val, 2000),
			    0);
		ck_assert_int_eq(
		    xs_node_write(&t5, "/local/domain/5/n10", val, 2000), 0);
		ck_assert_int_eq(
		    xs_node_write(&t5, "/local/domain/5/n11", val, 2000), 0);
		ck_assert_int_eq(
		    xs_node_write(&t5, "/local/domain/5/n12", val, 2000), 0);
		ck_assert_int_eq(
		    xs_node_write(&t5, "/local/domain/5/n13", val, 2000), 0);
		ck_assert_int_eq(
		    xs_node_write(&t5, "/local/domain/5/n14", val, 2000),
		    -ENOSPC);
		ck_assert_int_eq(xs_txn_end(&d5, t, false), 0);
		/* all of it given back at the end */
		ck_assert_int_eq(xs_txn_start(&d5, &t), 0);
		t5.txn = t;
		ck_assert_int_eq(
		    xs_node_write(&t5, "/local/domain/5/n14", val, 2000), 0);
		ck_assert_int_eq(xs_txn_end(&d5, t, true), 0);
		xs_store_set_quota(st, &q);
	}
	/* 2048 characters below the home, not more */
	{
		char lp[2200];

		strcpy(lp, "/local/domain/5/");
		memset(lp + 16, 'p', 2048);
		lp[16 + 2048] = '\0';
		ck_assert_int_eq(wr(&d5, lp, "x"), -ENOSPC); /* quota full */
		lp[16 + 2048] = 'p';
		lp[16 + 2049] = '\0';
		ck_assert_int_eq(wr(&d5, lp, "x"), -EINVAL);
	}
}
END_TEST

START_TEST(txn_isolation_and_conflict)
{
	struct xs_op d0 = dom(0), t0;
	struct xs_txn *t, *u;
	int rc;

	ck_assert_int_eq(wr(&d0, "/t/a", "1"), 0);
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	t0 = d0;
	t0.txn = t;
	ck_assert_int_eq(wr(&t0, "/t/b", "2"), 0);
	ck_assert_int_eq(wr(&t0, "/t/a", "changed"), 0);
	ck_assert_int_eq(xs_node_rm(&t0, "/t/a"), 0);
	ck_assert_int_eq(wr(&t0, "/t/a", "again"), 0);
	ck_assert_int_eq(wr(&t0, "/t/c/d", "deep"), 0);
	/* invisible outside, visible inside */
	rd(&d0, "/t/b", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_str_eq(rd(&t0, "/t/b", NULL), "2");
	ck_assert_str_eq(ls(&d0, "/t"), "a");
	ck_assert_str_eq(ls(&t0, "/t"), "b,a,c");
	ck_assert_int_eq(xs_node_rm(&t0, "/t/c"), 0);
	ck_assert_str_eq(ls(&t0, "/t"), "b,a");
	ck_assert_str_eq(events, "");
	ck_assert_int_eq(xs_txn_end(&d0, t, true), 0);
	ck_assert_str_eq(rd(&d0, "/t/a", NULL), "again");
	ck_assert_str_eq(rd(&d0, "/t/b", NULL), "2");
	ck_assert_str_eq(ls(&d0, "/t"), "b,a");
	/* a conflicting writer: EAGAIN and nothing applied */
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	ck_assert_int_eq(xs_txn_start(&d0, &u), 0);
	ck_assert_uint_ne(xs_txn_id(t), xs_txn_id(u));
	t0.txn = t;
	rd(&t0, "/t/a", &rc);
	ck_assert_int_eq(wr(&t0, "/t/x", "from t"), 0);
	ck_assert_int_eq(wr(&d0, "/t/a", "outside"), 0);
	ck_assert_int_eq(xs_txn_end(&d0, t, true), -EAGAIN);
	rd(&d0, "/t/x", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	/* an unrelated transaction still commits */
	t0.txn = u;
	ck_assert_int_eq(wr(&t0, "/u/y", "from u"), 0);
	ck_assert_int_eq(xs_txn_end(&d0, u, true), 0);
	ck_assert_str_eq(rd(&d0, "/u/y", NULL), "from u");
	/* abort discards */
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	t0.txn = t;
	ck_assert_int_eq(xs_node_rm(&t0, "/t"), 0);
	ck_assert_int_eq(xs_txn_end(&d0, t, false), 0);
	ck_assert_str_eq(ls(&d0, "/t"), "b,a");
	/* a read of a missing node conflicts with its creation */
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	t0.txn = t;
	rd(&t0, "/t/new", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_int_eq(wr(&d0, "/t/new", "x"), 0);
	ck_assert_int_eq(wr(&t0, "/t/other", "x"), 0);
	ck_assert_int_eq(xs_txn_end(&d0, t, true), -EAGAIN);
}
END_TEST

/* A transaction keeps seeing each node as it first saw it (xenstored). */
START_TEST(txn_snapshot)
{
	struct xs_op d0 = dom(0), t0, u0;
	const struct xs_perms *perms;
	struct xs_perm p = {5, XS_PERM_READ};
	struct xs_txn *t, *u;
	int rc;

	ck_assert_int_eq(wr(&d0, "/s/n", "a"), 0);
	ck_assert_int_eq(wr(&d0, "/s/d/k", "k"), 0);
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	ck_assert_int_eq(xs_txn_start(&d0, &u), 0);
	t0 = d0;
	t0.txn = t;
	u0 = d0;
	u0.txn = u;
	/* both read the node; a write outside leaves them the old value */
	ck_assert_str_eq(rd(&t0, "/s/n", NULL), "a");
	ck_assert_str_eq(rd(&u0, "/s/n", NULL), "a");
	ck_assert_str_eq(ls(&t0, "/s/d"), "k");
	rd(&t0, "/s/absent", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_int_eq(wr(&d0, "/s/n", "b"), 0);
	ck_assert_str_eq(rd(&d0, "/s/n", NULL), "b");
	ck_assert_str_eq(rd(&t0, "/s/n", NULL), "a");
	ck_assert_str_eq(rd(&u0, "/s/n", NULL), "a");
	/* and so do a removal, new perms, a new child and a new node */
	ck_assert_int_eq(xs_node_set_perms(&d0, "/s/n", &p, 1), 0);
	ck_assert_int_eq(xs_node_get_perms(&t0, "/s/n", &perms), 0);
	ck_assert_uint_eq(perms->p[0].domid, 0);
	ck_assert_int_eq(wr(&d0, "/s/d/new", "x"), 0);
	ck_assert_str_eq(ls(&t0, "/s/d"), "k");
	ck_assert_str_eq(ls(&d0, "/s/d"), "k,new");
	ck_assert_int_eq(wr(&d0, "/s/absent", "x"), 0);
	rd(&t0, "/s/absent", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_int_eq(xs_node_rm(&d0, "/s"), 0);
	ck_assert_str_eq(rd(&t0, "/s/n", NULL), "a");
	ck_assert_str_eq(ls(&t0, "/s/d"), "k");
	/* a node it never touched reads as it is now */
	rd(&t0, "/s/d/k", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	/* its own changes build on what it saw */
	ck_assert_int_eq(wr(&u0, "/s/n/c", "c"), 0);
	ck_assert_str_eq(rd(&u0, "/s/n", NULL), "a");
	ck_assert_str_eq(ls(&u0, "/s/n"), "c");
	ck_assert_int_eq(xs_txn_end(&d0, t, true), -EAGAIN);
	ck_assert_int_eq(xs_txn_end(&d0, u, true), -EAGAIN);
	rd(&d0, "/s/n", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	/* a transaction that commits changes nodes others still see */
	ck_assert_int_eq(wr(&d0, "/s/n", "a"), 0);
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	ck_assert_int_eq(xs_txn_start(&d0, &u), 0);
	t0.txn = t;
	u0.txn = u;
	ck_assert_str_eq(rd(&t0, "/s/n", NULL), "a");
	ck_assert_str_eq(rd(&u0, "/s/n", NULL), "a");
	ck_assert_int_eq(xs_node_rm(&t0, "/s"), 0);
	ck_assert_int_eq(xs_txn_end(&d0, t, true), 0);
	ck_assert_str_eq(rd(&u0, "/s/n", NULL), "a");
	ck_assert_int_eq(xs_txn_end(&d0, u, false), 0);
}
END_TEST

/* Over its memory quota, a snapshot breaks the transaction, not the write
 * that needed it. */
START_TEST(txn_snapshot_quota)
{
	struct xs_op d0 = dom(0), d5 = dom(5), t5;
	struct xs_quota q = *xs_store_quota(st);
	struct xs_perm p = {5, XS_PERM_NONE};
	char val[2049];
	struct xs_txn *t;
	int rc;

	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	ck_assert_int_eq(xs_node_mkdir(&d0, "/local/domain/5"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", &p, 1), 0);
	ck_assert_int_eq(wr(&d0, "/local/domain/5/big", val), 0);
	q.txn_mem = 1024;
	xs_store_set_quota(st, &q);
	ck_assert_int_eq(xs_txn_start(&d5, &t), 0);
	t5 = d5;
	t5.txn = t;
	ck_assert_int_eq(rd(&t5, "/local/domain/5/big", NULL)[0], 'v');
	ck_assert_int_eq(wr(&d0, "/local/domain/5/big", "small"), 0);
	rd(&t5, "/local/domain/5/big", &rc);
	ck_assert_int_eq(rc, -EAGAIN);
	ck_assert_int_eq(xs_txn_end(&d5, t, true), -EAGAIN);
}
END_TEST

START_TEST(watch_rules)
{
	struct xs_op d0 = dom(0), d5 = dom(5);
	struct xs_perm p = {5, XS_PERM_NONE};
	struct xs_watch *w;
	struct xs_txn *t;

	ck_assert_int_eq(xs_watch_add(st, NULL, 0, true, "/w", "A", 0, &w), 0);
	ck_assert_int_eq(xs_watch_add(st, NULL, 0, true, "/w/x/y", "B", 0, &w),
			 0);
	ck_assert_int_eq(xs_watch_add(st, NULL, 5, false, "/w", "C", 0, &w), 0);
	ck_assert_int_eq(
	    xs_watch_add(st, NULL, 0, true, "@releaseDomain", "R", 0, &w), 0);
	ck_assert_int_eq(xs_watch_add(st, NULL, 0, true, "/w", "A", 0, &w),
			 -EEXIST);
	ck_assert_int_eq(xs_watch_add(st, NULL, 0, true, "bad", "A", 0, &w),
			 -EINVAL);
	ck_assert_int_eq(wr(&d0, "/other", "1"), 0);
	ck_assert_str_eq(events, "");
	/* domain 5 cannot read Domain-0's node: no event for C */
	ck_assert_int_eq(wr(&d0, "/w/x", "1"), 0);
	ck_assert_str_eq(events, "A:/w/x\n");
	events[0] = '\0';
	ck_assert_int_eq(xs_node_set_perms(&d0, "/w/x", &p, 1), 0);
	ck_assert_str_eq(events, "A:/w/x\nC:/w/x\n");
	events[0] = '\0';
	/* removing a parent fires the watch on each node it deletes with
	 * that node's path, children first; B's node never existed: no
	 * event for it (xenstored) */
	ck_assert_int_eq(xs_node_rm(&d0, "/w/x"), 0);
	ck_assert_str_eq(events, "A:/w/x\nC:/w/x\n");
	events[0] = '\0';
	ck_assert_int_eq(wr(&d0, "/w/x/y", "1"), 0);
	events[0] = '\0';
	ck_assert_int_eq(xs_node_rm(&d0, "/w/x"), 0);
	ck_assert_str_eq(events, "B:/w/x/y\nA:/w/x\n");
	events[0] = '\0';
	/* and once it is gone, removing an ancestor fires nothing for it */
	ck_assert_int_eq(wr(&d0, "/w/x/y", "1"), 0);
	ck_assert_int_eq(xs_node_rm(&d0, "/w/x/y"), 0);
	events[0] = '\0';
	ck_assert_int_eq(xs_node_rm(&d0, "/w/x"), 0);
	ck_assert_str_eq(events, "A:/w/x\n");
	events[0] = '\0';
	/* transactions fire on commit only */
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	{
		struct xs_op t0 = d0;

		t0.txn = t;
		ck_assert_int_eq(wr(&t0, "/w/t", "1"), 0);
	}
	ck_assert_str_eq(events, "");
	ck_assert_int_eq(xs_txn_end(&d0, t, true), 0);
	ck_assert_str_eq(events, "A:/w/t\n");
	events[0] = '\0';
	ck_assert_int_eq(xs_domain_introduce(st, 5), 0);
	ck_assert_int_eq(xs_domain_release(st, 5), 0);
	ck_assert_str_eq(events, "R:@releaseDomain\n");
	ck_assert_int_eq(xs_domain_release(st, 5), -ENOENT);
	(void)d5;
}
END_TEST

START_TEST(list_offsets)
{
	struct xs_op d0 = dom(0);
	char buf[64], path[32];
	uint32_t len, off = 0, total = 0;
	uint64_t gen;
	bool done = false;
	int i, chunks = 0;

	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/big/child%03d", i);
		ck_assert_int_eq(wr(&d0, path, "x"), 0);
	}
	while (!done) {
		ck_assert_int_eq(xs_node_list(&d0, "/big", off, buf,
					      sizeof(buf), &len, &gen, &done),
				 0);
		ck_assert_uint_gt(len, 0);
		ck_assert_int_eq(buf[len - 1], '\0');
		off += len;
		total += len;
		chunks++;
	}
	ck_assert_uint_eq(total, 100 * 9);
	ck_assert_int_ge(chunks, 900 / 64);
	/* a change between parts changes the generation; a later part at
	 * an offset still lists from the offset of the new list */
	ck_assert_int_eq(
	    xs_node_list(&d0, "/big", 0, buf, sizeof(buf), &len, &gen, &done),
	    0);
	{
		uint64_t gen2;

		ck_assert_int_eq(xs_node_rm(&d0, "/big/child000"), 0);
		ck_assert_int_eq(xs_node_list(&d0, "/big", len, buf,
					      sizeof(buf), &len, &gen2, &done),
				 0);
		ck_assert_uint_ne(gen, gen2);
		ck_assert_str_eq(buf, "child008"); /* 7 names skipped */
	}
}
END_TEST

START_TEST(many_keys)
{
	struct xs_op d0 = dom(0);
	char path[64], val[32];
	int i, rc;

	for (i = 0; i < 100000; i++) {
		snprintf(path, sizeof(path), "/bench/d%d/k%d", i / 500, i);
		snprintf(val, sizeof(val), "value-%d", i);
		ck_assert_int_eq(wr(&d0, path, val), 0);
	}
	ck_assert_uint_eq(xs_store_count(st), BASE_NODES + 1 + 200 + 100000);
	ck_assert_str_eq(rd(&d0, "/bench/d199/k99999", NULL), "value-99999");
	ck_assert_int_eq(xs_node_rm(&d0, "/bench"), 0);
	rd(&d0, "/bench/d1/k500", &rc);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_uint_eq(xs_store_count(st), BASE_NODES);
}
END_TEST

/* Random writes and removals against a reference: lookups stay right as
 * the table grows and entries move back into the holes removals leave. */
START_TEST(random_churn)
{
	struct xs_op d0 = dom(0);
	static bool present[3000];
	char path[64];
	unsigned int seed = 12345, i, k;
	int rc;

	memset(present, 0, sizeof(present));
	for (k = 0; k < 7; k++) {
		snprintf(path, sizeof(path), "/r/%u", k);
		ck_assert_int_eq(xs_node_mkdir(&d0, path), 0);
	}
	for (i = 0; i < 40000; i++) {
		k = (unsigned int)rand_r(&seed) % 3000;
		snprintf(path, sizeof(path), "/r/%u/k%u", k % 7, k);
		if (rand_r(&seed) % 3) {
			ck_assert_int_eq(wr(&d0, path, "v"), 0);
			present[k] = true;
		} else {
			ck_assert_int_eq(xs_node_rm(&d0, path), 0);
			present[k] = false;
		}
		if (i % 5000)
			continue;
		for (k = 0; k < 3000; k++) {
			snprintf(path, sizeof(path), "/r/%u/k%u", k % 7, k);
			rd(&d0, path, &rc);
			ck_assert_int_eq(rc, present[k] ? 0 : -ENOENT);
		}
	}
	for (k = 0, i = 0; k < 3000; k++)
		i += present[k];
	/* the base, /r, /r/0../r/6 and the keys present */
	ck_assert_uint_eq(xs_store_count(st), BASE_NODES + 1 + 7 + i);
	ck_assert_int_eq(xs_node_rm(&d0, "/r"), 0);
	ck_assert_uint_eq(xs_store_count(st), BASE_NODES);
}
END_TEST

/* Nodes the dump shows owned by @domid ("[b5" or "[n5,..."). */
static uint32_t dump_owned(uint32_t domid)
{
	char *dump = xs_store_dump(st), *p, want[16];
	uint32_t count = 0;
	size_t wl;

	ck_assert_ptr_nonnull(dump);
	snprintf(want, sizeof(want), "%u", domid);
	wl = strlen(want);
	for (p = strstr(dump, " ["); p; p = strstr(p + 1, " [")) {
		if (!strncmp(p + 3, want, wl) &&
		    (p[3 + wl] == ']' || p[3 + wl] == ','))
			count++;
	}
	xs_free(dump);
	return count;
}

static const char *perms_str(const char *path)
{
	static char out[256];
	struct xs_op d0 = dom(0);
	const struct xs_perms *p;
	size_t len = 0;
	uint32_t i;

	if (xs_node_get_perms(&d0, path, &p))
		return "error";
	for (i = 0; i < p->n && len + 20 < sizeof(out); i++) {
		if (i)
			out[len++] = ',';
		len += (size_t)xs_perm_format(&p->p[i], out + len,
					      sizeof(out) - len);
	}
	out[len] = '\0';
	return out;
}

/*
 * XSA-322: a domain released and its domid given to a new domain.  What
 * the old one owned is Domain-0's now, its access entries are gone, and
 * the new one can neither read nor write any of it; open transactions
 * cannot bring the old entries back either.
 */
START_TEST(release_revokes)
{
	struct xs_op d0 = dom(0), d5 = dom(5), d6 = dom(6), t0;
	struct xs_perm own5 = {5, XS_PERM_NONE};
	struct xs_perm shared[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_BOTH}};
	struct xs_perm other[3] = {
	    {6, XS_PERM_NONE}, {5, XS_PERM_READ}, {7, XS_PERM_READ}};
	struct xs_perm pub[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_READ}};
	struct xs_perm special = {0, XS_PERM_NONE};
	struct xs_perm sp[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_READ}};
	uint32_t nodes0;
	struct xs_txn *t;
	int rc;

	ck_assert_int_eq(xs_domain_introduce(st, 5), 0);
	ck_assert_int_eq(xs_domain_introduce(st, 6), 0);
	ck_assert_int_eq(xs_node_mkdir(&d0, "/local/domain/5"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", &own5, 1),
			 0);
	ck_assert_int_eq(wr(&d5, "/local/domain/5/data/key", "old"), 0);
	ck_assert_int_eq(wr(&d0, "/shared/x", "s"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/shared/x", shared, 2), 0);
	ck_assert_int_eq(xs_node_mkdir(&d0, "/local/domain/6"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/6", other, 1),
			 0);
	ck_assert_int_eq(wr(&d6, "/local/domain/6/o", "o"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d6, "/local/domain/6/o", other, 3),
			 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "@releaseDomain", sp, 2), 0);
	ck_assert_str_eq(rd(&d5, "/shared/x", NULL), "s");
	ck_assert_str_eq(rd(&d5, "/local/domain/6/o", NULL), "o");
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 3);
	nodes0 = xs_domain_nodes(st, 0);
	/* Domain-0 gives 5 rights on a new node inside a transaction that
	 * is still open at the release. */
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	t0 = d0;
	t0.txn = t;
	ck_assert_int_eq(wr(&t0, "/pub/new", "p"), 0);
	ck_assert_int_eq(xs_node_set_perms(&t0, "/pub/new", pub, 2), 0);

	ck_assert_int_eq(xs_domain_release(st, 5), 0);
	ck_assert_int_eq(xs_txn_end(&d0, t, true), 0);
	ck_assert_int_eq(xs_domain_introduce(st, 5), 0);

	ck_assert_str_eq(perms_str("/local/domain/5"), "n0");
	ck_assert_str_eq(perms_str("/local/domain/5/data/key"), "n0");
	ck_assert_str_eq(perms_str("/shared/x"), "n0");
	ck_assert_str_eq(perms_str("/local/domain/6/o"), "n6,r7");
	ck_assert_str_eq(perms_str("/pub/new"), "n0");
	ck_assert_str_eq(perms_str("@releaseDomain"), "n0");
	rd(&d5, "/local/domain/5/data/key", &rc);
	ck_assert_int_eq(rc, -EACCES);
	ck_assert_int_eq(wr(&d5, "/local/domain/5/data/key", "new"), -EACCES);
	ck_assert_int_eq(wr(&d5, "/local/domain/5/data/other", "x"), -EACCES);
	rd(&d5, "/shared/x", &rc);
	ck_assert_int_eq(rc, -EACCES);
	ck_assert_int_eq(wr(&d5, "/shared/x", "w"), -EACCES);
	rd(&d5, "/local/domain/6/o", &rc);
	ck_assert_int_eq(rc, -EACCES);
	rd(&d5, "/pub/new", &rc);
	ck_assert_int_eq(rc, -EACCES);
	ck_assert_int_eq(xs_node_set_perms(&d5, "@releaseDomain", &special, 1),
			 -EACCES);
	ck_assert_str_eq(rd(&d0, "/local/domain/5/data/key", NULL), "old");
	/* the quota counts moved with the nodes */
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 0);
	ck_assert_uint_eq(xs_domain_nodes(st, 0), nodes0 + 3 + 2);
	ck_assert_uint_eq(dump_owned(5), 0);
	ck_assert_uint_eq(dump_owned(0), xs_domain_nodes(st, 0));
	ck_assert_uint_eq(dump_owned(6), xs_domain_nodes(st, 6));
	/* and the new domain 5 starts from a full quota in its new home */
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", &own5, 1),
			 0);
	ck_assert_int_eq(wr(&d5, "/local/domain/5/fresh", "f"), 0);
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 2);
	ck_assert_uint_eq(dump_owned(5), 2);
}
END_TEST

/* A transaction that read a node the release changes conflicts. */
START_TEST(release_conflicts_txn)
{
	struct xs_op d0 = dom(0), t0;
	struct xs_perm own5 = {5, XS_PERM_BOTH};
	struct xs_txn *t;

	ck_assert_int_eq(xs_domain_introduce(st, 5), 0);
	ck_assert_int_eq(wr(&d0, "/local/domain/5/k", "v"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", &own5, 1),
			 0);
	ck_assert_int_eq(xs_txn_start(&d0, &t), 0);
	t0 = d0;
	t0.txn = t;
	ck_assert_int_eq(wr(&t0, "/local/domain/5/n", "in txn"), 0);
	ck_assert_int_eq(xs_domain_release(st, 5), 0);
	ck_assert_int_eq(xs_txn_end(&d0, t, true), -EAGAIN);
	ck_assert_str_eq(perms_str("/local/domain/5"), "b0");
	ck_assert_uint_eq(xs_domain_nodes(st, 5), 0);
}
END_TEST

/* A store the size of 1000 domains' nodes: one release walks it once. */
START_TEST(release_cost)
{
	struct xs_op d0 = dom(0);
	struct xs_perm own = {0, XS_PERM_NONE};
	struct timespec a, b;
	char path[64];
	uint32_t dom, i;
	double ms;

	for (dom = 1; dom <= 1000; dom++) {
		ck_assert_int_eq(xs_domain_introduce(st, dom), 0);
		own.domid = dom;
		snprintf(path, sizeof(path), "/local/domain/%u", dom);
		ck_assert_int_eq(xs_node_mkdir(&d0, path), 0);
		ck_assert_int_eq(xs_node_set_perms(&d0, path, &own, 1), 0);
		for (i = 0; i < 49; i++) {
			snprintf(path, sizeof(path), "/local/domain/%u/k%u",
				 dom, i);
			ck_assert_int_eq(wr(&d0, path, "v"), 0);
		}
	}
	ck_assert_uint_ge(xs_store_count(st), 50000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(xs_domain_release(st, 500), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("release of 1 domain in a store of %llu nodes: %.2f ms\n",
	       (unsigned long long)xs_store_count(st), ms);
	ck_assert_uint_eq(xs_domain_nodes(st, 500), 0);
	ck_assert_uint_eq(xs_domain_nodes(st, 501), 50);
	ck_assert_str_eq(perms_str("/local/domain/500/k7"), "n0");
	/* generous: tens of milliseconds even under a sanitizer */
	ck_assert_msg(ms < 2000, "release took %.1f ms", ms);
}
END_TEST

static int op_release(void)
{
	return xs_domain_release(st, 5);
}

/* ---- fault injection ---- */

static void fill(void)
{
	struct xs_op d0 = dom(0);
	struct xs_perm p[2] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}};

	ck_assert_int_eq(wr(&d0, "/f/a/b", "value-b"), 0);
	ck_assert_int_eq(wr(&d0, "/f/a/c", "c"), 0);
	ck_assert_int_eq(wr(&d0, "/f/x", "x"), 0);
	ck_assert_int_eq(xs_node_mkdir(&d0, "/local/domain/5"), 0);
	ck_assert_int_eq(xs_node_set_perms(&d0, "/local/domain/5", p, 2), 0);
	ck_assert_int_eq(xs_domain_introduce(st, 5), 0);
}

static int op_write_new(void)
{
	struct xs_op d0 = dom(0);

	return wr(&d0, "/f/new/deep/node", "hello");
}

static int op_write_existing(void)
{
	struct xs_op d0 = dom(0);

	return wr(&d0, "/f/a/b", "a longer value than the old one");
}

static int op_write_unpriv(void)
{
	struct xs_op d5 = dom(5);

	return wr(&d5, "/local/domain/5/p/q", "guest");
}

static int op_mkdir(void)
{
	struct xs_op d0 = dom(0);

	return xs_node_mkdir(&d0, "/f/m/n");
}

static int op_rm(void)
{
	struct xs_op d0 = dom(0);

	return xs_node_rm(&d0, "/f/a");
}

static int op_set_perms(void)
{
	struct xs_op d0 = dom(0);
	struct xs_perm p[2] = {{7, XS_PERM_READ}, {8, XS_PERM_BOTH}};

	return xs_node_set_perms(&d0, "/f/x", p, 2);
}

static int op_txn(void)
{
	struct xs_op d0 = dom(0), t0;
	struct xs_txn *t;
	int rc;

	rc = xs_txn_start(&d0, &t);
	if (rc)
		return rc;
	t0 = d0;
	t0.txn = t;
	rc = wr(&t0, "/f/t/1", "one");
	if (!rc)
		rc = wr(&t0, "/f/a/b", "in txn, longer than before");
	if (!rc)
		rc = xs_node_rm(&t0, "/f/x");
	if (!rc)
		rc = xs_node_mkdir(&t0, "/f/x");
	if (!rc) {
		struct xs_perm p = {9, XS_PERM_READ};

		rc = xs_node_set_perms(&t0, "/f/a", &p, 1);
	}
	if (rc) {
		xs_txn_end(&d0, t, false);
		return rc;
	}
	return xs_txn_end(&d0, t, true);
}

static int op_watch(void)
{
	struct xs_watch *w;

	return xs_watch_add(st, NULL, 5, false, "/f/a", "tok", 0, &w);
}

static int op_introduce(void)
{
	return xs_domain_introduce(st, 9);
}

static int op_txn_unpriv(void)
{
	struct xs_op d5 = dom(5), t5;
	struct xs_txn *t;
	int rc;

	rc = xs_txn_start(&d5, &t);
	if (rc)
		return rc;
	t5 = d5;
	t5.txn = t;
	rc = wr(&t5, "/local/domain/5/in-txn", "v");
	if (rc) {
		xs_txn_end(&d5, t, false);
		return rc;
	}
	return xs_txn_end(&d5, t, true);
}

static const struct {
	const char *name;
	int (*fn)(void);
	bool changes_tree;
} fault_ops[] = {
    {"write new", op_write_new, true},
    {"write existing", op_write_existing, true},
    {"write unpriv", op_write_unpriv, true},
    {"mkdir", op_mkdir, true},
    {"rm", op_rm, true},
    {"set_perms", op_set_perms, true},
    {"transaction", op_txn, true},
    {"unprivileged transaction", op_txn_unpriv, true},
    {"watch", op_watch, false},
    {"introduce", op_introduce, false},
    {"release", op_release, true},
};

START_TEST(fault_injection)
{
	char *before, *after;
	long live, n;
	uint32_t nodes5, watches5;
	int rc = -ENOMEM;

	fill();
	before = xs_store_dump(st);
	ck_assert_ptr_nonnull(before);
	nodes5 = xs_domain_nodes(st, 5);
	watches5 = xs_domain_watches(st, 5);
	for (n = 0; n < 1000; n++) {
		live = xs_alloc_live();
		xs_alloc_fail_at(n);
		rc = fault_ops[_i].fn();
		xs_alloc_fail_at(-1);
		xs_arena_reset(&arena); /* as the server does per request */
		if (rc == 0)
			break;
		ck_assert_msg(rc == -ENOMEM, "%s: fail at %ld: rc %d",
			      fault_ops[_i].name, n, rc);
		ck_assert_msg(xs_alloc_live() == live,
			      "%s: fail at %ld: %ld allocations leaked",
			      fault_ops[_i].name, n, xs_alloc_live() - live);
		after = xs_store_dump(st);
		ck_assert_ptr_nonnull(after);
		ck_assert_msg(!strcmp(before, after),
			      "%s: fail at %ld changed the store:\n%s",
			      fault_ops[_i].name, n, after);
		xs_free(after);
		ck_assert_uint_eq(xs_domain_nodes(st, 5), nodes5);
		ck_assert_uint_eq(xs_domain_watches(st, 5), watches5);
		ck_assert(!xs_domain_introduced(st, 9));
	}
	ck_assert_msg(rc == 0, "%s never succeeded", fault_ops[_i].name);
	ck_assert_msg(n > 0, "%s allocated nothing", fault_ops[_i].name);
	after = xs_store_dump(st);
	ck_assert_ptr_nonnull(after);
	if (fault_ops[_i].changes_tree)
		ck_assert_str_ne(before, after);
	xs_free(after);
	xs_free(before);
}
END_TEST

static Suite *xs_store_suite(void)
{
	Suite *s = suite_create("xs_store");
	TCase *tc;

	tc = tcase_create("nodes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, basic_write_read_list);
	tcase_add_loop_test(tc, invalid_paths, 0,
			    sizeof(bad_paths) / sizeof(bad_paths[0]));
	tcase_add_test(tc, long_paths);
	tcase_add_test(tc, list_offsets);
	suite_add_tcase(s, tc);

	tc = tcase_create("perms");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, perms_rules);
	tcase_add_test(tc, release_revokes);
	tcase_add_test(tc, release_conflicts_txn);
	suite_add_tcase(s, tc);

	tc = tcase_create("quotas");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, quotas);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, txn_isolation_and_conflict);
	tcase_add_test(tc, txn_snapshot);
	tcase_add_test(tc, txn_snapshot_quota);
	suite_add_tcase(s, tc);

	tc = tcase_create("watches");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, watch_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, many_keys);
	tcase_add_test(tc, random_churn);
	tcase_add_test(tc, release_cost);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, fault_injection, 0,
			    sizeof(fault_ops) / sizeof(fault_ops[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(xs_store_suite());
}
