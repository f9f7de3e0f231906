// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk over virtio-mmio, backed by the file or block device given
 * with --disk: one device, slot and I/O thread per --disk.  A kick only
 * wakes the device's I/O thread (an eventfd), so no vCPU ever waits for
 * the disk; the thread takes chains off the queue under the transport
 * lock but does the I/O without it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../guest_abi.h"
#include "../hv.h"
#include "../virtio_mmio.h"
#include "devices.h"
#include "../sandbox.h"

#define VIRTIO_ID_BLOCK		2
#define VIRTIO_BLK_F_RO		(1ULL << 5)
#define VIRTIO_BLK_F_FLUSH	(1ULL << 9)
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define VIRTIO_BLK_ID_BYTES	20
#define SECTOR			512ULL
#define HDR_LEN			16

/* The last disk's slot must be one the ABI has. */
_Static_assert(HV_ABI_VIRTIO_DISK_SLOT(HV_DISK_MAX - 1) <
		       HV_ABI_VIRTIO_SLOTS,
	       "a --disk without a virtio-mmio slot");

struct hv_vblk {
	struct hv_virtio_mmio t;	/* first: the bus sees its device */
	char name[16];			/* "vblk0" */
	int fd;
	int ro;
	uint64_t sectors;
	uint8_t config[8];		/* capacity, little endian */
	char id[VIRTIO_BLK_ID_BYTES];
	int kick_efd;
	int quit;
	int inflight;			/* under t.lock: a chain is out */
	pthread_t thread;
	int started;
	struct hv_vq_chain chain;	/* the I/O thread's */
	struct iovec iov[HV_VQ_MAX_SIZE];
};

/* Copy the first @len readable bytes of the chain to @dst. */
static int chain_read(const struct hv_vq_chain *c, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	for (unsigned int i = 0; i < c->nr && len && !c->buf[i].writable;
	     i++) {
		uint32_t n = c->buf[i].len < len ? c->buf[i].len : len;

		memcpy(d, c->buf[i].p, n);
		d += n;
		len -= n;
	}
	return len ? -EINVAL : 0;
}

/*
 * The data part of a request as iovecs: readable bytes after the header
 * (@writable 0), or writable bytes before the status byte (@writable 1).
 */
static int data_iov(struct hv_vblk *b, int writable, uint64_t *total)
{
	const struct hv_vq_chain *c = &b->chain;
	uint64_t skip = writable ? 0 : HDR_LEN, sum = 0;
	unsigned int n = 0, last = 0;

	for (unsigned int i = 0; i < c->nr; i++)
		if (c->buf[i].writable)
			last = i;
	for (unsigned int i = 0; i < c->nr; i++) {
		uint8_t *p = c->buf[i].p;
		uint64_t len = c->buf[i].len;

		if (c->buf[i].writable != writable)
			continue;
		if (writable && i == last)
			len--;		/* the status byte */
		if (skip) {
			uint64_t s = skip < len ? skip : len;

			p += s;
			len -= s;
			skip -= s;
		}
		if (!len)
			continue;
		b->iov[n++] = (struct iovec){ .iov_base = p, .iov_len = len };
		sum += len;
	}
	*total = sum;
	return (int)n;
}

static int rw_all(struct hv_vblk *b, int n, uint64_t off, int write)
{
	struct iovec *iov = b->iov;

	while (n > 0) {
		ssize_t r = write ? pwritev(b->fd, iov, n, (off_t)off) :
				    preadv(b->fd, iov, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		off += (uint64_t)r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* Serve one chain; returns the bytes written into guest buffers. */
static uint32_t serve(struct hv_vblk *b)
{
	const struct hv_vq_chain *c = &b->chain;
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	uint8_t *status = NULL, st = VIRTIO_BLK_S_IOERR;
	uint64_t total = 0;
	uint32_t written = 0;
	int n;

	for (unsigned int i = 0; i < c->nr; i++)
		if (c->buf[i].writable && c->buf[i].len)
			status = c->buf[i].p + c->buf[i].len - 1;
	if (!status || !c->buf[c->nr - 1].writable ||
	    !c->buf[c->nr - 1].len)
		return 0;	/* nowhere to answer: drop it, used len 0 */
	if (chain_read(c, &hdr, sizeof(hdr)))
		goto out;

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		int write = hdr.type == VIRTIO_BLK_T_OUT;

		n = data_iov(b, !write, &total);
		if (total % SECTOR || hdr.sector > b->sectors ||
		    total / SECTOR > b->sectors - hdr.sector ||
		    (write && b->ro))
			break;
		if (n && rw_all(b, n, hdr.sector * SECTOR, write))
			break;
		if (!write)
			written = (uint32_t)total;
		st = VIRTIO_BLK_S_OK;
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		st = fdatasync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t done = 0;

		n = data_iov(b, 1, &total);
		for (int i = 0; i < n && done < VIRTIO_BLK_ID_BYTES; i++) {
			size_t k = VIRTIO_BLK_ID_BYTES - done;

			if (b->iov[i].iov_len < k)
				k = b->iov[i].iov_len;
			memcpy(b->iov[i].iov_base, b->id + done, k);
			done += k;
		}
		written = (uint32_t)done;
		st = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		st = VIRTIO_BLK_S_UNSUPP;
		break;
	}
out:
	*status = st;
	return written + 1;
}

/*
 * While the VM is paused the I/O thread takes nothing new off the ring,
 * so a state save sees the queue and guest memory hold still.
 */
static void wait_unpaused(struct hv_vblk *b)
{
	struct hv_vm *vm = b->t.dev.vm;

	pthread_mutex_lock(&vm->stop_lock);
	while (vm->paused && vm->stop == HV_RUNNING &&
	       !__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);
}

/* Drain queue 0: pop under the lock, serve without it, push under it. */
static void drain(struct hv_vblk *b)
{
	struct hv_virtio_mmio *t = &b->t;
	struct hv_vq *vq = &t->vq[0];
	const char *why = NULL;
	uint32_t gen, len;
	int rc;

	for (;;) {
		pthread_mutex_lock(&t->lock);
		if (!vq->ready || (t->status & HV_VIRTIO_STATUS_NEEDS_RESET)) {
			pthread_mutex_unlock(&t->lock);
			return;
		}
		if (__atomic_load_n(&t->dev.vm->paused, __ATOMIC_ACQUIRE)) {
			pthread_mutex_unlock(&t->lock);
			wait_unpaused(b);
			if (__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE))
				return;
			continue;
		}
		gen = t->generation;
		rc = hv_vq_pop(t->dev.vm, vq, &b->chain, &why);
		if (rc < 0)
			hv_virtio_mmio_broken(t, 0, why);
		b->inflight = rc > 0;
		pthread_mutex_unlock(&t->lock);
		if (rc <= 0)
			return;

		len = serve(b);

		pthread_mutex_lock(&t->lock);
		/* A reset meanwhile took the request back from us. */
		if (gen == t->generation && vq->ready &&
		    !hv_vq_push(t->dev.vm, vq, b->chain.head, len) &&
		    hv_vq_wants_interrupt(t->dev.vm, vq))
			hv_virtio_mmio_interrupt(t, HV_VIRTIO_ISR_USED);
		b->inflight = 0;
		pthread_mutex_unlock(&t->lock);
	}
}

static void *io_thread(void *arg)
{
	struct hv_vblk *b = arg;
	struct pollfd pfd = { .fd = b->kick_efd, .events = POLLIN };
	uint64_t v;

	hv_sandbox_thread();
	while (!__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, -1) < 0)
			continue;
		if (read(b->kick_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		if (__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE))
			break;
		drain(b);
	}
	return NULL;
}

static void kick(struct hv_vblk *b)
{
	uint64_t one = 1;
	ssize_t r = write(b->kick_efd, &one, sizeof(one));

	(void)r;	/* a saturated counter still wakes the thread */
}

static void vblk_notify(struct hv_virtio_mmio *t, unsigned int q)
{
	(void)q;
	kick((struct hv_vblk *)t);
}

static const struct hv_virtio_ops vblk_virtio_ops = {
	.notify = vblk_notify,
};

static void vblk_reset(struct hv_device *dev)
{
	hv_virtio_mmio_reset((struct hv_virtio_mmio *)dev);
}

/*
 * The transport and its queue are the whole state (the disk's contents
 * are the disk's).  The vCPUs are parked; wait for a request the I/O
 * thread has out to finish, so the ring and guest memory agree.
 */
static int vblk_save(struct hv_device *dev, void *buf, size_t cap,
		     size_t *len)
{
	struct hv_vblk *b = (struct hv_vblk *)dev;

	for (int i = 0; i < 10000; i++) {
		int busy;

		pthread_mutex_lock(&b->t.lock);
		busy = b->inflight;
		pthread_mutex_unlock(&b->t.lock);
		if (!busy)
			return hv_virtio_mmio_save(&b->t, buf, cap, len);
		usleep(1000);
	}
	return -EBUSY;
}

static int vblk_load(struct hv_device *dev, const void *buf, size_t len)
{
	struct hv_vblk *b = (struct hv_vblk *)dev;
	int rc;

	rc = hv_virtio_mmio_load(&b->t, buf, len);
	/* Requests the guest queued before the save: serve them now. */
	if (!rc && b->t.status & HV_VIRTIO_STATUS_DRIVER_OK)
		kick(b);
	return rc;
}

static void vblk_destroy(struct hv_device *dev)
{
	struct hv_vblk *b = (struct hv_vblk *)dev;
	struct hv_vm *vm = b->t.dev.vm;

	if (b->started) {
		__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
		/* It may wait for an unpause: wake it to see quit. */
		pthread_mutex_lock(&vm->stop_lock);
		pthread_cond_broadcast(&vm->stop_cond);
		pthread_mutex_unlock(&vm->stop_lock);
		kick(b);
		pthread_join(b->thread, NULL);
	}
	if (b->kick_efd >= 0)
		close(b->kick_efd);
	if (b->fd >= 0)
		close(b->fd);
	hv_virtio_mmio_dispose(&b->t);
	free(b);
}

static const struct hv_device_ops vblk_ops = {
	.io = hv_virtio_mmio_io,
	.reset = vblk_reset,
	.save = vblk_save,
	.load = vblk_load,
	.destroy = vblk_destroy,
};

static int disk_open(struct hv_vblk *b, const char *path)
{
	struct stat st;
	off_t size;

	b->fd = b->ro ? -1 : open(path, O_RDWR | O_CLOEXEC);
	if (b->ro || (b->fd < 0 && (errno == EACCES || errno == EROFS))) {
		b->fd = open(path, O_RDONLY | O_CLOEXEC);
		b->ro = 1;
	}
	if (b->fd < 0)
		return -errno;
	if (fstat(b->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return -ENOTBLK;
	size = lseek(b->fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	b->sectors = (uint64_t)size / SECTOR;
	return 0;
}

struct hv_device *hv_vblk_new(struct hv_vm *vm, unsigned int n)
{
	const char *path, *base;
	struct hv_vblk *b;
	int rc, r;

	if (n >= vm->cfg->nr_disks || n >= HV_DISK_MAX) {
		errno = EINVAL;
		return NULL;
	}
	path = vm->cfg->disk[n].path;
	base = strrchr(path, '/');
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->fd = b->kick_efd = -1;
	snprintf(b->name, sizeof(b->name), "vblk%u", n);
	hv_virtio_mmio_init(&b->t, vm, HV_ABI_VIRTIO_DISK_SLOT(n), b->name,
			    VIRTIO_ID_BLOCK, VIRTIO_BLK_F_FLUSH, 1,
			    &vblk_virtio_ops);
	b->t.dev.ops = &vblk_ops;
	b->ro = vm->cfg->disk[n].ro;
	rc = disk_open(b, path);
	if (rc) {
		hv_err("disk %s: %s", path,
		       rc == -ENOTBLK ? "not a regular file or block device" :
					strerror(-rc));
		goto out;
	}
	if (b->ro)
		b->t.features |= VIRTIO_BLK_F_RO;
	for (int i = 0; i < 8; i++)
		b->config[i] = (uint8_t)(b->sectors >> (8 * i));
	b->t.config = b->config;
	b->t.config_len = sizeof(b->config);
	/* The serial: the file's name, cut to 20 bytes, NUL-padded. */
	base = base ? base + 1 : path;
	memcpy(b->id, base, strnlen(base, sizeof(b->id)));

	b->kick_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->kick_efd < 0) {
		rc = -errno;
		goto out;
	}
	r = pthread_create(&b->thread, NULL, io_thread, b);
	if (r) {
		rc = -r;
		goto out;
	}
	b->started = 1;
out:
	if (rc) {
		vblk_destroy(&b->t.dev);
		errno = -rc;
		return NULL;
	}
	return &b->t.dev;
}

int hv_vblk_flush(struct hv_vm *vm, unsigned int n)
{
	for (size_t i = 0; i < vm->nr_devs; i++) {
		struct hv_vblk *b = (struct hv_vblk *)vm->devs[i];

		if (vm->devs[i]->ops != &vblk_ops || n--)
			continue;
		if (b->fd >= 0 && fdatasync(b->fd) < 0 && errno != EINVAL)
			return -errno;
		return 0;
	}
	return -ENODEV;
}
