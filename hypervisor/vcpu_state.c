// SPDX-License-Identifier: GPL-2.0
/*
 * One vCPU's whole state as a blob of records {kind, len, data padded to
 * 8 bytes}: registers, segments, FPU and XSAVE, XCRs, every MSR KVM
 * lists, the local APIC, MP state, pending events and debug registers.
 * What this KVM cannot read is left out (and said once); what the blob
 * holds must all be accepted by the restoring KVM.
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv.h"
#include "state.h"

#define MAX_MSRS	1024
#define XSAVE_MAX	(64 * 1024)

enum rec_kind {
	REC_REGS = 1,
	REC_SREGS,
	REC_FPU,
	REC_XSAVE,
	REC_XCRS,
	REC_MSRS,
	REC_LAPIC,
	REC_MP_STATE,
	REC_EVENTS,
	REC_DEBUGREGS,
	REC_MAX,
};

struct rec_hdr {
	uint32_t kind;
	uint32_t len;
};

/* Fixed sizes (0: variable, checked on its own); the required records. */
static const struct {
	const char *name;
	uint32_t size;
	int required;
} recs[REC_MAX] = {
	[REC_REGS] = { "registers", sizeof(struct kvm_regs), 1 },
	[REC_SREGS] = { "segment registers", sizeof(struct kvm_sregs), 1 },
	[REC_FPU] = { "FPU", sizeof(struct kvm_fpu), 0 },
	[REC_XSAVE] = { "XSAVE area", 0, 0 },
	[REC_XCRS] = { "XCRs", sizeof(struct kvm_xcrs), 0 },
	[REC_MSRS] = { "MSRs", 0, 1 },
	[REC_LAPIC] = { "local APIC", sizeof(struct kvm_lapic_state), 0 },
	[REC_MP_STATE] = { "MP state", sizeof(struct kvm_mp_state), 1 },
	[REC_EVENTS] = { "events", sizeof(struct kvm_vcpu_events), 0 },
	[REC_DEBUGREGS] = { "debug registers", sizeof(struct kvm_debugregs),
			    0 },
};

struct blob {
	uint8_t *p;
	size_t len, cap;
};

static int blob_add(struct blob *b, uint32_t kind, const void *data,
		    uint32_t len)
{
	size_t need = sizeof(struct rec_hdr) + ((len + 7) & ~7U);
	struct rec_hdr h = { kind, len };

	if (b->len + need > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 16384) + need;
		uint8_t *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memset(b->p + b->len, 0, need);
	memcpy(b->p + b->len, &h, sizeof(h));
	memcpy(b->p + b->len + sizeof(h), data, len);
	b->len += need;
	return 0;
}

/* The MSRs KVM saves and restores for us, read where readable. */
static int get_msrs(struct hv_vcpu *v, struct blob *b)
{
	struct kvm_msr_list *list = NULL;
	struct kvm_msrs *msrs = NULL;
	uint32_t n = 0;
	int rc = 0, r;

	list = calloc(1, sizeof(*list) + MAX_MSRS * sizeof(uint32_t));
	msrs = calloc(1, sizeof(*msrs) + MAX_MSRS * sizeof(msrs->entries[0]));
	if (!list || !msrs) {
		rc = -ENOMEM;
		goto out;
	}
	list->nmsrs = MAX_MSRS;
	if (ioctl(v->vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
		rc = -errno;
		goto out;
	}
	/* One at a time: an MSR this vCPU refuses is skipped, not fatal. */
	for (uint32_t i = 0; i < list->nmsrs && i < MAX_MSRS; i++) {
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e;
		} one = { .h.nmsrs = 1, .e.index = list->indices[i] };

		r = ioctl(v->fd, KVM_GET_MSRS, &one);
		if (r == 1)
			msrs->entries[n++] = one.e;
	}
	msrs->nmsrs = n;
	rc = blob_add(b, REC_MSRS, msrs, (uint32_t)(sizeof(*msrs) +
				n * sizeof(msrs->entries[0])));
out:
	free(list);
	free(msrs);
	return rc;
}

/* An optional record: a KVM that cannot read it leaves it out. */
static int get_opt(struct hv_vcpu *v, struct blob *b, uint32_t kind,
		   unsigned long req, void *buf, uint32_t len)
{
	if (ioctl(v->fd, req, buf) < 0) {
		if (errno == EINVAL || errno == ENOTTY || errno == ENXIO) {
			if (v->index == 0)
				hv_err("save: this KVM cannot read the %s "
				       "(%s): left out", recs[kind].name,
				       strerror(errno));
			return 0;
		}
		return -errno;
	}
	return blob_add(b, kind, buf, len);
}

int hv_vcpu_state_get(struct hv_vcpu *v, uint8_t **out, size_t *out_len)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_fpu fpu;
		struct kvm_xcrs xcrs;
		struct kvm_lapic_state lapic;
		struct kvm_mp_state mp;
		struct kvm_vcpu_events ev;
		struct kvm_debugregs dr;
	} u;
	struct blob b = { 0 };
	void *xsave = NULL;
	int rc, xsize;

	memset(&u, 0, sizeof(u));
	rc = ioctl(v->fd, KVM_GET_REGS, &u.regs) < 0 ? -errno :
		blob_add(&b, REC_REGS, &u.regs, sizeof(u.regs));
	if (rc)
		goto out;
	memset(&u, 0, sizeof(u));
	rc = ioctl(v->fd, KVM_GET_SREGS, &u.sregs) < 0 ? -errno :
		blob_add(&b, REC_SREGS, &u.sregs, sizeof(u.sregs));
	if (rc)
		goto out;
	rc = get_msrs(v, &b);
	if (rc)
		goto out;
	memset(&u, 0, sizeof(u));
	rc = ioctl(v->fd, KVM_GET_MP_STATE, &u.mp) < 0 ? -errno :
		blob_add(&b, REC_MP_STATE, &u.mp, sizeof(u.mp));
	if (rc)
		goto out;
	memset(&u, 0, sizeof(u));
	rc = get_opt(v, &b, REC_FPU, KVM_GET_FPU, &u.fpu, sizeof(u.fpu));
	if (rc)
		goto out;
	/* XSAVE2 where KVM has it (its size may pass 4 KiB), else XSAVE. */
	xsize = ioctl(v->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (xsize < (int)sizeof(struct kvm_xsave) || xsize > XSAVE_MAX)
		xsize = 0;
	xsave = calloc(1, xsize ? (size_t)xsize : sizeof(struct kvm_xsave));
	if (!xsave) {
		rc = -ENOMEM;
		goto out;
	}
	if (xsize)
		rc = get_opt(v, &b, REC_XSAVE, KVM_GET_XSAVE2, xsave,
			     (uint32_t)xsize);
	else if (ioctl(v->vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0)
		rc = get_opt(v, &b, REC_XSAVE, KVM_GET_XSAVE, xsave,
			     sizeof(struct kvm_xsave));
	if (rc)
		goto out;
	memset(&u, 0, sizeof(u));
	rc = get_opt(v, &b, REC_XCRS, KVM_GET_XCRS, &u.xcrs, sizeof(u.xcrs));
	if (!rc && v->vm->caps.irqchip) {
		memset(&u, 0, sizeof(u));
		rc = get_opt(v, &b, REC_LAPIC, KVM_GET_LAPIC, &u.lapic,
			     sizeof(u.lapic));
	}
	if (!rc) {
		memset(&u, 0, sizeof(u));
		rc = get_opt(v, &b, REC_EVENTS, KVM_GET_VCPU_EVENTS, &u.ev,
			     sizeof(u.ev));
	}
	if (!rc) {
		memset(&u, 0, sizeof(u));
		rc = get_opt(v, &b, REC_DEBUGREGS, KVM_GET_DEBUGREGS, &u.dr,
			     sizeof(u.dr));
	}
out:
	free(xsave);
	if (rc) {
		hv_err("save: vcpu%u: %s", v->index, strerror(-rc));
		free(b.p);
		return rc;
	}
	*out = b.p;
	*out_len = b.len;
	return 0;
}

/* Walk the records: each kind once, sizes exact, the required present. */
int hv_vcpu_state_check(const uint8_t *blob, size_t len, const char **why)
{
	uint32_t seen = 0;
	size_t off = 0;

	while (off < len) {
		struct rec_hdr h;
		size_t padded;

		if (len - off < sizeof(h)) {
			*why = "record header cut short";
			return -EINVAL;
		}
		memcpy(&h, blob + off, sizeof(h));
		off += sizeof(h);
		padded = ((size_t)h.len + 7) & ~(size_t)7;
		if (h.kind == 0 || h.kind >= REC_MAX) {
			*why = "unknown record";
			return -EINVAL;
		}
		if (seen & 1U << h.kind) {
			*why = "a record appears twice";
			return -EINVAL;
		}
		seen |= 1U << h.kind;
		if (padded > len - off) {
			*why = "record longer than its section";
			return -EINVAL;
		}
		if (recs[h.kind].size && h.len != recs[h.kind].size) {
			*why = "record of the wrong size";
			return -EINVAL;
		}
		if (h.kind == REC_XSAVE &&
		    (h.len < sizeof(struct kvm_xsave) || h.len > XSAVE_MAX)) {
			*why = "XSAVE area of the wrong size";
			return -EINVAL;
		}
		if (h.kind == REC_MSRS) {
			struct kvm_msrs m;

			if (h.len < sizeof(m)) {
				*why = "MSR record cut short";
				return -EINVAL;
			}
			memcpy(&m, blob + off, sizeof(m));
			if (m.nmsrs > MAX_MSRS ||
			    h.len != sizeof(m) + m.nmsrs *
				     sizeof(struct kvm_msr_entry)) {
				*why = "MSR count does not match its record";
				return -EINVAL;
			}
		}
		off += padded;
	}
	for (unsigned int k = 1; k < REC_MAX; k++) {
		if (recs[k].required && !(seen & 1U << k)) {
			*why = "a required record is missing";
			return -EINVAL;
		}
	}
	return 0;
}

static const void *find(const uint8_t *blob, size_t len, uint32_t kind,
			uint32_t *rlen)
{
	size_t off = 0;

	while (off + sizeof(struct rec_hdr) <= len) {
		struct rec_hdr h;

		memcpy(&h, blob + off, sizeof(h));
		if (h.kind == kind) {
			*rlen = h.len;
			return blob + off + sizeof(h);
		}
		off += sizeof(h) + (((size_t)h.len + 7) & ~(size_t)7);
	}
	return NULL;
}

/* Copy a record into an aligned buffer and hand it to KVM. */
static int set_rec(struct hv_vcpu *v, const uint8_t *blob, size_t len,
		   uint32_t kind, unsigned long req, size_t bufsize)
{
	const void *p;
	uint32_t rlen;
	void *buf;
	int rc = 0;

	p = find(blob, len, kind, &rlen);
	if (!p)
		return 0;
	if (rlen > bufsize)
		return -E2BIG;
	buf = calloc(1, bufsize);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, p, rlen);
	if (ioctl(v->fd, req, buf) < 0)
		rc = -errno;
	free(buf);
	return rc;
}

static int set_msrs(struct hv_vcpu *v, const uint8_t *blob, size_t len,
		    const char **why)
{
	struct kvm_msrs *m;
	uint32_t rlen = 0;
	const void *p;
	int r, rc = 0;

	p = find(blob, len, REC_MSRS, &rlen);
	if (!p) {
		*why = "no MSRs";
		return -EINVAL;
	}
	m = malloc(rlen);
	if (!m)
		return -ENOMEM;
	memcpy(m, p, rlen);
	/*
	 * KVM stops at the first MSR it refuses.  One it refuses to set to
	 * the value it already holds (an async-PF MSR without an in-kernel
	 * LAPIC, say) loses nothing: skip it.  Any other is an error.
	 */
	for (uint32_t done = 0; done < m->nmsrs && !rc;) {
		struct kvm_msrs *rest = (struct kvm_msrs *)
			((uint8_t *)m + done * sizeof(m->entries[0]));
		uint32_t n = m->nmsrs - done;
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e;
		} one = { .h.nmsrs = 1 };

		/* Overlays the entries already set with a count header. */
		rest->nmsrs = n;
		rest->pad = 0;
		r = ioctl(v->fd, KVM_SET_MSRS, rest);
		if (r < 0) {
			rc = -errno;
			break;
		}
		done += (uint32_t)r;
		if (done == m->nmsrs)
			break;
		one.e.index = m->entries[done].index;
		if (ioctl(v->fd, KVM_GET_MSRS, &one) == 1 &&
		    one.e.data == m->entries[done].data) {
			done++;
			continue;
		}
		hv_err("vcpu%u: KVM refused MSR %#x = %#llx", v->index,
		       m->entries[done].index,
		       (unsigned long long)m->entries[done].data);
		rc = -EINVAL;
	}
	if (rc)
		*why = "KVM_SET_MSRS";
	free(m);
	return rc;
}

int hv_vcpu_state_set(struct hv_vcpu *v, const uint8_t *blob, size_t len,
		      const char **why)
{
	static const struct {
		uint32_t kind;
		unsigned long req;
		const char *name;
		size_t size;
	} order[] = {
		/* Segments and control registers before what needs them. */
		{ REC_SREGS, KVM_SET_SREGS, "KVM_SET_SREGS",
		  sizeof(struct kvm_sregs) },
		{ REC_REGS, KVM_SET_REGS, "KVM_SET_REGS",
		  sizeof(struct kvm_regs) },
		{ REC_XCRS, KVM_SET_XCRS, "KVM_SET_XCRS",
		  sizeof(struct kvm_xcrs) },
		{ REC_FPU, KVM_SET_FPU, "KVM_SET_FPU", sizeof(struct kvm_fpu) },
		{ REC_XSAVE, KVM_SET_XSAVE, "KVM_SET_XSAVE", XSAVE_MAX },
		{ 0, 0, NULL, 0 },	/* MSRs: APIC base before the LAPIC */
		{ REC_LAPIC, KVM_SET_LAPIC, "KVM_SET_LAPIC",
		  sizeof(struct kvm_lapic_state) },
		{ REC_MP_STATE, KVM_SET_MP_STATE, "KVM_SET_MP_STATE",
		  sizeof(struct kvm_mp_state) },
		{ REC_EVENTS, KVM_SET_VCPU_EVENTS, "KVM_SET_VCPU_EVENTS",
		  sizeof(struct kvm_vcpu_events) },
		{ REC_DEBUGREGS, KVM_SET_DEBUGREGS, "KVM_SET_DEBUGREGS",
		  sizeof(struct kvm_debugregs) },
	};
	uint32_t rlen;
	int rc;

	rc = hv_vcpu_state_check(blob, len, why);
	if (rc)
		return rc;
	if (find(blob, len, REC_LAPIC, &rlen) && !v->vm->caps.irqchip) {
		*why = "a local APIC was saved, but this VM has no irqchip";
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!order[i].kind) {
			rc = set_msrs(v, blob, len, why);
			if (rc)
				return rc;
			continue;
		}
		rc = set_rec(v, blob, len, order[i].kind, order[i].req,
			     order[i].size);
		if (rc) {
			*why = order[i].name;
			return rc;
		}
	}
	return 0;
}
