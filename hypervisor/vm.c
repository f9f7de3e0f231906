// SPDX-License-Identifier: GPL-2.0
/* The VM: KVM fds, memfd-backed RAM, in-kernel interrupt chips, stopping. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "console.h"
#include "dev/devices.h"
#include "hv.h"

/* Where KVM puts its three-page TSS and identity page: above RAM and MMIO. */
#define HV_TSS_ADDR	0xfffbd000ULL
#define HV_IDMAP_ADDR	0xfffbc000ULL

void *hv_gpa_ptr(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	if (!vm->ram || gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

static int check_ext(int fd, long ext)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, ext);

	return r < 0 ? 0 : r;
}

static void caps_fill(int fd, struct hv_caps *caps)
{
	caps->nr_vcpus = check_ext(fd, KVM_CAP_NR_VCPUS);
	caps->max_vcpus = check_ext(fd, KVM_CAP_MAX_VCPUS);
	if (!caps->max_vcpus)
		caps->max_vcpus = caps->nr_vcpus;
	caps->irqchip = check_ext(fd, KVM_CAP_IRQCHIP) > 0;
	caps->pit = check_ext(fd, KVM_CAP_PIT2) > 0;
	caps->tsc_control = check_ext(fd, KVM_CAP_TSC_CONTROL) > 0;
	caps->immediate_exit = check_ext(fd, KVM_CAP_IMMEDIATE_EXIT) > 0;
}

static int kvm_open(const char *path, int *fd_out, int *api)
{
	int fd, r;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		close(fd);
		return -ENOTSUP;
	}
	*api = r;
	*fd_out = fd;
	return 0;
}

int hv_caps_probe(const char *kvm_path, struct hv_caps *caps)
{
	struct hv_caps c = { 0 };
	int rc, fd = -1;

	rc = kvm_open(kvm_path, &fd, &c.api_version);
	if (rc)
		return rc;
	caps_fill(fd, &c);
	close(fd);
	*caps = c;
	return 0;
}

static int ram_create(struct hv_vm *vm)
{
	struct kvm_userspace_memory_region region;
	void *p;

	/* RAM is the most the guest may have; the balloon holds the rest. */
	vm->ram_size = (vm->cfg->maxmem_mb > vm->cfg->mem_mb ?
				vm->cfg->maxmem_mb : vm->cfg->mem_mb) << 20;
	vm->mem_fd = memfd_create("xlhv-ram", MFD_CLOEXEC);
	if (vm->mem_fd < 0)
		return -errno;
	if (ftruncate(vm->mem_fd, (off_t)vm->ram_size) < 0)
		return -errno;
	p = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_NORESERVE, vm->mem_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	vm->ram = p;
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

/*
 * The in-kernel PIC/IOAPIC/LAPIC and PIT where KVM offers them; without
 * them HLT exits to us and the guest simply gets no interrupts.
 */
static void irqchip_create(struct hv_vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t idmap = HV_IDMAP_ADDR;

	/* Only the Intel flavour needs these; elsewhere they are no-ops. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)HV_TSS_ADDR) < 0)
		hv_err("KVM_SET_TSS_ADDR: %s (continuing)", strerror(errno));
	if (vm->flavour == HV_KVM_VMX &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		hv_err("KVM_SET_IDENTITY_MAP_ADDR: %s (continuing)",
		       strerror(errno));

	if (vm->caps.irqchip && ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		hv_err("KVM_CREATE_IRQCHIP: %s: running without an in-kernel "
		       "irqchip", strerror(errno));
		vm->caps.irqchip = 0;
	}
	if (!vm->caps.irqchip)
		vm->caps.pit = 0;
	if (vm->caps.pit && ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		hv_err("KVM_CREATE_PIT2: %s: running without a PIT",
		       strerror(errno));
		vm->caps.pit = 0;
	}
}

struct hv_vm *hv_vm_new(const struct hv_config *cfg, const char **why)
{
	struct hv_vm *vm;
	int rc;

	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		*why = "allocate the VM";
		return NULL;
	}
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = vm->mem_fd = vm->stop_efd = -1;
	vm->console_fd = cfg->console_fd;
	vm->flavour = hv_kvm_flavour_detect("");
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stop_cond, NULL);

	*why = cfg->kvm_path;
	rc = kvm_open(cfg->kvm_path, &vm->kvm_fd, &vm->caps.api_version);
	if (rc)
		goto out;
	caps_fill(vm->kvm_fd, &vm->caps);
	if (cfg->no_irqchip)
		vm->caps.irqchip = vm->caps.pit = 0;
	*why = "KVM_GET_VCPU_MMAP_SIZE";
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (long)sizeof(struct kvm_run)) {
		rc = vm->run_size < 0 ? -errno : -EINVAL;
		goto out;
	}
	*why = "KVM_CREATE_VM";
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		rc = -errno;
		goto out;
	}
	fcntl(vm->vm_fd, F_SETFD, FD_CLOEXEC);
	*why = "eventfd";
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0) {
		rc = -errno;
		goto out;
	}
	*why = "create guest RAM";
	rc = ram_create(vm);
	if (rc)
		goto out;
	irqchip_create(vm);
	*why = NULL;		/* a failing device reports itself */
	rc = hv_devices_create(vm);
out:
	if (rc) {
		hv_vm_free(vm);
		errno = -rc;
		return NULL;
	}
	return vm;
}

void hv_vm_free(struct hv_vm *vm)
{
	if (!vm)
		return;
	hv_vm_throttle(vm, 0);
	hv_vcpus_stop(vm);
	hv_console_stop(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	hv_devices_destroy(vm);
	free(vm->dev_dirty);
	hv_bus_dispose(&vm->pio);
	hv_bus_dispose(&vm->mmio);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->mem_fd >= 0)
		close(vm->mem_fd);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	pthread_cond_destroy(&vm->stop_cond);
	pthread_mutex_destroy(&vm->stop_lock);
	free(vm);
}

void hv_vm_request_stop(struct hv_vm *vm, enum hv_stop why)
{
	uint64_t one = 1;
	ssize_t r;

	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop == HV_RUNNING)
		vm->stop = why;
	pthread_cond_broadcast(&vm->stop_cond);
	pthread_mutex_unlock(&vm->stop_lock);
	if (vm->stop_efd >= 0) {
		r = write(vm->stop_efd, &one, sizeof(one));
		(void)r;	/* a full counter already wakes the reader */
	}
}

enum hv_stop hv_vm_stopped(struct hv_vm *vm)
{
	enum hv_stop s;

	pthread_mutex_lock(&vm->stop_lock);
	s = vm->stop;
	pthread_mutex_unlock(&vm->stop_lock);
	return s;
}

int hv_vm_irq_line(struct hv_vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (!vm->caps.irqchip || vm->vm_fd < 0)
		return -ENODEV;
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return -errno;
	return 0;
}

int hv_stop_exit_code(enum hv_stop why)
{
	switch (why) {
	case HV_STOP_POWEROFF:
		return HV_EXIT_POWEROFF;
	case HV_STOP_REBOOT:
		return HV_EXIT_REBOOT;
	case HV_STOP_CRASH:
		return HV_EXIT_CRASH;
	case HV_STOP_SIGNAL:
		return HV_EXIT_SIGNAL;
	case HV_RUNNING:
	case HV_STOP_ERROR:
		break;
	}
	return HV_EXIT_FAILURE;
}
