// SPDX-License-Identifier: GPL-2.0
/* The I/O bus: registration refuses overlaps, dispatch goes by range. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/io.h"
#include "tests/hvt_check.h"

struct rec {
	struct hv_device dev;
	uint64_t offset;
	unsigned int len, calls;
	int is_write;
	uint8_t last[8];
};

static int rec_io(struct hv_device *dev, uint64_t offset, void *data,
		  unsigned int len, int is_write)
{
	struct rec *r = (struct rec *)dev;

	r->offset = offset;
	r->len = len;
	r->is_write = is_write;
	r->calls++;
	if (is_write)
		memcpy(r->last, data, len);
	else
		memset(data, (int)(dev->base & 0xff), len);
	return 0;
}

static const struct hv_device_ops rec_ops = { .io = rec_io };

static struct hv_bus bus;
static struct rec devs[3];

static void setup(void)
{
	static const uint64_t bases[] = { 0x60, 0x3f8, 0x505 };
	static const uint64_t lens[] = { 1, 8, 1 };

	memset(&bus, 0, sizeof(bus));
	memset(devs, 0, sizeof(devs));
	/* Out of order on purpose: the bus keeps itself sorted. */
	for (int i = 2; i >= 0; i--) {
		devs[i].dev = (struct hv_device){ .name = "rec",
						  .base = bases[i],
						  .len = lens[i],
						  .ops = &rec_ops };
		ck_assert_int_eq(hv_bus_register(&bus, &devs[i].dev), 0);
	}
}

static void teardown(void)
{
	hv_bus_dispose(&bus);
}

/* Ranges that collide with [0x3f8, 0x400) or are malformed. */
static const struct {
	uint64_t base, len;
	int rc;
} regs[] = {
	{ 0x3f8, 8, -EBUSY },	{ 0x3f0, 9, -EBUSY },	{ 0x3ff, 1, -EBUSY },
	{ 0x3fc, 100, -EBUSY }, { 0x300, 0x1000, -EBUSY },
	{ 0x3f0, 8, 0 },	{ 0x400, 1, 0 },	{ 0x3f8, 0, -EINVAL },
	{ UINT64_MAX - 1, 4, -EINVAL },
};

START_TEST(test_register)
{
	struct rec r = { .dev = { .name = "new", .base = regs[_i].base,
				  .len = regs[_i].len, .ops = &rec_ops } };

	ck_assert_int_eq(hv_bus_register(&bus, &r.dev), regs[_i].rc);
	ck_assert_uint_eq(bus.nr, regs[_i].rc ? 3 : 4);
	for (size_t i = 1; i < bus.nr; i++)
		ck_assert(bus.devs[i - 1]->base + bus.devs[i - 1]->len <=
			  bus.devs[i]->base);
}
END_TEST

/* Accesses: which device (index into devs, -1 none) and at what offset. */
static const struct {
	uint64_t addr;
	unsigned int len;
	int dev;
	uint64_t offset;
} hits[] = {
	{ 0x60, 1, 0, 0 },	{ 0x61, 1, -1, 0 },	{ 0x5f, 1, -1, 0 },
	{ 0x3f8, 1, 1, 0 },	{ 0x3fd, 1, 1, 5 },	{ 0x3ff, 1, 1, 7 },
	{ 0x3fc, 4, 1, 4 },	{ 0x3fe, 4, -1, 0 },	{ 0x400, 1, -1, 0 },
	{ 0x505, 1, 2, 0 },	{ 0x504, 2, -1, 0 },	{ 0, 1, -1, 0 },
	{ UINT64_MAX, 2, -1, 0 },
};

START_TEST(test_dispatch)
{
	uint8_t data[4] = { 1, 2, 3, 4 };
	int rc;

	rc = hv_bus_dispatch(&bus, hits[_i].addr, data, hits[_i].len, 1);
	if (hits[_i].dev < 0) {
		ck_assert_int_eq(rc, -ENODEV);
		for (int i = 0; i < 3; i++)
			ck_assert_uint_eq(devs[i].calls, 0);
		/* An unclaimed read returns all ones. */
		ck_assert_int_eq(hv_bus_dispatch(&bus, hits[_i].addr, data,
						 hits[_i].len, 0), -ENODEV);
		for (unsigned int i = 0; i < hits[_i].len; i++)
			ck_assert_uint_eq(data[i], 0xff);
		return;
	}
	ck_assert_int_eq(rc, 0);
	struct rec *r = &devs[hits[_i].dev];
	ck_assert_uint_eq(r->calls, 1);
	ck_assert_uint_eq(r->offset, hits[_i].offset);
	ck_assert_uint_eq(r->len, hits[_i].len);
	ck_assert_int_eq(r->is_write, 1);
	ck_assert_mem_eq(r->last, data, hits[_i].len);
	ck_assert_int_eq(hv_bus_dispatch(&bus, hits[_i].addr, data,
					 hits[_i].len, 0), 0);
	ck_assert_uint_eq(data[0], r->dev.base & 0xff);
}
END_TEST

START_TEST(test_many)
{
	static struct rec many[200];
	size_t i;

	/* Growth past the first allocation keeps every range findable. */
	for (i = 0; i < 200; i++) {
		many[i].dev = (struct hv_device){ .name = "m",
						  .base = 0x10000 + 16 * i,
						  .len = 16, .ops = &rec_ops };
		ck_assert_int_eq(hv_bus_register(&bus, &many[i].dev), 0);
	}
	for (i = 0; i < 200; i++)
		ck_assert_ptr_eq(hv_bus_find(&bus, 0x10000 + 16 * i + 15, 1),
				 &many[i].dev);
	ck_assert_ptr_null(hv_bus_find(&bus, 0x10000 + 16 * 200, 1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_io");
	TCase *tc;

	tc = tcase_create("register");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_register, 0, sizeof(regs) / sizeof(regs[0]));
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	tc = tcase_create("dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_dispatch, 0, sizeof(hits) / sizeof(hits[0]));
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
