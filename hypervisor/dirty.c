// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-page logging, the base of live migration's pre-copy: a memory
 * slot re-registered with KVM_MEM_LOG_DIRTY_PAGES makes KVM note every
 * page the guest writes; KVM_GET_DIRTY_LOG hands over the bitmap and
 * starts a new round.  Where KVM offers KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2
 * it is enabled and each read is followed by KVM_CLEAR_DIRTY_LOG of what
 * was read (re-protecting only those pages); otherwise KVM_GET_DIRTY_LOG
 * clears the bitmap itself.  Either way a read shows only later writes.
 *
 * KVM sees only what the vCPUs write.  The device models write guest RAM
 * from their own threads (a disk read into a buffer, a used ring entry),
 * so they mark those pages here (hv_dirty_mark) and each read merges them.
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv.h"
#include "state.h"

size_t hv_dirty_bitmap_len(const struct hv_vm *vm, unsigned int slot)
{
	uint64_t pages = vm->ram_size / HV_STATE_PAGE;

	if (slot >= HV_DIRTY_NR_SLOTS)
		return 0;
	/* KVM fills whole longs. */
	return (size_t)((pages + 63) / 64 * 8);
}

int hv_dirty_log_enable(struct hv_vm *vm, unsigned int slot, int on)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = on ? KVM_MEM_LOG_DIRTY_PAGES : 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};

	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
	};
	int r;

	if (slot >= HV_DIRTY_NR_SLOTS)
		return -EINVAL;
	if (on && !vm->dirty_manual) {
		/* before logging starts: KVM protects every page then */
		r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION,
			  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
		cap.args[0] = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;
		if (r > 0 && r & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE &&
		    ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) == 0)
			vm->dirty_manual = 1;
	}
	if (on && !vm->dev_dirty) {
		vm->dev_dirty = calloc(1, hv_dirty_bitmap_len(vm, slot));
		if (!vm->dev_dirty)
			return -ENOMEM;
	}
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	/* on: before the first read, so no device write goes unseen */
	__atomic_store_n(&vm->dev_dirty_on, on, __ATOMIC_SEQ_CST);
	if (!on && vm->dirty_manual) {
		cap.args[0] = 0;
		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) == 0)
			vm->dirty_manual = 0;
	}
	return 0;
}

int hv_dirty_log_get(struct hv_vm *vm, unsigned int slot, uint64_t *bitmap,
		     size_t len)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	if (slot >= HV_DIRTY_NR_SLOTS || len < hv_dirty_bitmap_len(vm, slot))
		return -EINVAL;
	memset(bitmap, 0, len);
	/* ENOENT: logging is off for this slot. */
	if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	if (vm->dirty_manual) {
		struct kvm_clear_dirty_log clear = {
			.slot = slot, .first_page = 0,
			.num_pages = (uint32_t)(vm->ram_size / HV_STATE_PAGE),
			.dirty_bitmap = bitmap,
		};

		if (ioctl(vm->vm_fd, KVM_CLEAR_DIRTY_LOG, &clear) < 0)
			return -errno;
	}
	/* after the clear: KVM is told only of its own bits */
	if (vm->dev_dirty)
		for (size_t i = 0; i < hv_dirty_bitmap_len(vm, slot) / 8; i++)
			bitmap[i] |= __atomic_exchange_n(&vm->dev_dirty[i], 0,
							 __ATOMIC_ACQ_REL);
	return 0;
}

void hv_dirty_mark(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t first, last;

	if (!len || !__atomic_load_n(&vm->dev_dirty_on, __ATOMIC_ACQUIRE) ||
	    gpa >= vm->ram_size)
		return;
	if (len > vm->ram_size - gpa)
		len = vm->ram_size - gpa;
	first = gpa / HV_STATE_PAGE;
	last = (gpa + len - 1) / HV_STATE_PAGE;
	for (uint64_t p = first; p <= last; p++)
		__atomic_fetch_or(&vm->dev_dirty[p / 64], 1ULL << (p % 64),
				  __ATOMIC_RELEASE);
}
