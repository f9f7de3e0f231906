// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk through its ops against a fake VM and a real temporary disk
 * file: requests are placed in fake guest RAM by hand, kicked through the
 * QueueNotify register and served by the device's real I/O thread.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hypervisor/acpi.h"
#include "hypervisor/dev/devices.h"
#include "hypervisor/guest_abi.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define RAM	0x20000ULL
#define DESC	0x1000ULL
#define AVAIL	0x2000ULL
#define USED	0x3000ULL
#define HDR	0x4000ULL
#define DATA	0x5000ULL
#define STATUS	0x8000ULL
#define NUM	8
#define SECTORS	16

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct hv_vm vm;
static struct hv_config cfg;
static struct hv_device *dev;
static char path[] = "/tmp/check_hv_vblk.XXXXXX";

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

static void start(int ro)
{
	char sector[512];
	int fd;

	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM;
	vm.ram = calloc(1, RAM);
	ck_assert_ptr_nonnull(vm.ram);
	vm.vm_fd = vm.stop_efd = -1;
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < SECTORS; i++) {
		memset(sector, 'a' + i, sizeof(sector));
		ck_assert_int_eq(write(fd, sector, sizeof(sector)), 512);
	}
	close(fd);
	cfg = (struct hv_config){ .disk[0] = { path, ro }, .nr_disks = 1 };
	vm.cfg = &cfg;
	dev = hv_vblk_new(&vm, 0);
	ck_assert_ptr_nonnull(dev);

	wr(0x070, 1 | 2);
	wr(0x024, 1);
	wr(0x020, 1);			/* VERSION_1 */
	wr(0x024, 0);
	wr(0x020, 1u << 9);		/* FLUSH */
	wr(0x070, 1 | 2 | 8);
	ck_assert_uint_eq(rd(0x070) & 8, 8);
	wr(0x030, 0);
	wr(0x038, NUM);
	wr(0x080, DESC);
	wr(0x090, AVAIL);
	wr(0x0a0, USED);
	wr(0x044, 1);
	wr(0x070, 1 | 2 | 8 | 4);
}

static void setup(void)
{
	start(0);
}

static void setup_ro(void)
{
	start(1);
}

static void teardown(void)
{
	dev->ops->destroy(dev);
	unlink(path);
	strcpy(path, "/tmp/check_hv_vblk.XXXXXX");
	free(vm.ram);
}

static uint16_t used_idx(void)
{
	return __atomic_load_n((uint16_t *)(vm.ram + USED + 2),
			       __ATOMIC_ACQUIRE);
}

/* Submit header + data (@len bytes, @in: device writes) + status. */
static int submit(uint32_t type, uint64_t sector, uint32_t len, int in,
		  uint32_t *used_len)
{
	struct desc *d = (struct desc *)(vm.ram + DESC);
	uint16_t *avail = (uint16_t *)(vm.ram + AVAIL);
	uint16_t want = (uint16_t)(used_idx() + 1);
	uint32_t hdr[4] = { type, 0, (uint32_t)sector,
			    (uint32_t)(sector >> 32) };
	struct timespec ts = { 0, 1000000 };
	uint32_t elem[2];

	memcpy(vm.ram + HDR, hdr, sizeof(hdr));
	vm.ram[STATUS] = 0xee;
	d[0] = (struct desc){ HDR, 16, 1, len ? 1 : 2 };
	d[1] = (struct desc){ DATA, len, (uint16_t)(1 | (in ? 2 : 0)), 2 };
	d[2] = (struct desc){ STATUS, 1, 2, 0 };
	avail[2 + avail[1] % NUM] = 0;
	__atomic_store_n(&avail[1], (uint16_t)(avail[1] + 1),
			 __ATOMIC_RELEASE);
	wr(0x050, 0);
	for (int i = 0; i < 5000 && used_idx() != want; i++)
		nanosleep(&ts, NULL);
	ck_assert_uint_eq(used_idx(), want);
	memcpy(elem, vm.ram + USED + 4 + 8 * ((want - 1) % NUM), 8);
	ck_assert_uint_eq(elem[0], 0);
	*used_len = elem[1];
	return vm.ram[STATUS];
}

static const struct {
	uint32_t type;
	uint64_t sector;
	uint32_t len;
	int in, status;
	uint32_t used;
} reqs[] = {
	{ 0, 0, 512, 1, 0, 513 },		/* read sector 0 */
	{ 0, 3, 1024, 1, 0, 1025 },		/* sectors 3-4 */
	{ 0, SECTORS - 1, 512, 1, 0, 513 },	/* the last one */
	{ 0, SECTORS, 512, 1, 1, 1 },		/* past the end */
	{ 0, SECTORS - 1, 1024, 1, 1, 1 },	/* runs past it */
	{ 0, UINT64_MAX, 512, 1, 1, 1 },	/* wraps */
	{ 0, 0, 100, 1, 1, 1 },			/* not whole sectors */
	{ 1, 2, 512, 0, 0, 1 },			/* write */
	{ 4, 0, 0, 0, 0, 1 },			/* flush */
	{ 8, 0, 20, 1, 0, 21 },			/* GET_ID */
	{ 8, 0, 8, 1, 0, 9 },			/* GET_ID, short buffer */
	{ 77, 0, 512, 1, 2, 1 },		/* unsupported */
};

START_TEST(test_request)
{
	uint32_t used = 0;
	int st;

	memset(vm.ram + DATA, 'W', 4096);
	st = submit(reqs[_i].type, reqs[_i].sector, reqs[_i].len, reqs[_i].in,
		    &used);
	ck_assert_int_eq(st, reqs[_i].status);
	ck_assert_uint_eq(used, reqs[_i].used);
	if (reqs[_i].type == 0 && st == 0) {
		for (uint32_t i = 0; i < reqs[_i].len; i++)
			ck_assert_int_eq(vm.ram[DATA + i],
					 'a' + reqs[_i].sector + i / 512);
	}
	if (reqs[_i].type == 1) {
		FILE *f = fopen(path, "rb");
		char b[512];

		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fseek(f, 1024, SEEK_SET), 0);
		ck_assert_uint_eq(fread(b, 1, 512, f), 512);
		fclose(f);
		for (int i = 0; i < 512; i++)
			ck_assert_int_eq(b[i], 'W');
	}
	if (reqs[_i].type == 8)
		ck_assert_mem_eq(vm.ram + DATA, "check_hv_vblk.",
				 reqs[_i].len < 14 ? reqs[_i].len : 14);
	ck_assert_uint_eq(rd(0x070) & 0x40, 0);	/* never broken */
}
END_TEST

START_TEST(test_capacity)
{
	ck_assert_uint_eq(rd(0x008), 2);
	ck_assert_uint_eq(rd(0x100), SECTORS);
	ck_assert_uint_eq(rd(0x104), 0);
	wr(0x014, 0);
	ck_assert_uint_eq(rd(0x010) & (1u << 5), 0);	/* not RO */
}
END_TEST

START_TEST(test_read_only)
{
	uint32_t used;

	wr(0x014, 0);
	ck_assert_uint_eq(rd(0x010) & (1u << 5), 1u << 5);
	ck_assert_int_eq(submit(1, 0, 512, 0, &used), 1);	/* IOERR */
	ck_assert_int_eq(submit(0, 0, 512, 1, &used), 0);
	ck_assert_int_eq(vm.ram[DATA], 'a');
}
END_TEST

START_TEST(test_reset_quiesces)
{
	uint32_t used;

	ck_assert_int_eq(submit(0, 1, 512, 1, &used), 0);
	wr(0x070, 0);
	ck_assert_uint_eq(rd(0x044), 0);
	/* A kick after the reset is not served. */
	wr(0x050, 0);
	ck_assert_uint_eq(rd(0x070), 0);
}
END_TEST

/*
 * Eight disks: each its own device, in --disk order on the slots of
 * guest_abi.h (0, then 10..16), serving its own file, with IRQs the ACPI
 * tables accept (GSIs 16..22 past the ISA ones).
 */
START_TEST(test_eight_disks)
{
	static uint8_t tables[HV_ACPI_SIZE];
	char files[HV_DISK_MAX][40];
	struct hv_acpi_layout l;
	uint64_t rsdp;
	size_t used;
	int fd;

	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.stop_efd = -1;
	cfg = (struct hv_config){ .nr_vcpus = 1 };
	for (unsigned int i = 0; i < HV_DISK_MAX; i++) {
		snprintf(files[i], sizeof(files[i]),
			 "/tmp/check_hv_vblk.%u.XXXXXX", i);
		fd = mkstemp(files[i]);
		ck_assert_int_ge(fd, 0);
		/* disk i has i + 1 sectors: its capacity tells it apart */
		ck_assert_int_eq(ftruncate(fd, 512 * (i + 1)), 0);
		close(fd);
		cfg.disk[i] = (struct hv_disk_cfg){ files[i], i % 2 };
	}
	cfg.nr_disks = HV_DISK_MAX;
	vm.cfg = &cfg;
	ck_assert_int_eq(hv_devices_create(&vm), 0);
	for (unsigned int i = 0; i < HV_DISK_MAX; i++) {
		unsigned int slot = HV_ABI_VIRTIO_DISK_SLOT(i);
		uint64_t base = HV_ABI_VIRTIO_MMIO_BASE +
				slot * HV_ABI_VIRTIO_MMIO_SIZE;
		struct hv_device *d = hv_bus_find(&vm.mmio, base, 4);
		char name[16];
		uint32_t v = 0;

		ck_assert_uint_eq(slot, i ? 9 + i : 0);
		ck_assert_ptr_nonnull(d);
		snprintf(name, sizeof(name), "vblk%u", i);
		ck_assert_str_eq(d->name, name);
		ck_assert_int_eq(d->ops->io(d, 0x008, &v, 4, 0), 0);
		ck_assert_uint_eq(v, 2);		/* block */
		ck_assert_int_eq(d->ops->io(d, 0x100, &v, 4, 0), 0);
		ck_assert_uint_eq(v, i + 1);		/* its file's size */
		ck_assert_int_eq(d->ops->io(d, 0x010, &v, 4, 0), 0);
		ck_assert_uint_eq(!!(v & (1u << 5)), i % 2);	/* RO */
	}
	ck_assert_int_eq(hv_acpi_layout_of(&vm, &l), 0);
	/* the disks and the balloon: slots 0, 9, 10..16 by address */
	ck_assert_uint_eq(l.nr_virtio, HV_DISK_MAX + 1);
	ck_assert_uint_eq(l.virtio[0].irq, 5);
	ck_assert_uint_eq(l.virtio[1].irq, 15);
	for (unsigned int i = 1; i < HV_DISK_MAX; i++)
		ck_assert_uint_eq(l.virtio[i + 1].irq, 15 + i);
	ck_assert_int_eq(hv_acpi_tables(&l, tables, sizeof(tables),
					HV_ACPI_BASE, &rsdp, &used), 0);
	hv_devices_destroy(&vm);
	hv_bus_dispose(&vm.pio);
	hv_bus_dispose(&vm.mmio);
	for (unsigned int i = 0; i < HV_DISK_MAX; i++)
		unlink(files[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_vblk");
	TCase *tc;

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_request, 0, sizeof(reqs) / sizeof(reqs[0]));
	tcase_add_test(tc, test_capacity);
	tcase_add_test(tc, test_reset_quiesces);
	suite_add_tcase(s, tc);
	tc = tcase_create("read-only");
	tcase_add_checked_fixture(tc, setup_ro, teardown);
	tcase_add_test(tc, test_read_only);
	suite_add_tcase(s, tc);
	tc = tcase_create("several");
	tcase_add_test(tc, test_eight_disks);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
