// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: whole connections into the wire server and the store.
 *
 * The input is a sequence of records, each ended by the four bytes
 * FUZZ_SEP (or by the end of the input): one byte naming a connection
 * (its value modulo 3: two clients as Domain-0, one as domain 5,
 * introduced), then one message as it goes on the wire, its 16-byte
 * header and its payload, whose length the header gets set to.  With bit
 * 6 of that byte set the header's length is left as it is, to try the
 * server's framing.  Each record is written to its connection's socket
 * and the server run until it has read and answered everything; what
 * comes back is read off every socket.  With the top bit of the first
 * byte set, the store is journaled (which costs the fuzzer two thirds of
 * its speed) and the journal checked.
 *
 * Besides the sanitizers' findings, an input fails (abort) when the
 * server sends a message that breaks the protocol (a payload over 4096
 * bytes, an unknown type, an error that is no errno name), when the
 * per-domain node counts disagree with the owners in the tree, when the
 * journal does not load back into the same tree, or when allocations made
 * through the store's hook outlive the store.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "xld/log.h"
#include "xld/loop.h"
#include "xld/store/xs.h"
#include "xld/store/xs_internal.h"
#include "xld/store/xs_server_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCONNS 3
#define GUEST 5
#define FUZZ_SEP "\xffXS\xff"
#define FUZZ_SEP_LEN 4u
#define FUZZ_RAW 0x40
#define FUZZ_JOURNAL 0x80

/* Our end of one connection, and what has come back on it. */
struct peer {
	int fd;
	bool dead;
	uint8_t in[XS_HDR_LEN + XS_PAYLOAD_MAX];
	size_t in_len;
};

static char state_dir[80];

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_wire: %s\n", what);
		abort();
	}
}

static const char *const errnames[] = {
    "EINVAL", "EACCES", "EEXIST", "EISDIR",    "ENOENT", "ENOMEM",
    "ENOSPC", "EIO",	"ENOTEMPTY", "ENOSYS", "EROFS",	 "EBUSY",
    "EAGAIN", "EISCONN", "E2BIG",   "EPERM",
};

static bool is_errname(const uint8_t *p, uint32_t len)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (len == strlen(errnames[i]) + 1 &&
		    !memcmp(p, errnames[i], len))
			return true;
	return false;
}

/* Check the whole messages in p->in; keep a partial one. */
static void parse_replies(struct peer *p)
{
	struct xs_msg_hdr h;
	size_t pos = 0;

	while (p->in_len - pos >= XS_HDR_LEN) {
		memcpy(&h, p->in + pos, XS_HDR_LEN);
		check(h.len <= XS_PAYLOAD_MAX, "a message over 4096 bytes");
		check(h.type < XS_MSG_TYPE_COUNT, "a message of unknown type");
		if (p->in_len - pos - XS_HDR_LEN < h.len)
			break;
		if (h.type == XS_MSG_ERROR)
			check(is_errname(p->in + pos + XS_HDR_LEN, h.len),
			      "an error that is no errno name");
		pos += XS_HDR_LEN + h.len;
	}
	memmove(p->in, p->in + pos, p->in_len - pos);
	p->in_len -= pos;
}

/* Read what the server sent; true if anything came. */
static bool drain(struct peer *p)
{
	bool got = false;
	ssize_t r;

	while (!p->dead) {
		r = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len,
			 MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* EOF or reset: the server closed it. */
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				p->dead = true;
			break;
		}
		got = true;
		p->in_len += (size_t)r;
		parse_replies(p);
	}
	return got;
}

/*
 * Run the server until it has read all we wrote to @to (all connections
 * when NULL) and we all it wrote: until a round moves nothing.
 */
static void pump(struct xs_server *srv, struct peer *peers, struct peer *to)
{
	bool moved;
	int i, round, unread;

	for (round = 0; round < 1000; round++) {
		xs_server_poll(srv);
		moved = false;
		unread = 0;
		for (i = 0; i < NCONNS; i++) {
			struct peer *p = &peers[i];
			int q = 0;

			moved |= drain(p);
			if ((!to || p == to) && !p->dead &&
			    !ioctl(p->fd, SIOCOUTQ, &q))
				unread += q;
		}
		if (!moved && !unread)
			return;
	}
	check(false, "the server stopped reading a connection");
}

/* One record: a connection byte, a header, a payload. */
static void send_record(struct xs_server *srv, struct peer *peers,
			const uint8_t *rec, size_t len)
{
	uint8_t msg[XS_HDR_LEN + XS_PAYLOAD_MAX + 64];
	struct peer *p;
	uint32_t plen;
	size_t off = 0;
	ssize_t r;
	int tries;

	if (!len)
		return;
	p = &peers[rec[0] % NCONNS];
	len = len - 1 < sizeof(msg) ? len - 1 : sizeof(msg);
	memcpy(msg, rec + 1, len);
	if (!(rec[0] & FUZZ_RAW) && len >= XS_HDR_LEN) {
		plen = (uint32_t)(len - XS_HDR_LEN);
		memcpy(msg + offsetof(struct xs_msg_hdr, len), &plen,
		       sizeof(plen));
	}
	for (tries = 0; off < len && !p->dead && tries < 100; tries++) {
		r = send(p->fd, msg + off, len - off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0)
			off += (size_t)r;
		else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			 errno != EINTR)
			p->dead = true;
		pump(srv, peers, p);
	}
}

/* Nodes owned per domid, as the tree says. */
static uint32_t owned[65536];

static int count_owner(const struct xs_node *n, const char *path, size_t plen,
		       void *arg)
{
	(void)path;
	(void)plen;
	(void)arg;
	owned[n->perms->p[0].domid & 0xffff]++;
	return 0;
}

static void check_counts(struct xs_store *st)
{
	struct xs_domain *d;
	uint32_t i, seen = 0, total = 0;

	memset(owned, 0, sizeof(owned));
	xs_walk(st, count_owner, NULL);
	for (i = 0; i < XS_DOM_BUCKETS; i++) {
		for (d = st->doms[i]; d; d = d->next) {
			check(d->nodes == owned[d->domid & 0xffff],
			      "a domain's node count is not what it owns");
			seen += d->nodes;
		}
	}
	for (i = 0; i < 65536; i++)
		total += owned[i];
	check(seen == total, "nodes owned by a domain the store forgot");
}

/* The journal, loaded into a new store, must give the same tree. */
static void check_journal(struct xs_store *st)
{
	struct xs_store *copy = xs_store_new(NULL, NULL);
	struct xs_journal *j = NULL;
	char err[256], *a, *b;

	check(copy != NULL, "no memory for the copy");
	check(!xs_journal_open(copy, state_dir, &j, err, sizeof(err)), err);
	a = xs_store_dump(st);
	b = xs_store_dump(copy);
	check(a && b && !strcmp(a, b), "the journal loads a different tree");
	xs_free(a);
	xs_free(b);
	xs_journal_discard(j);
	xs_store_free(copy);
}

static void clear_state_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/" XS_SNAPSHOT_FILE, state_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" XS_JOURNAL_FILE, state_dir);
	unlink(path);
}

static void journal_flush(void *arg)
{
	xs_journal_flush(arg);
}

static void remove_state_dir(void)
{
	clear_state_dir();
	rmdir(state_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	/* The server's warnings would only slow the fuzzer down. */
	xld_log_open("/dev/null", false);
	snprintf(state_dir, sizeof(state_dir), "%s/fuzz_wire.XXXXXX",
		 tmp && strlen(tmp) < 48 ? tmp : "/tmp");
	check(mkdtemp(state_dir) != NULL, "cannot make a state directory");
	atexit(remove_state_dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t domids[NCONNS] = {0, 0, GUEST};
	struct peer *peers = calloc(NCONNS, sizeof(*peers));
	struct xld_loop *loop = xld_loop_new();
	struct xs_journal *j = NULL;
	struct xs_server *srv;
	struct xs_store *st;
	long live = xs_alloc_live();
	char err[256];
	size_t pos = 0;
	int sv[2], i;

	check(peers && loop, "no memory");
	srv = xs_server_new(loop, NULL, NULL);
	st = srv ? xs_store_new(xs_server_event, srv) : NULL;
	check(st != NULL, "no memory for the store");
	xs_server_set_store(srv, st);
	if (size && (data[0] & FUZZ_JOURNAL)) {
		clear_state_dir();
		check(!xs_journal_open(st, state_dir, &j, err, sizeof(err)),
		      err);
		xs_server_set_flush_hook(srv, journal_flush, j);
	}
	check(!xs_server_introduce(srv, GUEST), "cannot introduce the guest");
	for (i = 0; i < NCONNS; i++) {
		check(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		      "socketpair");
		peers[i].fd = sv[0];
		check(!xs_server_adopt(srv, sv[1], domids[i], domids[i] == 0),
		      "cannot adopt a connection");
	}
	while (pos < size) {
		const uint8_t *end = memmem(data + pos, size - pos, FUZZ_SEP,
					    FUZZ_SEP_LEN);
		size_t rlen = end ? (size_t)(end - data) - pos : size - pos;

		send_record(srv, peers, data + pos, rlen);
		pos += rlen + (end ? FUZZ_SEP_LEN : 0);
	}
	pump(srv, peers, NULL);
	check_counts(st);
	if (j) {
		xs_journal_flush(j);
		check_journal(st);
		xs_journal_discard(j);
	}
	xs_server_free(srv);
	xs_store_free(st);
	xld_loop_free(loop);
	for (i = 0; i < NCONNS; i++)
		close(peers[i].fd);
	free(peers);
	check(xs_alloc_live() == live, "the store leaked allocations");
	return 0;
}
