// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables: every checksum and length, the pointers between them,
 * the MADT's entries, and the DSDT's AML parsed back by a small decoder
 * written here from the AML grammar.  Then the power button of the PM1
 * registers.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/acpi.h"
#include "hypervisor/dev/devices.h"
#include "hypervisor/guest_abi.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define GPA	0xe0000ULL
#define SIZE	0x20000

static uint8_t buf[SIZE];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The table at guest address @gpa, checked: signature, length, checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig, size_t used)
{
	const uint8_t *t;
	uint32_t len;

	ck_assert_msg(gpa >= GPA && gpa + 36 <= GPA + used,
		      "%s at %#llx is outside the tables", sig,
		      (unsigned long long)gpa);
	t = buf + (gpa - GPA);
	ck_assert_msg(!memcmp(t, sig, 4), "want %s at %#llx", sig,
		      (unsigned long long)gpa);
	len = rd32(t + 4);
	ck_assert_uint_ge(len, 36);
	ck_assert_uint_le(gpa + len, GPA + used);
	ck_assert_msg(sum(t, len) == 0, "%s: bad checksum", sig);
	ck_assert_mem_eq(t + 10, "XLDXLD", 6);
	return t;
}

/* --- a small AML decoder: just the grammar acpi.c may emit ----------- */

struct dev {
	char name[5];
	char hid[16];
	int uid;
	const uint8_t *crs;
	size_t crs_len;
};

struct aml {
	struct dev devs[32];
	int nr;
	int cur;		/* device being filled, or -1 */
	int s5[4];
	int s5_n;
};

static size_t pkglen(const uint8_t *p, const uint8_t *end, size_t *len)
{
	static const size_t max_of[] = { 0x3f, 0xfff, 0xfffff, 0xfffffff };
	unsigned int k;
	size_t v;

	ck_assert(p < end);
	k = p[0] >> 6;
	ck_assert((size_t)(end - p) > k);
	if (!k) {
		*len = p[0] & 0x3f;
		return 1;
	}
	ck_assert_msg((p[0] & 0x30) == 0, "PkgLength bits 4-5 must be 0");
	v = p[0] & 0x0f;
	for (unsigned int i = 1; i <= k; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	*len = v;
	/* The encoding acpi.c chose must be the shortest one. */
	ck_assert_msg(v > max_of[k - 1] && v <= max_of[k],
		      "PkgLength %zu in %u bytes", v, k + 1);
	return k + 1;
}

static int data(struct aml *a, const uint8_t **pp, const uint8_t *end,
		const char *name, int depth);

/* An integer constant; returns its value. */
static long integer(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	long v;

	ck_assert(p < end);
	switch (*p++) {
	case 0x00: v = 0; break;
	case 0x01: v = 1; break;
	case 0xff: v = -1; break;
	case 0x0a: ck_assert(p + 1 <= end); v = p[0]; p += 1; break;
	case 0x0b: ck_assert(p + 2 <= end); v = rd16(p); p += 2; break;
	case 0x0c: ck_assert(p + 4 <= end); v = rd32(p); p += 4; break;
	default: ck_abort_msg("not an integer: opcode %#x", p[-1]); v = 0;
	}
	*pp = p;
	return v;
}

static int data(struct aml *a, const uint8_t **pp, const uint8_t *end,
		const char *name, int depth)
{
	const uint8_t *p = *pp, *q, *pend;
	size_t len, n;

	ck_assert(p < end);
	switch (*p) {
	case 0x0d: {			/* String */
		const uint8_t *s = ++p;

		while (p < end && *p)
			p++;
		ck_assert_msg(p < end, "unterminated string");
		if (!strcmp(name, "_HID") && a->cur >= 0) {
			ck_assert_uint_lt((size_t)(p - s), 16);
			memcpy(a->devs[a->cur].hid, s, (size_t)(p - s));
		}
		p++;
		break;
	}
	case 0x11:			/* Buffer */
		p++;
		n = pkglen(p, end, &len);
		pend = p + len;
		ck_assert(pend <= end);
		p += n;
		q = p;
		len = (size_t)integer(&q, pend);
		ck_assert_uint_eq(len, (size_t)(pend - q));
		if (!strcmp(name, "_CRS") && a->cur >= 0) {
			a->devs[a->cur].crs = q;
			a->devs[a->cur].crs_len = len;
		}
		p = pend;
		break;
	case 0x12: {			/* Package */
		unsigned int count;

		p++;
		n = pkglen(p, end, &len);
		pend = p + len;
		ck_assert(pend <= end);
		p += n;
		count = *p++;
		for (unsigned int i = 0; i < count; i++) {
			const uint8_t *e = p;

			data(a, &p, pend, "", depth + 1);
			if (!strcmp(name, "_S5_") && i < 4) {
				a->s5[i] = (int)integer(&e, pend);
				a->s5_n = (int)i + 1;
			}
		}
		ck_assert_msg(p == pend, "package length mismatch");
		break;
	}
	default: {
		long v = integer(&p, end);

		if (!strcmp(name, "_UID") && a->cur >= 0)
			a->devs[a->cur].uid = (int)v;
	}
	}
	*pp = p;
	return 0;
}

static void terms(struct aml *a, const uint8_t *p, const uint8_t *end,
		  int depth)
{
	ck_assert_int_lt(depth, 8);
	while (p < end) {
		char seg[5] = { 0 };
		size_t len, n;
		const uint8_t *pend;

		switch (*p) {
		case 0x08:		/* Name */
			p++;
			ck_assert(p + 4 <= end);
			memcpy(seg, p, 4);
			p += 4;
			data(a, &p, end, seg, depth);
			break;
		case 0x10:		/* Scope */
			p++;
			n = pkglen(p, end, &len);
			pend = p + len;
			ck_assert(pend <= end);
			p += n;
			if (*p == 0x5c)
				p++;
			ck_assert_mem_eq(p, "_SB_", 4);
			terms(a, p + 4, pend, depth + 1);
			p = pend;
			break;
		case 0x5b:		/* ExtOp: Device only */
			ck_assert_uint_eq(p[1], 0x82);
			p += 2;
			n = pkglen(p, end, &len);
			pend = p + len;
			ck_assert(pend <= end);
			p += n;
			ck_assert_int_lt(a->nr, 32);
			a->cur = a->nr++;
			memcpy(a->devs[a->cur].name, p, 4);
			terms(a, p + 4, pend, depth + 1);
			a->cur = -1;
			p = pend;
			break;
		default:
			ck_abort_msg("unexpected AML opcode %#x", *p);
		}
	}
	ck_assert(p == end);
}

/* Resources of a _CRS: the three kinds acpi.c writes, then the end tag. */
struct res {
	uint32_t mem_base, mem_len;
	uint32_t irq;
	uint8_t irq_flags;
	uint16_t io_base, io_len;
	int ended;
};

static void resources(const uint8_t *p, size_t n, struct res *r)
{
	const uint8_t *end = p + n;

	memset(r, 0, sizeof(*r));
	while (p < end && !r->ended) {
		switch (*p) {
		case 0x86:
			ck_assert_uint_eq(rd16(p + 1), 9);
			r->mem_base = rd32(p + 4);
			r->mem_len = rd32(p + 8);
			p += 12;
			break;
		case 0x89:
			ck_assert_uint_eq(rd16(p + 1), 6);
			ck_assert_uint_eq(p[4], 1);
			r->irq_flags = p[3];
			r->irq = rd32(p + 5);
			p += 9;
			break;
		case 0x47:
			ck_assert_uint_eq(rd16(p + 2), rd16(p + 4));
			r->io_base = rd16(p + 2);
			r->io_len = p[7];
			p += 8;
			break;
		case 0x79:
			r->ended = 1;
			p += 2;
			break;
		default:
			ck_abort_msg("unexpected resource tag %#x", *p);
		}
	}
	ck_assert(r->ended && p == end);
}

/* --- the layouts ------------------------------------------------------ */

static void layout(struct hv_acpi_layout *l, unsigned int vcpus,
		   unsigned int virtio, int pvpanic)
{
	memset(l, 0, sizeof(*l));
	l->nr_vcpus = vcpus;
	l->nr_virtio = virtio;
	for (unsigned int i = 0; i < virtio && i < HV_ACPI_MAX_VIRTIO; i++) {
		l->virtio[i].base = HV_ABI_VIRTIO_MMIO_BASE + i * 0x200;
		l->virtio[i].len = 0x200;
		l->virtio[i].irq = HV_ABI_VIRTIO_IRQ(i);
	}
	l->pvpanic_port = pvpanic ? HV_ABI_PORT_PVPANIC : 0;
}

static const struct {
	unsigned int vcpus, virtio;
	int pvpanic;
} layouts[] = {
	{ 1, 0, 0 }, { 1, 1, 1 }, { 2, 1, 1 }, { 4, 3, 1 }, { 64, 1, 1 },
	{ 255, 16, 1 }, { 3, 16, 0 }, { 2, HV_ACPI_MAX_VIRTIO, 1 },
};

START_TEST(test_tables)
{
	struct hv_acpi_layout l;
	const uint8_t *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt, *e;
	uint64_t rsdp_gpa = 0, dsdt_gpa;
	unsigned int lapics = 0, ioapics = 0, isos = 0, sci_iso = 0;
	struct aml a = { .cur = -1 };
	size_t used = 0;
	int virtio_seen = 0, pvpanic_seen = 0;

	layout(&l, layouts[_i].vcpus, layouts[_i].virtio, layouts[_i].pvpanic);
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp_gpa, &used),
			 0);
	ck_assert_uint_le(used, SIZE);

	/* RSDP: 16-byte aligned, both checksums, revision 2. */
	ck_assert_uint_eq(rsdp_gpa % 16, 0);
	rsdp = buf + (rsdp_gpa - GPA);
	ck_assert_mem_eq(rsdp, "RSD PTR ", 8);
	ck_assert_uint_eq(sum(rsdp, 20), 0);
	ck_assert_uint_eq(sum(rsdp, 36), 0);
	ck_assert_uint_eq(rsdp[15], 2);
	ck_assert_uint_eq(rd32(rsdp + 20), 36);

	xsdt = table(rd64(rsdp + 24), "XSDT", used);
	ck_assert_uint_eq(rd32(xsdt + 4), 36 + 2 * 8);
	fadt = table(rd64(xsdt + 36), "FACP", used);
	madt = table(rd64(xsdt + 44), "APIC", used);

	/* FADT: the full-ACPI layout of revision 6. */
	ck_assert_uint_eq(rd32(fadt + 4), 276);
	ck_assert_uint_eq(fadt[8], 6);
	dsdt_gpa = rd64(fadt + 140);
	ck_assert_uint_eq(rd32(fadt + 40), dsdt_gpa);
	ck_assert_uint_eq(rd32(fadt + 36) % 64, 0);
	facs = buf + (rd32(fadt + 36) - GPA);
	ck_assert_mem_eq(facs, "FACS", 4);
	ck_assert_uint_eq(rd32(facs + 4), 64);
	ck_assert_uint_eq(rd64(fadt + 132), 0);	/* one FACS pointer */
	ck_assert_uint_eq(rd16(fadt + 46), HV_ACPI_SCI_IRQ);
	ck_assert_uint_eq(rd32(fadt + 48), 0);	/* no SMI: ACPI mode */
	ck_assert_uint_eq(rd32(fadt + 56), HV_ABI_PORT_ACPI_PM);
	ck_assert_uint_eq(rd32(fadt + 64), HV_ABI_PORT_PM1_CNT);
	ck_assert_uint_eq(fadt[88], 4);
	ck_assert_uint_eq(fadt[89], 2);
	ck_assert_uint_eq(rd32(fadt + 76), 0);	/* no PM timer */
	ck_assert_uint_eq(fadt[91], 0);
	ck_assert_uint_eq(rd16(fadt + 109) & 0x22, 0x20); /* no RTC/8042 */
	ck_assert(rd32(fadt + 112) & (1u << 10));	/* RESET_REG_SUP */
	ck_assert(!(rd32(fadt + 112) & (1u << 4)));	/* fixed power button */
	ck_assert(!(rd32(fadt + 112) & (1u << 20)));	/* not HW-reduced */
	ck_assert_uint_eq(fadt[116], 1);		/* reset: system I/O */
	ck_assert_uint_eq(fadt[117], 8);
	ck_assert_uint_eq(rd64(fadt + 120), HV_ABI_PORT_I8042_CMD);
	ck_assert_uint_eq(fadt[128], HV_ABI_I8042_RESET);
	ck_assert_uint_eq(fadt[148], 1);
	ck_assert_uint_eq(rd64(fadt + 148 + 4), HV_ABI_PORT_ACPI_PM);
	ck_assert_uint_eq(rd64(fadt + 172 + 4), HV_ABI_PORT_PM1_CNT);

	/* MADT: one enabled LAPIC per vCPU, one IOAPIC, level ISOs. */
	ck_assert_uint_eq(rd32(madt + 36), HV_ACPI_LAPIC_ADDR);
	for (e = madt + 44; e < madt + rd32(madt + 4); e += e[1]) {
		ck_assert_uint_ge(e[1], 2);
		ck_assert(e + e[1] <= madt + rd32(madt + 4));
		switch (e[0]) {
		case 0:
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[3], lapics);
			ck_assert_uint_eq(rd32(e + 4), 1);
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(rd32(e + 4), HV_ACPI_IOAPIC_ADDR);
			ck_assert_uint_eq(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(rd32(e + 4), e[3]);
			ck_assert_uint_eq(rd16(e + 8), 0x000d);
			sci_iso += e[3] == HV_ACPI_SCI_IRQ;
			isos++;
			break;
		case 4:
			ck_assert_uint_eq(e[1], 6);
			break;
		default:
			ck_abort_msg("unexpected MADT entry %u", e[0]);
		}
	}
	ck_assert(e == madt + rd32(madt + 4));
	ck_assert_uint_eq(lapics, l.nr_vcpus);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(sci_iso, 1);
	/* an override for each ISA IRQ: slots 10 on have GSIs 16 on */
	ck_assert_uint_eq(isos, 1 + (l.nr_virtio < 10 ? l.nr_virtio : 10));

	/* DSDT: parse all of it back. */
	dsdt = table(dsdt_gpa, "DSDT", used);
	terms(&a, dsdt + 36, dsdt + rd32(dsdt + 4), 0);
	ck_assert_int_eq(a.s5_n, 4);
	ck_assert_int_eq(a.s5[0], HV_ABI_PM1_S5);
	ck_assert_int_eq(a.s5[1], HV_ABI_PM1_S5);
	for (int i = 0; i < a.nr; i++) {
		struct res r;

		ck_assert_ptr_nonnull(a.devs[i].crs);
		resources(a.devs[i].crs, a.devs[i].crs_len, &r);
		if (!strcmp(a.devs[i].hid, "LNRO0005")) {
			int k = a.devs[i].uid;

			ck_assert_int_eq(k, virtio_seen);
			ck_assert_uint_eq(r.mem_base, l.virtio[k].base);
			ck_assert_uint_eq(r.mem_len, l.virtio[k].len);
			ck_assert_uint_eq(r.irq, l.virtio[k].irq);
			ck_assert_uint_eq(r.irq_flags, 0x01);
			virtio_seen++;
		} else if (!strcmp(a.devs[i].hid, "QEMU0001")) {
			ck_assert_uint_eq(r.io_base, HV_ABI_PORT_PVPANIC);
			ck_assert_uint_eq(r.io_len, 1);
			pvpanic_seen++;
		} else {
			ck_abort_msg("unexpected device %s", a.devs[i].hid);
		}
	}
	ck_assert_int_eq(virtio_seen, (int)l.nr_virtio);
	ck_assert_int_eq(pvpanic_seen, layouts[_i].pvpanic);
}
END_TEST

START_TEST(test_too_small)
{
	struct hv_acpi_layout l;
	uint64_t rsdp = 0;
	size_t used = 0, need;

	layout(&l, 4, 2, 1);
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used), 0);
	need = used;
	for (size_t n = 0; n < need; n += 7) {
		used = 12345;
		ck_assert_int_eq(hv_acpi_tables(&l, buf, n, GPA, &rsdp, &used),
				 -ENOSPC);
		ck_assert_uint_eq(used, 12345);
	}
	ck_assert_int_eq(hv_acpi_tables(&l, buf, need, GPA, &rsdp, &used), 0);
}
END_TEST

START_TEST(test_bad_layout)
{
	struct hv_acpi_layout l;
	uint64_t rsdp;
	size_t used;

	layout(&l, 0, 0, 0);
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	layout(&l, 256, 0, 0);
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	layout(&l, 1, 1, 0);
	l.virtio[0].irq = HV_ACPI_SCI_IRQ;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	l.virtio[0].irq = HV_ACPI_IOAPIC_PINS;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	l.virtio[0].irq = HV_ACPI_IOAPIC_PINS - 1;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used), 0);
	layout(&l, 1, 1, 0);
	l.virtio[0].base = 0x100000000ULL;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	layout(&l, 1, HV_ACPI_MAX_VIRTIO + 1, 0);
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
}
END_TEST

/* --- the power button --------------------------------------------------- */

static uint16_t pm_read(struct hv_device *d, unsigned int off)
{
	uint16_t v = 0;

	ck_assert_int_eq(d->ops->io(d, off, &v, 2, 0), 0);
	return v;
}

static void pm_write(struct hv_device *d, unsigned int off, uint16_t v)
{
	ck_assert_int_eq(d->ops->io(d, off, &v, 2, 1), 0);
}

START_TEST(test_power_button)
{
	struct hv_config cfg = { .nr_vcpus = 1 };
	struct hv_vm vm;
	struct hv_device *d, *devs[1];

	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	vm.vm_fd = -1;
	pthread_mutex_init(&vm.stop_lock, NULL);
	pthread_cond_init(&vm.stop_cond, NULL);
	vm.stop_efd = -1;
	ck_assert_int_eq(hv_vm_power_button(&vm), -ENODEV);
	d = hv_acpi_pm_new(&vm);
	ck_assert_ptr_nonnull(d);
	devs[0] = d;
	vm.devs = devs;
	vm.nr_devs = 1;

	/* Not armed by the guest: refused, nothing latched. */
	ck_assert_int_eq(hv_vm_power_button(&vm), -EOPNOTSUPP);
	ck_assert_uint_eq(pm_read(d, 0), 0);
	/* Armed: PWRBTN_STS latches until the guest writes 1 to clear it. */
	pm_write(d, 2, HV_ACPI_PM1_PWRBTN);
	ck_assert_uint_eq(pm_read(d, 2), HV_ACPI_PM1_PWRBTN);
	ck_assert_int_eq(hv_vm_power_button(&vm), 0);
	ck_assert_uint_eq(pm_read(d, 0), HV_ACPI_PM1_PWRBTN);
	pm_write(d, 0, HV_ACPI_PM1_GBL);	/* other bits: no effect */
	ck_assert_uint_eq(pm_read(d, 0), HV_ACPI_PM1_PWRBTN);
	pm_write(d, 0, HV_ACPI_PM1_PWRBTN);
	ck_assert_uint_eq(pm_read(d, 0), 0);
	ck_assert_int_eq(hv_vm_stopped(&vm), HV_RUNNING);
	/* S5 through PM1_CNT still powers off. */
	pm_write(d, 4, (uint16_t)(HV_ABI_PM1_S5 << 10 | HV_ABI_PM1_SLP_EN));
	ck_assert_int_eq(hv_vm_stopped(&vm), HV_STOP_POWEROFF);
	d->ops->destroy(d);
}
END_TEST

START_TEST(test_layout_of_vm)
{
	struct hv_config cfg = { .nr_vcpus = 3 };
	struct hv_device vdev = {
		.name = "vblk0", .bus = HV_BUS_MMIO,
		.base = HV_ABI_VIRTIO_MMIO_BASE + 2 * HV_ABI_VIRTIO_MMIO_SIZE,
		.len = HV_ABI_VIRTIO_MMIO_SIZE,
	};
	struct hv_device pdev = {
		.name = "pvpanic", .bus = HV_BUS_PIO,
		.base = HV_ABI_PORT_PVPANIC, .len = 1,
	};
	struct hv_acpi_layout l;
	struct hv_vm vm;

	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	ck_assert_int_eq(hv_bus_register(&vm.mmio, &vdev), 0);
	ck_assert_int_eq(hv_acpi_layout_of(&vm, &l), 0);
	ck_assert_uint_eq(l.nr_vcpus, 3);
	ck_assert_uint_eq(l.nr_virtio, 1);
	ck_assert_uint_eq(l.virtio[0].irq, HV_ABI_VIRTIO_FIRST_IRQ + 2);
	ck_assert_uint_eq(l.pvpanic_port, 0);
	ck_assert_int_eq(hv_bus_register(&vm.pio, &pdev), 0);
	ck_assert_int_eq(hv_acpi_layout_of(&vm, &l), 0);
	ck_assert_uint_eq(l.pvpanic_port, HV_ABI_PORT_PVPANIC);
	hv_bus_dispose(&vm.mmio);
	hv_bus_dispose(&vm.pio);
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("hv_acpi");
	TCase *tc;

	tc = tcase_create("tables");
	tcase_add_loop_test(tc, test_tables, 0,
			    sizeof(layouts) / sizeof(layouts[0]));
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_bad_layout);
	tcase_add_test(tc, test_layout_of_vm);
	suite_add_tcase(s, tc);

	tc = tcase_create("power_button");
	tcase_add_test(tc, test_power_button);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(acpi_suite());
}
