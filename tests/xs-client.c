// SPDX-License-Identifier: GPL-2.0
/*
 * A small XenStore client on Debian's libxenstore, for what the xenstore-*
 * tools cannot do: introduce and release domains, and transactions.
 *
 *   xs-client introduce DOMID | release DOMID
 *   xs-client txn PATH      isolation, commit, abort and an EAGAIN conflict
 *   xs-client txn-quota     opens transactions until refused; prints the count
 *   xs-client read PATH | write PATH VALUE | chmod PATH PERM...
 *                           one call; prints the value, OK or ERROR <strerror>
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "xs-client: " __VA_ARGS__);            \
			fprintf(stderr, " (errno %s)\n", strerror(errno));     \
			return 1;                                              \
		}                                                              \
	} while (0)

static char *rd(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	unsigned int len;

	return xs_read(h, t, path, &len);
}

static int txn_test(const char *base)
{
	struct xs_handle *a = xs_open(0), *b = xs_open(0);
	char k1[256], k2[256], *v;
	xs_transaction_t t;

	CHECK(a && b, "xs_open");
	snprintf(k1, sizeof(k1), "%s/k1", base);
	snprintf(k2, sizeof(k2), "%s/k2", base);
	CHECK(xs_write(a, XBT_NULL, k1, "v0", 2), "write %s", k1);

	/* Changes are invisible until commit, then visible. */
	t = xs_transaction_start(a);
	CHECK(t, "transaction_start");
	CHECK(xs_write(a, t, k2, "in-txn", 6), "write in txn");
	v = rd(b, XBT_NULL, k2);
	CHECK(!v && errno == ENOENT, "uncommitted write visible: %s", v);
	v = rd(a, t, k2);
	CHECK(v && !strcmp(v, "in-txn"), "own write not visible in txn");
	free(v);
	CHECK(xs_transaction_end(a, t, false), "commit");
	v = rd(b, XBT_NULL, k2);
	CHECK(v && !strcmp(v, "in-txn"), "committed write not visible");
	free(v);
	printf("commit: ok\n");

	/* Abort discards. */
	t = xs_transaction_start(a);
	CHECK(t, "transaction_start");
	CHECK(xs_rm(a, t, k2), "rm in txn");
	CHECK(xs_transaction_end(a, t, true), "abort");
	v = rd(b, XBT_NULL, k2);
	CHECK(v, "aborted rm applied");
	free(v);
	printf("abort: ok\n");

	/* Another writer touches what the transaction read: EAGAIN. */
	t = xs_transaction_start(a);
	CHECK(t, "transaction_start");
	v = rd(a, t, k1);
	CHECK(v && !strcmp(v, "v0"), "read in txn");
	free(v);
	CHECK(xs_write(a, t, k2, "from-txn", 8), "write in txn");
	CHECK(xs_write(b, XBT_NULL, k1, "other", 5), "conflicting write");
	CHECK(!xs_transaction_end(a, t, false) && errno == EAGAIN,
	      "conflicting commit did not fail with EAGAIN");
	v = rd(b, XBT_NULL, k2);
	CHECK(v && !strcmp(v, "in-txn"), "failed commit applied: %s", v);
	free(v);
	printf("conflict: EAGAIN\n");

	/* A bad transaction id. */
	v = rd(a, 12345678, k1);
	CHECK(!v && errno == ENOENT, "bogus transaction accepted");
	printf("bogus txn: ENOENT\n");
	xs_close(a);
	xs_close(b);
	return 0;
}

static int txn_quota(void)
{
	struct xs_handle *h = xs_open(0);
	int n = 0;

	CHECK(h, "xs_open");
	while (n < 100 && xs_transaction_start(h))
		n++;
	printf("%d %s\n", n, n < 100 ? strerror(errno) : "unlimited");
	xs_close(h);
	return 0;
}

/* One operation, printing the value or the error as strerror() words. */
static int one_op(int argc, char **argv)
{
	struct xs_handle *h = xs_open(0);
	struct xs_permissions perms[16];
	unsigned int len, n;
	char *v = NULL;
	bool ok = false;

	CHECK(h, "xs_open");
	if (!strcmp(argv[1], "read") && argc == 3) {
		v = xs_read(h, XBT_NULL, argv[2], &len);
		ok = v != NULL;
	} else if (!strcmp(argv[1], "write") && argc == 4) {
		ok = xs_write(h, XBT_NULL, argv[2], argv[3], strlen(argv[3]));
	} else if (!strcmp(argv[1], "chmod") && argc >= 4 && argc < 20) {
		for (n = 0; n < (unsigned int)argc - 3; n++)
			if (!xs_strings_to_perms(&perms[n], 1, argv[n + 3]))
				return 2;
		ok = xs_set_permissions(h, XBT_NULL, argv[2], perms, n);
	} else {
		return 2;
	}
	if (ok)
		printf("%s\n", v ? v : "OK");
	else
		printf("ERROR %s\n", strerror(errno));
	free(v);
	xs_close(h);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct xs_handle *h;
	bool ok;

	if (argc == 3 && !strcmp(argv[1], "txn"))
		return txn_test(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "txn-quota"))
		return txn_quota();
	if (argc == 3 &&
	    (!strcmp(argv[1], "introduce") || !strcmp(argv[1], "release"))) {
		h = xs_open(0);
		CHECK(h, "xs_open");
		if (argv[1][0] == 'i')
			ok = xs_introduce_domain(h, atoi(argv[2]), 0, 0);
		else
			ok = xs_release_domain(h, atoi(argv[2]));
		CHECK(ok, "%s %s", argv[1], argv[2]);
		xs_close(h);
		return 0;
	}
	if (argc >= 3)
		return one_op(argc, argv);
	fprintf(stderr, "usage: xs-client introduce|release DOMID | "
			"txn PATH | txn-quota\n");
	return 2;
}
