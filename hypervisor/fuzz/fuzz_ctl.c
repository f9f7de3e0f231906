// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the monitor's side of libdomctl's control protocol,
 * ctl.c with its wire code (libdomctl/dc_wire.c), as whole connections.
 * ctl.c is compiled into this file so that its statics are ours: the
 * control state is built as hv_ctl_start builds it, without the listening
 * socket and the thread, and two clients are connected through
 * socketpairs.  The input is a sequence of records
 *   u8 flags, u16 len, len bytes
 * each written by a client (flags bit 0: the second one) to its socket,
 * with a descriptor passed along (bit 1, as SEND's stream fd), after the
 * guest stopped (bit 2) or followed by the client hanging up (bit 3).
 * Then ctl.c's own client_input reads and answers whatever arrived, as
 * its thread does, events go to the watchers and a send is polled.
 *
 * A failure is any crash or sanitizer report, a leak (of memory or of a
 * passed descriptor), an input slower than 1 s, or an abort() on what the
 * monitor sent back: bytes that are not whole protocol messages, a reply
 * to a type that was not asked, an EVENT whose state is out of range.
 *
 * Not covered: what the requests do to a real VM.  Without KVM the VM's
 * side is a fake here: pausing only sets vm->paused, the power button
 * answers -EOPNOTSUPP (a guest without ACPI), vCPU hotplug -EOPNOTSUPP,
 * a save checks its path and writes nothing, a migration send fails to
 * start (-EOPNOTSUPP) after taking its descriptor.  The balloon behind
 * SET_MEMORY and INFO is the real one.  Accepting connections and the
 * client limit (accept_client) and the thread's poll loop are not run.
 */
#include "../ctl.c"

#include <fcntl.h>
#include <sys/ioctl.h>

#include "dev/devices.h"
#include "fuzz/hvt_fuzz.h"
#include "state.h"

#define RAM_SIZE	(4ULL << 20)
#define NR_CLIENTS	2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- The fake VM's side of the requests ------------------------------ */

void hv_vm_pause(struct hv_vm *vm)
{
	vm->paused = 1;
}

void hv_vm_unpause(struct hv_vm *vm)
{
	vm->paused = 0;
}

int hv_vm_power_button(struct hv_vm *vm)
{
	(void)vm;
	return -EOPNOTSUPP;
}

int hv_vm_halted(struct hv_vm *vm)
{
	return vm->paused;
}

unsigned int hv_vm_vcpus_online(struct hv_vm *vm)
{
	return vm->nr_vcpus;
}

uint64_t hv_vm_cpu_time_ns(struct hv_vm *vm)
{
	(void)vm;
	return 1000;
}

int hv_vm_set_vcpus(struct hv_vm *vm, unsigned int online)
{
	if (online < 1 || online > vm->nr_vcpus)
		abort();	/* ctl.c checks the range first */
	return -EOPNOTSUPP;
}

int hv_state_save(struct hv_vm *vm, const char *path, int fd,
		  uint64_t *bytes)
{
	(void)vm;
	(void)fd;
	if (path[0] != '/' || strlen(path) >= 1024)
		abort();	/* ctl.c checks the path first */
	*bytes = 4096;
	return 0;
}

struct hv_send *hv_send_start(struct hv_vm *vm, int fd,
			      const struct dc_send_opts *opts,
			      int was_running, hv_send_notify_fn *notify,
			      void *opaque)
{
	(void)vm;
	(void)opts;
	(void)was_running;
	(void)notify;
	(void)opaque;
	if (fd < 0)
		abort();
	close(fd);
	errno = EOPNOTSUPP;
	return NULL;
}

/* No send ever starts: reaching these is a bug in ctl.c. */
int hv_send_progress(struct hv_send *s, struct dc_send_progress *p)
{
	(void)s;
	(void)p;
	abort();
}

int hv_send_done(struct hv_send *s, struct dc_send_result *res)
{
	(void)s;
	(void)res;
	abort();
}

void hv_send_cancel(struct hv_send *s)
{
	(void)s;
	abort();
}

void hv_send_free(struct hv_send *s)
{
	if (s)
		abort();
}

/* ---- The clients' side ----------------------------------------------- */

struct peer {
	int fd;			/* the client's end */
	size_t len;
	uint8_t buf[1 << 18];
};

static struct peer peers[NR_CLIENTS];

static void peer_connect(struct hv_ctl *ctl, unsigned int i)
{
	struct timeval tv = { .tv_usec = 100000 };
	int sv[2];

	if (peers[i].fd >= 0 && ctl->clients[i].fd >= 0)
		return;
	/* The monitor hung up (a malformed message): connect again. */
	if (peers[i].fd >= 0)
		close(peers[i].fd);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* As accept_client: a client that stops reading is dropped. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	client_close(&ctl->clients[i]);
	ctl->clients[i].fd = sv[0];
	ctl->clients[i].len = 0;
	peers[i].fd = sv[1];
	peers[i].len = 0;
}

/* Everything the monitor sent @i must be whole, well-formed messages. */
static void peer_check(unsigned int i)
{
	struct peer *p = &peers[i];
	struct dc_wire_msg m;
	ssize_t r;
	int n;

	if (p->fd < 0)
		return;
	while ((r = recv(p->fd, p->buf + p->len, sizeof(p->buf) - p->len,
			 MSG_DONTWAIT)) > 0)
		p->len += (size_t)r;
	while ((n = dc_wire_parse(p->buf, p->len, &m)) > 0) {
		uint16_t t = m.hdr.type & ~DC_WIRE_REPLY;
		int32_t status;
		const uint8_t *body;
		uint32_t blen;

		if (m.hdr.type & DC_WIRE_REPLY) {
			if (!t || t >= DC_WIRE_TYPE_MAX || t == DC_WIRE_EVENT ||
			    t == DC_WIRE_PROGRESS ||
			    dc_wire_reply_status(&m, &status, &body, &blen))
				abort();
		} else if (t == DC_WIRE_EVENT) {
			struct dc_wire_info info;

			if (m.len != sizeof(info))
				abort();
			memcpy(&info, m.payload, sizeof(info));
			if (info.state > DC_STATE_DYING)
				abort();
		} else {
			abort();
		}
		memmove(p->buf, p->buf + n, p->len - (size_t)n);
		p->len -= (size_t)n;
	}
	if (n < 0 || p->len == sizeof(p->buf))
		abort();
}

static void peer_hangup(struct hv_ctl *ctl, unsigned int i)
{
	if (peers[i].fd < 0)
		return;
	close(peers[i].fd);
	peers[i].fd = -1;
	/* The monitor sees the end of the stream. */
	if (ctl->clients[i].fd >= 0)
		client_input(ctl, &ctl->clients[i]);
}

/* What ctl_thread does once the client's socket is readable. */
static void serve(struct hv_ctl *ctl, unsigned int i)
{
	struct ctl_client *c = &ctl->clients[i];

	for (int turn = 0; turn < 64 && c->fd >= 0; turn++) {
		int avail = 0;

		if (ioctl(c->fd, FIONREAD, &avail) < 0 || avail <= 0)
			break;
		client_input(ctl, c);
	}
	pthread_mutex_lock(&ctl->lock);
	if (ctl->event_pending) {
		ctl->event_pending = 0;
		pthread_mutex_unlock(&ctl->lock);
		send_events(ctl, NULL);
	} else {
		pthread_mutex_unlock(&ctl->lock);
	}
	send_poll(ctl);
}

static struct hv_ctl *ctl_new(struct hv_vm *vm)
{
	struct hv_ctl *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		abort();
	/* As hv_ctl_start, without the socket file and the thread. */
	ctl->vm = vm;
	ctl->listen_fd = -1;
	ctl->state = DC_STATE_RUNNING;
	pthread_mutex_init(&ctl->lock, NULL);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		ctl->clients[i].ctl = ctl;
		ctl->clients[i].fd = ctl->clients[i].pending_fd = -1;
	}
	ctl->path = strdup("fuzz_ctl");
	ctl->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ctl->destroy_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!ctl->path || ctl->wake_efd < 0 || ctl->destroy_efd < 0)
		abort();
	return ctl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct hv_device *balloon, *devs[1];
	struct hv_config cfg;
	struct hv_ctl *ctl;
	struct hv_vm vm;
	int peer;

	if (!ram) {
		ram = calloc(1, RAM_SIZE);
		if (!ram)
			abort();
	}
	hvt_vm_init(&vm, &cfg, ram, RAM_SIZE);
	vm.nr_vcpus = 2;
	balloon = hvt_dev_new(&vm, &cfg, HVT_DEV_VBALLOON, &peer);
	devs[0] = balloon;
	vm.devs = devs;
	vm.nr_devs = 1;
	ctl = ctl_new(&vm);
	for (unsigned int i = 0; i < NR_CLIENTS; i++) {
		peers[i].fd = -1;
		peer_connect(ctl, i);
	}

	while (size >= 3) {
		unsigned int flags = data[0], i = flags & 1;
		uint16_t len;
		int fd = -1;

		memcpy(&len, data + 1, 2);
		data += 3;
		size -= 3;
		if (len > size)
			len = (uint16_t)size;
		peer_connect(ctl, i);
		if (flags & 4)
			hv_ctl_guest_stopped(ctl, HV_STOP_POWEROFF);
		if (flags & 2) {
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				abort();
		}
		/* The monitor may hang up on bad bytes at any point. */
		if (len && fd >= 0)
			dc_wire_send_fd(peers[i].fd, data, len, fd);
		else if (len)
			dc_wire_send(peers[i].fd, data, len);
		if (fd >= 0)
			close(fd);
		data += len;
		size -= len;
		serve(ctl, i);
		for (unsigned int k = 0; k < NR_CLIENTS; k++)
			peer_check(k);
		if (flags & 8)
			peer_hangup(ctl, i);
	}

	for (unsigned int i = 0; i < NR_CLIENTS; i++)
		peer_hangup(ctl, i);
	hv_ctl_free(ctl);
	balloon->ops->destroy(balloon);
	hvt_vm_dispose(&vm);
	return 0;
}
