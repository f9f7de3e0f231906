// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-balloon through its ops against a fake VM whose RAM is a real
 * memfd, as the monitor's is: page lists are placed in fake guest RAM by
 * hand and kicked through QueueNotify; a page the device gave back to
 * the host reads as zero afterwards, a refused one keeps its bytes.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hypervisor/dev/devices.h"
#include "hypervisor/guest_abi.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define RAM_MB		8
#define RAM		((uint64_t)RAM_MB << 20)
#define PAGES		(RAM / 4096)
#define TARGET_MB	6
#define NUM		8
/* Per queue q: descriptors, avail and used rings at these + q * 0x4000. */
#define DESC		0x10000ULL
#define AVAIL		0x11000ULL
#define USED		0x12000ULL
#define LIST		0x30000ULL	/* the PFN list */
#define DATA_PFN	0x200u		/* 2 MiB: pages to give back */

#define REG_STATUS	0x070
#define REG_ISR		0x060
#define REG_NOTIFY	0x050
#define REG_CFG_GEN	0x0fc
#define NEEDS_RESET	0x40

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct hv_vm vm;
static struct hv_config cfg;
static struct hv_device *dev, *devs[1];

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

static void queue_setup(unsigned int q)
{
	uint64_t o = q * 0x4000ULL;

	wr(0x030, q);
	wr(0x038, NUM);
	wr(0x080, (uint32_t)(DESC + o));
	wr(0x090, (uint32_t)(AVAIL + o));
	wr(0x0a0, (uint32_t)(USED + o));
	wr(0x044, 1);
	ck_assert_uint_eq(rd(0x044), 1);
}

static void setup(void)
{
	void *p;

	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.stop_efd = -1;
	vm.mem_fd = memfd_create("check_hv_vballoon", MFD_CLOEXEC);
	ck_assert_int_ge(vm.mem_fd, 0);
	ck_assert_int_eq(ftruncate(vm.mem_fd, (off_t)RAM), 0);
	p = mmap(NULL, RAM, PROT_READ | PROT_WRITE, MAP_SHARED, vm.mem_fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	vm.ram = p;
	vm.ram_size = RAM;
	cfg = (struct hv_config){ .mem_mb = TARGET_MB, .maxmem_mb = RAM_MB };
	vm.cfg = &cfg;
	dev = hv_vballoon_new(&vm);
	ck_assert_ptr_nonnull(dev);
	devs[0] = dev;
	vm.devs = devs;
	vm.nr_devs = 1;

	wr(REG_STATUS, 1 | 2);
	wr(0x024, 1);
	wr(0x020, 1);			/* VERSION_1, nothing else */
	wr(REG_STATUS, 1 | 2 | 8);
	ck_assert_uint_eq(rd(REG_STATUS) & 8, 8);
	queue_setup(0);
	queue_setup(1);
	wr(REG_STATUS, 1 | 2 | 8 | 4);
}

static void teardown(void)
{
	dev->ops->destroy(dev);
	munmap(vm.ram, RAM);
	close(vm.mem_fd);
}

static uint32_t cfg_rd(uint64_t off)
{
	return rd(0x100 + off);
}

static uint16_t used_idx(unsigned int q)
{
	return __atomic_load_n((uint16_t *)(vm.ram + USED + q * 0x4000 + 2),
			       __ATOMIC_ACQUIRE);
}

/* Queue one chain of @n descriptors over the list on queue @q, kick. */
static void kick(unsigned int q, const struct desc *chain, unsigned int n)
{
	uint64_t o = q * 0x4000ULL;
	struct desc *d = (struct desc *)(vm.ram + DESC + o);
	uint16_t *avail = (uint16_t *)(vm.ram + AVAIL + o);

	memcpy(d, chain, n * sizeof(*d));
	avail[2 + avail[1] % NUM] = 0;
	__atomic_store_n(&avail[1], (uint16_t)(avail[1] + 1),
			 __ATOMIC_RELEASE);
	wr(REG_NOTIFY, q);
}

static void fill(uint32_t pfn, uint32_t n, uint8_t byte)
{
	memset(vm.ram + (uint64_t)pfn * 4096, byte, (size_t)n * 4096);
}

static int page_is(uint32_t pfn, uint8_t byte)
{
	const uint8_t *p = vm.ram + (uint64_t)pfn * 4096;

	for (int i = 0; i < 4096; i++)
		if (p[i] != byte)
			return 0;
	return 1;
}

/* A list of @n PFNs from @first, in one readable buffer. */
static struct desc list(uint32_t first, uint32_t n)
{
	uint32_t *pfns = (uint32_t *)(vm.ram + LIST);

	for (uint32_t i = 0; i < n; i++)
		pfns[i] = first + i;
	return (struct desc){ LIST, 4 * n, 0, 0 };
}

START_TEST(test_config)
{
	struct hv_vballoon_status st;
	uint32_t gen;

	/* Built at maxmem, asked to hold what is above the target. */
	ck_assert_uint_eq(cfg_rd(0), PAGES - TARGET_MB * 256);
	ck_assert_uint_eq(cfg_rd(4), 0);
	ck_assert_int_eq(hv_vballoon_status(&vm, &st), 0);
	ck_assert_uint_eq(st.target_kib, TARGET_MB * 1024);
	ck_assert_uint_eq(st.actual_kib, RAM / 1024);

	/* A new target: new num_pages, generation, config interrupt. */
	gen = rd(REG_CFG_GEN);
	ck_assert_int_eq(hv_vballoon_set_target(&vm, 5 * 1024), 0);
	ck_assert_uint_eq(cfg_rd(0), PAGES - 5 * 256);
	ck_assert_uint_ne(rd(REG_CFG_GEN), gen);
	ck_assert_uint_eq(rd(REG_ISR) & 2, 2);
	wr(0x064, 2);
	ck_assert_uint_eq(rd(REG_ISR), 0);
	ck_assert_int_eq(hv_vballoon_status(&vm, &st), 0);
	ck_assert_uint_eq(st.target_kib, 5 * 1024);

	/* Out of range: above RAM, below the 4 MiB floor.  Unchanged. */
	ck_assert_int_eq(hv_vballoon_set_target(&vm, RAM / 1024 + 4),
			 -ERANGE);
	ck_assert_int_eq(hv_vballoon_set_target(&vm, 4 * 1024 - 4), -ERANGE);
	ck_assert_uint_eq(cfg_rd(0), PAGES - 5 * 256);
	/* All of RAM: an empty balloon. */
	ck_assert_int_eq(hv_vballoon_set_target(&vm, RAM / 1024), 0);
	ck_assert_uint_eq(cfg_rd(0), 0);

	/* The driver's count; num_pages is the device's, not writable. */
	wr(0x104, 300);
	ck_assert_uint_eq(cfg_rd(4), 300);
	wr(0x100, 7);
	ck_assert_uint_eq(cfg_rd(0), 0);
	ck_assert_int_eq(hv_vballoon_status(&vm, &st), 0);
	ck_assert_uint_eq(st.actual_kib, RAM / 1024 - 300 * 4);
	/* A count past RAM is kept within it. */
	wr(0x104, 0xffffffffu);
	ck_assert_uint_eq(cfg_rd(4), PAGES);
}
END_TEST

START_TEST(test_inflate_gives_back)
{
	struct hv_vballoon_status st;
	struct desc d[2];

	fill(DATA_PFN, 8, 0xa5);
	fill(DATA_PFN + 8, 1, 0x5a);
	/* Two runs, over two buffers: 0x200-0x203, then 0x205-0x207. */
	d[0] = list(DATA_PFN, 4);
	d[0].flags = 1;
	d[0].next = 1;
	((uint32_t *)(vm.ram + LIST))[4] = DATA_PFN + 5;
	((uint32_t *)(vm.ram + LIST))[5] = DATA_PFN + 6;
	((uint32_t *)(vm.ram + LIST))[6] = DATA_PFN + 7;
	d[1] = (struct desc){ LIST + 16, 12, 0, 0 };
	kick(0, d, 2);
	ck_assert_uint_eq(used_idx(0), 1);
	ck_assert_uint_eq(rd(REG_STATUS) & NEEDS_RESET, 0);
	/* The discard thread punches them, soon. */
	for (int i = 0; i < 2000; i++) {
		ck_assert_int_eq(hv_vballoon_status(&vm, &st), 0);
		if (st.discarded_kib == 7 * 4)
			break;
		usleep(1000);
	}
	for (uint32_t i = 0; i < 8; i++)
		ck_assert_msg(page_is(DATA_PFN + i, i == 4 ? 0xa5 : 0),
			      "page %u", i);
	ck_assert(page_is(DATA_PFN + 8, 0x5a));
	ck_assert_int_eq(hv_vballoon_status(&vm, &st), 0);
	ck_assert_uint_eq(st.discarded_kib, 7 * 4);
	/* Used length 0: the device writes nothing. */
	ck_assert_uint_eq(*(uint32_t *)(vm.ram + USED + 8), 0);
}
END_TEST

START_TEST(test_deflate_keeps)
{
	struct desc d = list(DATA_PFN, 4);

	fill(DATA_PFN, 4, 0x77);
	kick(1, &d, 1);
	ck_assert_uint_eq(used_idx(1), 1);
	ck_assert_uint_eq(rd(REG_STATUS) & NEEDS_RESET, 0);
	usleep(20000);
	ck_assert(page_is(DATA_PFN + 3, 0x77));
}
END_TEST

/* MUST_TELL_HOST is offered: a driver must not reuse pages untold. */
START_TEST(test_features)
{
	wr(0x014, 0);
	ck_assert_uint_eq(rd(0x010), 1);
	wr(0x014, 1);
	ck_assert_uint_eq(rd(0x010), 1);	/* VERSION_1 */
}
END_TEST

/* Hostile page lists: each breaks the queue, and nothing is given back. */
static const struct {
	const char *what;
	uint32_t pfn;		/* the list's second PFN */
	uint32_t len;		/* of the buffer */
	uint16_t flags;
} bad[] = {
	{ "PFN past RAM", (uint32_t)PAGES, 8, 0 },
	{ "PFN far past RAM", 0xffffffffu, 8, 0 },
	{ "PFN in the first MiB", 0xff, 8, 0 },
	{ "PFN 0", 0, 8, 0 },
	{ "not whole PFNs", DATA_PFN + 1, 7, 0 },
	{ "writable buffer", DATA_PFN + 1, 8, 2 },
	{ "list over 64 KiB", DATA_PFN + 1, 64 * 1024 + 4, 0 },
	{ "buffer outside RAM", DATA_PFN + 1, 0, 0 },
};

START_TEST(test_bad_list)
{
	uint32_t *pfns = (uint32_t *)(vm.ram + LIST);
	struct desc d = { LIST, bad[_i].len, bad[_i].flags, 0 };

	if (!bad[_i].len)
		d = (struct desc){ RAM - 4, 8, 0, 0 };
	fill(DATA_PFN, 2, 0x3c);
	pfns[0] = DATA_PFN;
	pfns[1] = bad[_i].pfn;
	kick(0, &d, 1);
	ck_assert_msg(rd(REG_STATUS) & NEEDS_RESET, "%s: not refused",
		      bad[_i].what);
	usleep(20000);		/* time enough for a wrongful discard */
	ck_assert_uint_eq(used_idx(0), 0);
	ck_assert_msg(page_is(DATA_PFN, 0x3c), "%s: page given back",
		      bad[_i].what);
	/* The queue stays dead until a reset; a reset revives it. */
	d = list(DATA_PFN, 1);
	kick(0, &d, 1);
	ck_assert_uint_eq(used_idx(0), 0);
	wr(REG_STATUS, 0);
	ck_assert_uint_eq(rd(REG_STATUS), 0);
}
END_TEST

START_TEST(test_pfn_ok)
{
	ck_assert_int_eq(hv_vballoon_pfn_ok(RAM, 0), 0);
	ck_assert_int_eq(hv_vballoon_pfn_ok(RAM, 0xff), 0);
	ck_assert_int_eq(hv_vballoon_pfn_ok(RAM, 0x100), 1);
	ck_assert_int_eq(hv_vballoon_pfn_ok(RAM, (uint32_t)PAGES - 1), 1);
	ck_assert_int_eq(hv_vballoon_pfn_ok(RAM, (uint32_t)PAGES), 0);
	ck_assert_int_eq(hv_vballoon_pfn_ok(0, 0x100), 0);
}
END_TEST

START_TEST(test_save_load)
{
	uint8_t buf[1024];
	size_t len;

	ck_assert_int_eq(hv_vballoon_set_target(&vm, 7 * 1024), 0);
	wr(0x104, 100);
	ck_assert_int_eq(dev->ops->save(dev, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(hv_vballoon_set_target(&vm, 5 * 1024), 0);
	wr(0x104, 9);
	ck_assert_int_eq(dev->ops->load(dev, buf, len), 0);
	ck_assert_uint_eq(cfg_rd(0), PAGES - 7 * 256);
	ck_assert_uint_eq(cfg_rd(4), 100);
	ck_assert_uint_eq(rd(REG_STATUS), 1 | 2 | 4 | 8);
	/* A hostile file: a balloon bigger than RAM, a short blob. */
	memset(buf + len - 8, 0xff, 4);
	ck_assert_int_eq(dev->ops->load(dev, buf, len), -EINVAL);
	ck_assert_int_eq(dev->ops->load(dev, buf, 4), -EINVAL);
	ck_assert_uint_eq(cfg_rd(0), PAGES - 7 * 256);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_vballoon");
	TCase *tc;

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_save_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("queues");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_inflate_gives_back);
	tcase_add_test(tc, test_deflate_keeps);
	tcase_add_loop_test(tc, test_bad_list, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_pfn_ok);
	suite_add_tcase(s, tc);
	return hvt_run_suite(s);
}
