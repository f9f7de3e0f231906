// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot and journal of the store.
 *
 * Both files start with an 8-byte magic, the 64-bit sequence number of the
 * snapshot and a CRC-32 of those 16 bytes; a journal applies only to the
 * snapshot with its number (a journal left from before the last snapshot
 * is ignored).  Then records:
 *
 *   u32 body length, u32 CRC-32 of the body, body
 *   body: u8 type (1 SET, 2 RM, 3 END), u32 path length, path;
 *         SET adds u32 perms count, {u32 domid, u32 mode} each,
 *         u32 value length, value; END (snapshots only) adds u64 count.
 *
 * Integers are little-endian.  A snapshot must end with END, its record
 * count matching.  A journal may end in a torn record (xld died in the
 * middle of a write): it is dropped with a warning.  Any other damage
 * fails the load and loads nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xld/file.h"
#include "xld/log.h"
#include "xld/store/xs_internal.h"
#include "xld/store/xs.h"
#include "xld/store/xs_syncer.h"

#define SNAP_MAGIC "XLDSNAP1"
#define JRNL_MAGIC "XLDJRNL1"
#define HDR_SIZE 24u /* magic, u64 sequence, u32 CRC of those, u32 0 */
#define REC_SET 1
#define REC_RM 2
#define REC_END 3
#define REC_MAX (16u + XS_ABS_PATH_MAX + 8u * 65536 + 16u * 1024 * 1024)

struct xs_journal {
	struct xs_store *st;
	char *dir;
	int fd;
	uint64_t seq;
	char *buf; /* records not yet written */
	size_t len, cap;
	size_t size; /* bytes in the journal file */
	bool dirty;  /* written since the last fdatasync started */
	struct xs_syncer *syncer;
	bool broken; /* a write failed: snapshot at the next tick */
	int failed;  /* the error last logged (-errno), 0 once written */
};

/*
 * A full or read-only state dir fails every tick's snapshot: say so once,
 * and once when the store is durable again, not every second.
 */
static void journal_failed(struct xs_journal *j, const char *what, int rc)
{
	if (rc == j->failed)
		return;
	j->failed = rc;
	xld_err("%s in %s: %s; the store keeps answering, but its changes "
		"since are in memory only (lost if xld dies) until a snapshot "
		"can be written: retried every second",
		what, j->dir, strerror(-rc));
}

/* Eight bytes a step (slicing by 8): a deep tree's nodes are journaled
 * with their whole paths, a megabyte a request (XSA-418). */
uint32_t xs_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[8][256];
	const unsigned char *p = buf;
	uint32_t c, lo, hi;
	size_t i;
	int k;

	if (!table[0][1]) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[0][i] = c;
		}
		for (i = 0; i < 256; i++)
			for (k = 1; k < 8; k++)
				table[k][i] = (table[k - 1][i] >> 8) ^
					      table[0][table[k - 1][i] & 0xff];
	}
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		lo = crc ^ (p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[3] << 24);
		hi = p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
		     (uint32_t)p[7] << 24;
		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		      table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
	}
	for (i = 0; i < len; i++)
		crc = table[0][(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- encoding ---- */

struct buf {
	char *p;
	size_t len, cap;
	int err;
	uint64_t count;
};

static void put(struct buf *b, const void *data, size_t n)
{
	size_t cap;
	char *np;

	if (b->err)
		return;
	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put32(struct buf *b, uint32_t v)
{
	unsigned char c[4] = {v, v >> 8, v >> 16, v >> 24};

	put(b, c, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Append one framed record: the body is built after a placeholder. */
static void rec_set(struct buf *b, const char *path, uint32_t plen,
		    const struct xs_perms *perms, const char *val,
		    uint32_t vlen)
{
	size_t start = b->len;
	uint32_t i;

	put32(b, 0);
	put32(b, 0);
	put(b, &(char){REC_SET}, 1);
	put32(b, plen);
	put(b, path, plen);
	put32(b, perms->n);
	for (i = 0; i < perms->n; i++) {
		put32(b, perms->p[i].domid);
		put32(b, perms->p[i].mode);
	}
	put32(b, vlen);
	put(b, val, vlen);
	if (b->err)
		return;
	{
		uint32_t blen = (uint32_t)(b->len - start - 8);
		uint32_t crc = xs_crc32(0, b->p + start + 8, blen);
		struct buf hdr = {0};

		put32(&hdr, blen);
		put32(&hdr, crc);
		if (hdr.err) {
			b->err = hdr.err;
			return;
		}
		memcpy(b->p + start, hdr.p, 8);
		free(hdr.p);
	}
}

static void rec_simple(struct buf *b, int type, const char *path, uint32_t plen,
		       const uint64_t *count)
{
	size_t start = b->len;

	put32(b, 0);
	put32(b, 0);
	put(b, &(char){(char)type}, 1);
	put32(b, plen);
	put(b, path, plen);
	if (count)
		put64(b, *count);
	if (b->err)
		return;
	{
		uint32_t blen = (uint32_t)(b->len - start - 8);
		uint32_t crc = xs_crc32(0, b->p + start + 8, blen);
		unsigned char h[8] = {blen, blen >> 8, blen >> 16, blen >> 24,
				      crc,  crc >> 8,  crc >> 16,  crc >> 24};

		memcpy(b->p + start, h, 8);
	}
}

/* ---- decoding and applying ---- */

static int restore_set(struct xs_store *st, const char *path, uint32_t plen,
		       struct xs_perms *perms, const char *val, uint32_t vlen)
{
	struct xs_node *n, *parent;
	struct xs_domain *d;
	char *block = NULL;

	n = xs_lookup(st, path, plen);
	if (n) {
		if (vlen > n->icap) {
			block = xs_malloc(vlen);
			if (!block)
				return -ENOMEM;
			memcpy(block, val, vlen);
		}
		d = xs_domain_get(st, perms->p[0].domid);
		if (!d) {
			xs_free(block);
			return -ENOMEM;
		}
		xs_node_set_value(n, block, val, vlen);
		if (n->perms->p[0].domid != perms->p[0].domid) {
			struct xs_domain *from =
			    xs_domain_find(st, n->perms->p[0].domid);

			if (from && from->nodes)
				from->nodes--;
			d->nodes++;
		}
		xs_perms_put(n->perms);
		n->perms = xs_perms_get_ref(perms);
		xs_touch(st, n);
		return 0;
	}
	parent = xs_lookup(st, path, xs_parent_len(path, plen));
	if (!parent)
		return -EBADMSG;
	if (xs_store_reserve(st, 1))
		return -ENOMEM;
	d = xs_domain_get(st, perms->p[0].domid);
	if (!d)
		return -ENOMEM;
	n = xs_node_alloc(path + xs_name_off(path, plen),
			  plen - xs_name_off(path, plen), val, vlen, perms);
	if (!n)
		return -ENOMEM;
	xs_node_link(st, parent, n);
	xs_touch(st, parent);
	d->nodes++;
	return 0;
}

/*
 * Apply the records in data[off..len).  *@end gets the offset after the
 * last good record.  A snapshot must finish with END; a journal may stop
 * short (torn tail), reported through *@torn.
 */
static int replay(struct xs_store *st, const unsigned char *data, size_t len,
		  size_t off, bool snapshot, size_t *end, bool *torn, char *err,
		  size_t errlen)
{
	uint64_t count = 0;
	int rc;

	*torn = false;
	while (off < len) {
		const unsigned char *b;
		uint32_t blen, plen, n, i, vlen;
		struct xs_perms *perms;
		struct xs_perm *pp;
		size_t pos;

		if (len - off < 8 || len - off - 8 < get32(data + off)) {
			if (snapshot)
				goto bad;
			*torn = true;
			break;
		}
		blen = get32(data + off);
		b = data + off + 8;
		if (blen < 5 || blen > REC_MAX ||
		    xs_crc32(0, b, blen) != get32(data + off + 4)) {
			/* A torn last record in a journal: drop it. */
			if (!snapshot && off + 8 + blen == len) {
				*torn = true;
				break;
			}
			goto bad;
		}
		plen = get32(b + 1);
		if (plen == 0 || plen > XS_ABS_PATH_MAX || 5 + plen > blen)
			goto bad;
		pos = 5 + plen;
		if (memchr(b + 5, '\0', plen) || b[5] != '/')
			goto bad;
		switch (b[0]) {
		case REC_END:
			if (!snapshot || blen != pos + 8 ||
			    get64(b + pos) != count || off + 8 + blen != len)
				goto bad;
			*end = len;
			return 0;
		case REC_RM: {
			struct xs_node *node;

			if (snapshot || blen != pos || plen == 1)
				goto bad;
			node = xs_lookup(st, (const char *)b + 5, plen);
			if (node)
				xs_subtree_delete(st, node);
			break;
		}
		case REC_SET:
			if (blen - pos < 4)
				goto bad;
			n = get32(b + pos);
			pos += 4;
			if (n == 0 || n > 65536 || (blen - pos) / 8 < n)
				goto bad;
			pp = malloc(n * sizeof(*pp));
			if (!pp)
				return -ENOMEM;
			for (i = 0; i < n; i++) {
				pp[i].domid = get32(b + pos);
				pp[i].mode = get32(b + pos + 4) & 3;
				pos += 8;
			}
			perms = xs_perms_new(pp, n);
			free(pp);
			if (!perms)
				return -ENOMEM;
			if (blen - pos < 4 ||
			    blen - pos - 4 != (vlen = get32(b + pos)) ||
			    vlen > XS_PAYLOAD_MAX) {
				xs_perms_put(perms);
				goto bad;
			}
			rc = restore_set(st, (const char *)b + 5, plen, perms,
					 (const char *)b + pos + 4, vlen);
			xs_perms_put(perms);
			if (rc == -EBADMSG)
				goto bad;
			if (rc)
				return rc;
			break;
		default:
			goto bad;
		}
		count++;
		off += 8 + blen;
		*end = off;
	}
	if (snapshot)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "bad record at byte %zu", off);
	return -EBADMSG;
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
	struct stat sb;
	unsigned char *p = NULL;
	size_t got = 0;
	ssize_t r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto out;
	}
	p = malloc((size_t)sb.st_size + 1);
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		r = read(fd, p + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)r;
	}
	*data = p;
	*len = got;
	p = NULL;
	rc = 0;
out:
	free(p);
	close(fd);
	return rc;
}

/* ---- writing ---- */

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Write @b to dir/name atomically (xld/file.h), the directory synced too. */
static int write_atomic(const char *dir, const char *name, struct buf *b)
{
	int rc = xld_file_write_tmp(dir, name, b->p, b->len);

	if (!rc)
		rc = xld_file_commit(dir, name);
	if (!rc)
		rc = xld_dir_sync(dir);
	return rc;
}

static void header(struct buf *b, const char *magic, uint64_t seq)
{
	size_t start = b->len;

	put(b, magic, 8);
	put64(b, seq);
	if (!b->err)
		put32(b, xs_crc32(0, b->p + start, 16));
	put32(b, 0);
}

static bool header_ok(const unsigned char *data, size_t len, const char *magic)
{
	return len >= HDR_SIZE && !memcmp(data, magic, 8) &&
	       get32(data + 16) == xs_crc32(0, data, 16) && !get32(data + 20);
}

static int snapshot_node(const struct xs_node *n, const char *path, size_t plen,
			 void *arg)
{
	struct buf *b = arg;

	rec_set(b, path, (uint32_t)plen, n->perms, xs_node_value(n), n->vlen);
	b->count++;
	return b->err;
}

/* Parents before children, as loading needs them. */
static int snapshot_build(struct xs_store *st, uint64_t seq, struct buf *b)
{
	header(b, SNAP_MAGIC, seq);
	xs_walk(st, snapshot_node, b);
	rec_simple(b, REC_END, "/", 1, &b->count);
	return b->err;
}

static int journal_reset(struct xs_journal *j)
{
	char path[PATH_MAX];
	struct buf b = {0};
	int fd, rc;

	header(&b, JRNL_MAGIC, j->seq);
	rc = b.err ? b.err : write_atomic(j->dir, XS_JOURNAL_FILE, &b);
	free(b.p);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", j->dir, XS_JOURNAL_FILE);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->size = HDR_SIZE;
	j->dirty = false;
	j->broken = false;
	return 0;
}

int xs_journal_snapshot(struct xs_journal *j)
{
	struct buf b = {0};
	int rc;

	rc = snapshot_build(j->st, j->seq + 1, &b);
	if (!rc)
		rc = write_atomic(j->dir, XS_SNAPSHOT_FILE, &b);
	free(b.p);
	if (rc) {
		journal_failed(j, "snapshot", rc);
		return rc;
	}
	/* From here the snapshot holds everything; the old journal, based
	 * on the previous sequence number, will be ignored if we die now. */
	j->seq++;
	j->len = 0;
	rc = journal_reset(j);
	if (rc) {
		/* the snapshot holds it all: the next one tries again */
		j->broken = true;
		journal_failed(j, "new journal", rc);
		return rc;
	}
	if (j->failed) {
		j->failed = 0;
		xld_info("snapshot written in %s: the store is durable again",
			 j->dir);
	}
	return 0;
}

static void on_change(const struct xs_change *ch, void *arg)
{
	struct xs_journal *j = arg;
	struct buf b = {j->buf, j->len, j->cap, 0, 0};

	/* the next snapshot holds it: buffering would grow without end */
	if (j->broken)
		return;
	if (ch->type == XS_CHANGE_SET)
		rec_set(&b, ch->path, ch->plen, ch->perms, ch->value, ch->vlen);
	else
		rec_simple(&b, REC_RM, ch->path, ch->plen, NULL);
	j->buf = b.p;
	j->cap = b.cap;
	if (b.err) {
		/* Lost a record: only a full snapshot can make up for it. */
		j->broken = true;
		j->len = 0;
		return;
	}
	j->len = b.len;
}

int xs_journal_flush(struct xs_journal *j)
{
	int rc;

	if (!j || !j->len || j->broken)
		return 0;
	rc = write_all(j->fd, j->buf, j->len);
	if (rc) {
		/* a part written is a torn record, dropped at load */
		journal_failed(j, "journal write", rc);
		j->broken = true;
		j->len = 0;
		return rc;
	}
	j->size += j->len;
	j->len = 0;
	j->dirty = true;
	return 0;
}

int xs_journal_tick(struct xs_journal *j)
{
	int rc = 0;

	if (!j)
		return 0;
	xs_journal_flush(j);
	if (j->broken || j->size > XS_JOURNAL_COMPACT)
		return xs_journal_snapshot(j);
	/* A sync still under way (a slow disk) leaves this one for later. */
	if (j->dirty && xs_syncer_start(j->syncer, j->fd))
		j->dirty = false;
	rc = xs_syncer_error(j->syncer);
	if (rc) {
		/* what it wrote may not be on disk: a snapshot makes sure */
		journal_failed(j, "journal fdatasync", rc);
		j->broken = true;
	}
	return rc;
}

static int load(struct xs_journal *j, char *err, size_t errlen)
{
	unsigned char *data = NULL;
	char path[PATH_MAX], why[128];
	size_t len = 0, end = 0;
	bool torn;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", j->dir, XS_SNAPSHOT_FILE);
	rc = read_file(path, &data, &len);
	if (rc == -ENOENT) {
		j->seq = 0;
	} else if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	} else {
		if (!header_ok(data, len, SNAP_MAGIC)) {
			snprintf(err, errlen,
				 "%s: not an xld snapshot (bad header)", path);
			free(data);
			return -EBADMSG;
		}
		j->seq = get64(data + 8);
		rc = replay(j->st, data, len, HDR_SIZE, true, &end, &torn, why,
			    sizeof(why));
		free(data);
		data = NULL;
		if (rc) {
			snprintf(err, errlen, "%s: %s", path,
				 rc == -EBADMSG ? why : strerror(-rc));
			return rc;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", j->dir, XS_JOURNAL_FILE);
	rc = read_file(path, &data, &len);
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (!header_ok(data, len, JRNL_MAGIC)) {
		snprintf(err, errlen, "%s: not an xld journal (bad header)",
			 path);
		free(data);
		return -EBADMSG;
	}
	if (get64(data + 8) != j->seq) {
		xld_warn("%s: journal of snapshot %" PRIu64 ", not %" PRIu64
			 ": already in the snapshot, ignored",
			 path, get64(data + 8), j->seq);
		free(data);
		return 0;
	}
	rc = replay(j->st, data, len, HDR_SIZE, false, &end, &torn, why,
		    sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", path,
			 rc == -EBADMSG ? why : strerror(-rc));
	} else if (torn) {
		xld_warn("%s: dropped a torn last record (%zu bytes at byte "
			 "%zu)",
			 path, len - end, end);
	}
	free(data);
	return rc;
}

int xs_journal_open(struct xs_store *st, const char *dir,
		    struct xs_journal **out, char *err, size_t errlen)
{
	struct xs_journal *j;
	int rc;

	err[0] = '\0';
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->st = st;
	j->fd = -1;
	j->dir = strdup(dir);
	if (!j->dir) {
		rc = -ENOMEM;
		goto fail;
	}
	j->syncer = xs_syncer_new();
	if (!j->syncer) {
		rc = -errno;
		snprintf(err, errlen, "journal sync thread: %s", strerror(errno));
		goto fail;
	}
	rc = load(j, err, errlen);
	if (rc)
		goto fail;
	/* Start from a clean snapshot and an empty journal. */
	rc = xs_journal_snapshot(j);
	if (rc) {
		snprintf(err, errlen, "cannot write a snapshot in %s: %s", dir,
			 strerror(-rc));
		goto fail;
	}
	xs_store_set_change_hook(st, on_change, j);
	*out = j;
	return 0;
fail:
	xs_syncer_free(j->syncer);
	if (j->fd >= 0)
		close(j->fd);
	free(j->dir);
	free(j);
	return rc;
}

void xs_journal_discard(struct xs_journal *j)
{
	if (!j)
		return;
	xs_store_set_change_hook(j->st, NULL, NULL);
	xs_syncer_free(j->syncer);
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j->dir);
	free(j);
}

void xs_journal_close(struct xs_journal *j)
{
	if (!j)
		return;
	xs_store_set_change_hook(j->st, NULL, NULL);
	xs_journal_flush(j);
	xs_journal_snapshot(j);
	xs_syncer_free(j->syncer);
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j->dir);
	free(j);
}
