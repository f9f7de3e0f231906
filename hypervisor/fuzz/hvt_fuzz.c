// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz-only: a VM without KVM and its devices (hvt_fuzz.h), and
 * stand-ins for what vm.c links against but a fuzz target never runs:
 * creating and freeing a real VM (reaching one is a bug in the target:
 * abort), and the sandbox (sandbox.c, libseccomp), which a thread enters
 * as it starts: a no-op here.  pthread_create is wrapped (linked with
 * --wrap=pthread_create) so that the devices' threads never start.  Guest
 * RAM, hv_gpa_ptr and the interrupt line (a no-op without a VM fd) are
 * vm.c's own.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "dev/devices.h"
#include "hv.h"
#include "sandbox.h"
#include "fuzz/hvt_fuzz.h"

#define DISK_SECTORS	64

int hv_devices_create(struct hv_vm *vm)
{
	(void)vm;
	abort();
}

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);

/* The devices' threads are not started (hvt_fuzz.h); any other is. */
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	if (fn == hvt_vblk_thread || fn == hvt_vnet_thread ||
	    fn == hvt_vballoon_thread) {
		memset(thread, 0, sizeof(*thread));
		return 0;
	}
	return __real_pthread_create(thread, attr, fn, arg);
}

/* The device threads would enter the sandbox: none here. */
void hv_sandbox_thread(void)
{
}

void hv_devices_destroy(struct hv_vm *vm)
{
	(void)vm;
	abort();
}

int hv_vm_throttle(struct hv_vm *vm, unsigned int pct)
{
	(void)vm;
	(void)pct;
	abort();
}

void hv_vcpus_stop(struct hv_vm *vm)
{
	(void)vm;
	abort();
}

void hv_console_stop(struct hv_vm *vm)
{
	(void)vm;
	abort();
}

void hvt_vm_init(struct hv_vm *vm, struct hv_config *cfg, uint8_t *ram,
		 uint64_t size)
{
	memset(vm, 0, sizeof(*vm));
	memset(cfg, 0, sizeof(*cfg));
	vm->cfg = cfg;
	vm->ram = ram;
	vm->ram_size = size;
	vm->vm_fd = vm->kvm_fd = vm->stop_efd = vm->console_fd = -1;
	/* What the balloon punches holes in. */
	vm->mem_fd = memfd_create("hvt_fuzz_ram", MFD_CLOEXEC);
	if (vm->mem_fd < 0 || ftruncate(vm->mem_fd, (off_t)size) < 0)
		abort();
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);
}

void hvt_vm_dispose(struct hv_vm *vm)
{
	close(vm->mem_fd);
	vm->mem_fd = -1;
	pthread_cond_destroy(&vm->stop_cond);
	pthread_mutex_destroy(&vm->stop_lock);
}

struct hv_device *hvt_dev_new(struct hv_vm *vm, struct hv_config *cfg,
			      int kind, int *peer)
{
	static char path[64];
	struct hv_device *dev = NULL;
	char sector[512];
	int fd, sv[2];

	*peer = -1;
	switch (kind) {
	case HVT_DEV_VBLK:
		fd = memfd_create("hvt_fuzz_disk", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		for (int i = 0; i < DISK_SECTORS; i++) {
			memset(sector, 'a' + i % 26, sizeof(sector));
			if (write(fd, sector, sizeof(sector)) != 512)
				abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		cfg->disk[0] = (struct hv_disk_cfg){ .path = path };
		cfg->nr_disks = 1;
		dev = hv_vblk_new(vm, 0);
		close(fd);
		if (dev)
			hvt_vblk_unthread(dev);
		break;
	case HVT_DEV_VNET:
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
			abort();
		cfg->net[0] = (struct hv_net_cfg){
			.mac = { 0x52, 0x54, 0, 1, 2, 3 }, .fd = sv[0],
		};
		memcpy(cfg->net[0].tap, "fuzz0", 6);
		cfg->nr_nets = 1;
		dev = hv_vnet_new(vm, 0);
		close(sv[0]);
		*peer = sv[1];
		if (dev)
			hvt_vnet_unthread(dev);
		break;
	case HVT_DEV_VBALLOON:
		/*
		 * The target is all of RAM (the guest's driver reads it; the
		 * page lists are served whatever it is): a smaller one would be
		 * below the monitor's minimum in these small VMs, and a saved
		 * state with it would not load.
		 */
		cfg->mem_mb = vm->ram_size >> 20;
		dev = hv_vballoon_new(vm);
		if (dev)
			hvt_vballoon_unthread(dev);
		break;
	}
	if (!dev)
		abort();
	return dev;
}

void hvt_dev_run(int kind, struct hv_device *dev)
{
	switch (kind) {
	case HVT_DEV_VBLK:
		hvt_vblk_run(dev);
		break;
	case HVT_DEV_VNET:
		hvt_vnet_run(dev);
		break;
	case HVT_DEV_VBALLOON:
		hvt_vballoon_run(dev);
		break;
	}
}
