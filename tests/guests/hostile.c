// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: attack the monitor's devices with random input, one device at
 * a time for seconds=N each (5): virtio-blk (slot 0), virtio-net (slot 1,
 * when there is one), the balloon (slot 9), the UART and the ACPI
 * registers.  Random register writes and reads of every width, random
 * queue sizes and ring addresses (inside guest RAM and outside it),
 * random descriptors, chains, avail indices and notifies, with now and
 * then a well-formed request so that the device really serves some.
 *
 * seed=N replays a run (the seed is printed first; by default it comes
 * from the TSC).  The clock is the TSC at tsc_mhz=N MHz (2000; the test
 * passes the host's).  Everything the devices may write lies in an arena,
 * the top 4 MiB of RAM: in-RAM addresses are drawn there only, and
 * lengths reach past the end of RAM, so the guest's own code and stacks
 * survive whatever the monitor does with them.  Balloon PFNs are drawn
 * in the arena, beyond RAM or in the first MiB (refused).  The attack
 * runs in ring 3, which PVM runs natively.
 *
 * At the end it prints per device "hostile: DEV: N ops, N kicks, N used,
 * N resets" (used: requests the device completed, seen in the used ring),
 * then "hostile: done", waits for a byte on the console (so that the test
 * can read the monitor's memory while the guest is still there) and
 * powers off.
 */
#include "runtime.h"

#define ARENA_SIZE	(4u << 20)
#define SLOT(n)		(HV_ABI_VIRTIO_MMIO_BASE + (n) * 0x200u)
#define MMIO32(b, off)	(*(volatile uint32_t *)(uintptr_t)((b) + (off)))
#define MMIO16(b, off)	(*(volatile uint16_t *)(uintptr_t)((b) + (off)))
#define MMIO8(b, off)	(*(volatile uint8_t *)(uintptr_t)((b) + (off)))
#define barrier()	__asm__ volatile("" ::: "memory")

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct stats {
	const char *name;
	uint64_t ops, kicks, used, resets;
};

static uint64_t rng;
static uint64_t ram_size, arena, tsc_hz;
static uint64_t seconds;
static uint8_t user_stack[16384] __attribute__((aligned(16)));
static const struct hv_boot_info *boot;

static uint64_t rnd(void)
{
	/* xorshift64*: small, and the same sequence for the same seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static void outw_(uint16_t port, uint16_t v)
{
	outw(port, v);
}

static uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* An address the device may be told: mostly the arena, else anywhere. */
static uint64_t any_addr(unsigned int align)
{
	static const uint64_t odd[] = {
		0xc0000000ull, HV_ABI_VIRTIO_MMIO_BASE, 0xfee00000ull,
		0xfffff000ull, 1ull << 32, 1ull << 40, ~0ull - 0xfff,
		~0ull, 0,
	};
	uint64_t a;

	switch (below(8)) {
	case 0:
		a = odd[below(sizeof(odd) / sizeof(odd[0]))] + below(64);
		break;
	case 1:
		a = ram_size - below(4096);	/* straddles the end of RAM */
		break;
	case 2:
		a = rnd();
		if (a < ram_size && a < arena)
			a += ram_size;
		break;
	default:
		a = arena + below(ARENA_SIZE);
		break;
	}
	return align > 1 ? a & ~(uint64_t)(align - 1) : a;
}

/* An arena address with @len bytes behind it. */
static void *arena_at(uint32_t len)
{
	return (void *)(uintptr_t)(arena + (below(ARENA_SIZE - len) & ~15ull));
}

static uint32_t any_len(void)
{
	switch (below(6)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return 0;
	case 2:
		return (uint32_t)below(1 << 24);
	default:
		return (uint32_t)below(4096) + 1;
	}
}

static uint16_t any_qsize(uint32_t max)
{
	static const uint16_t sizes[] = { 0, 1, 2, 3, 7, 8, 255, 256, 257,
					  1024, 32768, 65535 };

	if (below(2))
		return sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
	if (max && below(2))
		return (uint16_t)max;
	return (uint16_t)(1u << below(9));
}

/* A virtqueue the guest drives: its layout as last told to the device. */
struct q {
	uint16_t num;
	uint64_t desc, avail, used;
	uint16_t avail_idx, used_seen;
};

static int in_arena(uint64_t a, uint64_t len)
{
	return a >= arena && a + len <= ram_size && a + len >= a;
}

static void reg_random(uint32_t base, struct stats *st)
{
	uint32_t off = (uint32_t)below(0x220);
	uint32_t v = (uint32_t)rnd();

	/* A write to Status or QueueReady mostly with few bits, as a driver's. */
	if (below(3) == 0)
		v &= 0xff;
	switch (below(6)) {
	case 0:
		(void)MMIO8(base, off);
		break;
	case 1:
		(void)MMIO32(base, off & ~3u);
		break;
	case 2:
		MMIO8(base, off) = (uint8_t)v;
		break;
	case 3:
		MMIO16(base, off & ~1u) = (uint16_t)v;
		break;
	default:
		MMIO32(base, off & ~3u) = v;
		break;
	}
	st->ops++;
}

/* Balloon buffers hold PFNs: only pages the guest may lose, or refused. */
static void fill_pfns(uint32_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		switch (below(4)) {
		case 0:
			p[i] = (uint32_t)below(256);	/* first MiB */
			break;
		case 1:
			p[i] = (uint32_t)((ram_size >> 12) + below(1 << 20));
			break;
		default:
			p[i] = (uint32_t)((arena >> 12) +
					  below(ARENA_SIZE >> 12));
			break;
		}
	}
}

/*
 * Set the device up with random twists: features, queue @qi's size and
 * ring addresses, DRIVER_OK or not.
 */
static void setup(uint32_t base, struct q *q, uint32_t qi, int sane,
		  struct stats *st)
{
	uint32_t max;

	MMIO32(base, 0x070) = 0;
	if (MMIO32(base, 0x070) & 0x40)
		st->resets++;
	MMIO32(base, 0x070) = sane ? 3 : (uint32_t)below(256);
	MMIO32(base, 0x024) = sane ? 0 : (uint32_t)below(3);
	MMIO32(base, 0x020) = sane ? MMIO32(base, 0x010) : (uint32_t)rnd();
	MMIO32(base, 0x024) = 1;
	MMIO32(base, 0x020) = sane ? 1 : (uint32_t)rnd();
	MMIO32(base, 0x070) = sane ? 0xb : (uint32_t)below(256);
	MMIO32(base, 0x030) = sane ? qi : (uint32_t)below(6);
	max = MMIO32(base, 0x034);
	q->num = sane ? (max < 8 ? (uint16_t)max : 8) : any_qsize(max);
	MMIO32(base, 0x038) = q->num;
	if (sane || below(4)) {
		uint32_t n = q->num ? q->num : 1;

		q->desc = (uint64_t)(uintptr_t)arena_at(16 * n);
		q->avail = (uint64_t)(uintptr_t)arena_at(6 + 2 * n) & ~1ull;
		q->used = (uint64_t)(uintptr_t)arena_at(6 + 8 * n) & ~3ull;
	} else {
		q->desc = any_addr(below(2) ? 16 : 1);
		q->avail = any_addr(below(2) ? 2 : 1);
		q->used = any_addr(below(2) ? 4 : 1);
	}
	if (in_arena(q->avail, 4))
		memset((void *)(uintptr_t)q->avail, 0, 4);
	if (in_arena(q->used, 4))
		memset((void *)(uintptr_t)q->used, 0, 4);
	q->avail_idx = q->used_seen = 0;
	MMIO32(base, 0x080) = (uint32_t)q->desc;
	MMIO32(base, 0x084) = (uint32_t)(q->desc >> 32);
	MMIO32(base, 0x090) = (uint32_t)q->avail;
	MMIO32(base, 0x094) = (uint32_t)(q->avail >> 32);
	MMIO32(base, 0x0a0) = (uint32_t)q->used;
	MMIO32(base, 0x0a4) = (uint32_t)(q->used >> 32);
	MMIO32(base, 0x044) = sane ? 1 : (uint32_t)below(3);
	MMIO32(base, 0x070) = sane ? 0xf : (uint32_t)below(256);
	if (MMIO32(base, 0x070) & 0x40)
		st->resets++;
	st->ops += 16;
}

/*
 * One request on queue @qi: @n descriptors, random or (@good) a chain a
 * device of @kind (2 blk, 1 net, 5 balloon) serves, then the avail entry,
 * a random jump of avail idx now and then, and a notify.
 */
static void request(uint32_t base, struct q *q, uint32_t qi, int kind,
		    int good, struct stats *st)
{
	uint16_t num = q->num;
	struct desc *d;
	uint16_t *avail;

	if (!num || !in_arena(q->desc, 16ull * num) ||
	    !in_arena(q->avail, 6 + 2ull * num)) {
		/* A ring we cannot write: notify anyway. */
		MMIO32(base, 0x050) = below(4) ? qi : (uint32_t)rnd();
		st->kicks++;
		return;
	}
	d = (struct desc *)(uintptr_t)q->desc;
	avail = (uint16_t *)(uintptr_t)q->avail;
	if (good && num >= 3) {
		uint32_t *hdr = arena_at(64);

		if (kind == 2) {
			hdr[0] = (uint32_t)below(10);	/* IN OUT .. GET_ID 8 */
			hdr[1] = 0;
			*(uint64_t *)&hdr[2] = below(128);
			d[0] = (struct desc){ (uintptr_t)hdr, 16, 1, 1 };
			d[1] = (struct desc){ (uintptr_t)arena_at(4096),
					      512 * (uint32_t)(1 + below(8)),
					      (uint16_t)(1 | (below(2) << 1)),
					      2 };
			d[2] = (struct desc){ (uintptr_t)&hdr[8], 1, 2, 0 };
		} else if (kind == 5) {
			uint32_t n = 1 + (uint32_t)below(256);
			uint32_t *p = arena_at(4 * n);

			fill_pfns(p, n);
			d[0] = (struct desc){ (uintptr_t)p, 4 * n, 0, 0 };
		} else if (qi == 0) {
			d[0] = (struct desc){ (uintptr_t)arena_at(2048), 2048,
					      2, 0 };
		} else {
			uint8_t *pkt = arena_at(1600);
			uint32_t len = 14 + (uint32_t)below(1500);

			memset(pkt, 0, 12);
			for (uint32_t i = 12; i < 12 + len; i += 8)
				*(uint64_t *)(pkt + i) = rnd();
			d[0] = (struct desc){ (uintptr_t)pkt, 12, 0, 0 };
			if (below(2)) {
				d[0].len = 12 + len;
			} else {
				d[0].flags = 1;
				d[0].next = 1;
				d[1] = (struct desc){ (uintptr_t)pkt + 12, len,
						      0, 0 };
			}
		}
		avail[2 + q->avail_idx % num] = 0;
	} else {
		uint16_t n = (uint16_t)(1 + below(num < 16 ? num : 16));

		for (uint16_t i = 0; i < n; i++) {
			uint16_t j = (uint16_t)below(num);

			d[j].addr = any_addr(1);
			d[j].len = any_len();
			d[j].flags = (uint16_t)below(8);
			d[j].next = (uint16_t)(below(4) ? below(num) : rnd());
			if (kind == 5 && in_arena(d[j].addr, d[j].len) &&
			    d[j].len < ARENA_SIZE)
				fill_pfns((uint32_t *)(uintptr_t)
						  (d[j].addr & ~3ull),
					  d[j].len / 4);
		}
		avail[2 + q->avail_idx % num] =
			(uint16_t)(below(4) ? below(num) : rnd());
	}
	barrier();
	q->avail_idx += below(16) ? 1 : (uint16_t)rnd();
	*(volatile uint16_t *)&avail[1] = q->avail_idx;
	barrier();
	MMIO32(base, 0x050) = below(16) ? qi : (uint32_t)below(8);
	st->kicks++;
	if (in_arena(q->used, 4)) {
		uint16_t u = *(volatile uint16_t *)((uintptr_t)q->used + 2);

		if (u != q->used_seen)
			st->used++;
		q->used_seen = u;
	}
	if (MMIO32(base, 0x070) & 0x40)
		st->resets++;
	/* Interrupts are off: acknowledge whatever the device raised. */
	MMIO32(base, 0x064) = MMIO32(base, 0x060);
}

static int deadline_passed(uint64_t end)
{
	return rdtsc() >= end;
}

static void attack_virtio(uint32_t base, int kind, uint32_t nq,
			  struct stats *st)
{
	uint64_t end = rdtsc() + seconds * tsc_hz;
	struct q q = { 0 };
	uint32_t qi = 0;

	while (!deadline_passed(end)) {
		uint64_t r = below(100);

		if (r < 5) {
			qi = (uint32_t)below(nq);
			setup(base, &q, qi, below(2), st);
		} else if (r < 25) {
			reg_random(base, st);
		} else {
			request(base, &q, qi, kind, below(3) == 0, st);
		}
	}
	MMIO32(base, 0x070) = 0;
}

static void attack_ports(uint16_t first, uint16_t last, int acpi,
			 struct stats *st)
{
	uint64_t end = rdtsc() + seconds * tsc_hz;

	while (!deadline_passed(end)) {
		uint16_t port = (uint16_t)(first - 1 + below(last - first + 3));
		uint32_t v = (uint32_t)rnd();
		unsigned int w = 1u << below(3);

		/*
		 * PM1_CNT's SLP_EN with SLP_TYP 5 is the power button of a
		 * well-behaved guest: keep SLP_EN only with other types.
		 */
		if (acpi) {
			for (unsigned int b = 0; b < w; b++) {
				uint8_t byte = (uint8_t)(v >> (8 * b));

				if (port + b == 0x605 && (byte & 0x20) &&
				    ((byte >> 2) & 7) == 5)
					v &= ~(0x20u << (8 * b));
			}
		}
		if (below(2)) {
			if (w == 1)
				(void)inb(port);
			else if (w == 2)
				(void)inw(port);
			else
				(void)inl(port);
		} else if (w == 1) {
			outb(port, (uint8_t)v);
		} else if (w == 2) {
			outw_(port, (uint16_t)v);
		} else {
			outl(port, v);
		}
		st->ops++;
	}
}

static void report(const struct stats *st)
{
	guest_printf("hostile: %s: %llu ops, %llu kicks, %llu used, %llu resets\n",
		     st->name, (unsigned long long)st->ops,
		     (unsigned long long)st->kicks,
		     (unsigned long long)st->used,
		     (unsigned long long)st->resets);
}

/* A fresh UART: 8N1, no loopback, nothing pending. */
static void uart_tidy(void)
{
	outb(0x3fb, 0x03);
	outb(0x3fc, 0x03);
	outb(0x3f9, 0x00);
	while (inb(0x3fd) & 1)
		(void)inb(0x3f8);
}

static void attack(void *arg)
{
	static struct stats blk = { .name = "blk" }, net = { .name = "net" },
			    balloon = { .name = "balloon" }, uart = { .name = "uart" },
			    acpi = { .name = "acpi" };

	(void)arg;
	if (MMIO32(SLOT(0), 0x008) == 2)
		attack_virtio(SLOT(0), 2, 1, &blk);
	if (MMIO32(SLOT(1), 0x008) == 1)
		attack_virtio(SLOT(1), 1, 3, &net);
	if (MMIO32(SLOT(9), 0x008) == 5)
		attack_virtio(SLOT(9), 5, 3, &balloon);
	attack_ports(0x3f8, 0x3ff, 0, &uart);
	attack_ports(0x600, 0x63f, 1, &acpi);
	uart_tidy();
	uart_puts("\n");
	report(&blk);
	report(&net);
	report(&balloon);
	report(&uart);
	report(&acpi);
	guest_printf("hostile: done\n");
	while (!(inb(0x3fd) & 1))
		cpu_relax();
	guest_poweroff();
}

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	if (cpu)
		guest_halt_forever();
	boot = bi;
	ram_size = bi->ram_size;
	GUEST_ASSERT(ram_size >= 2 * ARENA_SIZE);
	arena = ram_size - ARENA_SIZE;
	tsc_hz = guest_cmdline_uint(bi, "tsc_mhz", 2000) * 1000000;
	seconds = guest_cmdline_uint(bi, "seconds", 5);
	rng = guest_cmdline_uint(bi, "seed", 0);
	if (!rng)
		rng = rdtsc() | 1;
	guest_printf("hostile: seed %llu, %llu s a device\n",
		     (unsigned long long)rng, (unsigned long long)seconds);
	/* Every arena page in use from the start: RSS grows no more. */
	memset((void *)(uintptr_t)arena, 0, ARENA_SIZE);
	guest_printf("hostile: warm\n");
	guest_enter_user(attack, NULL, user_stack + sizeof(user_stack));
}
