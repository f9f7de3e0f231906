// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio 1.x, section 5.1) over virtio-mmio, backed by an
 * existing TAP device given with --net tap=NAME[,mac=MAC].  Queue 0
 * receives (TAP to guest), queue 1 transmits (guest to TAP).
 *
 * The TAP is opened with IFF_VNET_HDR and a 12-byte header, the layout of
 * the virtio 1.x net header, with every offload off: the host hands us
 * whole, checksummed frames and we offer none of CSUM, GUEST_CSUM or the
 * TSO/UFO features, so the header's flags and gso_type stay zero both
 * ways.  A frame whose header says otherwise is dropped.
 *
 * One I/O thread per device does all the work.  A kick (through a KVM
 * ioeventfd on QueueNotify where KVM has them, else through the vCPU's
 * MMIO exit) and a readable TAP wake it.  The TAP fd is non-blocking.  At
 * most one received frame waits in the device for a guest buffer; while
 * the guest has none, the thread stops reading the TAP, so frames queue
 * in the kernel (bounded by the TAP's txqueuelen) and nothing here grows.
 * A frame too large for the guest's next buffer is dropped and the buffer
 * kept for the next one.  Guest mistakes are logged at most
 * WARN_BURST times per WARN_WINDOW seconds.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../hv.h"
#include "../virtio_mmio.h"
#include "devices.h"
#include "vnet.h"
#include "../sandbox.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_NET_F_MAC	(1ULL << 5)
#define VIRTIO_NET_F_STATUS	(1ULL << 16)
#define VIRTIO_NET_S_LINK_UP	1
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE	0
/* The transport's QueueNotify register (virtio 1.x, 4.2.2). */
#define MMIO_QUEUE_NOTIFY	0x050

#define RXQ			0
#define TXQ			1
#define ETH_HDR_LEN		14
/* Largest frame either way: 64 KiB of payload, Ethernet and VLAN header. */
#define FRAME_MAX		(65536 + 18)
#define BATCH			64	/* frames per turn, each way */
#define WARN_BURST		5
#define WARN_WINDOW		10	/* seconds */
#define TUN_PATH		"/dev/net/tun"

/* The virtio 1.x net header (struct virtio_net_hdr_v1), little endian. */
struct net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define HDR_LEN			sizeof(struct net_hdr)

struct hv_vnet {
	struct hv_virtio_mmio t;	/* first: the bus sees its device */
	char name[16];			/* "vnet0" */
	char tap[HV_NET_NAME_MAX];
	int tap_fd;
	int kick_efd;
	int ioeventfd;			/* the kick_efd is KVM's too */
	int quit;
	int inflight;			/* under t.lock: a chain is out */
	pthread_t thread;
	int started;
	uint8_t config[8];		/* mac[6], status (le16) */

	/* The I/O thread's own. */
	int paused_seen;		/* stopped for a pause: wait it out */
	int tap_dead;			/* EOF or error: read no more */
	int rx_wait;			/* no guest buffer: TAP not polled */
	size_t rx_len;			/* a frame waits in rx_buf (0: none) */
	time_t warn_start;
	unsigned int warn_count, warn_suppressed;
	struct hv_vq_chain chain;
	struct iovec iov[HV_VQ_MAX_SIZE + 1];
	uint8_t rx_buf[HDR_LEN + FRAME_MAX];

	struct hv_vnet_stats stats;	/* written by the I/O thread */
};

static void stat_add(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* May one more message be printed now?  Counts the ones that may not. */
static int warn_allowed(struct hv_vnet *n)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - n->warn_start >= WARN_WINDOW) {
		if (n->warn_suppressed)
			hv_err("%s: %u more messages suppressed", n->name,
			       n->warn_suppressed);
		n->warn_start = now.tv_sec;
		n->warn_count = n->warn_suppressed = 0;
	}
	if (n->warn_count >= WARN_BURST) {
		n->warn_suppressed++;
		return 0;
	}
	n->warn_count++;
	return 1;
}

/* A message about what the guest or the TAP did, rate-limited. */
static void warn(struct hv_vnet *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct hv_vnet *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!warn_allowed(n))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hv_err("%s: %s", n->name, msg);
}

/*
 * The guest broke queue @q: it needs a reset.  Said through the transport
 * within the rate limit, silently beyond it.  Caller holds t->lock.
 */
static void queue_broken(struct hv_vnet *n, unsigned int q, const char *why)
{
	struct hv_virtio_mmio *t = &n->t;

	if (warn_allowed(n)) {
		hv_virtio_mmio_broken(t, q, why);
		return;
	}
	t->vq[q].ready = 0;
	t->status |= HV_VIRTIO_STATUS_NEEDS_RESET;
	if (t->status & HV_VIRTIO_STATUS_DRIVER_OK)
		hv_virtio_mmio_interrupt(t, HV_VIRTIO_ISR_CONFIG);
}

/* Is queue @q running?  Caller holds t->lock. */
static int queue_live(const struct hv_virtio_mmio *t, unsigned int q)
{
	return t->vq[q].ready && (t->status & HV_VIRTIO_STATUS_DRIVER_OK) &&
	       !(t->status & HV_VIRTIO_STATUS_NEEDS_RESET);
}

/*
 * While the VM is paused the I/O thread takes nothing off the rings, so a
 * state save sees the queues and guest memory hold still.  Caller holds
 * t->lock; on 1 it has dropped nothing and should stop for now.
 */
static int vm_paused(struct hv_vnet *n)
{
	if (!__atomic_load_n(&n->t.dev.vm->paused, __ATOMIC_ACQUIRE))
		return 0;
	n->paused_seen = 1;
	return 1;
}

static void wait_unpaused(struct hv_vnet *n)
{
	struct hv_vm *vm = n->t.dev.vm;

	pthread_mutex_lock(&vm->stop_lock);
	while (vm->paused && vm->stop == HV_RUNNING &&
	       !__atomic_load_n(&n->quit, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);
}

/* Interrupt for used buffers of @q if the driver wants one; holds lock. */
static void used_interrupt(struct hv_virtio_mmio *t, unsigned int q,
			   uint32_t gen)
{
	/* hv_vq_wants_interrupt orders the used index before the flag. */
	if (gen == t->generation && t->vq[q].ready &&
	    hv_vq_wants_interrupt(t->dev.vm, &t->vq[q]))
		hv_virtio_mmio_interrupt(t, HV_VIRTIO_ISR_USED);
}

/* ---- receive: TAP to guest ------------------------------------------- */

/*
 * Read one frame into rx_buf.  1: there is one; 0: none now (or the TAP is
 * gone); -1: one was read and dropped, try again.
 */
static int tap_read(struct hv_vnet *n)
{
	struct net_hdr h;
	ssize_t r;

	do
		r = read(n->tap_fd, n->rx_buf, sizeof(n->rx_buf));
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r <= 0) {
		hv_err("%s: tap %s: %s: receiving no more", n->name, n->tap,
		       r ? strerror(errno) : "end of file");
		n->tap_dead = 1;
		return 0;
	}
	/* TUN reports a truncated frame's whole length. */
	if ((size_t)r >= sizeof(n->rx_buf) ||
	    (size_t)r < HDR_LEN + ETH_HDR_LEN) {
		warn(n, "tap %s: dropped a frame of %zd bytes with its "
		     "header", n->tap, r);
		stat_add(&n->stats.rx_dropped);
		return -1;
	}
	memcpy(&h, n->rx_buf, HDR_LEN);
	if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		warn(n, "tap %s: dropped a frame needing an offload (flags "
		     "%#x, gso %u)", n->tap, h.flags, h.gso_type);
		stat_add(&n->stats.rx_dropped);
		return -1;
	}
	/* Without GUEST_CSUM the flags must be 0; num_buffers is 1. */
	memset(&h, 0, sizeof(h));
	h.num_buffers = htole16(1);
	memcpy(n->rx_buf, &h, HDR_LEN);
	n->rx_len = (size_t)r;
	return 1;
}

/*
 * Copy rx_buf into the chain's buffers.  -EINVAL if one is not writable
 * (the driver broke the queue), -EMSGSIZE if the frame does not fit.
 */
static int chain_fill(struct hv_vnet *n)
{
	const struct hv_vq_chain *c = &n->chain;
	const uint8_t *src = n->rx_buf;
	uint64_t room = 0;
	size_t left = n->rx_len;

	for (unsigned int i = 0; i < c->nr; i++) {
		if (!c->buf[i].writable)
			return -EINVAL;
		room += c->buf[i].len;
	}
	if (room < left)
		return -EMSGSIZE;
	for (unsigned int i = 0; i < c->nr && left; i++) {
		size_t k = c->buf[i].len < left ? c->buf[i].len : left;

		memcpy(c->buf[i].p, src, k);
		src += k;
		left -= k;
	}
	return 0;
}

static void rx_drop(struct hv_vnet *n)
{
	n->rx_len = 0;
	stat_add(&n->stats.rx_dropped);
}

/* Deliver up to BATCH frames, the guest's buffers permitting. */
static void rx(struct hv_vnet *n)
{
	struct hv_virtio_mmio *t = &n->t;
	struct hv_vq *vq = &t->vq[RXQ];
	const char *why = NULL;
	uint32_t gen = 0;
	int used = 0, rc;

	for (unsigned int turn = 0; turn < BATCH; turn++) {
		if (!n->rx_len) {
			if (n->tap_dead)
				break;
			rc = tap_read(n);
			if (rc < 0)
				continue;
			if (!rc)
				break;
		}
		pthread_mutex_lock(&t->lock);
		if (!queue_live(t, RXQ)) {
			/* No driver: the wire drops it, as a NIC's would. */
			pthread_mutex_unlock(&t->lock);
			rx_drop(n);
			continue;
		}
		if (vm_paused(n)) {
			pthread_mutex_unlock(&t->lock);
			break;		/* the frame waits */
		}
		rc = hv_vq_pop(t->dev.vm, vq, &n->chain, &why);
		if (rc < 0) {
			queue_broken(n, RXQ, why);
			pthread_mutex_unlock(&t->lock);
			rx_drop(n);
			break;
		}
		if (!rc) {
			n->rx_wait = 1;	/* until the driver kicks */
			pthread_mutex_unlock(&t->lock);
			break;
		}
		rc = chain_fill(n);
		if (rc == -EMSGSIZE) {
			/* Keep the buffer for a frame that fits. */
			vq->last_avail--;
			pthread_mutex_unlock(&t->lock);
			warn(n, "dropped a %zu-byte frame: larger than the "
			     "guest's receive buffer", n->rx_len - HDR_LEN);
			rx_drop(n);
			continue;
		}
		if (rc) {
			queue_broken(n, RXQ, "receive buffer the device may "
				     "not write");
			pthread_mutex_unlock(&t->lock);
			rx_drop(n);
			break;
		}
		if (!hv_vq_push(t->dev.vm, vq, n->chain.head,
				(uint32_t)n->rx_len)) {
			gen = t->generation;
			used = 1;
		}
		pthread_mutex_unlock(&t->lock);
		n->rx_len = 0;
		stat_add(&n->stats.rx_frames);
	}
	if (used) {
		pthread_mutex_lock(&t->lock);
		used_interrupt(t, RXQ, gen);
		pthread_mutex_unlock(&t->lock);
	}
}

/* ---- transmit: guest to TAP ------------------------------------------ */

/* Send the chain just taken from the transmit queue, or drop it. */
static void tx_send(struct hv_vnet *n)
{
	const struct hv_vq_chain *c = &n->chain;
	struct net_hdr h;
	uint8_t *hp = (uint8_t *)&h;
	uint64_t total = 0;
	size_t skip = HDR_LEN, got = 0;
	unsigned int niov = 1;
	ssize_t r;

	for (unsigned int i = 0; i < c->nr; i++) {
		if (c->buf[i].writable) {
			warn(n, "dropped a frame: its transmit chain has a "
			     "buffer for the device to write");
			goto drop;
		}
		total += c->buf[i].len;
	}
	if (total < HDR_LEN + ETH_HDR_LEN || total > HDR_LEN + FRAME_MAX) {
		warn(n, "dropped a frame of %llu bytes with its header",
		     (unsigned long long)total);
		goto drop;
	}
	/* The header, however the driver split it, then the frame. */
	for (unsigned int i = 0; i < c->nr; i++) {
		uint8_t *p = c->buf[i].p;
		size_t len = c->buf[i].len;

		if (skip) {
			size_t k = len < skip ? len : skip;

			memcpy(hp + got, p, k);
			got += k;
			skip -= k;
			p += k;
			len -= k;
		}
		if (len)
			n->iov[niov++] = (struct iovec){ .iov_base = p,
							 .iov_len = len };
	}
	if (h.flags || h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		warn(n, "dropped a frame asking for an offload we did not "
		     "offer (flags %#x, gso %u)", h.flags, h.gso_type);
		goto drop;
	}
	memset(&h, 0, sizeof(h));
	n->iov[0] = (struct iovec){ .iov_base = &h, .iov_len = HDR_LEN };
	do
		r = writev(n->tap_fd, n->iov, (int)niov);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		/* Full or down: the wire drops it.  Anything else is news. */
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ENOBUFS && errno != EIO)
			warn(n, "tap %s: write: %s", n->tap, strerror(errno));
		goto drop;
	}
	stat_add(&n->stats.tx_frames);
	return;
drop:
	stat_add(&n->stats.tx_dropped);
}

/* Send up to BATCH frames; 1 if more may be waiting. */
static int tx(struct hv_vnet *n)
{
	struct hv_virtio_mmio *t = &n->t;
	struct hv_vq *vq = &t->vq[TXQ];
	const char *why = NULL;
	uint32_t gen = 0, pgen = 0;
	int used = 0, rc = 0;

	for (unsigned int turn = 0; turn < BATCH; turn++) {
		pthread_mutex_lock(&t->lock);
		if (!queue_live(t, TXQ)) {
			pthread_mutex_unlock(&t->lock);
			rc = 0;
			break;
		}
		if (vm_paused(n)) {
			pthread_mutex_unlock(&t->lock);
			rc = 0;
			break;
		}
		gen = t->generation;
		rc = hv_vq_pop(t->dev.vm, vq, &n->chain, &why);
		if (rc < 0)
			queue_broken(n, TXQ, why);
		n->inflight = rc > 0;
		pthread_mutex_unlock(&t->lock);
		if (rc <= 0)
			break;

		tx_send(n);

		pthread_mutex_lock(&t->lock);
		/* A reset meanwhile took the buffer back from us. */
		if (gen == t->generation && vq->ready &&
		    !hv_vq_push(t->dev.vm, vq, n->chain.head, 0)) {
			pgen = gen;
			used = 1;
		}
		n->inflight = 0;
		pthread_mutex_unlock(&t->lock);
	}
	if (used) {
		pthread_mutex_lock(&t->lock);
		used_interrupt(t, TXQ, pgen);
		pthread_mutex_unlock(&t->lock);
	}
	return rc > 0;
}

/* ---- the I/O thread -------------------------------------------------- */

static void kick(struct hv_vnet *n)
{
	uint64_t one = 1;
	ssize_t r = write(n->kick_efd, &one, sizeof(one));

	(void)r;	/* a saturated counter still wakes the thread */
}

static void *io_thread(void *arg)
{
	struct hv_vnet *n = arg;
	struct pollfd pfd[2];
	uint64_t v;
	ssize_t r;

	hv_sandbox_thread();
	while (!__atomic_load_n(&n->quit, __ATOMIC_ACQUIRE)) {
		pfd[0] = (struct pollfd){ .fd = n->kick_efd, .events = POLLIN };
		pfd[1] = (struct pollfd){
			.fd = n->tap_dead ? -1 : n->tap_fd,
			.events = n->rx_wait ? 0 : POLLIN,
		};
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (__atomic_load_n(&n->quit, __ATOMIC_ACQUIRE))
			break;
		if (pfd[0].revents & POLLIN) {
			r = read(n->kick_efd, &v, sizeof(v));
			(void)r;
			/* Any kick may have brought receive buffers. */
			n->rx_wait = 0;
			if (tx(n))
				kick(n);	/* the rest on the next turn */
		}
		if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL) &&
		    !(pfd[1].revents & POLLIN)) {
			hv_err("%s: tap %s: hung up: receiving no more",
			       n->name, n->tap);
			n->tap_dead = 1;
		}
		if (!n->rx_wait)
			rx(n);
		if (n->paused_seen) {
			wait_unpaused(n);
			n->paused_seen = 0;
			kick(n);	/* what the guest queued meanwhile */
		}
	}
	return NULL;
}

static void vnet_notify(struct hv_virtio_mmio *t, unsigned int q)
{
	(void)q;
	kick((struct hv_vnet *)t);
}

/* The driver reset us: let the thread look again (it drops what waits). */
static void vnet_virtio_reset(struct hv_virtio_mmio *t)
{
	kick((struct hv_vnet *)t);
}

static const struct hv_virtio_ops vnet_virtio_ops = {
	.notify = vnet_notify,
	.reset = vnet_virtio_reset,
};

static void vnet_reset(struct hv_device *dev)
{
	hv_virtio_mmio_reset((struct hv_virtio_mmio *)dev);
}

/*
 * The transport and its queues are the whole state: a frame waiting in
 * the device is lost, as on a wire.  The vCPUs are parked; wait for a
 * frame the I/O thread is sending to be returned, so the ring and guest
 * memory agree.
 */
static int vnet_save(struct hv_device *dev, void *buf, size_t cap,
		     size_t *len)
{
	struct hv_vnet *n = (struct hv_vnet *)dev;

	for (int i = 0; i < 10000; i++) {
		int busy;

		pthread_mutex_lock(&n->t.lock);
		busy = n->inflight;
		pthread_mutex_unlock(&n->t.lock);
		if (!busy)
			return hv_virtio_mmio_save(&n->t, buf, cap, len);
		usleep(1000);
	}
	return -EBUSY;
}

static int vnet_load(struct hv_device *dev, const void *buf, size_t len)
{
	struct hv_vnet *n = (struct hv_vnet *)dev;
	int rc;

	rc = hv_virtio_mmio_load(&n->t, buf, len);
	/* Frames the guest queued before the save: send them now. */
	if (!rc && n->t.status & HV_VIRTIO_STATUS_DRIVER_OK)
		kick(n);
	return rc;
}

/* Kicks go straight from KVM to the thread, without a vCPU exit. */
static int ioeventfd_set(struct hv_vnet *n, int assign)
{
	struct hv_vm *vm = n->t.dev.vm;
	struct kvm_ioeventfd io = {
		.addr = n->t.dev.base + MMIO_QUEUE_NOTIFY,
		.len = 4,
		.fd = n->kick_efd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (vm->vm_fd < 0)
		return -ENODEV;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return -errno;
	return 0;
}

static void vnet_destroy(struct hv_device *dev)
{
	struct hv_vnet *n = (struct hv_vnet *)dev;
	struct hv_vm *vm = n->t.dev.vm;

	if (n->ioeventfd)
		ioeventfd_set(n, 0);
	if (n->started) {
		__atomic_store_n(&n->quit, 1, __ATOMIC_RELEASE);
		/* It may wait for an unpause: wake it to see quit. */
		pthread_mutex_lock(&vm->stop_lock);
		pthread_cond_broadcast(&vm->stop_cond);
		pthread_mutex_unlock(&vm->stop_lock);
		kick(n);
		pthread_join(n->thread, NULL);
	}
	if (n->kick_efd >= 0)
		close(n->kick_efd);
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	hv_virtio_mmio_dispose(&n->t);
	free(n);
}

static const struct hv_device_ops vnet_ops = {
	.io = hv_virtio_mmio_io,
	.reset = vnet_reset,
	.save = vnet_save,
	.load = vnet_load,
	.destroy = vnet_destroy,
};

/*
 * Attach to the existing TAP @name, non-blocking, with the 12-byte virtio
 * header and no offloads.  Says what went wrong itself.
 */
static int tap_open(struct hv_vnet *n, const char *name)
{
	struct ifreq ifr;
	int hdr = (int)HDR_LEN;
	int rc;

	if (!if_nametoindex(name)) {
		hv_err("%s: tap %s: no such network device (create it first: "
		       "ip tuntap add %s mode tap)", n->name, name, name);
		return -ENODEV;
	}
	n->tap_fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->tap_fd < 0) {
		rc = -errno;
		hv_err("%s: tap %s: open %s: %s", n->name, name, TUN_PATH,
		       strerror(-rc));
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(n->tap_fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		hv_err("%s: tap %s: %s", n->name, name,
		       rc == -EINVAL ? "not a single-queue TAP device" :
		       rc == -EBUSY ? "in use by another process" :
				      strerror(-rc));
		return rc;
	}
	if (ioctl(n->tap_fd, TUNSETVNETHDRSZ, &hdr) < 0 ||
	    ioctl(n->tap_fd, TUNSETOFFLOAD, 0UL) < 0) {
		rc = -errno;
		hv_err("%s: tap %s: set the virtio header and offloads: %s",
		       n->name, name, strerror(-rc));
		return rc;
	}
	return 0;
}

static struct hv_vnet *vnet_new(struct hv_vm *vm, unsigned int index)
{
	const struct hv_net_cfg *net = &vm->cfg->net[index];
	struct hv_vnet *n;
	int rc, r;

	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->tap_fd = n->kick_efd = -1;
	snprintf(n->name, sizeof(n->name), "vnet%u", index);
	hv_virtio_mmio_init(&n->t, vm, 1 + index, n->name, VIRTIO_ID_NET,
			    VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS, 2,
			    &vnet_virtio_ops);
	n->t.dev.ops = &vnet_ops;
	memcpy(n->tap, net->tap, sizeof(n->tap));
	n->tap[sizeof(n->tap) - 1] = '\0';
	memcpy(n->config, net->mac, 6);
	n->config[6] = VIRTIO_NET_S_LINK_UP;
	n->t.config = n->config;
	n->t.config_len = sizeof(n->config);

	if (net->fd >= 0) {
		n->tap_fd = fcntl(net->fd, F_DUPFD_CLOEXEC, 3);
		rc = n->tap_fd < 0 ? -errno : 0;
		/* The flag is the open file's: the giver's fd shares it. */
		r = rc ? 0 : fcntl(n->tap_fd, F_GETFL);
		if (r < 0 || (!rc && fcntl(n->tap_fd, F_SETFL,
					  r | O_NONBLOCK) < 0))
			rc = -errno;
		if (rc)
			hv_err("%s: fd %d: %s", n->name, net->fd,
			       strerror(-rc));
	} else {
		rc = tap_open(n, n->tap);
		/* Whatever stopped it, the option named a TAP we cannot use. */
		if (rc && rc != -ENOMEM)
			rc = -ENODEV;
	}
	if (rc)
		goto out;
	n->kick_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->kick_efd < 0) {
		rc = -errno;
		goto out;
	}
	n->ioeventfd = !ioeventfd_set(n, 1);
	r = pthread_create(&n->thread, NULL, io_thread, n);
	if (r) {
		rc = -r;
		goto out;
	}
	n->started = 1;
out:
	if (rc) {
		vnet_destroy(&n->t.dev);
		errno = -rc;
		return NULL;
	}
	return n;
}

struct hv_device *hv_vnet_new(struct hv_vm *vm, unsigned int index)
{
	struct hv_vnet *n;

	if (!vm->cfg || index >= vm->cfg->nr_nets || index >= HV_NET_MAX) {
		errno = EINVAL;
		return NULL;
	}
	n = vnet_new(vm, index);
	return n ? &n->t.dev : NULL;
}

void hv_vnet_stats(struct hv_device *dev, struct hv_vnet_stats *s)
{
	struct hv_vnet *n = (struct hv_vnet *)dev;

	s->rx_frames = __atomic_load_n(&n->stats.rx_frames, __ATOMIC_RELAXED);
	s->rx_dropped = __atomic_load_n(&n->stats.rx_dropped,
					__ATOMIC_RELAXED);
	s->tx_frames = __atomic_load_n(&n->stats.tx_frames, __ATOMIC_RELAXED);
	s->tx_dropped = __atomic_load_n(&n->stats.tx_dropped,
					__ATOMIC_RELAXED);
}

/* ---- the --net option ------------------------------------------------ */

void hv_net_default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	/* Xen picks from 00:16:3e:00:00:00-00:16:3e:7f:ff:ff. */
	mac[3] = (uint8_t)((h >> 16) & 0x7f);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xx:xx:xx:xx:xx:xx" of length @len, a unicast, non-zero address. */
static int mac_parse(const char *s, size_t len, uint8_t mac[6],
		     const char **why)
{
	uint8_t m[6];

	*why = "mac: want six hex pairs such as 00:16:3e:12:34:56";
	if (len != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	if (m[0] & 1) {
		*why = "mac: a multicast address (the first byte is odd)";
		return -EINVAL;
	}
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5])) {
		*why = "mac: the zero address";
		return -EINVAL;
	}
	memcpy(mac, m, 6);
	return 0;
}

/* A Linux interface name: 1-15 bytes, no '/', ':' or space, not . or .. */
static int tap_name_ok(const char *s, size_t len)
{
	if (!len || len >= HV_NET_NAME_MAX)
		return 0;
	if ((len == 1 && s[0] == '.') || (len == 2 && !memcmp(s, "..", 2)))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ' ||
		    s[i] == 0x7f)
			return 0;
	return 1;
}

int hv_net_parse(const char *spec, struct hv_net_cfg *net, const char **why)
{
	struct hv_net_cfg c = { .fd = -1 };
	const char *p = spec;
	int have_tap = 0, have_mac = 0, rc;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *val;
		size_t vlen;

		if (len >= 4 && !memcmp(p, "tap=", 4)) {
			val = p + 4;
			vlen = len - 4;
			if (have_tap) {
				*why = "tap= given twice";
				return -EINVAL;
			}
			if (!tap_name_ok(val, vlen)) {
				*why = "tap: want an interface name of 1 to "
				       "15 bytes without '/', ':' or spaces";
				return -EINVAL;
			}
			memcpy(c.tap, val, vlen);
			have_tap = 1;
		} else if (len >= 4 && !memcmp(p, "mac=", 4)) {
			if (have_mac) {
				*why = "mac= given twice";
				return -EINVAL;
			}
			rc = mac_parse(p + 4, len - 4, c.mac, why);
			if (rc)
				return rc;
			have_mac = 1;
		} else {
			*why = len ? "unknown key: want tap=NAME[,mac=MAC]" :
				     "empty item: want tap=NAME[,mac=MAC]";
			return -EINVAL;
		}
		p += len;
		if (*p == ',' && !*++p) {
			*why = "trailing comma";
			return -EINVAL;
		}
	}
	if (!have_tap) {
		*why = "tap=NAME is required";
		return -EINVAL;
	}
	if (!have_mac)
		hv_net_default_mac(c.tap, c.mac);
	*net = c;
	return 0;
}

int hv_net_add(struct hv_config *cfg, const char *spec, const char **why)
{
	struct hv_net_cfg c;
	int rc;

	rc = hv_net_parse(spec, &c, why);
	if (rc)
		return rc;
	_Static_assert(HV_NET_MAX == 8, "the message below says 8");
	if (cfg->nr_nets >= HV_NET_MAX) {
		*why = "at most 8 network devices";
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->nr_nets; i++) {
		if (!strcmp(cfg->net[i].tap, c.tap)) {
			*why = "this TAP device is already given";
			return -EINVAL;
		}
		if (!memcmp(cfg->net[i].mac, c.mac, 6)) {
			*why = "this MAC is already another device's";
			return -EINVAL;
		}
	}
	cfg->net[cfg->nr_nets++] = c;
	return 0;
}
