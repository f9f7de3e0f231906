// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI CPU hotplug (xl vcpu-set): the MADT's disabled entries, the FADT's
 * GPE0 block, and the DSDT's CPU objects, run rather than just parsed: a
 * small AML interpreter, written here for the opcodes acpi.c emits, loads
 * the DSDT and evaluates _STA, _MAT, _EJ0 and \_GPE._E02 against the real
 * cpuhp and acpi_pm devices, as the guest's ACPICA would.  Then the
 * register block and its state save on their own.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
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

/* --- a fake VM with the two devices ------------------------------------ */

struct fixture {
	struct hv_config cfg;
	struct hv_vm vm;
	struct hv_device *devs[2];
	struct hv_device *pm, *hp;
};

static struct fixture fx;

static void vm_up(unsigned int vcpus, unsigned int max)
{
	memset(&fx, 0, sizeof(fx));
	fx.cfg.nr_vcpus = vcpus;
	fx.cfg.max_vcpus = max;
	fx.vm.cfg = &fx.cfg;
	fx.vm.vm_fd = -1;
	fx.vm.stop_efd = -1;
	pthread_mutex_init(&fx.vm.stop_lock, NULL);
	pthread_cond_init(&fx.vm.stop_cond, NULL);
	fx.pm = hv_acpi_pm_new(&fx.vm);
	fx.hp = hv_cpuhp_new(&fx.vm);
	ck_assert_ptr_nonnull(fx.pm);
	ck_assert_ptr_nonnull(fx.hp);
	fx.devs[0] = fx.pm;
	fx.devs[1] = fx.hp;
	fx.vm.devs = fx.devs;
	fx.vm.nr_devs = 2;
	fx.vm.nr_vcpus = hv_config_max_vcpus(&fx.cfg);
	ck_assert_int_eq(hv_bus_register(&fx.vm.pio, fx.pm), 0);
	ck_assert_int_eq(hv_bus_register(&fx.vm.pio, fx.hp), 0);
}

static void vm_down(void)
{
	hv_bus_dispose(&fx.vm.pio);
	hv_bus_dispose(&fx.vm.mmio);
	fx.hp->ops->destroy(fx.hp);
	fx.pm->ops->destroy(fx.pm);
}

static uint64_t dev_read(struct hv_device *d, unsigned int off,
			 unsigned int len)
{
	uint64_t v = 0;

	ck_assert_int_eq(d->ops->io(d, off, &v, len, 0), 0);
	return v;
}

static void dev_write(struct hv_device *d, unsigned int off, uint64_t v,
		      unsigned int len)
{
	ck_assert_int_eq(d->ops->io(d, off, &v, len, 1), 0);
}

/* --- the AML interpreter ------------------------------------------------ */

enum obj_kind { OBJ_INT, OBJ_STR, OBJ_BUF, OBJ_DEVICE, OBJ_METHOD,
		OBJ_REGION, OBJ_FIELD };

struct obj {
	char path[64];		/* "\_SB_.C001._STA" */
	enum obj_kind kind;
	uint64_t value;		/* int; region: port; field: bit */
	unsigned int width;	/* field: bits; method: argument count */
	const uint8_t *p;	/* string, buffer data or method body */
	size_t len;
	uint8_t flags;		/* field: access and update rule */
};

struct ns {
	struct obj o[1024];
	int n;
	int notifies[HV_CPUHP_MAX];	/* last Notify value per CPU */
	int nr_notifies;
};

static struct ns ns;

static size_t pkglen(const uint8_t *p, const uint8_t *end, size_t *len)
{
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
	return k + 1;
}

static struct obj *add(const char *scope, const char *seg, enum obj_kind k)
{
	struct obj *o;

	ck_assert_int_lt(ns.n, 1024);
	o = &ns.o[ns.n++];
	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s.%.4s", scope, seg);
	o->kind = k;
	return o;
}

static struct obj *find(const char *path)
{
	for (int i = 0; i < ns.n; i++)
		if (!strcmp(ns.o[i].path, path))
			return &ns.o[i];
	return NULL;
}

/* ACPI's search rule for a single NameSeg: this scope, then its parents. */
static struct obj *lookup(const char *scope, const uint8_t *seg)
{
	char s[64], path[80];
	struct obj *o;
	char *dot;

	snprintf(s, sizeof(s), "%s", scope);
	for (;;) {
		snprintf(path, sizeof(path), "%s.%.4s", s, (const char *)seg);
		o = find(path);
		if (o)
			return o;
		dot = strrchr(s, '.');
		if (!dot)
			return NULL;
		*dot = '\0';
	}
}

static long integer(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	long v = 0;

	ck_assert(p < end);
	switch (*p++) {
	case 0x00: v = 0; break;
	case 0x01: v = 1; break;
	case 0x0a: v = p[0]; p += 1; break;
	case 0x0b: v = rd16(p); p += 2; break;
	case 0x0c: v = rd32(p); p += 4; break;
	default: ck_abort_msg("not an integer: opcode %#x", p[-1]);
	}
	ck_assert(p <= end);
	*pp = p;
	return v;
}

/* A Buffer's data: *pp past it, *data and *n its bytes. */
static void buffer(const uint8_t **pp, const uint8_t *end,
		   const uint8_t **data, size_t *n)
{
	const uint8_t *p = *pp + 1, *pend, *q;
	size_t len, k;

	k = pkglen(p, end, &len);
	pend = p + len;
	ck_assert(pend <= end);
	q = p + k;
	*n = (size_t)integer(&q, pend);
	ck_assert_uint_eq(*n, (size_t)(pend - q));
	*data = q;
	*pp = pend;
}

static void load(const char *scope, const uint8_t *p, const uint8_t *end);

/* The root, dual or single name at *pp, made absolute against @scope. */
static void scope_name(const uint8_t **pp, const char *scope, char *out,
		       size_t cap)
{
	const uint8_t *p = *pp;

	if (p[0] == 0x5c && p[1] == 0x2e) {
		snprintf(out, cap, "\\.%.4s.%.4s", p + 2, p + 6);
		p += 10;
	} else if (p[0] == 0x5c) {
		snprintf(out, cap, "\\.%.4s", p + 1);
		p += 5;
	} else {
		snprintf(out, cap, "%s.%.4s", scope, p);
		p += 4;
	}
	*pp = p;
}

static void field_list(const char *scope, const uint8_t *p,
		       const uint8_t *end)
{
	struct obj *region;
	uint64_t bit = 0;
	uint8_t flags;
	size_t len;

	region = lookup(scope, p);
	ck_assert_ptr_nonnull(region);
	ck_assert_int_eq(region->kind, OBJ_REGION);
	p += 4;
	flags = *p++;
	while (p < end) {
		if (*p == 0x00) {	/* ReservedField */
			p++;
			p += pkglen(p, end, &len);
			bit += len;
			continue;
		}
		struct obj *f = add(scope, (const char *)p, OBJ_FIELD);

		p += 4;
		p += pkglen(p, end, &len);
		f->value = bit;
		f->width = (unsigned int)len;
		f->flags = flags;
		bit += len;
		ck_assert_uint_le(bit, region->width * 8);
	}
}

static void load(const char *scope, const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		char inner[64];
		const uint8_t *pend;
		struct obj *o;
		size_t len, n;

		switch (*p) {
		case 0x08:		/* Name */
			p++;
			if (p[4] == 0x0d) {
				o = add(scope, (const char *)p, OBJ_STR);
				o->p = p + 5;
				p += 5 + strlen((const char *)p + 5) + 1;
			} else if (p[4] == 0x11) {
				o = add(scope, (const char *)p, OBJ_BUF);
				p += 4;
				buffer(&p, end, &o->p, &o->len);
			} else if (p[4] == 0x12) {	/* Package: skipped */
				add(scope, (const char *)p, OBJ_BUF);
				p += 5;
				pkglen(p, end, &len);
				p += len;
			} else {
				o = add(scope, (const char *)p, OBJ_INT);
				p += 4;
				o->value = (uint64_t)integer(&p, end);
			}
			break;
		case 0x10:		/* Scope */
			p++;
			n = pkglen(p, end, &len);
			pend = p + len;
			ck_assert(pend <= end);
			p += n;
			scope_name(&p, scope, inner, sizeof(inner));
			load(inner, p, pend);
			p = pend;
			break;
		case 0x14:		/* Method */
			p++;
			n = pkglen(p, end, &len);
			pend = p + len;
			ck_assert(pend <= end);
			o = add(scope, (const char *)(p + n), OBJ_METHOD);
			o->width = p[n + 4] & 7;
			o->p = p + n + 5;
			o->len = (size_t)(pend - o->p);
			p = pend;
			break;
		case 0x5b:
			p++;
			if (*p == 0x80) {	/* OperationRegion */
				o = add(scope, (const char *)(p + 1),
					OBJ_REGION);
				/* SystemIO */
				ck_assert_uint_eq(p[5], 1);
				p += 6;
				o->value = (uint64_t)integer(&p, end);
				o->width = (unsigned int)integer(&p, end);
				break;
			}
			n = pkglen(p + 1, end, &len);
			pend = p + 1 + len;
			ck_assert(pend <= end);
			if (*p == 0x81) {	/* Field */
				field_list(scope, p + 1 + n, pend);
			} else {
				ck_assert_uint_eq(*p, 0x82);	/* Device */
				o = add(scope, (const char *)(p + 1 + n),
					OBJ_DEVICE);
				load(o->path, p + 1 + n + 4, pend);
			}
			p = pend;
			break;
		default:
			ck_abort_msg("unexpected AML opcode %#x at load",
				     *p);
		}
	}
	ck_assert(p == end);
}

/* A field access through the region's device, byte by byte (ByteAcc). */
static uint64_t field_read(const struct obj *f)
{
	uint64_t byte = dev_read(fx.hp, (unsigned int)(f->value / 8), 1);

	ck_assert_uint_eq(f->width, 1);
	return byte >> (f->value % 8) & 1;
}

static void field_write(const struct obj *f, uint64_t v)
{
	ck_assert_uint_eq(f->width, 1);
	/* WriteAsZeros: the other bits of the byte are written as 0 */
	ck_assert_uint_eq(f->flags & 0x60, 0x40);
	dev_write(fx.hp, (unsigned int)(f->value / 8),
		  (v & 1) << (f->value % 8), 1);
}

struct val {
	uint64_t i;
	const uint8_t *buf;
	size_t len;
};

static struct val eval_term(const char *scope, const uint8_t **pp,
			    const uint8_t *end)
{
	const uint8_t *p = *pp;
	struct val v = { 0 };
	struct obj *o;

	if (*p == 0x11) {
		buffer(&p, end, &v.buf, &v.len);
	} else if (*p <= 0x0c) {
		v.i = (uint64_t)integer(&p, end);
	} else {
		o = lookup(scope, p);
		ck_assert_msg(o != NULL, "unknown name %.4s in %s", p, scope);
		ck_assert_int_eq(o->kind, OBJ_FIELD);
		v.i = field_read(o);
		p += 4;
	}
	*pp = p;
	return v;
}

static int run(const char *path, struct val *ret);

/* Execute @p..@end in @scope; 1 and *ret once a Return ran. */
static int exec(const char *scope, const uint8_t *p, const uint8_t *end,
		struct val *ret)
{
	while (p < end) {
		const uint8_t *pend;
		struct obj *o;
		struct val v;
		size_t len, n;
		char path[64];

		switch (*p) {
		case 0xa0:		/* If */
			p++;
			n = pkglen(p, end, &len);
			pend = p + len;
			p += n;
			v = eval_term(scope, &p, pend);
			if (v.i && exec(scope, p, pend, ret))
				return 1;
			p = pend;
			break;
		case 0xa4:		/* Return */
			p++;
			*ret = eval_term(scope, &p, end);
			return 1;
		case 0x70:		/* Store (integer, field) */
			p++;
			v = eval_term(scope, &p, end);
			o = lookup(scope, p);
			ck_assert_ptr_nonnull(o);
			ck_assert_int_eq(o->kind, OBJ_FIELD);
			field_write(o, v.i);
			p += 4;
			break;
		case 0x86:		/* Notify (device, value) */
			p++;
			o = lookup(scope, p);
			ck_assert_ptr_nonnull(o);
			ck_assert_int_eq(o->kind, OBJ_DEVICE);
			p += 4;
			v = eval_term(scope, &p, end);
			n = strtoul(strrchr(o->path, '.') + 2, NULL, 16);
			ck_assert_uint_lt(n, HV_CPUHP_MAX);
			ns.notifies[n] = (int)v.i;
			ns.nr_notifies++;
			break;
		case 0x5c:		/* a method call by absolute path */
			scope_name(&p, scope, path, sizeof(path));
			ck_assert_int_eq(run(path, &v), 0);
			break;
		default:
			ck_abort_msg("unexpected AML opcode %#x in %s", *p,
				     scope);
		}
	}
	return 0;
}

/* Evaluate the method at @path; 1 if it returned something. */
static int run(const char *path, struct val *ret)
{
	struct obj *m = find(path);

	ck_assert_msg(m != NULL, "no method %s", path);
	ck_assert_int_eq(m->kind, OBJ_METHOD);
	memset(ret, 0, sizeof(*ret));
	return exec(m->path, m->p, m->p + m->len, ret);
}

static uint64_t sta(unsigned int n)
{
	char path[64];
	struct val v;

	snprintf(path, sizeof(path), "\\._SB_.C%03X._STA", n);
	ck_assert_int_eq(run(path, &v), 1);
	return v.i;
}

/* _MAT: the MADT entry, enabled exactly when present. */
static void check_mat(unsigned int n, int enabled)
{
	char path[64];
	struct val v;

	snprintf(path, sizeof(path), "\\._SB_.C%03X._MAT", n);
	ck_assert_int_eq(run(path, &v), 1);
	ck_assert_ptr_nonnull(v.buf);
	ck_assert_uint_eq(v.len, 8);
	ck_assert_uint_eq(v.buf[0], 0);
	ck_assert_uint_eq(v.buf[1], 8);
	ck_assert_uint_eq(v.buf[2], n);
	ck_assert_uint_eq(v.buf[3], n);
	ck_assert_uint_eq(rd32(v.buf + 4), enabled ? 1 : 0);
}

static void gpe(void)
{
	struct val v;

	memset(ns.notifies, 0, sizeof(ns.notifies));
	ns.nr_notifies = 0;
	ck_assert_int_eq(run("\\._GPE._E02", &v), 0);
}

static const uint8_t *tab_fadt;

/* Build the tables for the fixture's VM and load its DSDT; the MADT. */
static const uint8_t *tables(void)
{
	struct hv_acpi_layout l;
	const uint8_t *rsdp, *xsdt, *fadt, *dsdt;
	uint64_t rsdp_gpa;
	size_t used;

	ck_assert_int_eq(hv_acpi_layout_of(&fx.vm, &l), 0);
	ck_assert_uint_eq(l.cpuhp_port, HV_ABI_PORT_CPUHP);
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp_gpa, &used),
			 0);
	rsdp = buf + (rsdp_gpa - GPA);
	xsdt = buf + (rd64(rsdp + 24) - GPA);
	fadt = buf + (rd64(xsdt + 36) - GPA);
	dsdt = buf + (rd64(fadt + 140) - GPA);
	tab_fadt = fadt;
	ck_assert_mem_eq(dsdt, "DSDT", 4);
	memset(&ns, 0, sizeof(ns));
	load("\\", dsdt + 36, dsdt + rd32(dsdt + 4));
	return buf + (rd64(xsdt + 44) - GPA);
}

/* --- the tests ---------------------------------------------------------- */

static const unsigned int maxes[] = { 1, 2, 3, 8, 9, 63, 64 };

/* MADT, FADT and the DSDT's objects for 1 boot vCPU of @max. */
START_TEST(test_tables)
{
	unsigned int max = maxes[_i], lapics = 0;
	const uint8_t *madt, *e, *fadt;
	struct obj *o;
	char path[64];

	vm_up(1, max);
	madt = tables();
	for (e = madt + 44; e < madt + rd32(madt + 4); e += e[1]) {
		if (e[0] != 0)
			continue;
		ck_assert_uint_eq(e[2], lapics);
		ck_assert_uint_eq(e[3], lapics);
		/* only the boot vCPU enabled: the rest are hot-pluggable */
		ck_assert_uint_eq(rd32(e + 4), lapics == 0 ? 1 : 0);
		lapics++;
	}
	ck_assert_uint_eq(lapics, max);
	fadt = tab_fadt;
	ck_assert_uint_eq(rd32(fadt + 80), HV_ABI_PORT_GPE0);
	ck_assert_uint_eq(fadt[92], HV_ACPI_GPE0_LEN);
	ck_assert_uint_eq(fadt[220], 1);		/* X_GPE0: system I/O */
	ck_assert_uint_eq(fadt[221], HV_ACPI_GPE0_LEN * 8);
	ck_assert_uint_eq(rd64(fadt + 224), HV_ABI_PORT_GPE0);

	o = find("\\._SB_.CPHP");
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->value, HV_ABI_PORT_CPUHP);
	ck_assert_uint_eq(o->width, HV_CPUHP_LEN);
	for (unsigned int n = 0; n < max; n++) {
		static const struct { const char *g; unsigned int off; } f[] = {
			{ "CP", HV_CPUHP_PRESENT }, { "CI", HV_CPUHP_INSERT },
			{ "CR", HV_CPUHP_REMOVE }, { "CE", HV_CPUHP_EJECT },
		};

		snprintf(path, sizeof(path), "\\._SB_.C%03X._HID", n);
		o = find(path);
		ck_assert_ptr_nonnull(o);
		ck_assert_str_eq((const char *)o->p, "ACPI0007");
		snprintf(path, sizeof(path), "\\._SB_.C%03X._UID", n);
		o = find(path);
		ck_assert_ptr_nonnull(o);
		ck_assert_uint_eq(o->value, n);
		snprintf(path, sizeof(path), "\\._SB_.C%03X._EJ0", n);
		o = find(path);
		ck_assert_ptr_nonnull(o);
		ck_assert_uint_eq(o->width, 1);	/* one argument */
		for (unsigned int g = 0; g < 4; g++) {
			snprintf(path, sizeof(path), "\\._SB_.%s%02X",
				 f[g].g, n);
			o = find(path);
			ck_assert_msg(o != NULL, "no field %s", path);
			ck_assert_uint_eq(o->value, f[g].off * 8 + n);
		}
		ck_assert_uint_eq(sta(n), n == 0 ? 0x0f : 0);
		check_mat(n, n == 0);
	}
	snprintf(path, sizeof(path), "\\._SB_.C%03X", max);
	ck_assert_ptr_null(find(path));
	gpe();
	ck_assert_int_eq(ns.nr_notifies, 0);
	vm_down();
}
END_TEST

/* xl vcpu-set up then down, as the guest's ACPICA would see it. */
START_TEST(test_hotplug)
{
	struct val v;

	vm_up(1, 3);
	tables();
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 1);

	/* No handler enabled for the GPE (a test guest): refused, no change */
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 2), -EOPNOTSUPP);
	ck_assert_uint_eq(sta(1), 0);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 1);
	ck_assert_uint_eq(dev_read(fx.pm, 8, 2), 0);

	dev_write(fx.pm, 10, 1u << HV_ACPI_GPE_CPUHP, 2);	/* GPE0_EN */
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 0), -ERANGE);
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 4), -ERANGE);
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 1), 0);	/* no change */
	ck_assert_uint_eq(dev_read(fx.pm, 8, 2), 0);

	/* Up to 3: both announced with a device check, then present. */
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 3), 0);
	ck_assert_uint_eq(dev_read(fx.pm, 8, 2), 1u << HV_ACPI_GPE_CPUHP);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 3);
	dev_write(fx.pm, 8, 1u << HV_ACPI_GPE_CPUHP, 2);	/* ACPICA */
	ck_assert_uint_eq(dev_read(fx.pm, 8, 2), 0);
	gpe();
	ck_assert_int_eq(ns.nr_notifies, 2);
	ck_assert_int_eq(ns.notifies[1], 1);
	ck_assert_int_eq(ns.notifies[2], 1);
	ck_assert_uint_eq(sta(1), 0x0f);
	ck_assert_uint_eq(sta(2), 0x0f);
	check_mat(2, 1);
	gpe();					/* requests are cleared */
	ck_assert_int_eq(ns.nr_notifies, 0);

	/* Down to 1: eject requests; present until the guest's _EJ0. */
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 1), 0);
	gpe();
	ck_assert_int_eq(ns.nr_notifies, 2);
	ck_assert_int_eq(ns.notifies[1], 3);
	ck_assert_int_eq(ns.notifies[2], 3);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 3);
	ck_assert_uint_eq(sta(2), 0x0f);
	ck_assert_int_eq(run("\\._SB_.C002._EJ0", &v), 0);
	ck_assert_uint_eq(sta(2), 0);
	check_mat(2, 0);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 2);
	ck_assert_int_eq(run("\\._SB_.C001._EJ0", &v), 0);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 1);
	gpe();
	ck_assert_int_eq(ns.nr_notifies, 0);

	/* vCPU 0 is never ejected, whatever the guest writes. */
	ck_assert_int_eq(run("\\._SB_.C000._EJ0", &v), 0);
	ck_assert_uint_eq(sta(0), 0x0f);
	dev_write(fx.hp, HV_CPUHP_EJECT, ~0ULL, 8);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 1);
	/* the present bitmap is read-only */
	dev_write(fx.hp, HV_CPUHP_PRESENT, ~0ULL, 8);
	ck_assert_uint_eq(dev_read(fx.hp, HV_CPUHP_PRESENT, 8), 1);

	/*
	 * Up again, and taken back before the guest heard of it: it just
	 * goes, no eject request; then added for good.
	 */
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 2), 0);
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 1), 0);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 1);
	ck_assert_uint_eq(dev_read(fx.hp, HV_CPUHP_REMOVE, 8), 0);
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 2), 0);
	gpe();
	ck_assert_int_eq(ns.nr_notifies, 1);
	ck_assert_int_eq(ns.notifies[1], 1);

	/* A removal asked back after the guest heard of it: no eject. */
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 1), 0);
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 2), 0);
	gpe();
	ck_assert_int_eq(ns.nr_notifies, 0);
	ck_assert_uint_eq(sta(1), 0x0f);
	vm_down();
}
END_TEST

/* The state: saved and loaded whole, a hostile file refused. */
START_TEST(test_state)
{
	uint8_t st[64], bad[64];
	size_t len = 0;

	vm_up(1, 4);
	dev_write(fx.pm, 10, 1u << HV_ACPI_GPE_CPUHP, 2);
	ck_assert_int_eq(hv_vm_set_vcpus(&fx.vm, 3), 0);
	ck_assert_int_eq(fx.hp->ops->save(fx.hp, st, 8, &len), -ENOSPC);
	ck_assert_int_eq(fx.hp->ops->save(fx.hp, st, sizeof(st), &len), 0);
	ck_assert_uint_eq(len, 32);
	fx.hp->ops->reset(fx.hp);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 1);
	ck_assert_int_eq(fx.hp->ops->load(fx.hp, st, len), 0);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 3);
	ck_assert_uint_eq(dev_read(fx.hp, HV_CPUHP_INSERT, 8), 0x6);

	ck_assert_int_eq(fx.hp->ops->load(fx.hp, st, len - 1), -EINVAL);
	memcpy(bad, st, len);
	bad[0] = 5;			/* another count of possible vCPUs */
	ck_assert_int_eq(fx.hp->ops->load(fx.hp, bad, len), -EINVAL);
	memcpy(bad, st, len);
	bad[8] = 0x2;			/* vCPU 0 absent */
	ck_assert_int_eq(fx.hp->ops->load(fx.hp, bad, len), -EINVAL);
	memcpy(bad, st, len);
	bad[8] = 0x13;			/* vCPU 4 of 4 */
	ck_assert_int_eq(fx.hp->ops->load(fx.hp, bad, len), -EINVAL);
	memcpy(bad, st, len);
	bad[31] = 0x80;			/* a removal of vCPU 63 */
	ck_assert_int_eq(fx.hp->ops->load(fx.hp, bad, len), -EINVAL);
	ck_assert_uint_eq(hv_vm_vcpus_online(&fx.vm), 3);
	vm_down();
}
END_TEST

/* More vCPUs than possible, or than the bitmaps hold, is no device. */
START_TEST(test_bad_config)
{
	struct hv_config cfg = { .nr_vcpus = 1, .max_vcpus = 65 };
	struct hv_vm vm;
	struct hv_acpi_layout l;
	uint64_t rsdp;
	size_t used;

	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	errno = 0;
	ck_assert_ptr_null(hv_cpuhp_new(&vm));
	ck_assert_int_eq(errno, EINVAL);

	memset(&l, 0, sizeof(l));
	l.nr_vcpus = 2;
	l.max_vcpus = 1;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	l.max_vcpus = 65;
	l.cpuhp_port = HV_ABI_PORT_CPUHP;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used),
			 -EINVAL);
	l.cpuhp_port = 0;
	ck_assert_int_eq(hv_acpi_tables(&l, buf, SIZE, GPA, &rsdp, &used), 0);
}
END_TEST

static Suite *cpuhp_suite(void)
{
	Suite *s = suite_create("hv_cpuhp");
	TCase *tc;

	tc = tcase_create("aml");
	tcase_add_loop_test(tc, test_tables, 0,
			    sizeof(maxes) / sizeof(maxes[0]));
	tcase_add_test(tc, test_hotplug);
	suite_add_tcase(s, tc);

	tc = tcase_create("device");
	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_bad_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(cpuhp_suite());
}
