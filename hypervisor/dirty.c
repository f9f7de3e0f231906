// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-page logging, the base of live migration's pre-copy: a memory
 * slot re-registered with KVM_MEM_LOG_DIRTY_PAGES makes KVM note every
 * page the guest writes; KVM_GET_DIRTY_LOG hands over the bitmap and
 * starts a new round (without KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 enabled,
 * reading it also clears it and write-protects the pages again).
 */
#include "config.h"

#include <errno.h>
#include <linux/kvm.h>
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

	if (slot >= HV_DIRTY_NR_SLOTS)
		return -EINVAL;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
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
	return 0;
}
