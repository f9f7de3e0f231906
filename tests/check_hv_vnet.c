// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net through its ops against a fake VM, with a datagram socketpair
 * standing in for the TAP (one datagram = one frame with its 12-byte
 * virtio header, as a TAP with IFF_VNET_HDR reads and writes them).  The
 * rings are written by hand in fake guest RAM, kicked through QueueNotify
 * and served by the device's real I/O thread.  Also: the --net syntax,
 * and the ACPI description of several devices (their IRQs).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hypervisor/acpi.h"
#include "hypervisor/dev/devices.h"
#include "hypervisor/dev/vnet.h"
#include "hypervisor/guest_abi.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define RAM	0x80000ULL
#define NUM	8
/* Per queue: descriptor table, available ring, used ring. */
#define DESC(q)	(0x1000ULL + (q) * 0x3000)
#define AVAIL(q) (0x2000ULL + (q) * 0x3000)
#define USED(q)	(0x3000ULL + (q) * 0x3000)
#define RXBUF	0x10000ULL	/* NUM buffers of BUFSZ */
#define TXBUF	0x20000ULL
#define BIGBUF	0x40000ULL	/* 0x40000 bytes, to RAM's end */
#define BUFSZ	0x800
#define HDR	12
#define RXQ	0
#define TXQ	1

#define F_NEXT	1
#define F_WRITE	2
#define F_INDIRECT 4

#define REG_DEV_FEATURES	0x010
#define REG_DEV_FEATURES_SEL	0x014
#define REG_DRV_FEATURES	0x020
#define REG_DRV_FEATURES_SEL	0x024
#define REG_QUEUE_SEL		0x030
#define REG_QUEUE_NUM		0x038
#define REG_QUEUE_READY		0x044
#define REG_QUEUE_NOTIFY	0x050
#define REG_ISR			0x060
#define REG_STATUS		0x070
#define NEEDS_RESET		0x40

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct hv_vm vm;
static struct hv_config cfg;
static struct hv_device *dev;
static int wire = -1;	/* the test's end of the "TAP" */

static void wr(uint64_t off, uint32_t v)
{
	ck_assert_int_eq(dev->ops->io(dev, off, &v, 4, 1), 0);
}

static uint32_t rd(uint64_t off)
{
	uint32_t v;

	ck_assert_int_eq(dev->ops->io(dev, off, &v, 4, 0), 0);
	return v;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The driver's side of initialisation: features, both queues, DRIVER_OK. */
static void driver_init(void)
{
	wr(REG_STATUS, 0);
	wr(REG_STATUS, 1 | 2);
	wr(REG_DRV_FEATURES_SEL, 1);
	wr(REG_DRV_FEATURES, 1);		/* VERSION_1 */
	wr(REG_DRV_FEATURES_SEL, 0);
	wr(REG_DRV_FEATURES, 1u << 5);		/* MAC */
	wr(REG_STATUS, 1 | 2 | 8);
	ck_assert_uint_eq(rd(REG_STATUS) & 8, 8);
	memset(vm.ram, 0, RXBUF);		/* the rings */
	for (unsigned int q = 0; q < 2; q++) {
		wr(REG_QUEUE_SEL, q);
		wr(REG_QUEUE_NUM, NUM);
		wr(0x080, (uint32_t)DESC(q));
		wr(0x090, (uint32_t)AVAIL(q));
		wr(0x0a0, (uint32_t)USED(q));
		wr(REG_QUEUE_READY, 1);
		ck_assert_uint_eq(rd(REG_QUEUE_READY), 1);
	}
	wr(REG_STATUS, 1 | 2 | 8 | 4);
}

static void setup(void)
{
	const char *why = NULL;
	int sv[2];

	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM;
	vm.ram = calloc(1, RAM);
	ck_assert_ptr_nonnull(vm.ram);
	vm.vm_fd = vm.stop_efd = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	cfg = (struct hv_config){ .nr_vcpus = 1 };
	ck_assert_int_eq(hv_net_parse("tap=xltest0", &cfg.net[0], &why), 0);
	cfg.net[0].fd = sv[0];
	cfg.nr_nets = 1;
	vm.cfg = &cfg;
	dev = hv_vnet_new(&vm, 0);
	ck_assert_ptr_nonnull(dev);
	close(sv[0]);		/* the device has its own */
	wire = sv[1];
	driver_init();
}

static void teardown(void)
{
	dev->ops->destroy(dev);
	close(wire);
	free(vm.ram);
}

static struct desc *dt(unsigned int q, unsigned int i)
{
	return (struct desc *)(vm.ram + DESC(q)) + i;
}

static uint16_t *avail(unsigned int q)
{
	return (uint16_t *)(vm.ram + AVAIL(q));
}

static uint16_t used_idx(unsigned int q)
{
	return __atomic_load_n((uint16_t *)(vm.ram + USED(q) + 2),
			       __ATOMIC_ACQUIRE);
}

/* Offer chain @head on queue @q and kick. */
static void post(unsigned int q, uint16_t head)
{
	uint16_t *a = avail(q);

	a[2 + a[1] % NUM] = head;
	__atomic_store_n(&a[1], (uint16_t)(a[1] + 1), __ATOMIC_RELEASE);
	wr(REG_QUEUE_NOTIFY, q);
}

/* Has @q's used index reached @want (mod 2^16)? */
static int used_reached(unsigned int q, uint16_t want)
{
	return (uint16_t)(used_idx(q) - want) < 0x8000;
}

/* Wait (up to 3 s) for @q's used index to reach @want. */
static int wait_used(unsigned int q, uint16_t want)
{
	for (int i = 0; i < 3000 && !used_reached(q, want); i++)
		msleep(1);
	return used_reached(q, want);
}

static void used_elem(unsigned int q, uint16_t i, uint32_t *id,
		      uint32_t *len)
{
	uint32_t e[2];

	memcpy(e, vm.ram + USED(q) + 4 + 8 * (i % NUM), 8);
	*id = e[0];
	*len = e[1];
}

/* A frame of @len bytes whose bytes encode @seq. */
static void frame_fill(uint8_t *p, size_t len, unsigned int seq)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 31 + i);
}

/* The "TAP" sends a frame to the guest. */
static void wire_send(const uint8_t *hdr, size_t len, unsigned int seq)
{
	static uint8_t buf[HDR + 70000];

	memset(buf, 0, HDR);
	if (hdr)
		memcpy(buf, hdr, HDR);
	frame_fill(buf + HDR, len, seq);
	ck_assert_int_eq(send(wire, buf, HDR + len, 0), (ssize_t)(HDR + len));
}

/* Receive one datagram from the device within @ms; its length or -1. */
static ssize_t wire_recv(uint8_t *buf, size_t cap, int ms)
{
	struct pollfd p = { .fd = wire, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(wire, buf, cap, 0);
}

static void stats(struct hv_vnet_stats *s)
{
	hv_vnet_stats(dev, s);
}

/* ---- configuration space and features ----------------------------- */

START_TEST(test_config)
{
	uint8_t mac[6], got[8];

	ck_assert_uint_eq(rd(0x008), 1);		/* network card */
	wr(REG_DEV_FEATURES_SEL, 0);
	/* MAC and STATUS; no checksum, GSO or mergeable buffers. */
	ck_assert_uint_eq(rd(REG_DEV_FEATURES), (1u << 5) | (1u << 16));
	wr(REG_DEV_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(REG_DEV_FEATURES), 1);	/* VERSION_1 */
	hv_net_default_mac("xltest0", mac);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(dev->ops->io(dev, 0x100 + i, &got[i], 1, 0),
				 0);
	ck_assert_mem_eq(got, mac, 6);
	ck_assert_uint_eq(got[6] | got[7] << 8, 1);	/* link up */
	ck_assert_uint_eq(mac[0], 0x00);
	ck_assert_uint_eq(mac[1], 0x16);
	ck_assert_uint_eq(mac[2], 0x3e);
	ck_assert_uint_le(mac[3], 0x7f);
	/* Asking for an offload we do not offer fails FEATURES_OK. */
	wr(REG_STATUS, 0);
	wr(REG_STATUS, 1 | 2);
	wr(REG_DRV_FEATURES_SEL, 1);
	wr(REG_DRV_FEATURES, 1);
	wr(REG_DRV_FEATURES_SEL, 0);
	wr(REG_DRV_FEATURES, 1u << 0);			/* CSUM */
	wr(REG_STATUS, 1 | 2 | 8);
	ck_assert_uint_eq(rd(REG_STATUS) & 8, 0);
}
END_TEST

/* ---- transmit ------------------------------------------------------ */

/* How a good frame is split over descriptors. */
static const struct {
	const char *what;
	unsigned int n;
	uint32_t part[5];
} tx_layouts[] = {
	{ "header and frame in one", 1, { HDR + 60 } },
	{ "header apart", 2, { HDR, 60 } },
	{ "header split", 3, { 5, 7, 60 } },
	{ "header and part of the frame", 2, { HDR + 10, 50 } },
	{ "frame in three", 4, { HDR, 20, 20, 20 } },
	{ "empty buffer inside", 3, { HDR, 0, 60 } },
	{ "a full-size frame", 2, { HDR, 1514 } },
};

START_TEST(test_tx_layouts)
{
	uint8_t frame[HDR + 1514], got[2048];
	unsigned int n = tx_layouts[_i].n;
	const uint32_t *part = tx_layouts[_i].part;
	uint32_t off = 0, total = 0, id, len;
	struct hv_vnet_stats s;
	ssize_t r;

	for (unsigned int i = 0; i < n; i++)
		total += part[i];
	memset(frame, 0, HDR);
	frame_fill(frame + HDR, total - HDR, 7);
	memcpy(vm.ram + TXBUF, frame, total);
	for (unsigned int i = 0; i < n; i++) {
		*dt(TXQ, i) = (struct desc){ TXBUF + off, part[i],
					     (uint16_t)(i + 1 < n ? F_NEXT : 0),
					     (uint16_t)(i + 1) };
		off += part[i];
	}
	post(TXQ, 0);
	ck_assert_msg(wait_used(TXQ, 1), "%s: not used", tx_layouts[_i].what);
	used_elem(TXQ, 0, &id, &len);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 0);
	r = wire_recv(got, sizeof(got), 1000);
	ck_assert_msg(r == (ssize_t)total, "%s: got %zd bytes, want %u",
		      tx_layouts[_i].what, r, total);
	ck_assert_mem_eq(got, frame, total);
	stats(&s);
	ck_assert_uint_eq(s.tx_frames, 1);
	ck_assert_uint_eq(s.tx_dropped, 0);
	ck_assert_uint_eq(rd(REG_ISR) & 1, 1);	/* the driver hears of it */
}
END_TEST

/* Many frames in a row, the ring wrapping several times, all in order. */
START_TEST(test_tx_many)
{
	uint8_t got[256], want[100];

	for (unsigned int seq = 0; seq < 40; seq++) {
		uint16_t slot = (uint16_t)(seq % NUM);

		memset(vm.ram + TXBUF + slot * BUFSZ, 0, HDR);
		frame_fill(vm.ram + TXBUF + slot * BUFSZ + HDR, 100, seq);
		*dt(TXQ, slot) = (struct desc){ TXBUF + slot * BUFSZ,
						HDR + 100, 0, 0 };
		post(TXQ, slot);
		ck_assert(wait_used(TXQ, (uint16_t)(seq + 1)));
		ck_assert_int_eq(wire_recv(got, sizeof(got), 1000), HDR + 100);
		frame_fill(want, 100, seq);
		ck_assert_mem_eq(got + HDR, want, 100);
	}
}
END_TEST

/* ---- receive ------------------------------------------------------- */

/* Post receive buffer @slot: one writable descriptor of @len bytes. */
static void post_rx(uint16_t slot, uint32_t len)
{
	*dt(RXQ, slot) = (struct desc){ RXBUF + slot * BUFSZ, len, F_WRITE,
					0 };
	post(RXQ, slot);
}

static void check_rx(uint16_t nth, uint16_t slot, size_t len,
		     unsigned int seq)
{
	uint8_t want[BUFSZ];
	uint8_t *p = vm.ram + RXBUF + slot * BUFSZ;
	uint32_t id, ulen;

	ck_assert_msg(wait_used(RXQ, (uint16_t)(nth + 1)),
		      "frame %u not delivered", seq);
	used_elem(RXQ, nth, &id, &ulen);
	ck_assert_uint_eq(id, slot);
	ck_assert_uint_eq(ulen, HDR + len);
	ck_assert_uint_eq(p[0], 0);			/* flags */
	ck_assert_uint_eq(p[1], 0);			/* gso_type */
	ck_assert_uint_eq(p[10] | p[11] << 8, 1);	/* num_buffers */
	frame_fill(want, len, seq);
	ck_assert_mem_eq(p + HDR, want, len);
}

START_TEST(test_rx_good)
{
	struct hv_vnet_stats s;

	post_rx(0, HDR + 1518);
	wire_send(NULL, 60, 1);
	check_rx(0, 0, 60, 1);
	ck_assert_uint_eq(rd(REG_ISR) & 1, 1);
	/* A frame that exactly fills the buffer. */
	post_rx(1, HDR + 1518);
	wire_send(NULL, 1518, 2);
	check_rx(1, 1, 1518, 2);
	stats(&s);
	ck_assert_uint_eq(s.rx_frames, 2);
	ck_assert_uint_eq(s.rx_dropped, 0);
}
END_TEST

/* A receive chain of several writable buffers is filled in order. */
START_TEST(test_rx_chain)
{
	uint8_t want[300], got[300];
	uint32_t id, len;

	*dt(RXQ, 0) = (struct desc){ RXBUF, 5, F_WRITE | F_NEXT, 1 };
	*dt(RXQ, 1) = (struct desc){ RXBUF + 0x100, 100, F_WRITE | F_NEXT,
				     2 };
	*dt(RXQ, 2) = (struct desc){ RXBUF + 0x400, 1000, F_WRITE, 0 };
	post(RXQ, 0);
	wire_send(NULL, 200, 3);
	ck_assert(wait_used(RXQ, 1));
	used_elem(RXQ, 0, &id, &len);
	ck_assert_uint_eq(len, HDR + 200);
	memcpy(got, vm.ram + RXBUF, 5);
	memcpy(got + 5, vm.ram + RXBUF + 0x100, 100);
	memcpy(got + 105, vm.ram + RXBUF + 0x400, HDR + 200 - 105);
	frame_fill(want, 200, 3);
	ck_assert_mem_eq(got + HDR, want, 200);
}
END_TEST

/*
 * Frames that come while the guest has no buffer wait (in the socket, one
 * in the device), and arrive in order once it posts some.
 */
START_TEST(test_rx_waits_for_buffers)
{
	struct hv_vnet_stats s;

	for (unsigned int seq = 0; seq < 6; seq++)
		wire_send(NULL, 100 + seq, seq);
	msleep(50);
	ck_assert_uint_eq(used_idx(RXQ), 0);
	for (uint16_t i = 0; i < 6; i++)
		post_rx(i, HDR + 1518);
	for (uint16_t i = 0; i < 6; i++)
		check_rx(i, i, 100 + i, i);
	stats(&s);
	ck_assert_uint_eq(s.rx_frames, 6);
	ck_assert_uint_eq(s.rx_dropped, 0);
}
END_TEST

/* A frame larger than the buffer is dropped; the buffer serves the next. */
START_TEST(test_rx_oversized)
{
	struct hv_vnet_stats s;

	post_rx(0, HDR + 100);
	wire_send(NULL, 101, 1);
	for (int i = 0; i < 1000; i++) {
		stats(&s);
		if (s.rx_dropped)
			break;
		msleep(1);
	}
	ck_assert_uint_eq(s.rx_dropped, 1);
	ck_assert_uint_eq(used_idx(RXQ), 0);
	wire_send(NULL, 100, 2);
	check_rx(0, 0, 100, 2);
	/* And one larger than any frame can be. */
	post_rx(1, HDR + 1518);
	wire_send(NULL, 65536 + 18 + 1, 3);
	wire_send(NULL, 64, 4);
	check_rx(1, 1, 64, 4);
	stats(&s);
	ck_assert_uint_eq(s.rx_dropped, 2);
	ck_assert_uint_eq(rd(REG_STATUS) & NEEDS_RESET, 0);
}
END_TEST

/* What the TAP must never hand us with offloads off is not passed on. */
START_TEST(test_rx_bad_from_tap)
{
	static const uint8_t csum[HDR] = { 1 };		/* NEEDS_CSUM */
	static const uint8_t gso[HDR] = { 0, 1 };	/* TCPV4 */
	static const uint8_t valid[HDR] = { 2 };	/* DATA_VALID */
	struct hv_vnet_stats s;

	post_rx(0, HDR + 1518);
	wire_send(csum, 60, 1);
	wire_send(gso, 60, 2);
	ck_assert_int_eq(send(wire, "short", 5, 0), 5);
	wire_send(valid, 60, 3);	/* fine, but the flag is cleared */
	check_rx(0, 0, 60, 3);
	stats(&s);
	ck_assert_uint_eq(s.rx_dropped, 3);
	ck_assert_uint_eq(s.rx_frames, 1);
}
END_TEST

/* Without DRIVER_OK, frames are dropped, never queued up in the device. */
START_TEST(test_rx_no_driver)
{
	struct hv_vnet_stats s;

	wr(REG_STATUS, 0);
	for (unsigned int seq = 0; seq < 20; seq++)
		wire_send(NULL, 60, seq);
	for (int i = 0; i < 1000; i++) {
		stats(&s);
		if (s.rx_dropped == 20)
			break;
		msleep(1);
	}
	ck_assert_uint_eq(s.rx_dropped, 20);
	/* After a new initialisation, traffic flows again. */
	driver_init();
	post_rx(0, HDR + 1518);
	wire_send(NULL, 80, 99);
	check_rx(0, 0, 80, 99);
}
END_TEST

/* ---- hostile descriptors ------------------------------------------- */

enum bad_kind {
	BAD_HEAD_RANGE,		/* available ring names descriptor >= NUM */
	BAD_NEXT_RANGE,		/* a chain points past the table */
	BAD_LOOP,		/* a chain loops */
	BAD_INDIRECT,		/* indirect descriptors, not offered */
	BAD_OUTSIDE,		/* buffer beyond guest RAM */
	BAD_WRAP,		/* address + length wraps */
	BAD_AHEAD,		/* available index more than a ring ahead */
	BAD_WRITE_THEN_READ,	/* readable after writable */
	BAD_READABLE_RX,	/* receive buffer the device may not write */
	BAD_WRITABLE_TX,	/* transmit buffer for the device to write */
	BAD_SHORT_HDR,		/* shorter than header + Ethernet header */
	BAD_HDR_ONLY,		/* a header, no frame */
	BAD_GSO,		/* TSO asked for, not negotiated */
	BAD_CSUM,		/* checksum offload asked for, not negotiated */
	BAD_HUGE,		/* larger than any frame */
};

enum bad_outcome { BROKEN, DROPPED };

static const struct {
	const char *what;
	unsigned int q;
	enum bad_kind kind;
	enum bad_outcome out;
} bads[] = {
	{ "tx head out of range", TXQ, BAD_HEAD_RANGE, BROKEN },
	{ "tx next out of range", TXQ, BAD_NEXT_RANGE, BROKEN },
	{ "tx loop", TXQ, BAD_LOOP, BROKEN },
	{ "tx indirect", TXQ, BAD_INDIRECT, BROKEN },
	{ "tx outside RAM", TXQ, BAD_OUTSIDE, BROKEN },
	{ "tx wrapping", TXQ, BAD_WRAP, BROKEN },
	{ "tx index ahead", TXQ, BAD_AHEAD, BROKEN },
	{ "tx write then read", TXQ, BAD_WRITE_THEN_READ, BROKEN },
	{ "tx writable buffer", TXQ, BAD_WRITABLE_TX, DROPPED },
	{ "tx short", TXQ, BAD_SHORT_HDR, DROPPED },
	{ "tx header only", TXQ, BAD_HDR_ONLY, DROPPED },
	{ "tx gso", TXQ, BAD_GSO, DROPPED },
	{ "tx csum", TXQ, BAD_CSUM, DROPPED },
	{ "tx huge", TXQ, BAD_HUGE, DROPPED },
	{ "rx head out of range", RXQ, BAD_HEAD_RANGE, BROKEN },
	{ "rx next out of range", RXQ, BAD_NEXT_RANGE, BROKEN },
	{ "rx loop", RXQ, BAD_LOOP, BROKEN },
	{ "rx indirect", RXQ, BAD_INDIRECT, BROKEN },
	{ "rx outside RAM", RXQ, BAD_OUTSIDE, BROKEN },
	{ "rx wrapping", RXQ, BAD_WRAP, BROKEN },
	{ "rx index ahead", RXQ, BAD_AHEAD, BROKEN },
	{ "rx readable buffer", RXQ, BAD_READABLE_RX, BROKEN },
};

START_TEST(test_bad)
{
	unsigned int q = bads[_i].q;
	uint16_t w = q == RXQ ? F_WRITE : 0;
	uint64_t buf = q == RXQ ? RXBUF : TXBUF;
	uint8_t *hdr = vm.ram + buf;
	uint8_t got[2048];
	struct hv_vnet_stats s;
	uint16_t *a = avail(q);
	uint16_t head = 0;

	memset(hdr, 0, HDR);
	frame_fill(hdr + HDR, 60, 5);
	*dt(q, 0) = (struct desc){ buf, HDR + 60, w, 0 };
	switch (bads[_i].kind) {
	case BAD_HEAD_RANGE:
		head = NUM;
		break;
	case BAD_NEXT_RANGE:
		*dt(q, 0) = (struct desc){ buf, HDR, (uint16_t)(w | F_NEXT),
					   NUM + 3 };
		break;
	case BAD_LOOP:
		*dt(q, 0) = (struct desc){ buf, HDR, (uint16_t)(w | F_NEXT), 1 };
		*dt(q, 1) = (struct desc){ buf + HDR, 60,
					   (uint16_t)(w | F_NEXT), 0 };
		break;
	case BAD_INDIRECT:
		*dt(q, 0) = (struct desc){ buf, 16, (uint16_t)(w | F_INDIRECT),
					   0 };
		break;
	case BAD_OUTSIDE:
		*dt(q, 0) = (struct desc){ RAM - 8, HDR + 60, w, 0 };
		break;
	case BAD_WRAP:
		*dt(q, 0) = (struct desc){ UINT64_MAX - 4, HDR + 60, w, 0 };
		break;
	case BAD_AHEAD:
		break;
	case BAD_WRITE_THEN_READ:
		*dt(q, 0) = (struct desc){ buf, HDR, F_WRITE | F_NEXT, 1 };
		*dt(q, 1) = (struct desc){ buf + HDR, 60, 0, 0 };
		break;
	case BAD_READABLE_RX:
		*dt(q, 0) = (struct desc){ buf, HDR + 1518, 0, 0 };
		break;
	case BAD_WRITABLE_TX:
		*dt(q, 0) = (struct desc){ buf, HDR + 60, F_NEXT, 1 };
		*dt(q, 1) = (struct desc){ buf + 0x100, 16, F_WRITE, 0 };
		break;
	case BAD_SHORT_HDR:
		*dt(q, 0) = (struct desc){ buf, HDR + 13, 0, 0 };
		break;
	case BAD_HDR_ONLY:
		*dt(q, 0) = (struct desc){ buf, HDR, 0, 0 };
		break;
	case BAD_GSO:
		hdr[1] = 1;
		break;
	case BAD_CSUM:
		hdr[0] = 1;
		break;
	case BAD_HUGE:
		*dt(q, 0) = (struct desc){ BIGBUF, HDR + 65536 + 18 + 1, 0,
					   0 };
		break;
	}
	if (q == RXQ)
		wire_send(NULL, 60, 5);		/* something to deliver */
	a[2] = head;
	__atomic_store_n(&a[1], bads[_i].kind == BAD_AHEAD ? NUM + 1 : 1,
			 __ATOMIC_RELEASE);
	wr(REG_QUEUE_NOTIFY, q);

	if (bads[_i].out == BROKEN) {
		for (int i = 0; i < 5000 && !(rd(REG_STATUS) & NEEDS_RESET);
		     i++)
			msleep(1);
		ck_assert_msg(rd(REG_STATUS) & NEEDS_RESET, "%s: not broken",
			      bads[_i].what);
		ck_assert_uint_eq(rd(REG_ISR) & 2, 2);	/* config change */
		ck_assert_uint_eq(used_idx(q), 0);
	} else {
		ck_assert_msg(wait_used(q, 1), "%s: not returned",
			      bads[_i].what);
		ck_assert_uint_eq(rd(REG_STATUS) & NEEDS_RESET, 0);
		stats(&s);
		ck_assert_uint_eq(s.tx_dropped, 1);
		ck_assert_uint_eq(s.tx_frames, 0);
	}
	ck_assert_int_eq(wire_recv(got, sizeof(got), 0), -1);

	/* A reset and a new start heal it: traffic flows both ways. */
	driver_init();
	ck_assert_uint_eq(rd(REG_STATUS) & NEEDS_RESET, 0);
	memset(vm.ram + TXBUF, 0, HDR);
	*dt(TXQ, 0) = (struct desc){ TXBUF, HDR + 60, 0, 0 };
	post(TXQ, 0);
	ck_assert(wait_used(TXQ, 1));
	ck_assert_int_eq(wire_recv(got, sizeof(got), 1000), HDR + 60);
	post_rx(0, HDR + 1518);
	wire_send(NULL, 60, 9);
	check_rx(0, 0, 60, 9);
}
END_TEST

/* A flood of broken frames is logged a few times, not once per frame. */
START_TEST(test_rate_limited)
{
	struct hv_vnet_stats s;
	char path[] = "/tmp/check_hv_vnet.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char log[8192];
	ssize_t r;
	int lines = 0;

	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	for (int seq = 0; seq < 100; seq++)
		ck_assert_int_eq(send(wire, "tiny", 4, 0), 4);
	for (int i = 0; i < 2000; i++) {
		stats(&s);
		if (s.rx_dropped == 100)
			break;
		msleep(1);
	}
	dup2(saved, 2);
	close(saved);
	ck_assert_uint_eq(s.rx_dropped, 100);
	r = pread(fd, log, sizeof(log) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(r, 0);
	log[r] = '\0';
	for (char *p = log; (p = strchr(p, '\n')); p++)
		lines++;
	ck_assert_int_ge(lines, 1);
	ck_assert_int_le(lines, 5);
}
END_TEST

/* ---- pause, save and load ----------------------------------------- */

static void set_paused(int p)
{
	pthread_mutex_lock(&vm.stop_lock);
	vm.paused = p;
	pthread_cond_broadcast(&vm.stop_cond);
	pthread_mutex_unlock(&vm.stop_lock);
}

/* While the VM is paused, guest memory and the rings hold still. */
START_TEST(test_pause)
{
	uint8_t got[256];

	set_paused(1);
	post_rx(0, HDR + 1518);
	wire_send(NULL, 60, 1);
	memset(vm.ram + TXBUF, 0, HDR);
	frame_fill(vm.ram + TXBUF + HDR, 60, 2);
	*dt(TXQ, 0) = (struct desc){ TXBUF, HDR + 60, 0, 0 };
	post(TXQ, 0);
	msleep(100);
	ck_assert_uint_eq(used_idx(RXQ), 0);
	ck_assert_uint_eq(used_idx(TXQ), 0);
	ck_assert_int_eq(wire_recv(got, sizeof(got), 0), -1);
	set_paused(0);
	check_rx(0, 0, 60, 1);
	ck_assert(wait_used(TXQ, 1));
	ck_assert_int_eq(wire_recv(got, sizeof(got), 1000), HDR + 60);
}
END_TEST

/* The state saved from one device, loaded into another, carries on. */
START_TEST(test_save_load)
{
	uint8_t state[4096], got[256];
	struct hv_device *other;
	size_t len = 0;
	int sv[2];

	memset(vm.ram + TXBUF, 0, HDR);
	*dt(TXQ, 0) = (struct desc){ TXBUF, HDR + 60, 0, 0 };
	post(TXQ, 0);
	ck_assert(wait_used(TXQ, 1));
	ck_assert_int_eq(wire_recv(got, sizeof(got), 1000), HDR + 60);
	ck_assert_int_eq(dev->ops->save(dev, state, sizeof(state), &len), 0);
	ck_assert_uint_gt(len, 0);
	/* Truncated or too short a buffer: refused, never overrun. */
	ck_assert_int_ne(dev->ops->save(dev, state, 4, &len), 0);
	ck_assert_int_eq(dev->ops->save(dev, state, sizeof(state), &len), 0);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	cfg.net[0].fd = sv[0];
	other = hv_vnet_new(&vm, 0);
	ck_assert_ptr_nonnull(other);
	close(sv[0]);
	ck_assert_int_ne(other->ops->load(other, state, len - 1), 0);
	ck_assert_int_eq(other->ops->load(other, state, len), 0);
	/* The old device goes; the new one sends the next frame. */
	dev->ops->destroy(dev);
	dev = other;
	close(wire);
	wire = sv[1];
	ck_assert_uint_eq(rd(REG_STATUS), 1 | 2 | 4 | 8);
	*dt(TXQ, 1) = (struct desc){ TXBUF, HDR + 70, 0, 0 };
	post(TXQ, 1);
	ck_assert(wait_used(TXQ, 2));
	ck_assert_int_eq(wire_recv(got, sizeof(got), 1000), HDR + 70);
	post_rx(0, HDR + 1518);
	wire_send(NULL, 64, 3);
	check_rx(0, 0, 64, 3);
}
END_TEST

/* ---- the --net option ---------------------------------------------- */

static const struct {
	const char *spec;
	int ok;
	const char *tap;
	const char *mac;	/* expected, or NULL: the default */
} specs[] = {
	{ "tap=tap0", 1, "tap0", NULL },
	{ "tap=vif1.0", 1, "vif1.0", NULL },
	{ "tap=t,mac=02:00:00:aa:BB:cc", 1, "t", "\x02\x00\x00\xaa\xbb\xcc" },
	{ "mac=00:16:3e:01:02:03,tap=x", 1, "x", "\x00\x16\x3e\x01\x02\x03" },
	{ "tap=123456789012345", 1, "123456789012345", NULL },
	{ "tap=1234567890123456", 0, NULL, NULL },	/* 16 bytes */
	{ "", 0, NULL, NULL },
	{ "tap=", 0, NULL, NULL },
	{ "tap=a/b", 0, NULL, NULL },
	{ "tap=a:b", 0, NULL, NULL },
	{ "tap=a b", 0, NULL, NULL },
	{ "tap=..", 0, NULL, NULL },
	{ "tap=a,tap=b", 0, NULL, NULL },
	{ "tap=a,", 0, NULL, NULL },
	{ ",tap=a", 0, NULL, NULL },
	{ "tap=a,,mac=00:16:3e:00:00:01", 0, NULL, NULL },
	{ "tap=a,model=e1000", 0, NULL, NULL },
	{ "tap=a,mac=", 0, NULL, NULL },
	{ "tap=a,mac=00:16:3e:00:00", 0, NULL, NULL },
	{ "tap=a,mac=00:16:3e:00:00:001", 0, NULL, NULL },
	{ "tap=a,mac=00-16-3e-00-00-01", 0, NULL, NULL },
	{ "tap=a,mac=00:16:3e:00:0g:01", 0, NULL, NULL },
	{ "tap=a,mac=01:16:3e:00:00:01", 0, NULL, NULL },	/* multicast */
	{ "tap=a,mac=ff:ff:ff:ff:ff:ff", 0, NULL, NULL },
	{ "tap=a,mac=00:00:00:00:00:00", 0, NULL, NULL },
	{ "tap=a,mac=00:16:3e:00:00:01,mac=00:16:3e:00:00:02", 0, NULL, NULL },
	{ "TAP=a", 0, NULL, NULL },
};

START_TEST(test_parse)
{
	struct hv_net_cfg net = { .tap = "untouched", .fd = 5 };
	const char *why = NULL;
	uint8_t mac[6];
	int rc = hv_net_parse(specs[_i].spec, &net, &why);

	if (!specs[_i].ok) {
		ck_assert_msg(rc == -EINVAL, "\"%s\" accepted", specs[_i].spec);
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(net.tap, "untouched");	/* not written */
		return;
	}
	ck_assert_msg(rc == 0, "\"%s\": %s", specs[_i].spec, why);
	ck_assert_str_eq(net.tap, specs[_i].tap);
	ck_assert_int_eq(net.fd, -1);
	if (specs[_i].mac) {
		ck_assert_mem_eq(net.mac, specs[_i].mac, 6);
	} else {
		hv_net_default_mac(specs[_i].tap, mac);
		ck_assert_mem_eq(net.mac, mac, 6);
	}
}
END_TEST

START_TEST(test_add)
{
	struct hv_config c = { 0 };
	const char *why = NULL;
	char spec[64];
	uint8_t m0[6], m1[6];

	/* Default MACs are stable and differ between names. */
	hv_net_default_mac("tap0", m0);
	hv_net_default_mac("tap0", m1);
	ck_assert_mem_eq(m0, m1, 6);
	hv_net_default_mac("tap1", m1);
	ck_assert_int_ne(memcmp(m0, m1, 6), 0);

	for (int i = 0; i < HV_NET_MAX; i++) {
		snprintf(spec, sizeof(spec), "tap=tap%d", i);
		ck_assert_int_eq(hv_net_add(&c, spec, &why), 0);
	}
	ck_assert_uint_eq(c.nr_nets, HV_NET_MAX);
	ck_assert_int_eq(hv_net_add(&c, "tap=tap99", &why), -EINVAL);
	ck_assert_str_eq(why, "at most 8 network devices");
	c.nr_nets = 2;
	ck_assert_int_eq(hv_net_add(&c, "tap=tap1", &why), -EINVAL);
	ck_assert_int_eq(hv_net_add(&c, "tap=other,mac=00:16:3e:00:00:07",
				    &why), 0);
	ck_assert_int_eq(hv_net_add(&c, "tap=other2,mac=00:16:3e:00:00:07",
				    &why), -EINVAL);
	ck_assert_uint_eq(c.nr_nets, 3);
}
END_TEST

/* A TAP that is not there: the device says so and is not created. */
START_TEST(test_missing_tap)
{
	struct hv_config c = { .nr_vcpus = 1 };
	struct hv_vm v = { .cfg = &c, .vm_fd = -1 };
	const char *why;

	ck_assert_int_eq(hv_net_add(&c, "tap=xlnosuch9", &why), 0);
	errno = 0;
	ck_assert_ptr_null(hv_vnet_new(&v, 0));
	ck_assert_int_eq(errno, ENODEV);
	ck_assert_ptr_null(hv_vnet_new(&v, 1));	/* no such --net */
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- several devices: slots, IRQs and ACPI ------------------------- */

START_TEST(test_acpi_eight)
{
	static const unsigned int irqs[] = { 5, 6, 7, 8, 10, 11, 12, 13, 14,
					     15 };
	static uint8_t tables[HV_ACPI_SIZE];
	char disk[] = "/tmp/check_hv_vnet.disk.XXXXXX";
	struct hv_acpi_layout l;
	int sv[HV_NET_MAX][2], fd;
	uint64_t rsdp;
	size_t used;

	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.stop_efd = -1;
	fd = mkstemp(disk);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4096), 0);
	close(fd);
	cfg = (struct hv_config){ .nr_vcpus = 1, .disk[0] = { disk, 0 },
				  .nr_disks = 1 };
	for (int i = 0; i < HV_NET_MAX; i++) {
		char spec[32];
		const char *why;

		snprintf(spec, sizeof(spec), "tap=t%d", i);
		ck_assert_int_eq(hv_net_add(&cfg, spec, &why), 0);
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv[i]), 0);
		cfg.net[i].fd = sv[i][0];
	}
	vm.cfg = &cfg;
	ck_assert_int_eq(hv_devices_create(&vm), 0);
	ck_assert_int_eq(hv_acpi_layout_of(&vm, &l), 0);
	/* The disk, the nets, and the balloon every VM has in slot 9. */
	ck_assert_uint_eq(l.nr_virtio, 2 + HV_NET_MAX);
	for (unsigned int i = 0; i < l.nr_virtio; i++) {
		ck_assert_uint_eq(l.virtio[i].base, HV_ABI_VIRTIO_MMIO_BASE +
						    i * HV_ABI_VIRTIO_MMIO_SIZE);
		ck_assert_uint_eq(l.virtio[i].irq, irqs[i]);
		ck_assert_uint_eq(l.virtio[i].irq, HV_ABI_VIRTIO_IRQ(i));
	}
	/* The tables accept the layout: no IRQ is the SCI's or >= 16. */
	ck_assert_int_eq(hv_acpi_tables(&l, tables, sizeof(tables),
					HV_ACPI_BASE, &rsdp, &used), 0);
	/* Each --net answers as a network card in its own slot. */
	for (unsigned int i = 1; i <= HV_NET_MAX; i++) {
		uint32_t id = 0;

		ck_assert_int_eq(hv_bus_dispatch(&vm.mmio, l.virtio[i].base +
						 8, &id, 4, 0), 0);
		ck_assert_uint_eq(id, 1);
	}
	hv_devices_destroy(&vm);
	hv_bus_dispose(&vm.pio);
	hv_bus_dispose(&vm.mmio);
	for (int i = 0; i < HV_NET_MAX; i++) {
		close(sv[i][0]);
		close(sv[i][1]);
	}
	unlink(disk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_vnet");
	TCase *tc;

	tc = tcase_create("frames");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config);
	tcase_add_loop_test(tc, test_tx_layouts, 0,
			    sizeof(tx_layouts) / sizeof(tx_layouts[0]));
	tcase_add_test(tc, test_tx_many);
	tcase_add_test(tc, test_rx_good);
	tcase_add_test(tc, test_rx_chain);
	tcase_add_test(tc, test_rx_waits_for_buffers);
	tcase_add_test(tc, test_rx_oversized);
	tcase_add_test(tc, test_rx_bad_from_tap);
	tcase_add_test(tc, test_rx_no_driver);
	tcase_add_test(tc, test_rate_limited);
	tcase_add_test(tc, test_pause);
	tcase_add_test(tc, test_save_load);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bads) / sizeof(bads[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("option");
	tcase_add_loop_test(tc, test_parse, 0, sizeof(specs) / sizeof(specs[0]));
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_missing_tap);
	suite_add_tcase(s, tc);

	tc = tcase_create("acpi");
	tcase_add_test(tc, test_acpi_eight);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
