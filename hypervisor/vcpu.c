// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one thread each, running KVM_RUN and handing exits to the bus.
 * A vCPU is stopped by setting immediate_exit and sending HV_KICK_SIGNAL,
 * whose empty handler only makes KVM_RUN return EINTR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hv.h"
#include "sandbox.h"

#define HV_KICK_SIGNAL		SIGUSR1
#define HV_UNHANDLED_LOG_MAX	8

static void kick_handler(int sig)
{
	(void)sig;
}

int hv_vcpus_create(struct hv_vm *vm)
{
	/* every possible vCPU: hot-added ones wait in KVM for INIT/SIPI */
	unsigned int n = hv_config_max_vcpus(vm->cfg);
	struct hv_vcpu *v;

	vm->vcpus = calloc(n, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		vm->vcpus[i].fd = -1;
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
	}
	vm->nr_vcpus = n;
	for (unsigned int i = 0; i < n; i++) {
		void *p;

		v = &vm->vcpus[i];
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (v->fd < 0)
			return -errno;
		p = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, v->fd, 0);
		if (p == MAP_FAILED)
			return -errno;
		v->run = p;
	}
	return 0;
}

/* Log the first few accesses no device claims; a guest may spray them. */
static void unhandled(struct hv_vm *vm, const char *bus, uint64_t addr,
		      unsigned int len, int is_write)
{
	unsigned int n = __atomic_fetch_add(&vm->unhandled_io, 1,
					    __ATOMIC_RELAXED);

	if (n < HV_UNHANDLED_LOG_MAX)
		hv_err("guest %s %s %#llx (%u bytes) hit no device%s", bus,
		       is_write ? "write to" : "read from",
		       (unsigned long long)addr, len,
		       n + 1 == HV_UNHANDLED_LOG_MAX ? "; not logging more" :
						       "");
}

static int exit_io(struct hv_vcpu *v)
{
	struct kvm_run *run = v->run;
	int is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint64_t span = (uint64_t)run->io.size * run->io.count;
	uint8_t *data;
	int rc;

	/* KVM's values, but a bad offset would let us scribble past kvm_run. */
	if (run->io.data_offset > (uint64_t)v->vm->run_size ||
	    span > (uint64_t)v->vm->run_size - run->io.data_offset)
		return -EFAULT;
	data = (uint8_t *)run + run->io.data_offset;
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		rc = hv_bus_dispatch(&v->vm->pio, run->io.port, data,
				     run->io.size, is_write);
		if (rc == -ENODEV)
			unhandled(v->vm, "port", run->io.port, run->io.size,
				  is_write);
		else if (rc)
			return rc;
	}
	return 0;
}

static int exit_mmio(struct hv_vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned int len = run->mmio.len;
	int rc;

	if (len > sizeof(run->mmio.data))
		return -EFAULT;
	rc = hv_bus_dispatch(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			     len, run->mmio.is_write);
	if (rc == -ENODEV) {
		unhandled(v->vm, "MMIO", run->mmio.phys_addr, len,
			  run->mmio.is_write);
		rc = 0;
	}
	return rc;
}

/* Called with stop_lock held: wait, counted as parked, while paused. */
static void park_locked(struct hv_vm *vm)
{
	vm->nr_parked++;
	pthread_cond_broadcast(&vm->stop_cond);
	while (vm->paused && vm->stop == HV_RUNNING)
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	vm->nr_parked--;
}

/*
 * No in-kernel irqchip: nothing can wake a halted vCPU but the end.  A
 * halted vCPU is as still as a parked one, so a pause counts it too.
 */
static void halt_until_stop(struct hv_vm *vm)
{
	pthread_mutex_lock(&vm->stop_lock);
	while (vm->stop == HV_RUNNING) {
		if (vm->paused)
			park_locked(vm);
		else
			pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

static enum hv_stop handle_exit(struct hv_vcpu *v);

/*
 * An I/O or MMIO exit is complete (the guest's registers hold its result)
 * only once KVM_RUN is entered again.  Enter it with immediate_exit set,
 * which finishes the access and returns before any guest instruction,
 * so a parked vCPU's state can be saved whole.
 */
static void complete_pending(struct hv_vcpu *v)
{
	for (int i = 0; i < 16; i++) {
		enum hv_stop why;

		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (ioctl(v->fd, KVM_RUN, 0) < 0)
			return;		/* EINTR: nothing left pending */
		why = handle_exit(v);
		if (why != HV_RUNNING) {
			hv_vm_request_stop(v->vm, why);
			return;
		}
	}
}

/*
 * Kicked by the throttle: sleep its share of the slice, then clear the
 * kick's immediate_exit unless a pause came meanwhile (a pause sets
 * paused under stop_lock before it kicks, so it is seen here or kicks
 * again after).
 */
static void throttle_sleep(struct hv_vcpu *v)
{
	struct hv_vm *vm = v->vm;
	unsigned int pct = __atomic_load_n(&vm->throttle_pct, __ATOMIC_RELAXED);
	struct timespec ts = { 0, (long)pct * 100000L };

	if (!__atomic_exchange_n(&v->throttle_kicked, 0, __ATOMIC_SEQ_CST))
		return;
	if (pct)
		nanosleep(&ts, NULL);
	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->paused && vm->stop == HV_RUNNING)
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->stop_lock);
}

/* Before each KVM_RUN: park while the VM is paused. */
static void park_if_paused(struct hv_vcpu *v)
{
	struct hv_vm *vm = v->vm;

	throttle_sleep(v);
	pthread_mutex_lock(&vm->stop_lock);
	if (vm->paused) {
		pthread_mutex_unlock(&vm->stop_lock);
		complete_pending(v);
		pthread_mutex_lock(&vm->stop_lock);
	}
	if (vm->paused) {
		park_locked(vm);
		/* The pause's kick is spent: run normally again. */
		if (vm->stop == HV_RUNNING)
			__atomic_store_n(&v->run->immediate_exit, 0,
					 __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

static void kick(struct hv_vcpu *v)
{
	/* immediate_exit covers a kick landing before KVM_RUN. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, HV_KICK_SIGNAL);
}

void hv_vm_pause(struct hv_vm *vm)
{
	pthread_mutex_lock(&vm->stop_lock);
	vm->paused = 1;
	pthread_cond_broadcast(&vm->stop_cond);
	pthread_mutex_unlock(&vm->stop_lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->stop_lock);
	while (vm->nr_parked < vm->nr_vcpus && vm->stop == HV_RUNNING)
		pthread_cond_wait(&vm->stop_cond, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);
}

void hv_vm_unpause(struct hv_vm *vm)
{
	pthread_mutex_lock(&vm->stop_lock);
	vm->paused = 0;
	pthread_cond_broadcast(&vm->stop_cond);
	pthread_mutex_unlock(&vm->stop_lock);
}

#define THROTTLE_SLICE_NS	10000000L

static void *throttle_thread(void *arg)
{
	struct hv_vm *vm = arg;
	struct timespec ts = { 0, THROTTLE_SLICE_NS };

	hv_sandbox_thread();
	while (__atomic_load_n(&vm->throttle_pct, __ATOMIC_RELAXED) &&
	       hv_vm_stopped(vm) == HV_RUNNING) {
		for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
			struct hv_vcpu *v = &vm->vcpus[i];

			if (!v->started)
				continue;
			__atomic_store_n(&v->throttle_kicked, 1,
					 __ATOMIC_SEQ_CST);
			kick(v);
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int hv_vm_throttle(struct hv_vm *vm, unsigned int pct)
{
	sigset_t set, old;
	int r;

	if (pct > 99)
		pct = 99;
	__atomic_store_n(&vm->throttle_pct, pct, __ATOMIC_RELAXED);
	if (!pct && vm->throttle_started) {
		pthread_join(vm->throttle_thread, NULL);
		vm->throttle_started = 0;
	}
	if (!pct || vm->throttle_started)
		return 0;
	/* as the vCPU threads: the kick signal is theirs alone */
	sigemptyset(&set);
	sigaddset(&set, HV_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	r = pthread_create(&vm->throttle_thread, NULL, throttle_thread, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		__atomic_store_n(&vm->throttle_pct, 0, __ATOMIC_RELAXED);
		return -r;
	}
	vm->throttle_started = 1;
	return 0;
}

static uint64_t thread_cpu_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t hv_vm_cpu_time_ns(struct hv_vm *vm)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct hv_vcpu *v = &vm->vcpus[i];
		clockid_t clk;

		if (v->started && pthread_getcpuclockid(v->thread, &clk) == 0)
			total += thread_cpu_ns(clk);
		else
			total += v->cpu_ns_final;
	}
	return total;
}

/*
 * Is vCPU thread @tid asleep?  With an in-kernel irqchip a halted vCPU
 * sleeps in KVM_RUN (kvm_vcpu_block) and never comes out to us; without
 * one it sleeps in halt_until_stop.  A vCPU running guest code, or this
 * monitor's handling of its exits, is runnable ('R').
 */
static int thread_sleeping(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", (long)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	/* "tid (comm) S ...": comm may hold anything, so the last ')' */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

int hv_vm_halted(struct hv_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct hv_vcpu *v = &vm->vcpus[i];
		pid_t tid = __atomic_load_n(&v->tid, __ATOMIC_ACQUIRE);

		if (!v->started || tid <= 0 || !thread_sleeping(tid))
			return 0;
	}
	return vm->nr_vcpus > 0;
}

/* One exit: 0 to run again, or the reason to stop the VM. */
static enum hv_stop handle_exit(struct hv_vcpu *v)
{
	struct kvm_run *run = v->run;
	int rc;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		rc = exit_io(v);
		break;
	case KVM_EXIT_MMIO:
		rc = exit_mmio(v);
		break;
	case KVM_EXIT_HLT:
		halt_until_stop(v->vm);
		return HV_RUNNING;
	case KVM_EXIT_SHUTDOWN:
		hv_err("vcpu%u: triple fault: the guest crashed", v->index);
		return HV_STOP_CRASH;
	case KVM_EXIT_INTERNAL_ERROR:
		hv_err("vcpu%u: KVM internal error %u (the guest did something "
		       "KVM cannot emulate): stopping it as crashed",
		       v->index, run->internal.suberror);
		return HV_STOP_CRASH;
	case KVM_EXIT_FAIL_ENTRY:
		hv_err("vcpu%u: KVM could not enter the guest (reason %#llx)",
		       v->index, (unsigned long long)
		       run->fail_entry.hardware_entry_failure_reason);
		return HV_STOP_ERROR;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			return HV_STOP_REBOOT;
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			return HV_STOP_POWEROFF;
		return HV_STOP_CRASH;
	case KVM_EXIT_INTR:
		return HV_RUNNING;
	default:
		hv_err("vcpu%u: unexpected KVM exit reason %u", v->index,
		       run->exit_reason);
		return HV_STOP_ERROR;
	}
	if (rc) {
		hv_err("vcpu%u: device access failed: %s", v->index,
		       strerror(-rc));
		return HV_STOP_ERROR;
	}
	return HV_RUNNING;
}

static void *vcpu_thread(void *arg)
{
	struct hv_vcpu *v = arg;
	enum hv_stop why = HV_RUNNING;
	char name[16];
	sigset_t set;

	hv_sandbox_thread();
	/* xld finds the vCPU threads by name (xl vcpu-list, vcpu-pin) */
	snprintf(name, sizeof(name), "vcpu%u", v->index);
	pthread_setname_np(pthread_self(), name);
	__atomic_store_n(&v->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	sigemptyset(&set);
	sigaddset(&set, HV_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (why == HV_RUNNING && hv_vm_stopped(v->vm) == HV_RUNNING) {
		park_if_paused(v);
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			hv_err("vcpu%u: KVM_RUN: %s", v->index,
			       strerror(errno));
			why = HV_STOP_ERROR;
			break;
		}
		why = handle_exit(v);
	}
	if (why != HV_RUNNING)
		hv_vm_request_stop(v->vm, why);
	v->cpu_ns_final = thread_cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

int hv_vcpus_start(struct hv_vm *vm)
{
	struct sigaction sa;
	sigset_t set, old;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(HV_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;

	/* Threads inherit the mask: nobody but vCPUs takes the kick. */
	sigemptyset(&set);
	sigaddset(&set, HV_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		r = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread,
				   &vm->vcpus[i]);
		if (r) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			return -r;
		}
		vm->vcpus[i].started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

void hv_vcpus_stop(struct hv_vm *vm)
{
	if (hv_vm_stopped(vm) == HV_RUNNING)
		hv_vm_request_stop(vm, HV_STOP_ERROR);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct hv_vcpu *v = &vm->vcpus[i];

		if (v->started)
			kick(v);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct hv_vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		v->started = 0;
	}
}
