// SPDX-License-Identifier: GPL-2.0
/*
 * The migration receiver (`xlhv run ... --incoming FD`): the VM is built
 * from the same options as the sender's; this reads the stream into its
 * RAM, collects the state records, and after END checks and applies them
 * as --restore does (state.c).  The stream is hostile: migstream.c checks
 * every record's framing, this the rest (sizes, order, the guest's shape).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "migstream.h"
#include "state.h"

struct recv {
	struct hv_vm *vm;
	char what[64];			/* "migration stream (fd N)" */
	struct hv_state_sec *secs;
	uint32_t nr;
	int verify;
	uint64_t pages;
};

static int fail(struct recv *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct recv *r, int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hv_err("%s: %s", r->what, msg);
	return rc;
}

static int page_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;

	for (size_t i = 0; i < HV_MIG_PAGE / 8; i++)
		if (q[i])
			return 0;
	return 1;
}

/* Zero a page, unless it is a memfd hole (zero already, left unbacked). */
static void zero_page(struct hv_vm *vm, uint64_t pfn, uint8_t *p)
{
	off_t off = (off_t)(pfn * HV_MIG_PAGE);

	if (lseek(vm->mem_fd, off, SEEK_DATA) != off)
		return;
	if (!page_zero(p))
		memset(p, 0, HV_MIG_PAGE);
}

static int pages(struct recv *r, const struct hv_mig_rec *rec, uint32_t idx)
{
	struct hv_mig_pages p;
	const uint8_t *data;
	char err[256];
	int rc;

	if (r->nr && !r->verify)
		return fail(r, -EINVAL, "record %u (PAGE_DATA): pages after "
			    "the state records without VERIFY", idx);
	rc = hv_mig_parse_pages(rec, r->pages, &p, err, sizeof(err));
	if (rc)
		return fail(r, rc, "record %u: %s", idx, err);
	data = p.data;
	for (uint32_t i = 0; i < p.count; i++) {
		uint64_t pfn = p.entries[i] & HV_MIG_PFN_MASK;
		uint32_t kind = HV_MIG_PFN_KIND(p.entries[i]);
		uint8_t *ram = hv_gpa_ptr(r->vm, pfn * HV_MIG_PAGE,
					  HV_MIG_PAGE);

		if (!ram || (kind != HV_MIG_PFN_DATA &&
			     kind != HV_MIG_PFN_ZERO))
			return fail(r, -EINVAL, "record %u (PAGE_DATA): entry "
				    "%u: page %llu kind %u is not in this "
				    "guest", idx, i, (unsigned long long)pfn,
				    kind);
		if (kind == HV_MIG_PFN_ZERO) {
			if (r->verify && !page_zero(ram))
				goto differs;
			if (!r->verify)
				zero_page(r->vm, pfn, ram);
			continue;
		}
		if (r->verify && memcmp(ram, data, HV_MIG_PAGE))
			goto differs;
		if (!r->verify)
			memcpy(ram, data, HV_MIG_PAGE);
		data += HV_MIG_PAGE;
		continue;
differs:
		return fail(r, -EBADMSG, "--debug: page %llu differs",
			    (unsigned long long)pfn);
	}
	return 0;
}

static const struct {
	uint32_t rec, sec;
	const char *name;
	int indexed;			/* {index u32, 0 u32} first */
} kinds[] = {
	{ HV_MIG_VM, HV_SEC_VM, "VM", 0 },
	{ HV_MIG_CLOCK, HV_SEC_CLOCK, "CLOCK", 0 },
	{ HV_MIG_IRQCHIP, HV_SEC_IRQCHIP, "IRQCHIP", 0 },
	{ HV_MIG_PIT, HV_SEC_PIT, "PIT", 0 },
	{ HV_MIG_VCPU, HV_SEC_VCPU, "VCPU", 1 },
	{ HV_MIG_DEVICE, HV_SEC_DEVICE, "DEVICE", 1 },
};

/* A state record, kept as the section a state file would hold. */
static int state_rec(struct recv *r, const struct hv_mig_rec *rec,
		     uint32_t idx)
{
	const uint8_t *body = rec->body;
	uint32_t len = rec->len, instance = 0, pad = 0;
	size_t k;
	uint8_t *copy;

	for (k = 0; kinds[k].rec != rec->type; k++)
		;
	if (r->verify)
		return fail(r, -EINVAL, "record %u (%s): after VERIFY", idx,
			    kinds[k].name);
	if (r->nr == HV_STATE_MAX_SECTIONS)
		return fail(r, -EINVAL, "record %u (%s): more than %d state "
			    "records", idx, kinds[k].name,
			    HV_STATE_MAX_SECTIONS);
	if (kinds[k].indexed) {
		if (len < 8)
			return fail(r, -EINVAL, "record %u (%s): %u bytes, "
				    "too short for its index", idx,
				    kinds[k].name, len);
		memcpy(&instance, body, 4);
		memcpy(&pad, body + 4, 4);
		if (pad)
			return fail(r, -EINVAL, "record %u (%s %u): reserved "
				    "field is %#x, not 0", idx, kinds[k].name,
				    instance, pad);
		body += 8;
		len -= 8;
	}
	if (len > HV_STATE_SEC_MAX)
		return fail(r, -EINVAL, "record %u (%s %u): %u bytes, at most "
			    "%u", idx, kinds[k].name, instance, len,
			    HV_STATE_SEC_MAX);
	copy = malloc(len ? len : 1);
	if (!copy)
		return fail(r, -ENOMEM, "out of memory");
	memcpy(copy, body, len);
	r->secs[r->nr++] = (struct hv_state_sec){ kinds[k].sec, instance, len,
						  copy };
	return 0;
}

int hv_recv_stream(struct hv_vm *vm, int fd, char *summary, size_t len)
{
	struct recv r = { .vm = vm, .pages = vm->ram_size / HV_MIG_PAGE };
	struct hv_state_hdr hdr = { .ram_size = vm->ram_size,
				    .nr_vcpus = vm->nr_vcpus };
	struct hv_mig_rd *rd;
	struct hv_mig_ihdr ih;
	struct hv_mig_rec rec;
	char err[256];
	int rc;

	snprintf(r.what, sizeof(r.what), "migration stream (fd %d)", fd);
	rd = hv_mig_rd_new(fd, HV_RECV_STALL_MS);
	r.secs = calloc(HV_STATE_MAX_SECTIONS, sizeof(*r.secs));
	if (!rd || !r.secs) {
		rc = fail(&r, -ENOMEM, "out of memory");
		goto out;
	}
	rc = hv_mig_read_ihdr(rd, &ih, err, sizeof(err));
	if (rc) {
		fail(&r, rc, "%s", err);
		goto out;
	}
	if (ih.ram_size != vm->ram_size || ih.nr_vcpus != vm->nr_vcpus) {
		rc = fail(&r, -EINVAL, "image header: a guest of %llu MiB and "
			  "%u vCPUs, but this one has %llu MiB and %u vCPUs "
			  "(%s%s%s differ)",
			  (unsigned long long)(ih.ram_size >> 20),
			  ih.nr_vcpus, (unsigned long long)(vm->ram_size >> 20),
			  vm->nr_vcpus,
			  ih.ram_size != vm->ram_size ? "RAM size" : "",
			  ih.ram_size != vm->ram_size &&
			  ih.nr_vcpus != vm->nr_vcpus ? " and " : "",
			  ih.nr_vcpus != vm->nr_vcpus ? "vCPUs" : "");
		goto out;
	}
	if (ih.flags & ~HV_STATE_F_ALL) {
		rc = fail(&r, -EINVAL, "image header: unknown flags %#x",
			  ih.flags);
		goto out;
	}
	hdr.flags = ih.flags;
	for (uint32_t idx = 0;; idx++) {
		rc = hv_mig_read_rec(rd, &rec, err, sizeof(err));
		if (rc) {
			fail(&r, rc, "%s", err);
			goto out;
		}
		switch (rec.type) {
		case HV_MIG_PAGE_DATA:
			rc = pages(&r, &rec, idx);
			break;
		case HV_MIG_VM:
		case HV_MIG_CLOCK:
		case HV_MIG_IRQCHIP:
		case HV_MIG_PIT:
		case HV_MIG_VCPU:
		case HV_MIG_DEVICE:
			rc = state_rec(&r, &rec, idx);
			break;
		case HV_MIG_VERIFY:
			if (r.verify || !r.nr)
				rc = fail(&r, -EINVAL, "record %u (VERIFY): "
					  "%s", idx, r.verify ? "a second one"
					  : "before the state records");
			r.verify = 1;
			break;
		case HV_MIG_SENDER_INFO:
			break;
		case HV_MIG_END:
			goto end;
		default:
			rc = fail(&r, -EINVAL, "record %u: unexpected type "
				  "%#x", idx, rec.type);
		}
		if (rc)
			goto out;
	}
end:
	rc = hv_state_check_layout(&hdr, r.secs, r.nr, err, sizeof(err));
	if (rc) {
		fail(&r, rc, "state records: %s", err);
		goto out;
	}
	rc = hv_state_apply(vm, &hdr, r.secs, r.nr, r.what);
	if (!rc)
		snprintf(summary, len, "received %llu MiB of RAM and %u vCPUs "
			 "from %s: %llu bytes%s", 
			 (unsigned long long)(vm->ram_size >> 20), vm->nr_vcpus,
			 r.what, (unsigned long long)hv_mig_rd_bytes(rd),
			 r.verify ? ", every page verified" : "");
out:
	hv_state_secs_free(r.secs, r.nr);
	hv_mig_rd_free(rd);
	return rc;
}
