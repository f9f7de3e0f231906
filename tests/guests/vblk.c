// SPDX-License-Identifier: GPL-2.0
/*
 * vblk: drive virtio-blk slot 0 by polling (no interrupts): negotiate,
 * then read what the host put on the disk, write and read back, and check
 * the errors.  sectors=N is the capacity the host expects; ro=1 says the
 * disk is read-only.  bad=1..4 break the ring instead (buffer outside RAM,
 * a chain loop, a head out of range, a ring outside RAM) and expect the
 * device to ask for a reset while the VM runs on.  disks=N: then visit
 * disks 2..N on their slots too, one at a time with the same ring.
 */
#include "runtime.h"

#define QSIZE		8
#define SPINS		3000000
#define SECTOR		512

#define MMIO(off) (*(volatile uint32_t *)(mmio_base + (off)))
#define barrier() __asm__ volatile("" ::: "memory")

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* The device being driven: disk 0's slot until another is visited. */
static uintptr_t mmio_base = HV_ABI_VIRTIO_MMIO_BASE;
static struct desc desc[QSIZE] __attribute__((aligned(16)));
static struct {
	uint16_t flags, idx, ring[QSIZE], used_event;
} avail __attribute__((aligned(4)));
static volatile struct {
	uint16_t flags, idx;
	struct {
		uint32_t id, len;
	} ring[QSIZE];
	uint16_t avail_event;
} used __attribute__((aligned(4)));
static struct {
	uint32_t type, reserved;
	uint64_t sector;
} hdr;
static uint8_t buf[SECTOR] __attribute__((aligned(SECTOR)));
static volatile uint8_t status;

static void set_desc(int i, const volatile void *p, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	desc[i] = (struct desc){ (uintptr_t)p, len, flags, next };
}

static void kick(uint16_t head)
{
	avail.ring[avail.idx % QSIZE] = head;
	barrier();
	avail.idx++;
	barrier();
	MMIO(0x050) = 0;
}

/* One request: header, optional data, status.  Returns the status. */
static int request(uint32_t type, uint64_t sector, uint32_t len, int in)
{
	uint16_t want = (uint16_t)(used.idx + 1);

	hdr.type = type;
	hdr.sector = sector;
	status = 0xff;
	set_desc(0, &hdr, sizeof(hdr), 1, 1);
	if (len) {
		set_desc(1, buf, len, 1 | (in ? 2 : 0), 2);
		set_desc(2, &status, 1, 2, 0);
	} else {
		set_desc(0, &hdr, sizeof(hdr), 1, 2);
		set_desc(2, &status, 1, 2, 0);
	}
	kick(0);
	for (long i = 0; i < SPINS && used.idx != want; i++)
		cpu_relax();
	GUEST_ASSERT_MSG(used.idx == want, "request type %u never completed",
			 type);
	GUEST_ASSERT(used.ring[(want - 1) % QSIZE].id == 0);
	return status;
}

static void wait_needs_reset(const char *what)
{
	for (long i = 0; i < SPINS && !(MMIO(0x070) & 0x40); i++)
		cpu_relax();
	GUEST_ASSERT_MSG(MMIO(0x070) & 0x40, "%s: no NEEDS_RESET", what);
	guest_printf("vblk: %s: device needs reset\n", what);
}

static uint64_t setup(int bad_ring)
{
	uint64_t cap;

	GUEST_ASSERT(MMIO(0x000) == 0x74726976);	/* "virt" */
	GUEST_ASSERT(MMIO(0x004) == 2);
	GUEST_ASSERT(MMIO(0x008) == 2);			/* block */
	MMIO(0x070) = 0;
	MMIO(0x070) = 1 | 2;				/* ACK, DRIVER */
	MMIO(0x014) = 1;
	GUEST_ASSERT(MMIO(0x010) & 1);			/* VERSION_1 */
	MMIO(0x024) = 1;
	MMIO(0x020) = 1;
	MMIO(0x024) = 0;
	MMIO(0x020) = 1u << 9;				/* FLUSH */
	MMIO(0x070) = 1 | 2 | 8;
	GUEST_ASSERT(MMIO(0x070) & 8);			/* FEATURES_OK */
	MMIO(0x030) = 0;
	GUEST_ASSERT(MMIO(0x034) >= QSIZE);
	MMIO(0x038) = QSIZE;
	MMIO(0x080) = bad_ring ? 0xc0000000u : (uint32_t)(uintptr_t)desc;
	MMIO(0x084) = 0;
	MMIO(0x090) = (uint32_t)(uintptr_t)&avail;
	MMIO(0x094) = 0;
	MMIO(0x0a0) = (uint32_t)(uintptr_t)&used;
	MMIO(0x0a4) = 0;
	MMIO(0x044) = 1;
	MMIO(0x070) = 1 | 2 | 8 | 4;			/* DRIVER_OK */
	cap = MMIO(0x100) | (uint64_t)MMIO(0x104) << 32;
	return cap;
}

static void break_ring(uint64_t how)
{
	if (how == 4) {
		wait_needs_reset("ring outside RAM");
		return;
	}
	hdr.type = 0;
	set_desc(0, &hdr, sizeof(hdr), 1, 1);
	set_desc(1, buf, SECTOR, 1 | 2, 2);
	set_desc(2, &status, 1, 2, 0);
	if (how == 1)
		set_desc(1, (void *)0xfff00000, SECTOR, 1 | 2, 2);
	if (how == 2) {		/* 0 -> 1 -> 2 -> 0 */
		set_desc(1, buf, SECTOR, 1, 2);
		set_desc(2, &status, 1, 1, 0);
	}
	kick(how == 3 ? 200 : 0);
	wait_needs_reset(how == 1 ? "buffer outside RAM" :
			 how == 2 ? "chain loop" : "head out of range");
}

/*
 * Disk @n: reset the one driven so far, point the ring at disk @n's slot
 * and say what it holds (its name, size and sector 1); write sector 2
 * with byte @n everywhere and read it back, or see it refused if the disk
 * is read-only.
 */
static void visit(unsigned int n)
{
	uint64_t cap;
	int ro;

	MMIO(0x070) = 0;
	GUEST_ASSERT(MMIO(0x070) == 0);
	mmio_base = (uintptr_t)(HV_ABI_VIRTIO_MMIO_BASE +
				HV_ABI_VIRTIO_DISK_SLOT(n) *
					HV_ABI_VIRTIO_MMIO_SIZE);
	memset(&avail, 0, sizeof(avail));
	memset((void *)&used, 0, sizeof(used));
	cap = setup(0);
	MMIO(0x014) = 0;
	ro = !!(MMIO(0x010) & (1u << 5));

	memset(buf, 0, sizeof(buf));
	GUEST_ASSERT(request(8, 0, 20, 1) == 0);	/* GET_ID */
	buf[20] = 0;
	guest_printf("vblk: disk %u: id %s, %lu sectors\n", n, (char *)buf,
		     cap);
	GUEST_ASSERT(request(0, 1, SECTOR, 1) == 0);
	buf[64] = 0;
	guest_printf("vblk: disk %u: sector 1: %s\n", n, (char *)buf);
	memset(buf, (int)n, sizeof(buf));
	if (ro) {
		GUEST_ASSERT(request(1, 2, SECTOR, 0) == 1);	/* IOERR */
		guest_printf("vblk: disk %u: read-only\n", n);
		return;
	}
	GUEST_ASSERT(request(1, 2, SECTOR, 0) == 0);
	memset(buf, 0xff, sizeof(buf));
	GUEST_ASSERT(request(0, 2, SECTOR, 1) == 0);
	for (int i = 0; i < SECTOR; i++)
		GUEST_ASSERT(buf[i] == n);
	guest_printf("vblk: disk %u: sector 2 written\n", n);
}

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	uint64_t how = guest_cmdline_uint(bi, "bad", 0);
	uint64_t want = guest_cmdline_uint(bi, "sectors", 0);
	uint64_t cap;

	if (cpu != 0)
		guest_halt_forever();
	cap = setup(how == 4);
	if (how) {
		break_ring(how);
		GUEST_DONE();
	}
	GUEST_ASSERT_MSG(cap == want, "capacity %lu, want %lu", cap, want);

	memset(buf, 0, sizeof(buf));
	GUEST_ASSERT(request(8, 0, 20, 1) == 0);	/* GET_ID */
	buf[20] = 0;
	guest_printf("vblk: id %s\n", (char *)buf);

	GUEST_ASSERT(request(0, 1, SECTOR, 1) == 0);
	buf[64] = 0;
	guest_printf("vblk: sector 1: %s\n", (char *)buf);

	for (int i = 0; i < SECTOR; i++)
		buf[i] = (uint8_t)(i ^ 0x5a);
	if (guest_cmdline_uint(bi, "ro", 0)) {
		GUEST_ASSERT(request(1, 2, SECTOR, 0) == 1);	/* IOERR */
		guest_printf("vblk: read-only write refused\n");
	} else {
		GUEST_ASSERT(request(1, 2, SECTOR, 0) == 0);
		memset(buf, 0, sizeof(buf));
		GUEST_ASSERT(request(0, 2, SECTOR, 1) == 0);
		for (int i = 0; i < SECTOR; i++)
			GUEST_ASSERT(buf[i] == (uint8_t)(i ^ 0x5a));
		guest_printf("vblk: sector 2 written and read back\n");
		GUEST_ASSERT(request(4, 0, 0, 0) == 0);		/* FLUSH */
	}
	GUEST_ASSERT(request(0, cap, SECTOR, 1) == 1);	/* past the end */
	GUEST_ASSERT(request(0, ~0ULL, SECTOR, 1) == 1);
	GUEST_ASSERT(request(0, 0, 100, 1) == 1);	/* not whole sectors */
	GUEST_ASSERT(request(99, 0, SECTOR, 1) == 2);	/* UNSUPP */
	guest_printf("vblk: ok\n");
	for (unsigned int n = 1; n < guest_cmdline_uint(bi, "disks", 1); n++)
		visit(n);
	GUEST_DONE();
}
