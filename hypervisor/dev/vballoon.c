// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-balloon over virtio-mmio (virtio 1.x, section 5.5): how `xl
 * mem-set` moves a guest's memory below the RAM it was built with.
 *
 * Guest RAM is sized at the most the guest may have (--maxmem); the
 * config's num_pages asks the driver to hold that many 4 KiB pages in its
 * balloon, so the guest runs with RAM minus the balloon.  Pages the driver
 * puts in (the inflate queue) are punched out of the memfd behind RAM and
 * so given back to the host; pages it takes out (deflate) need nothing, as
 * touching them again faults in zeroed memory.  Every PFN is checked: a
 * buffer naming a page outside RAM or in the first MiB (the boot area and
 * ACPI tables, which Linux never gives away) breaks the queue whole and
 * nothing of it is discarded.
 *
 * The queues are served on the vCPU that kicks them, but the punching is
 * not: inflated pages are marked in a bitmap that a discard thread turns
 * into holes, whole runs at a time.  A driver gives pages 256 at a time in
 * no particular order; one hole punch each (each a KVM MMU invalidation)
 * kept a nested guest's only vCPU away for minutes.  A deflated page is
 * unmarked before its buffer is returned, under the transport lock the
 * thread punches under, so a page the guest takes back is never punched.
 * MUST_TELL_HOST is offered: the driver may not touch a page it deflates
 * before we have that buffer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../guest_abi.h"
#include "../hv.h"
#include "../virtio_mmio.h"
#include "devices.h"
#include "../sandbox.h"

#define VIRTIO_ID_BALLOON	5
#define VIRTIO_BALLOON_F_MUST_TELL_HOST	(1ULL << 0)
#define BALLOON_PAGE		4096ULL
#define Q_INFLATE		0
#define Q_DEFLATE		1
#define NR_QUEUES		2
/* Below this the guest keeps its pages: the boot area and ACPI tables. */
#define FIRST_PFN		(0x100000ULL / BALLOON_PAGE)
/* The smallest target: what the monitor itself lets a guest have. */
#define MIN_TARGET_PAGES	((uint64_t)HV_MEM_MIN_MB << 20 >> 12)
/* Linux sends 256 PFNs a buffer; a far longer list only stalls us. */
#define MAX_LIST_BYTES		(64U * 1024)
/* The most one hole punch covers with the lock held (2 MiB). */
#define MAX_RUN			512
/* How long inflated pages wait to be punched, gathering into runs. */
#define BATCH_US		20000

struct hv_vballoon {
	struct hv_virtio_mmio t;	/* first: the bus sees its device */
	uint64_t ram_pages;
	/* Under t.lock. */
	uint32_t num_pages;		/* what the driver should hold */
	uint32_t actual;		/* what the driver says it holds */
	uint64_t discarded;		/* pages punched out, ever */
	int discard_err;		/* the last discard failure, said once */
	uint64_t *pending;		/* inflated, not yet punched */
	uint64_t nr_pending;
	uint8_t config[8];		/* num_pages, actual: little endian */
	struct hv_vq_chain chain;
	/* The discard thread. */
	int kick_efd;
	int quit;
	pthread_t thread;
	int started;
};

static const struct hv_device_ops vballoon_ops;

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void config_sync(struct hv_vballoon *b)
{
	put_le32(b->config, b->num_pages);
	put_le32(b->config + 4, b->actual);
}

int hv_vballoon_pfn_ok(uint64_t ram_size, uint32_t pfn)
{
	return pfn >= FIRST_PFN && pfn < ram_size / BALLOON_PAGE;
}

/* Give pages [first, first + n) back to the host. */
static void discard(struct hv_vballoon *b, uint64_t first, uint64_t n)
{
	struct hv_vm *vm = b->t.dev.vm;
	int rc = 0;

	if (vm->mem_fd < 0)
		rc = -EOPNOTSUPP;
	else if (fallocate(vm->mem_fd,
			   FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			   (off_t)(first * BALLOON_PAGE),
			   (off_t)(n * BALLOON_PAGE)) < 0)
		rc = -errno;
	if (rc) {
		/* The guest still gave them up; only the host keeps them. */
		if (rc != b->discard_err)
			hv_err("%s: give back %llu pages at pfn %#llx: %s",
			       b->t.dev.name, (unsigned long long)n,
			       (unsigned long long)first, strerror(-rc));
		b->discard_err = rc;
		return;
	}
	b->discarded += n;
}

/* One buffer of a page list: 0, or -EINVAL with @why (@len bytes). */
static int buf_check(const struct hv_vq_buf *buf, uint64_t ram, char *why,
		     size_t len)
{
	if (buf->writable) {
		snprintf(why, len, "writable buffer in a page list");
		return -EINVAL;
	}
	if (buf->len % 4) {
		snprintf(why, len, "page list of %u bytes: not whole 32-bit "
			 "PFNs", buf->len);
		return -EINVAL;
	}
	for (uint32_t k = 0; k < buf->len; k += 4) {
		uint32_t pfn = get_le32(buf->p + k);

		if (!hv_vballoon_pfn_ok(ram, pfn)) {
			snprintf(why, len, "PFN %#x outside the guest's RAM "
				 "or in its first MiB", pfn);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Check a chain of PFN arrays whole, before any of it is acted on: at
 * most 64 KiB of readable buffers of PFNs the guest may give.
 */
static int chain_check(struct hv_vballoon *b, char *why, size_t len)
{
	const struct hv_vq_chain *c = &b->chain;
	uint64_t total = 0;

	for (unsigned int i = 0; i < c->nr; i++) {
		total += c->buf[i].len;
		if (total > MAX_LIST_BYTES) {
			snprintf(why, len, "page list longer than 64 KiB");
			return -EINVAL;
		}
		if (buf_check(&c->buf[i], b->ram_pages * BALLOON_PAGE, why,
			      len))
			return -EINVAL;
	}
	return 0;
}

static void kick(struct hv_vballoon *b)
{
	uint64_t one = 1;
	ssize_t r = write(b->kick_efd, &one, sizeof(one));

	(void)r;	/* a saturated counter still wakes the thread */
}

/*
 * Mark inflated pages for the discard thread, or unmark deflated ones.
 * The PFNs are read again: the guest may have changed them since they
 * were checked, so they are checked again.
 */
static void mark(struct hv_vballoon *b, int inflated)
{
	const struct hv_vq_chain *c = &b->chain;
	uint64_t ram = b->ram_pages * BALLOON_PAGE;

	for (unsigned int i = 0; i < c->nr; i++) {
		for (uint32_t k = 0; k < c->buf[i].len; k += 4) {
			uint32_t pfn = get_le32(c->buf[i].p + k);
			uint64_t bit = 1ULL << (pfn % 64), *w;

			if (!hv_vballoon_pfn_ok(ram, pfn))
				continue;
			w = &b->pending[pfn / 64];
			if (inflated && !(*w & bit)) {
				*w |= bit;
				b->nr_pending++;
			} else if (!inflated && (*w & bit)) {
				*w &= ~bit;
				b->nr_pending--;
			}
		}
	}
	if (inflated && b->nr_pending)
		kick(b);
}

/*
 * Punch the next run of pending pages, at most MAX_RUN, from page @from
 * on.  Caller holds t.lock.  Returns the page after the run, or
 * ram_pages when none is left.
 */
static uint64_t discard_next(struct hv_vballoon *b, uint64_t from)
{
	uint64_t first, n = 0;

	while (from < b->ram_pages && !b->pending[from / 64])
		from = (from / 64 + 1) * 64;
	while (from < b->ram_pages &&
	       !(b->pending[from / 64] & 1ULL << (from % 64)))
		from++;
	if (from >= b->ram_pages)
		return b->ram_pages;
	first = from;
	while (from < b->ram_pages && n < MAX_RUN &&
	       b->pending[from / 64] & 1ULL << (from % 64)) {
		b->pending[from / 64] &= ~(1ULL << (from % 64));
		from++;
		n++;
	}
	b->nr_pending -= n;
	discard(b, first, n);
	return from;
}

static void *discard_thread(void *arg)
{
	struct hv_vballoon *b = arg;
	struct pollfd pfd = { .fd = b->kick_efd, .events = POLLIN };
	uint64_t v, at;

	hv_sandbox_thread();
	while (!__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE)) {
		if (poll(&pfd, 1, -1) < 0)
			continue;
		if (read(b->kick_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		if (__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE))
			break; /* the kick was the end: no batching wait */
		/* Let a burst of inflates gather: together, longer runs. */
		usleep(BATCH_US);
		/* One run per lock hold: the vCPU waits no longer. */
		at = 0;
		while (!__atomic_load_n(&b->quit, __ATOMIC_ACQUIRE)) {
			pthread_mutex_lock(&b->t.lock);
			at = b->nr_pending ? discard_next(b, at) : b->ram_pages;
			pthread_mutex_unlock(&b->t.lock);
			if (at >= b->ram_pages)
				break;
		}
	}
	return NULL;
}

static void serve(struct hv_virtio_mmio *t, unsigned int q)
{
	struct hv_vballoon *b = (struct hv_vballoon *)t;
	struct hv_vq *vq = &t->vq[q];
	char bad[96];
	const char *why;
	int rc, pushed = 0;

	while (vq->ready && !(t->status & HV_VIRTIO_STATUS_NEEDS_RESET)) {
		why = NULL;
		rc = hv_vq_pop(t->dev.vm, vq, &b->chain, &why);
		if (rc < 0) {
			hv_virtio_mmio_broken(t, q, why);
			break;
		}
		if (rc == 0)
			break;
		if (chain_check(b, bad, sizeof(bad))) {
			hv_virtio_mmio_broken(t, q, bad);
			break;
		}
		mark(b, q == Q_INFLATE);
		if (hv_vq_push(t->dev.vm, vq, b->chain.head, 0) == 0)
			pushed = 1;
	}
	if (pushed && hv_vq_wants_interrupt(t->dev.vm, vq))
		hv_virtio_mmio_interrupt(t, HV_VIRTIO_ISR_USED);
}

/* Called by the transport with t->lock held. */
static void vballoon_notify(struct hv_virtio_mmio *t, unsigned int q)
{
	serve(t, q);
}

static void vballoon_config_write(struct hv_virtio_mmio *t, uint64_t off,
				  const void *data, unsigned int len)
{
	struct hv_vballoon *b = (struct hv_vballoon *)t;
	uint8_t v[4];

	/* Only "actual", whole: the driver's count of pages it holds. */
	if (off != 4 || len != 4)
		return;
	memcpy(v, data, 4);
	/* A count past RAM is a lie; keep it in range for INFO. */
	b->actual = get_le32(v);
	if (b->actual > b->ram_pages)
		b->actual = (uint32_t)b->ram_pages;
	config_sync(b);
}

static void vballoon_reset_cb(struct hv_virtio_mmio *t)
{
	struct hv_vballoon *b = (struct hv_vballoon *)t;

	/* A new driver starts with an empty balloon; the target stays. */
	b->actual = 0;
	config_sync(b);
	/* Its pages are the guest's again: punch none of them. */
	memset(b->pending, 0, (b->ram_pages + 63) / 64 * 8);
	b->nr_pending = 0;
}

static const struct hv_virtio_ops vballoon_virtio_ops = {
	.notify = vballoon_notify,
	.reset = vballoon_reset_cb,
	.config_write = vballoon_config_write,
};

static void vballoon_reset(struct hv_device *dev)
{
	hv_virtio_mmio_reset((struct hv_virtio_mmio *)dev);
}

/* Saved after the transport: the target and the driver's count. */
struct vballoon_state {
	uint64_t ram_pages;
	uint32_t num_pages;
	uint32_t actual;
};

static int vballoon_save(struct hv_device *dev, void *buf, size_t cap,
			 size_t *len)
{
	struct hv_vballoon *b = (struct hv_vballoon *)dev;
	struct vballoon_state s;
	size_t n;
	int rc;

	rc = hv_virtio_mmio_save(&b->t, buf, cap, &n);
	if (rc)
		return rc;
	if (cap - n < sizeof(s))
		return -ENOSPC;
	pthread_mutex_lock(&b->t.lock);
	s = (struct vballoon_state){ .ram_pages = b->ram_pages,
				     .num_pages = b->num_pages,
				     .actual = b->actual };
	pthread_mutex_unlock(&b->t.lock);
	memcpy((uint8_t *)buf + n, &s, sizeof(s));
	*len = n + sizeof(s);
	return 0;
}

static int vballoon_load(struct hv_device *dev, const void *buf, size_t len)
{
	struct hv_vballoon *b = (struct hv_vballoon *)dev;
	struct vballoon_state s;
	int rc;

	if (len < sizeof(s))
		return -EINVAL;
	memcpy(&s, (const uint8_t *)buf + len - sizeof(s), sizeof(s));
	if (s.ram_pages != b->ram_pages || s.actual > b->ram_pages ||
	    (s.num_pages && s.num_pages + MIN_TARGET_PAGES > b->ram_pages))
		return -EINVAL;
	rc = hv_virtio_mmio_load(&b->t, buf, len - sizeof(s));
	if (rc)
		return rc;
	pthread_mutex_lock(&b->t.lock);
	b->num_pages = s.num_pages;
	b->actual = s.actual;
	config_sync(b);
	pthread_mutex_unlock(&b->t.lock);
	return 0;
}

static void vballoon_destroy(struct hv_device *dev)
{
	struct hv_vballoon *b = (struct hv_vballoon *)dev;

	if (b->started) {
		__atomic_store_n(&b->quit, 1, __ATOMIC_RELEASE);
		kick(b);
		pthread_join(b->thread, NULL);
	}
	if (b->kick_efd >= 0)
		close(b->kick_efd);
	hv_virtio_mmio_dispose(&b->t);
	free(b->pending);
	free(b);
}

static const struct hv_device_ops vballoon_ops = {
	.io = hv_virtio_mmio_io,
	.reset = vballoon_reset,
	.save = vballoon_save,
	.load = vballoon_load,
	.destroy = vballoon_destroy,
};

struct hv_device *hv_vballoon_new(struct hv_vm *vm)
{
	struct hv_vballoon *b = calloc(1, sizeof(*b));
	uint64_t target;
	int r;

	if (!b)
		return NULL;
	b->kick_efd = -1;
	hv_virtio_mmio_init(&b->t, vm, HV_ABI_VIRTIO_BALLOON_SLOT, "vballoon",
			    VIRTIO_ID_BALLOON, VIRTIO_BALLOON_F_MUST_TELL_HOST,
			    NR_QUEUES, &vballoon_virtio_ops);
	b->t.dev.ops = &vballoon_ops;
	b->ram_pages = vm->ram_size / BALLOON_PAGE;
	b->pending = calloc((b->ram_pages + 63) / 64 + 1, sizeof(uint64_t));
	b->kick_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = b->pending && b->kick_efd >= 0 ?
		    pthread_create(&b->thread, NULL, discard_thread, b) :
		    ENOMEM;
	if (r) {
		if (b->pending && b->kick_efd < 0)
			r = errno;
		vballoon_destroy(&b->t.dev);
		errno = r;
		return NULL;
	}
	b->started = 1;
	/* num_pages is 32 bits: RAM stops at 3 GiB, far below 16 TiB. */
	target = vm->cfg ? vm->cfg->mem_mb << 20 >> 12 : b->ram_pages;
	if (target < b->ram_pages)
		b->num_pages = (uint32_t)(b->ram_pages - target);
	config_sync(b);
	b->t.config = b->config;
	b->t.config_len = sizeof(b->config);
	return &b->t.dev;
}

static struct hv_vballoon *find(struct hv_vm *vm)
{
	for (size_t i = 0; i < vm->nr_devs; i++)
		if (vm->devs[i]->ops == &vballoon_ops)
			return (struct hv_vballoon *)vm->devs[i];
	return NULL;
}

int hv_vballoon_set_target(struct hv_vm *vm, uint64_t target_kib)
{
	struct hv_vballoon *b = find(vm);
	uint64_t pages = target_kib / (BALLOON_PAGE / 1024);

	if (!b)
		return -EOPNOTSUPP;
	if (pages > b->ram_pages || pages < MIN_TARGET_PAGES)
		return -ERANGE;
	pthread_mutex_lock(&b->t.lock);
	if (b->num_pages != (uint32_t)(b->ram_pages - pages)) {
		b->num_pages = (uint32_t)(b->ram_pages - pages);
		config_sync(b);
		hv_virtio_mmio_config_changed(&b->t);
	}
	pthread_mutex_unlock(&b->t.lock);
	return 0;
}

int hv_vballoon_status(struct hv_vm *vm, struct hv_vballoon_status *st)
{
	struct hv_vballoon *b = find(vm);

	if (!b)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&b->t.lock);
	*st = (struct hv_vballoon_status){
		.target_kib = (b->ram_pages - b->num_pages) * 4,
		.actual_kib = (b->ram_pages - b->actual) * 4,
		.discarded_kib = b->discarded * 4,
	};
	pthread_mutex_unlock(&b->t.lock);
	return 0;
}
