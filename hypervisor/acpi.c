// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables (see acpi.h), written from the ACPI specification (6.x):
 * 5.2.5 RSDP, 5.2.8 XSDT, 5.2.9 FADT, 5.2.10 FACS, 5.2.12 MADT, and the
 * AML encoding of chapter 20 for the DSDT.  Every table is built in a host
 * buffer with a checked cursor, then checksummed.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "acpi.h"
#include "guest_abi.h"
#include "hv.h"

/* Every virtio-mmio slot fits the tables and has an IOAPIC pin. */
_Static_assert(HV_ACPI_MAX_VIRTIO >= HV_ABI_VIRTIO_SLOTS &&
		       HV_ABI_VIRTIO_IRQ(HV_ABI_VIRTIO_SLOTS - 1) <
			       HV_ACPI_IOAPIC_PINS,
	       "virtio-mmio slots beyond what the ACPI tables describe");

#define OEM_ID		"XLDXLD"
#define OEM_TABLE_ID	"XLHV    "
#define CREATOR_ID	"XLHV"
#define HDR_LEN		36
#define RSDP_LEN	36
#define FADT_LEN	276
#define FACS_LEN	64

/* FADT flags and IA-PC boot architecture flags. */
#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FADT_RESET_REG_SUP	(1u << 10)
#define BOOT_VGA_NOT_PRESENT	(1u << 2)
#define BOOT_CMOS_RTC_ABSENT	(1u << 5)

#define GAS_SYSTEM_IO	1
#define ACCESS_BYTE	1
#define ACCESS_WORD	2

#define MADT_LAPIC	0
#define MADT_IOAPIC	1
#define MADT_ISO	2
#define MADT_LAPIC_NMI	4
#define MADT_PCAT_COMPAT 1
#define ISO_LEVEL_HIGH	0x000d		/* active high, level triggered */

/* AML opcodes (ACPI 6, 20.2). */
#define AML_ZERO	0x00
#define AML_ONE		0x01
#define AML_NAME	0x08
#define AML_BYTE	0x0a
#define AML_WORD	0x0b
#define AML_DWORD	0x0c
#define AML_STRING	0x0d
#define AML_SCOPE	0x10
#define AML_BUFFER	0x11
#define AML_PACKAGE	0x12
#define AML_METHOD	0x14
#define AML_DUAL_NAME	0x2e
#define AML_EXT		0x5b
#define AML_OPREGION	0x80	/* after AML_EXT */
#define AML_FIELD	0x81	/* after AML_EXT */
#define AML_DEVICE	0x82	/* after AML_EXT */
#define AML_ROOT	0x5c
#define AML_STORE	0x70
#define AML_NOTIFY	0x86
#define AML_IF		0xa0
#define AML_RETURN	0xa4

/* CPU hotplug objects (dev/cpuhp.c has the registers they read). */
#define REGION_SYSTEM_IO	1
/* Field flags: ByteAcc, NoLock, WriteAsZeros. */
#define FIELD_BYTE_WRITE_ZEROS	0x41
#define METHOD_SERIALIZED	0x08
#define NOTIFY_DEVICE_CHECK	1
#define NOTIFY_EJECT_REQUEST	3
#define STA_PRESENT		0x0f	/* present, enabled, shown, ok */
#define MADT_LAPIC_LEN		8

/* Resource descriptors (6.4). */
#define RES_IO		0x47	/* small item, 7 bytes of data */
#define RES_END		0x79
#define RES_MEM32_FIXED	0x86
#define RES_EXT_IRQ	0x89
#define IRQ_CONSUMER	0x01	/* level, active high, exclusive */

/* The virtio ISA IRQs and SCI are level triggered: see the MADT. */
#define PM_EVT_LEN	4
#define PM_CNT_LEN	2
#define RESET_PORT	HV_ABI_PORT_I8042_CMD
#define RESET_VALUE	HV_ABI_I8042_RESET

/* A cursor over a byte buffer; overflow sets err instead of writing. */
struct out {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

static void put(struct out *o, const void *src, size_t n)
{
	if (o->err || n > o->cap - o->len) {
		o->err = -ENOSPC;
		return;
	}
	memcpy(o->p + o->len, src, n);
	o->len += n;
}

static void put8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

static void put16(struct out *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(o, b, sizeof(b));
}

static void put32(struct out *o, uint32_t v)
{
	put16(o, (uint16_t)v);
	put16(o, (uint16_t)(v >> 16));
}

static void put64(struct out *o, uint64_t v)
{
	put32(o, (uint32_t)v);
	put32(o, (uint32_t)(v >> 32));
}

static void put_zero(struct out *o, size_t n)
{
	while (n-- && !o->err)
		put8(o, 0);
}

static void set32_at(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)(0 - sum);
}

/* Generic Address Structure (5.2.3.2). */
static void put_gas(struct out *o, uint8_t space, uint8_t bits,
		    uint8_t access, uint64_t addr)
{
	put8(o, space);
	put8(o, bits);
	put8(o, 0);
	put8(o, access);
	put64(o, addr);
}

/* The common header; length and checksum are patched by table_end(). */
static size_t table_begin(struct out *o, const char *sig, uint8_t rev)
{
	size_t start = o->len;

	put(o, sig, 4);
	put32(o, 0);
	put8(o, rev);
	put8(o, 0);
	put(o, OEM_ID, 6);
	put(o, OEM_TABLE_ID, 8);
	put32(o, 1);
	put(o, CREATOR_ID, 4);
	put32(o, 1);
	return start;
}

static void table_end(struct out *o, size_t start)
{
	size_t n = o->len - start;

	if (o->err)
		return;
	set32_at(o->p + start + 4, (uint32_t)n);
	o->p[start + 9] = checksum(o->p + start, n);
}

/* Pad to @align (a power of two) relative to the guest address. */
static void align_to(struct out *o, uint64_t gpa, uint64_t align)
{
	while (!o->err && (gpa + o->len) & (align - 1))
		put8(o, 0);
}

/*
 * AML package lengths (20.2.4): the content is written first, then moved
 * up to make room for the minimal 1..4-byte encoding of its length.
 */
static void pkg_end(struct out *o, size_t start)
{
	size_t content = o->len - start, total;
	unsigned int k;
	uint8_t enc[4];

	if (o->err)
		return;
	if (content + 1 < 0x40)
		k = 1;
	else if (content + 2 < 0x1000)
		k = 2;
	else if (content + 3 < 0x100000)
		k = 3;
	else
		k = 4;
	total = content + k;
	if (k == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)(((k - 1) << 6) | (total & 0xf));
		for (unsigned int i = 1; i < k; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	if (k > o->cap - o->len) {
		o->err = -ENOSPC;
		return;
	}
	memmove(o->p + start + k, o->p + start, content);
	memcpy(o->p + start, enc, k);
	o->len += k;
}

static void aml_int(struct out *o, uint32_t v)
{
	if (v == 0) {
		put8(o, AML_ZERO);
	} else if (v == 1) {
		put8(o, AML_ONE);
	} else if (v <= 0xff) {
		put8(o, AML_BYTE);
		put8(o, (uint8_t)v);
	} else if (v <= 0xffff) {
		put8(o, AML_WORD);
		put16(o, (uint16_t)v);
	} else {
		put8(o, AML_DWORD);
		put32(o, v);
	}
}

static void aml_name(struct out *o, const char seg[4])
{
	put8(o, AML_NAME);
	put(o, seg, 4);
}

static void aml_string(struct out *o, const char *s)
{
	put8(o, AML_STRING);
	put(o, s, strlen(s) + 1);
}

/* Name(_CRS, Buffer () { @res, EndTag }) */
static void aml_crs(struct out *o, const uint8_t *res, size_t n)
{
	size_t start;

	aml_name(o, "_CRS");
	put8(o, AML_BUFFER);
	start = o->len;
	aml_int(o, (uint32_t)(n + 2));
	put(o, res, n);
	put8(o, RES_END);
	put8(o, 0);		/* checksum 0: "treat as correct" */
	pkg_end(o, start);
}

static size_t device_begin(struct out *o, const char seg[4])
{
	size_t start;

	put8(o, AML_EXT);
	put8(o, AML_DEVICE);
	start = o->len;
	put(o, seg, 4);
	return start;
}

static void virtio_device(struct out *o, const struct hv_acpi_layout *l,
			  unsigned int i)
{
	char seg[5];
	uint8_t res[12 + 9];
	struct out r = { .p = res, .cap = sizeof(res) };
	size_t start;

	seg[0] = 'V';
	seg[1] = 'R';
	seg[2] = (char)('0' + i / 10);
	seg[3] = (char)('0' + i % 10);
	seg[4] = '\0';
	start = device_begin(o, seg);
	aml_name(o, "_HID");
	aml_string(o, "LNRO0005");
	aml_name(o, "_UID");
	aml_int(o, i);
	put8(&r, RES_MEM32_FIXED);
	put16(&r, 9);
	put8(&r, 1);		/* read/write */
	put32(&r, (uint32_t)l->virtio[i].base);
	put32(&r, l->virtio[i].len);
	put8(&r, RES_EXT_IRQ);
	put16(&r, 6);
	put8(&r, IRQ_CONSUMER);
	put8(&r, 1);
	put32(&r, l->virtio[i].irq);
	aml_crs(o, res, r.len);
	pkg_end(o, start);
}

static void pvpanic_device(struct out *o, uint16_t port)
{
	uint8_t res[8];
	struct out r = { .p = res, .cap = sizeof(res) };
	size_t start;

	start = device_begin(o, "PEVT");
	aml_name(o, "_HID");
	aml_string(o, "QEMU0001");
	put8(&r, RES_IO);
	put8(&r, 1);		/* 16-bit decode */
	put16(&r, port);
	put16(&r, port);
	put8(&r, 1);		/* alignment */
	put8(&r, 1);		/* length */
	aml_crs(o, res, r.len);
	pkg_end(o, start);
}

static unsigned int max_vcpus(const struct hv_acpi_layout *l)
{
	return l->max_vcpus ? l->max_vcpus : l->nr_vcpus;
}

/* @prefix then @n in upper-case hex, four characters in all. */
static void hex_seg(char seg[5], const char *prefix, unsigned int n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = strlen(prefix);

	memcpy(seg, prefix, k);
	for (size_t i = 4; i > k; i--, n >>= 4)
		seg[i - 1] = hex[n & 0xf];
	seg[4] = '\0';
}

static size_t method_begin(struct out *o, const char seg[4], uint8_t flags)
{
	size_t start;

	put8(o, AML_METHOD);
	start = o->len;
	put(o, seg, 4);
	put8(o, flags);
	return start;
}

/* If (@field) { ...: the caller writes the body and calls pkg_end. */
static size_t if_begin(struct out *o, const char field[4])
{
	size_t start;

	put8(o, AML_IF);
	start = o->len;
	put(o, field, 4);
	return start;
}

/* Return (Buffer () { MADT processor local APIC entry of vCPU @n }) */
static void return_lapic(struct out *o, unsigned int n, int enabled)
{
	size_t start;

	put8(o, AML_RETURN);
	put8(o, AML_BUFFER);
	start = o->len;
	aml_int(o, MADT_LAPIC_LEN);
	put8(o, MADT_LAPIC);
	put8(o, MADT_LAPIC_LEN);
	put8(o, (uint8_t)n);		/* processor UID = _UID */
	put8(o, (uint8_t)n);		/* APIC id */
	put32(o, enabled ? 1 : 0);
	pkg_end(o, start);
}

/* Store (One, @field): with WriteAsZeros, a write of that bit alone. */
static void store_one(struct out *o, const char field[4])
{
	put8(o, AML_STORE);
	put8(o, AML_ONE);
	put(o, field, 4);
}

/*
 * Device (Cnnn) { _HID "ACPI0007", _UID n, _STA and _MAT from its present
 * bit CPnn, _EJ0 writing its eject bit CEnn }.
 */
static void cpu_device(struct out *o, unsigned int n)
{
	char dev[5], cp[5], ce[5];
	size_t start, m, i;

	hex_seg(dev, "C", n);
	hex_seg(cp, "CP", n);
	hex_seg(ce, "CE", n);
	start = device_begin(o, dev);
	aml_name(o, "_HID");
	aml_string(o, "ACPI0007");
	aml_name(o, "_UID");
	aml_int(o, n);

	m = method_begin(o, "_STA", 0);
	i = if_begin(o, cp);
	put8(o, AML_RETURN);
	aml_int(o, STA_PRESENT);
	pkg_end(o, i);
	put8(o, AML_RETURN);
	aml_int(o, 0);
	pkg_end(o, m);

	m = method_begin(o, "_MAT", 0);
	i = if_begin(o, cp);
	return_lapic(o, n, 1);
	pkg_end(o, i);
	return_lapic(o, n, 0);
	pkg_end(o, m);

	m = method_begin(o, "_EJ0", 1);
	store_one(o, ce);
	pkg_end(o, m);
	pkg_end(o, start);
}

/* Notify (Cnnn, @value) after clearing the request bit @field. */
static void scan_one(struct out *o, const char field[4], const char dev[4],
		     uint8_t value)
{
	size_t i = if_begin(o, field);

	store_one(o, field);
	put8(o, AML_NOTIFY);
	put(o, dev, 4);
	aml_int(o, value);
	pkg_end(o, i);
}

/*
 * In \_SB: OperationRegion (CPHP, SystemIO, port, HV_CPUHP_LEN) with one
 * bit field per possible vCPU in each bitmap (CPnn present, CInn insert,
 * CRnn remove, CEnn eject), the CPU devices, and Method (CSCN) that the
 * GPE runs: Notify each vCPU with an insert or remove request.
 */
static void cpuhp_objects(struct out *o, const struct hv_acpi_layout *l)
{
	static const char *const groups[] = { "CP", "CI", "CR", "CE" };
	unsigned int max = max_vcpus(l);
	char seg[5], dev[5];
	size_t start;

	put8(o, AML_EXT);
	put8(o, AML_OPREGION);
	put(o, "CPHP", 4);
	put8(o, REGION_SYSTEM_IO);
	aml_int(o, l->cpuhp_port);
	aml_int(o, HV_CPUHP_LEN);

	put8(o, AML_EXT);
	put8(o, AML_FIELD);
	start = o->len;
	put(o, "CPHP", 4);
	put8(o, FIELD_BYTE_WRITE_ZEROS);
	/* the groups are the 64-bit bitmaps at HV_CPUHP_PRESENT.. EJECT */
	for (unsigned int g = 0; g < 4; g++) {
		for (unsigned int n = 0; n < max; n++) {
			hex_seg(seg, groups[g], n);
			put(o, seg, 4);
			put8(o, 1);		/* one bit */
		}
		if (max < 64 && g < 3) {
			put8(o, 0);	/* reserved up to the next bitmap */
			put8(o, (uint8_t)(64 - max));
		}
	}
	pkg_end(o, start);

	for (unsigned int n = 0; n < max; n++)
		cpu_device(o, n);

	start = method_begin(o, "CSCN", METHOD_SERIALIZED);
	for (unsigned int n = 0; n < max; n++) {
		hex_seg(dev, "C", n);
		hex_seg(seg, "CI", n);
		scan_one(o, seg, dev, NOTIFY_DEVICE_CHECK);
		hex_seg(seg, "CR", n);
		scan_one(o, seg, dev, NOTIFY_EJECT_REQUEST);
	}
	pkg_end(o, start);
}

/* Scope (\_GPE) { Method (_E02) { \_SB.CSCN () } } */
static void cpuhp_gpe(struct out *o)
{
	size_t scope, m;
	char seg[5];

	put8(o, AML_SCOPE);
	scope = o->len;
	put8(o, AML_ROOT);
	put(o, "_GPE", 4);
	hex_seg(seg, "_E", HV_ACPI_GPE_CPUHP);
	m = method_begin(o, seg, 0);
	put8(o, AML_ROOT);
	put8(o, AML_DUAL_NAME);
	put(o, "_SB_CSCN", 8);
	pkg_end(o, m);
	pkg_end(o, scope);
}

static void dsdt(struct out *o, const struct hv_acpi_layout *l)
{
	size_t t = table_begin(o, "DSDT", 2), start;

	/* Name (\_S5, Package () { 5, 5, 0, 0 }): SLP_TYP for soft-off. */
	aml_name(o, "_S5_");
	put8(o, AML_PACKAGE);
	start = o->len;
	put8(o, 4);
	aml_int(o, HV_ABI_PM1_S5);
	aml_int(o, HV_ABI_PM1_S5);
	aml_int(o, 0);
	aml_int(o, 0);
	pkg_end(o, start);

	/* Scope (\_SB) { devices } */
	put8(o, AML_SCOPE);
	start = o->len;
	put8(o, AML_ROOT);
	put(o, "_SB_", 4);
	for (unsigned int i = 0; i < l->nr_virtio; i++)
		virtio_device(o, l, i);
	if (l->pvpanic_port)
		pvpanic_device(o, l->pvpanic_port);
	if (l->cpuhp_port)
		cpuhp_objects(o, l);
	pkg_end(o, start);
	if (l->cpuhp_port)
		cpuhp_gpe(o);
	table_end(o, t);
}

static void facs(struct out *o)
{
	put(o, "FACS", 4);
	put32(o, FACS_LEN);
	put32(o, 0);		/* hardware signature */
	put32(o, 0);		/* waking vector */
	put32(o, 0);		/* global lock */
	put32(o, 0);		/* flags */
	put64(o, 0);		/* X waking vector */
	put8(o, 2);		/* version */
	put_zero(o, FACS_LEN - 33);
}

static void fadt(struct out *o, uint64_t facs_gpa, uint64_t dsdt_gpa)
{
	size_t t = table_begin(o, "FACP", 6);

	put32(o, (uint32_t)facs_gpa);	/* FIRMWARE_CTRL */
	put32(o, (uint32_t)dsdt_gpa);	/* DSDT */
	put8(o, 0);
	put8(o, 0);			/* preferred PM profile */
	put16(o, HV_ACPI_SCI_IRQ);
	put32(o, 0);			/* SMI_CMD: always in ACPI mode */
	put_zero(o, 4);			/* enable, disable, S4BIOS, PSTATE */
	put32(o, HV_ABI_PORT_ACPI_PM);	/* PM1a_EVT_BLK */
	put32(o, 0);
	put32(o, HV_ABI_PORT_PM1_CNT);	/* PM1a_CNT_BLK */
	put32(o, 0);
	put32(o, 0);			/* PM2_CNT_BLK */
	put32(o, 0);			/* PM_TMR_BLK: none */
	put32(o, HV_ABI_PORT_GPE0);	/* GPE0_BLK */
	put32(o, 0);			/* GPE1_BLK */
	put8(o, PM_EVT_LEN);
	put8(o, PM_CNT_LEN);
	put_zero(o, 2);			/* PM2, TMR lengths */
	put8(o, HV_ACPI_GPE0_LEN);
	put_zero(o, 2);			/* GPE1 length, base */
	put8(o, 0);			/* CST_CNT */
	put16(o, 101);			/* C2 latency: not supported */
	put16(o, 1001);			/* C3 latency: not supported */
	put_zero(o, 4 + 5);		/* flush, duty, alarms, century */
	put16(o, BOOT_VGA_NOT_PRESENT | BOOT_CMOS_RTC_ABSENT);
	put8(o, 0);
	put32(o, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON |
		 FADT_RESET_REG_SUP);
	put_gas(o, GAS_SYSTEM_IO, 8, ACCESS_BYTE, RESET_PORT);
	put8(o, RESET_VALUE);
	put16(o, 0);			/* ARM boot arch */
	put8(o, 0);			/* minor version */
	put64(o, 0);			/* X_FIRMWARE_CTRL: the 32-bit one */
	put64(o, dsdt_gpa);		/* X_DSDT */
	put_gas(o, GAS_SYSTEM_IO, PM_EVT_LEN * 8, ACCESS_WORD,
		HV_ABI_PORT_ACPI_PM);
	put_gas(o, 0, 0, 0, 0);
	put_gas(o, GAS_SYSTEM_IO, PM_CNT_LEN * 8, ACCESS_WORD,
		HV_ABI_PORT_PM1_CNT);
	put_zero(o, 12 * 3);		/* PM1b CNT, PM2 CNT, PM TMR */
	put_gas(o, GAS_SYSTEM_IO, HV_ACPI_GPE0_LEN * 8, ACCESS_BYTE,
		HV_ABI_PORT_GPE0);
	put_zero(o, 12 * 3);		/* GPE1, sleep control and status */
	put(o, "XLHVXLHV", 8);		/* hypervisor vendor identity */
	table_end(o, t);
}

static void madt_iso(struct out *o, uint8_t irq, uint16_t flags)
{
	put8(o, MADT_ISO);
	put8(o, 10);
	put8(o, 0);			/* ISA */
	put8(o, irq);
	put32(o, irq);			/* GSI: identity */
	put16(o, flags);
}

static void madt(struct out *o, const struct hv_acpi_layout *l)
{
	size_t t = table_begin(o, "APIC", 4);

	put32(o, HV_ACPI_LAPIC_ADDR);
	put32(o, MADT_PCAT_COMPAT);
	/* Disabled entries: possible vCPUs that CPU hotplug may add. */
	for (unsigned int i = 0; i < max_vcpus(l); i++) {
		put8(o, MADT_LAPIC);
		put8(o, MADT_LAPIC_LEN);
		put8(o, (uint8_t)i);	/* processor UID */
		put8(o, (uint8_t)i);	/* APIC id = vCPU index (cpuid.c) */
		put32(o, i < l->nr_vcpus ? 1 : 0);	/* enabled */
	}
	put8(o, MADT_IOAPIC);
	put8(o, 12);
	put8(o, 0);			/* KVM's IOAPIC id after reset */
	put8(o, 0);
	put32(o, HV_ACPI_IOAPIC_ADDR);
	put32(o, 0);			/* GSI base */
	madt_iso(o, HV_ACPI_SCI_IRQ, ISO_LEVEL_HIGH);
	/* GSIs above the ISA range need none: _CRS says level, high. */
	for (unsigned int i = 0; i < l->nr_virtio; i++)
		if (l->virtio[i].irq < HV_ACPI_ISA_IRQS)
			madt_iso(o, (uint8_t)l->virtio[i].irq, ISO_LEVEL_HIGH);
	put8(o, MADT_LAPIC_NMI);
	put8(o, 6);
	put8(o, 0xff);			/* all processors */
	put16(o, 0);
	put8(o, 1);			/* LINT1 */
	table_end(o, t);
}

static int layout_check(const struct hv_acpi_layout *l)
{
	if (l->nr_vcpus < 1 || l->nr_vcpus > 255 ||
	    max_vcpus(l) < l->nr_vcpus || max_vcpus(l) > 255 ||
	    (l->cpuhp_port && max_vcpus(l) > HV_CPUHP_MAX) ||
	    l->nr_virtio > HV_ACPI_MAX_VIRTIO)
		return -EINVAL;
	for (unsigned int i = 0; i < l->nr_virtio; i++) {
		if (l->virtio[i].irq >= HV_ACPI_IOAPIC_PINS ||
		    l->virtio[i].irq == HV_ACPI_SCI_IRQ ||
		    l->virtio[i].base > UINT32_MAX ||
		    l->virtio[i].len > UINT32_MAX - l->virtio[i].base)
			return -EINVAL;
	}
	return 0;
}

int hv_acpi_tables(const struct hv_acpi_layout *l, uint8_t *buf,
		   size_t size, uint64_t gpa, uint64_t *rsdp, size_t *used)
{
	struct out o = { .p = buf, .cap = size };
	uint64_t xsdt_gpa, fadt_gpa, facs_gpa, dsdt_gpa, madt_gpa;
	size_t t, rsdp_off;
	int rc;

	rc = layout_check(l);
	if (rc)
		return rc;
	if (gpa > UINT32_MAX || size > UINT32_MAX - gpa)
		return -EINVAL;
	memset(buf, 0, size);

	/* Fixed order: FACS, DSDT, FADT, MADT, XSDT, then the RSDP. */
	align_to(&o, gpa, 64);
	facs_gpa = gpa + o.len;
	facs(&o);
	dsdt_gpa = gpa + o.len;
	dsdt(&o, l);
	align_to(&o, gpa, 16);
	fadt_gpa = gpa + o.len;
	fadt(&o, facs_gpa, dsdt_gpa);
	align_to(&o, gpa, 16);
	madt_gpa = gpa + o.len;
	madt(&o, l);
	align_to(&o, gpa, 16);
	xsdt_gpa = gpa + o.len;
	t = table_begin(&o, "XSDT", 1);
	put64(&o, fadt_gpa);
	put64(&o, madt_gpa);
	table_end(&o, t);

	align_to(&o, gpa, 16);
	rsdp_off = o.len;
	put(&o, "RSD PTR ", 8);
	put8(&o, 0);
	put(&o, OEM_ID, 6);
	put8(&o, 2);			/* revision: ACPI 2.0+ */
	put32(&o, 0);			/* no RSDT */
	put32(&o, RSDP_LEN);
	put64(&o, xsdt_gpa);
	put8(&o, 0);
	put_zero(&o, 3);
	if (o.err)
		return o.err;
	buf[rsdp_off + 8] = checksum(buf + rsdp_off, 20);
	buf[rsdp_off + 32] = checksum(buf + rsdp_off, RSDP_LEN);
	*rsdp = gpa + rsdp_off;
	*used = o.len;
	return 0;
}

int hv_acpi_layout_of(struct hv_vm *vm, struct hv_acpi_layout *l)
{
	uint64_t lo = HV_ABI_VIRTIO_MMIO_BASE;
	uint64_t hi = lo + HV_ACPI_MAX_VIRTIO * HV_ABI_VIRTIO_MMIO_SIZE;

	memset(l, 0, sizeof(*l));
	l->nr_vcpus = vm->cfg->nr_vcpus;
	l->max_vcpus = hv_config_max_vcpus(vm->cfg);
	if (hv_bus_find(&vm->pio, HV_ABI_PORT_CPUHP, HV_CPUHP_LEN))
		l->cpuhp_port = HV_ABI_PORT_CPUHP;
	for (size_t i = 0; i < vm->mmio.nr; i++) {
		const struct hv_device *d = vm->mmio.devs[i];
		uint64_t slot;

		if (d->base < lo || d->base >= hi)
			continue;
		if (l->nr_virtio == HV_ACPI_MAX_VIRTIO)
			return -E2BIG;
		slot = (d->base - lo) / HV_ABI_VIRTIO_MMIO_SIZE;
		l->virtio[l->nr_virtio].base = d->base;
		l->virtio[l->nr_virtio].len = (uint32_t)d->len;
		l->virtio[l->nr_virtio].irq =
			(unsigned int)HV_ABI_VIRTIO_IRQ(slot);
		l->nr_virtio++;
	}
	if (hv_bus_find(&vm->pio, HV_ABI_PORT_PVPANIC, 1))
		l->pvpanic_port = HV_ABI_PORT_PVPANIC;
	return 0;
}

int hv_acpi_build(struct hv_vm *vm, uint64_t *rsdp)
{
	struct hv_acpi_layout l;
	size_t used;
	uint8_t *p;
	int rc;

	rc = hv_acpi_layout_of(vm, &l);
	if (rc)
		return rc;
	p = hv_gpa_ptr(vm, HV_ACPI_BASE, HV_ACPI_SIZE);
	if (!p)
		return -ENOSPC;
	return hv_acpi_tables(&l, p, HV_ACPI_SIZE, HV_ACPI_BASE, rsdp, &used);
}
