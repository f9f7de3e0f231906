// SPDX-License-Identifier: GPL-2.0
/*
 * Virtqueues and the virtio-mmio transport against a fake VM: rings the
 * test writes by hand, every way a guest can break them, and the register
 * rules (feature negotiation, frozen live queues, NEEDS_RESET).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/hv.h"
#include "hypervisor/virtio_mmio.h"
#include "hypervisor/virtio_queue.h"
#include "tests/hvt_check.h"

#define RAM	0x10000ULL
#define DESC	0x1000ULL
#define AVAIL	0x2000ULL
#define USED	0x3000ULL
#define BUF	0x4000ULL
#define NUM	8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct hv_vm vm;
static struct hv_vq vq;

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM;
	vm.ram = calloc(1, RAM);
	ck_assert_ptr_nonnull(vm.ram);
	vm.vm_fd = vm.stop_efd = -1;
	pthread_mutex_init(&vm.stop_lock, NULL);
	pthread_cond_init(&vm.stop_cond, NULL);
	vq = (struct hv_vq){ .num = NUM, .desc = DESC, .avail = AVAIL,
			     .used = USED };
}

static void teardown(void)
{
	free(vm.ram);
}

static struct desc *d(unsigned int i)
{
	return (struct desc *)(vm.ram + DESC) + i;
}

static uint16_t *avail(void)
{
	return (uint16_t *)(vm.ram + AVAIL);
}

/* Publish @head as the next available chain. */
static void offer(uint16_t head)
{
	avail()[2 + avail()[1] % NUM] = head;
	avail()[1]++;
}

/* A good three-part chain at 0: header, data (device writes), status. */
static void good_chain(void)
{
	*d(0) = (struct desc){ BUF, 16, HV_VQ_DESC_F_NEXT, 1 };
	*d(1) = (struct desc){ BUF + 0x100, 512,
			       HV_VQ_DESC_F_NEXT | HV_VQ_DESC_F_WRITE, 2 };
	*d(2) = (struct desc){ BUF + 0x400, 1, HV_VQ_DESC_F_WRITE, 0 };
}

static const struct {
	uint32_t num;
	uint64_t desc, avail, used;
	int ok;
} layouts[] = {
	{ NUM, DESC, AVAIL, USED, 1 },
	{ 256, DESC, AVAIL, USED, 1 },
	{ 0, DESC, AVAIL, USED, 0 },
	{ 3, DESC, AVAIL, USED, 0 },
	{ 512, DESC, AVAIL, USED, 0 },
	{ NUM, DESC + 8, AVAIL, USED, 0 },
	{ NUM, DESC, AVAIL + 1, USED, 0 },
	{ NUM, DESC, AVAIL, USED + 2, 0 },
	{ NUM, RAM - 64, AVAIL, USED, 0 },
	{ NUM, DESC, RAM - 8, USED, 0 },
	{ NUM, DESC, AVAIL, RAM - 32, 0 },
	{ NUM, UINT64_MAX - 15, AVAIL, USED, 0 },
	{ 256, DESC, AVAIL, RAM - 1024, 0 },
};

START_TEST(test_activate)
{
	vq = (struct hv_vq){ .num = layouts[_i].num, .desc = layouts[_i].desc,
			     .avail = layouts[_i].avail,
			     .used = layouts[_i].used };
	ck_assert_int_eq(hv_vq_activate(&vm, &vq), layouts[_i].ok ? 0 : -EINVAL);
	ck_assert_int_eq(vq.ready, layouts[_i].ok);
}
END_TEST

START_TEST(test_pop_push)
{
	struct hv_vq_chain c;
	const char *why = NULL;
	uint32_t elem[2];

	ck_assert_int_eq(hv_vq_activate(&vm, &vq), 0);
	ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), 0);	/* empty */
	good_chain();
	offer(0);
	ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), 1);
	ck_assert_uint_eq(c.head, 0);
	ck_assert_uint_eq(c.nr, 3);
	ck_assert_ptr_eq(c.buf[0].p, vm.ram + BUF);
	ck_assert_uint_eq(c.buf[1].len, 512);
	ck_assert_int_eq(c.buf[0].writable, 0);
	ck_assert_int_eq(c.buf[1].writable, 1);
	ck_assert_int_eq(c.buf[2].writable, 1);
	ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), 0);
	ck_assert_int_eq(hv_vq_push(&vm, &vq, 0, 513), 0);
	memcpy(elem, vm.ram + USED + 4, sizeof(elem));
	ck_assert_uint_eq(elem[0], 0);
	ck_assert_uint_eq(elem[1], 513);
	ck_assert_uint_eq(*(uint16_t *)(vm.ram + USED + 2), 1);
}
END_TEST

/* What a device writes through a chain shows in the migration's dirty log. */
START_TEST(test_push_marks_dirty)
{
	struct hv_vq_chain c;
	const char *why = NULL;
	uint64_t bits[1] = { 0 };

	vm.dev_dirty = bits;
	ck_assert_int_eq(hv_vq_activate(&vm, &vq), 0);
	*d(0) = (struct desc){ BUF, 16, HV_VQ_DESC_F_NEXT, 1 };	/* page 4, read */
	*d(1) = (struct desc){ 0x5f00, 0x200,			/* pages 5-6 */
			       HV_VQ_DESC_F_NEXT | HV_VQ_DESC_F_WRITE, 2 };
	*d(2) = (struct desc){ 0x7000, 1, HV_VQ_DESC_F_WRITE, 0 }; /* page 7 */
	offer(0);
	ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), 1);
	ck_assert_int_eq(hv_vq_push(&vm, &vq, 0, 1), 0);
	ck_assert_uint_eq(bits[0], 0);		/* logging off: nothing */
	vm.dev_dirty_on = 1;
	offer(0);
	ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), 1);
	ck_assert_int_eq(hv_vq_push(&vm, &vq, 0, 1), 0);
	/* the used ring (page 3) and the writable buffers, not the readable */
	ck_assert_uint_eq(bits[0], (1u << 3) | (1u << 5) | (1u << 6) | (1u << 7));
	vm.dev_dirty = NULL;
}
END_TEST

START_TEST(test_wrap)
{
	struct hv_vq_chain c;
	const char *why;

	/* 16-bit indexes wrap: 0xfffe, 0xffff, 0 are three entries. */
	ck_assert_int_eq(hv_vq_activate(&vm, &vq), 0);
	vq.last_avail = 0xfffe;
	vq.used_idx = 0xfffe;
	avail()[1] = 0xfffe;
	good_chain();
	for (int i = 0; i < 3; i++) {
		offer(0);
		ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), 1);
		ck_assert_int_eq(hv_vq_push(&vm, &vq, c.head, 1), 0);
	}
	ck_assert_uint_eq(vq.last_avail, 1);
	ck_assert_uint_eq(*(uint16_t *)(vm.ram + USED + 2), 1);
}
END_TEST

/* Each breaks the good chain one way. */
static void head_range(void) { offer(NUM); }
static void next_range(void) { d(1)->next = NUM + 3; offer(0); }
static void loop(void)
{
	d(1)->flags = HV_VQ_DESC_F_NEXT;
	d(2)->flags = HV_VQ_DESC_F_NEXT;
	d(2)->next = 0;
	offer(0);
}
static void self_loop(void) { d(0)->next = 0; offer(0); }
static void indirect(void) { d(0)->flags |= HV_VQ_DESC_F_INDIRECT; offer(0); }
static void outside(void) { d(1)->addr = RAM - 100; offer(0); }
static void wraps(void) { d(1)->addr = UINT64_MAX - 10; offer(0); }
static void huge_len(void) { d(1)->len = 0xffffffff; offer(0); }
static void order(void)
{
	d(0)->flags |= HV_VQ_DESC_F_WRITE;
	d(1)->flags &= ~HV_VQ_DESC_F_WRITE;
	offer(0);
}
static void ahead(void) { offer(0); avail()[1] = NUM + 1; }

static const struct {
	void (*breakit)(void);
	const char *why;
} broken[] = {
	{ head_range, "out of range" },
	{ next_range, "out of range" },
	{ loop, "loops" },
	{ self_loop, "loops" },
	{ indirect, "indirect" },
	{ outside, "outside guest RAM" },
	{ wraps, "outside guest RAM" },
	{ huge_len, "outside guest RAM" },
	{ order, "readable descriptor after a writable" },
	{ ahead, "more than a ring ahead" },
};

START_TEST(test_broken)
{
	struct hv_vq_chain c;
	const char *why = NULL;

	ck_assert_int_eq(hv_vq_activate(&vm, &vq), 0);
	good_chain();
	broken[_i].breakit();
	ck_assert_int_eq(hv_vq_pop(&vm, &vq, &c, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, broken[_i].why), "why \"%s\", want \"%s\"",
		      why, broken[_i].why);
	ck_assert_uint_eq(vq.last_avail, 0);	/* nothing consumed */
}
END_TEST

/* The transport, with a device that counts its kicks. */
static struct hv_virtio_mmio t;
static unsigned int kicks;
static const uint8_t cfgspace[8] = { 0x40, 0, 0, 0, 0, 0, 0, 0 };

static void count_kick(struct hv_virtio_mmio *tr, unsigned int q)
{
	(void)tr;
	(void)q;
	kicks++;
}

static const struct hv_virtio_ops count_ops = { .notify = count_kick };

static void t_setup(void)
{
	setup();
	memset(&t, 0, sizeof(t));
	kicks = 0;
	hv_virtio_mmio_init(&t, &vm, 0, "vtest", 2, 1ULL << 9, 1, &count_ops);
	t.config = cfgspace;
	t.config_len = sizeof(cfgspace);
}

static void t_teardown(void)
{
	hv_virtio_mmio_dispose(&t);
	teardown();
}

static uint32_t rd(uint64_t off)
{
	uint32_t v = 0;

	ck_assert_int_eq(hv_virtio_mmio_io(&t.dev, off, &v, 4, 0), 0);
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	ck_assert_int_eq(hv_virtio_mmio_io(&t.dev, off, &v, 4, 1), 0);
}

static void negotiate(uint32_t lo, uint32_t hi)
{
	wr(0x070, 0);
	wr(0x070, 3);
	wr(0x024, 0);
	wr(0x020, lo);
	wr(0x024, 1);
	wr(0x020, hi);
	wr(0x070, 3 | 8);
}

static void queue_setup(uint64_t desc)
{
	wr(0x030, 0);
	wr(0x038, NUM);
	wr(0x080, (uint32_t)desc);
	wr(0x084, (uint32_t)(desc >> 32));
	wr(0x090, AVAIL);
	wr(0x0a0, USED);
	wr(0x044, 1);
}

START_TEST(test_identity)
{
	uint8_t b[2];

	ck_assert_uint_eq(rd(0x000), 0x74726976);
	ck_assert_uint_eq(rd(0x004), 2);
	ck_assert_uint_eq(rd(0x008), 2);
	ck_assert_uint_eq(t.dev.base, 0xd0000000ULL);
	wr(0x014, 0);
	ck_assert_uint_eq(rd(0x010), 1u << 9);
	wr(0x014, 1);
	ck_assert_uint_eq(rd(0x010), 1);	/* VERSION_1 */
	wr(0x014, 7);
	ck_assert_uint_eq(rd(0x010), 0);
	ck_assert_uint_eq(rd(0x100), 0x40);	/* config */
	ck_assert_uint_eq(rd(0x108), 0);	/* past it: zero */
	/* Byte access to a register is ignored and reads all ones. */
	ck_assert_int_eq(hv_virtio_mmio_io(&t.dev, 0, b, 2, 0), 0);
	ck_assert_uint_eq(b[0], 0xff);
	ck_assert_uint_eq(rd(0x002 + 2), 2);
}
END_TEST

static const struct {
	uint32_t lo, hi;
	int ok;
} feats[] = {
	{ 0, 1, 1 }, { 1u << 9, 1, 1 }, { 0, 0, 0 }, { 1u << 9, 0, 0 },
	{ 1u << 5, 1, 0 }, { 0, 1 | 2, 0 },
};

START_TEST(test_features)
{
	negotiate(feats[_i].lo, feats[_i].hi);
	ck_assert_uint_eq(!!(rd(0x070) & 8), feats[_i].ok);
}
END_TEST

START_TEST(test_queue)
{
	negotiate(0, 1);
	ck_assert_uint_eq(rd(0x034), 256);
	wr(0x030, 5);				/* no such queue */
	ck_assert_uint_eq(rd(0x034), 0);
	wr(0x044, 1);
	ck_assert_uint_eq(rd(0x044), 0);
	queue_setup(DESC);
	ck_assert_uint_eq(rd(0x044), 1);
	/* Live queue: layout writes are ignored. */
	wr(0x080, 0x8000);
	ck_assert_uint_eq(t.vq[0].desc, DESC);
	wr(0x050, 0);
	ck_assert_uint_eq(kicks, 0);		/* not DRIVER_OK yet */
	wr(0x070, 3 | 8 | 4);
	wr(0x050, 0);
	wr(0x050, 9);				/* no such queue */
	ck_assert_uint_eq(kicks, 1);
	hv_virtio_mmio_interrupt(&t, 1);
	ck_assert_uint_eq(rd(0x060), 1);
	wr(0x064, 1);
	ck_assert_uint_eq(rd(0x060), 0);
	wr(0x070, 0);				/* reset */
	ck_assert_uint_eq(rd(0x070), 0);
	ck_assert_uint_eq(rd(0x044), 0);
	ck_assert_uint_eq(t.vq[0].desc, 0);
}
END_TEST

START_TEST(test_bad_ring)
{
	negotiate(0, 1);
	queue_setup(RAM - 16);			/* table runs out of RAM */
	ck_assert_uint_eq(rd(0x044), 0);
	ck_assert_uint_eq(rd(0x070) & 0x40, 0x40);	/* NEEDS_RESET */
	wr(0x070, 3);				/* cannot clear it */
	ck_assert_uint_eq(rd(0x070) & 0x40, 0x40);
	wr(0x070, 0);
	ck_assert_uint_eq(rd(0x070), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_virtio");
	TCase *tc;

	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_activate, 0,
			    sizeof(layouts) / sizeof(layouts[0]));
	tcase_add_test(tc, test_pop_push);
	tcase_add_test(tc, test_push_marks_dirty);
	tcase_add_test(tc, test_wrap);
	tcase_add_loop_test(tc, test_broken, 0,
			    sizeof(broken) / sizeof(broken[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("mmio");
	tcase_add_checked_fixture(tc, t_setup, t_teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_loop_test(tc, test_features, 0,
			    sizeof(feats) / sizeof(feats[0]));
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_bad_ring);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
