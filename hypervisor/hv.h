/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor core: one KVM VM, its RAM, its vCPUs and why it stopped.
 * All state hangs off struct hv_vm (no globals), so a test may build
 * several.  Functions return 0 or -errno unless they say otherwise.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "io.h"
#include "kvm_flavour.h"

/* `xlhv run` exit status (man/xlhv.8, "EXIT STATUS"). */
enum hv_exit {
	HV_EXIT_POWEROFF = 0,
	HV_EXIT_FAILURE = 1,	/* the monitor or the host failed */
	HV_EXIT_CONFIG = 2,	/* bad configuration or usage */
	HV_EXIT_REBOOT = 3,
	HV_EXIT_CRASH = 4,
	HV_EXIT_SIGNAL = 5,	/* SIGTERM, SIGINT, SIGHUP: torn down */
};

/* Why the VM stopped; the first reason recorded wins. */
enum hv_stop {
	HV_RUNNING = 0,
	HV_STOP_POWEROFF,
	HV_STOP_REBOOT,
	HV_STOP_CRASH,
	HV_STOP_ERROR,		/* host-side failure */
	HV_STOP_SIGNAL,
};

#define HV_MEM_MIN_MB		4
#define HV_MEM_MAX_MB		3072	/* RAM ends below the 3 GiB hole */
#define HV_MEM_DEFAULT_MB	16

/* --net: a virtio-net device on a TAP (dev/vnet.c, dev/vnet.h). */
#define HV_NET_MAX		8
#define HV_NET_NAME_MAX		16	/* IFNAMSIZ, with the NUL */

struct hv_net_cfg {
	char tap[HV_NET_NAME_MAX];	/* the existing TAP device */
	uint8_t mac[6];
	int fd;			/* >= 0: use this open TAP-like fd instead */
};

/*
 * --disk/--disk-ro: a virtio-blk device each (dev/vblk.c), on virtio-mmio
 * slot HV_ABI_VIRTIO_DISK_SLOT(n) for the n-th (guest_abi.h).
 */
#define HV_DISK_MAX		8

struct hv_disk_cfg {
	const char *path;	/* backing file or block device */
	int ro;			/* offer it read-only */
};

struct hv_config {
	const char *kernel;	/* path of the ELF image or Linux kernel */
	const char *ramdisk;	/* Linux initrd, or NULL */
	const char *cmdline;	/* may be NULL */
	const char *kvm_path;	/* "/dev/kvm" unless XLHV_KVM_DEVICE */
	struct hv_disk_cfg disk[HV_DISK_MAX];	/* the guest's order */
	unsigned int nr_disks;
	struct hv_net_cfg net[HV_NET_MAX];	/* virtio-mmio slots 1.. */
	unsigned int nr_nets;
	int no_irqchip;		/* XLHV_IRQCHIP=0: as if KVM had none */
	uint64_t mem_mb;	/* the balloon's first target (--memory) */
	uint64_t maxmem_mb;	/* guest RAM if over mem_mb (--maxmem) */
	unsigned int nr_vcpus;
	unsigned int max_vcpus;	/* possible (--maxvcpus); 0: nr_vcpus */
	int console_fd;		/* where UART output goes */
};

/* How many vCPUs @cfg's VM may ever have: KVM has all of them. */
static inline unsigned int hv_config_max_vcpus(const struct hv_config *cfg)
{
	return cfg->max_vcpus > cfg->nr_vcpus ? cfg->max_vcpus :
						cfg->nr_vcpus;
}

/* What this KVM offers, probed once; `xlhv info` prints it. */
struct hv_caps {
	int api_version;
	int nr_vcpus;		/* recommended */
	int max_vcpus;
	int irqchip;
	int pit;
	int tsc_control;
	int immediate_exit;
};

struct hv_vcpu {
	struct hv_vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
	pid_t tid;		/* the thread's, once it runs (0 before) */
	uint64_t cpu_ns_final;	/* the thread's CPU time when it ended */
	int throttle_kicked;	/* kicked by the throttle: sleep, then run */
};

struct hv_vm {
	const struct hv_config *cfg;
	enum hv_kvm_flavour flavour;
	struct hv_caps caps;
	int kvm_fd;
	int vm_fd;
	long run_size;

	int mem_fd;		/* memfd backing guest RAM */
	uint8_t *ram;
	uint64_t ram_size;

	struct hv_bus pio;
	struct hv_bus mmio;
	struct hv_device **devs;	/* in creation order */
	size_t nr_devs;

	struct hv_vcpu *vcpus;
	unsigned int nr_vcpus;

	/* Stopping: reason under stop_lock, stop_efd wakes the main thread. */
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	enum hv_stop stop;
	int stop_efd;
	/* Pausing, also under stop_lock: vCPUs park until unpaused. */
	int paused;
	unsigned int nr_parked;

	unsigned int unhandled_io;	/* logged only for the first few */
	int console_fd;
	struct hv_console *console;	/* console input, if started */

	/* boot.c: the kernel and ramdisk, open (hv_boot_open) until loaded */
	struct hv_boot_files {
		int open;	/* 0: hv_boot_load opens them itself */
		int kernel, ramdisk;	/* -1: none */
		uint64_t kernel_size, ramdisk_size;
	} boot_files;
	int boot_kind;		/* enum hv_boot_kind (boot_linux.h) */
	uint64_t boot_arg;	/* Linux: boot_params or hvm_start_info */

	/* dirty.c: KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 is enabled. */
	int dirty_manual;
	/*
	 * dirty.c: pages the device models wrote (virtqueue buffers and used
	 * rings), which KVM's log cannot see: set with atomics while
	 * dev_dirty_on, allocated at the first enable, freed with the VM.
	 */
	uint64_t *dev_dirty;
	int dev_dirty_on;
	/* vcpu.c: auto-converge, vCPUs sleep throttle_pct % of each 10 ms. */
	unsigned int throttle_pct;
	int throttle_started;
	pthread_t throttle_thread;
};

/*
 * Host pointer to guest-physical [gpa, gpa + len), or NULL if any byte of
 * it lies outside guest RAM.  The only way to touch guest memory.
 */
void *hv_gpa_ptr(struct hv_vm *vm, uint64_t gpa, uint64_t len);

/* Probe /dev/kvm (cfg->kvm_path) without creating a VM. */
int hv_caps_probe(const char *kvm_path, struct hv_caps *caps);

/*
 * Create the VM: KVM fd, memfd RAM, in-kernel irqchip and PIT where KVM
 * has them, devices.  On failure everything done is undone.  Returns NULL
 * with errno set; *why names the step that failed.
 */
struct hv_vm *hv_vm_new(const struct hv_config *cfg, const char **why);
void hv_vm_free(struct hv_vm *vm);

/* Record why the VM stops (the first caller wins) and wake the waiters. */
void hv_vm_request_stop(struct hv_vm *vm, enum hv_stop why);
enum hv_stop hv_vm_stopped(struct hv_vm *vm);

/*
 * Drive ISA interrupt line @irq of the in-kernel irqchip to @level.
 * -ENODEV without an irqchip (the guest then polls).
 */
int hv_vm_irq_line(struct hv_vm *vm, unsigned int irq, int level);

/* Map a stop reason to the exit status of `xlhv run`. */
int hv_stop_exit_code(enum hv_stop why);

/* vcpu.c: create vCPUs, start their threads, kick and join them. */
int hv_vcpus_create(struct hv_vm *vm);
int hv_vcpus_start(struct hv_vm *vm);
void hv_vcpus_stop(struct hv_vm *vm);

/*
 * Pause: every vCPU leaves KVM_RUN and parks; returns once all have (or
 * the VM stopped).  Unpause releases them.  Both are idempotent.
 */
void hv_vm_pause(struct hv_vm *vm);
void hv_vm_unpause(struct hv_vm *vm);

/*
 * Auto-converge: every 10 ms a throttle thread kicks each vCPU out of
 * KVM_RUN and the vCPU sleeps @pct % of that slice (0 stops the thread,
 * at most 99).  Live migration's answer to a guest that dirties memory
 * faster than the link takes it.
 */
int hv_vm_throttle(struct hv_vm *vm, unsigned int pct);

/*
 * Press the ACPI power button: the guest decides what to do (power off,
 * as Linux does by default).  -EOPNOTSUPP if the guest never enabled ACPI.
 */
int hv_vm_power_button(struct hv_vm *vm);

/*
 * ACPI CPU hotplug (dev/cpuhp.c): have vCPUs 0..@online-1 present, the
 * rest removed.  New ones are announced to the guest at once; removed
 * ones go once the guest ejects them.  -ERANGE outside 1..max vCPUs,
 * -EOPNOTSUPP if the guest has no handler for the hotplug GPE (a test
 * guest), -ENODEV without the device.
 */
int hv_vm_set_vcpus(struct hv_vm *vm, unsigned int online);
/* The vCPUs present (the guest's "online" in Xen's sense). */
unsigned int hv_vm_vcpus_online(struct hv_vm *vm);

/*
 * 1 if every vCPU is halted waiting for an interrupt (its thread asleep
 * in KVM_RUN or in halt_until_stop), else 0.  A sample of the moment,
 * read from /proc: cheap enough for each INFO, not for a hot path.
 */
int hv_vm_halted(struct hv_vm *vm);

/* CPU time the vCPU threads have used, in nanoseconds. */
uint64_t hv_vm_cpu_time_ns(struct hv_vm *vm);

/* boot.c: page tables, GDT, boot info, command line; vCPU entry state. */
int hv_boot_setup(struct hv_vm *vm);
int hv_boot_vcpu(struct hv_vcpu *vcpu, uint64_t entry);
/*
 * Load cfg->kernel (a test guest, a bzImage or a PVH vmlinux) and
 * cfg->ramdisk; says what is wrong itself, naming the file.  -ENOMEM or
 * -EIO: the host failed; anything else: a configuration error.
 */
int hv_boot_load(struct hv_vm *vm, uint64_t *entry);
/*
 * Open cfg->kernel and cfg->ramdisk now, for hv_boot_load to read later
 * (in the sandbox, which opens no file a guest's config names).  The
 * same errors, said the same way.
 */
int hv_boot_open(struct hv_vm *vm);
/* Close what hv_boot_open opened, if hv_boot_load did not. */
void hv_boot_close(struct hv_vm *vm);

/* arch/x86/cpuid.c: what the guest sees of CPUID. */
int hv_cpuid_setup(struct hv_vcpu *vcpu);

/* log.c: "xlhv: " + message + newline on stderr. */
void hv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
