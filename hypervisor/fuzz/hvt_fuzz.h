/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzz-only helpers (hypervisor/fuzz/): the device models without their
 * I/O threads, so a libFuzzer target runs their request handlers on its
 * own thread, one input at a time.  Never linked into xlhv.
 */
#ifndef HVT_FUZZ_H
#define HVT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct hv_config;
struct hv_device;
struct hv_vm;

/* A VM without KVM: @ram (@size bytes) as its RAM, @cfg as its config. */
void hvt_vm_init(struct hv_vm *vm, struct hv_config *cfg, uint8_t *ram,
		 uint64_t size);
void hvt_vm_dispose(struct hv_vm *vm);

enum hvt_dev_kind {
	HVT_DEV_VBLK = 1,	/* a 64-sector memfd disk */
	HVT_DEV_VNET,		/* a datagram socketpair as the TAP */
	HVT_DEV_VBALLOON,
};

/*
 * Device @kind of @vm, made by its real constructor (cfg is vm->cfg, made
 * writable), its thread stopped.  For vnet *peer is the TAP's other end
 * (the caller closes it), else -1.  Aborts if the device cannot be made.
 */
struct hv_device *hvt_dev_new(struct hv_vm *vm, struct hv_config *cfg,
			      int kind, int *peer);

/*
 * The devices' I/O (or discard) threads.  A target links with
 * --wrap=pthread_create, and hvt_fuzz.c's wrapper starts none of these:
 * the target calls the handlers itself, one input at a time, and no input
 * waits for a thread.  Unthread tells the device so (nothing to join).
 */
extern void *(*const hvt_vblk_thread)(void *);
extern void *(*const hvt_vnet_thread)(void *);
extern void *(*const hvt_vballoon_thread)(void *);
void hvt_vblk_unthread(struct hv_device *dev);
void hvt_vnet_unthread(struct hv_device *dev);
void hvt_vballoon_unthread(struct hv_device *dev);

/* What the I/O thread does when kicked: serve the queues once. */
void hvt_vblk_run(struct hv_device *dev);
void hvt_vnet_run(struct hv_device *dev);
/* Punch the balloon's pending pages (its discard thread's job). */
void hvt_vballoon_run(struct hv_device *dev);
/* The run of device @kind (enum hvt_dev_kind), one of the three above. */
void hvt_dev_run(int kind, struct hv_device *dev);

#endif
