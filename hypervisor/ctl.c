// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket of a managed monitor.  One thread polls the listening
 * socket and a few clients; every request is answered at once (pause waits
 * only for vCPUs to park), so one thread serves them all.  Watchers get a
 * DC_WIRE_EVENT whenever the state changes.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "dev/devices.h"
#include "state.h"
#include "domctl.h"
#include "dc_wire.h"
#include "sandbox.h"

/* Control clients are xld and tools; more at once than this is abuse. */
#define CTL_MAX_CLIENTS 16

struct ctl_client {
	struct hv_ctl *ctl;
	int fd;
	int pending_fd;			/* passed with the bytes in buf */
	int watching;
	size_t len;			/* bytes in buf */
	uint8_t buf[DC_WIRE_BUF_SIZE];
};

struct hv_ctl {
	struct hv_vm *vm;
	char *path;
	int listen_fd;
	int wake_efd;			/* stop the thread, or an event */
	int destroy_efd;
	pthread_t thread;
	int started;

	pthread_mutex_t lock;		/* guards the state below */
	int quit;
	int event_pending;
	enum dc_state state;
	enum dc_shutdown_reason reason;
	int receiving;			/* answer nothing yet: -ESRCH */

	/* A migration send (ctl thread only): its client gets the reply. */
	struct hv_send *send;
	struct ctl_client *send_client;	/* NULL once it went away */
	uint32_t send_seq;
	uint32_t send_flags;
	int send_paused;		/* said so to watchers */
	enum dc_state send_before;

	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static enum dc_shutdown_reason reason_of(enum hv_stop why)
{
	switch (why) {
	case HV_STOP_POWEROFF:
		return DC_SHUTDOWN_POWEROFF;
	case HV_STOP_REBOOT:
		return DC_SHUTDOWN_REBOOT;
	case HV_STOP_CRASH:
	case HV_STOP_ERROR:
		return DC_SHUTDOWN_CRASH;
	default:
		return DC_SHUTDOWN_NONE;
	}
}

static void set_state(struct hv_ctl *ctl, enum dc_state state,
		      enum dc_shutdown_reason reason)
{
	uint64_t one = 1;
	ssize_t r;

	pthread_mutex_lock(&ctl->lock);
	ctl->state = state;
	ctl->reason = reason;
	ctl->event_pending = 1;
	pthread_mutex_unlock(&ctl->lock);
	r = write(ctl->wake_efd, &one, sizeof(one));
	(void)r;
}

/* What INFO reports as memory: the balloon's target (xl mem-set). */
static uint64_t memory_target_kib(struct hv_vm *vm)
{
	struct hv_vballoon_status st;

	if (hv_vballoon_status(vm, &st))
		return vm->ram_size / 1024;
	return st.target_kib;
}

/* SET_MEMORY: a new balloon target; the guest's driver does the rest. */
static int32_t set_memory(struct hv_ctl *ctl, enum dc_state state,
			  const struct dc_wire_msg *m)
{
	struct dc_wire_set_memory req;

	memcpy(&req, m->payload, sizeof(req));
	if (state == DC_STATE_SHUTDOWN || state == DC_STATE_DYING)
		return -ESRCH;
	return hv_vballoon_set_target(ctl->vm, req.target_kib);
}

/* SET_VCPUS: ACPI CPU hotplug; the guest brings them up or ejects them. */
static int32_t set_vcpus(struct hv_ctl *ctl, enum dc_state state,
			 const struct dc_wire_msg *m)
{
	struct dc_wire_set_vcpus req;

	memcpy(&req, m->payload, sizeof(req));
	if (req.pad)
		return -EINVAL;
	if (req.online < 1 || req.online > ctl->vm->nr_vcpus)
		return -ERANGE;
	if (state == DC_STATE_SHUTDOWN || state == DC_STATE_DYING)
		return -ESRCH;
	return hv_vm_set_vcpus(ctl->vm, req.online);
}

static void fill_info(struct hv_ctl *ctl, struct dc_wire_info *info)
{
	struct hv_vm *vm = ctl->vm;

	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&ctl->lock);
	info->state = ctl->state;
	info->shutdown_reason = ctl->reason;
	pthread_mutex_unlock(&ctl->lock);
	/* Xen's blocked: running, but every vCPU waits for an interrupt */
	if (info->state == DC_STATE_RUNNING && hv_vm_halted(vm))
		info->state = DC_STATE_BLOCKED;
	info->vcpus = hv_vm_vcpus_online(vm);
	info->memory_kib = memory_target_kib(vm);
	info->cpu_time_ns = hv_vm_cpu_time_ns(vm);
}

static void client_close(struct ctl_client *c)
{
	struct hv_ctl *ctl = c->ctl;

	/* the sending connection closed: that cancels the send */
	if (ctl && ctl->send && ctl->send_client == c) {
		hv_send_cancel(ctl->send);
		ctl->send_client = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	if (c->pending_fd >= 0)
		close(c->pending_fd);
	c->fd = c->pending_fd = -1;
	c->watching = 0;
	c->len = 0;
}

/* Replies are tiny; a client that cannot take one is dropped. */
static void client_send(struct ctl_client *c, const uint8_t *buf, int n)
{
	if (n < 0 || dc_wire_send(c->fd, buf, (size_t)n) < 0)
		client_close(c);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * SAVE: pause, write the state file, then stay paused or be destroyed.
 * A failed save lets a guest that was running run on.  A guest that has
 * shut down is saved as it stopped (xld's core dumps): its vCPU threads
 * have ended, but its memory and vCPU state are still there.
 */
static int32_t save(struct hv_ctl *ctl, struct ctl_client *c,
		    enum dc_state state, const struct dc_wire_msg *m,
		    void *body, uint32_t *len)
{
	struct dc_wire_save req;
	struct dc_wire_save_reply reply = { 0 };
	uint64_t t0 = mono_ns(), one = 1;
	int rc, fd = c->pending_fd;

	memcpy(&req, m->payload, sizeof(req));
	c->pending_fd = -1;
	rc = req.flags & ~DC_SAVE_DESTROY || req.pad ||
	     !memchr(req.path, '\0', sizeof(req.path)) ||
	     req.path[0] != '/' ? -EINVAL :
	     state == DC_STATE_DYING ? -ESRCH : 0;
	if (rc)
		goto out;
	if (state == DC_STATE_SHUTDOWN) {
		/* set only once the vCPU threads were joined: nothing runs */
		rc = hv_state_save(ctl->vm, req.path, fd, &reply.bytes);
		if (rc)
			goto out;
		goto saved;
	}
	hv_vm_pause(ctl->vm);
	if (hv_vm_stopped(ctl->vm) != HV_RUNNING) {
		rc = -ESRCH;		/* it stopped meanwhile */
		goto out;
	}
	set_state(ctl, DC_STATE_PAUSED, DC_SHUTDOWN_NONE);
	rc = hv_state_save(ctl->vm, req.path, fd, &reply.bytes);
	if (rc) {
		if (state == DC_STATE_RUNNING) {
			hv_vm_unpause(ctl->vm);
			set_state(ctl, DC_STATE_RUNNING, DC_SHUTDOWN_NONE);
		}
		goto out;
	}
saved:
	reply.save_ns = mono_ns() - t0;
	if (req.flags & DC_SAVE_DESTROY) {
		set_state(ctl, DC_STATE_DYING, DC_SHUTDOWN_NONE);
		if (write(ctl->destroy_efd, &one, sizeof(one)) < 0)
			return -errno;
	}
	memcpy(body, &reply, sizeof(reply));
	*len = sizeof(reply);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Not a reply yet: the sender answers when the stream is complete. */
#define DEFERRED 1

static void send_notify(void *opaque)
{
	struct hv_ctl *ctl = opaque;
	uint64_t one = 1;
	ssize_t r = write(ctl->wake_efd, &one, sizeof(one));

	(void)r;
}

/* SEND: start the sender thread on the fd that came with the request. */
static int32_t send_start(struct hv_ctl *ctl, struct ctl_client *c,
			  enum dc_state state, const struct dc_wire_msg *m)
{
	struct dc_wire_send req;
	struct dc_send_opts o;
	int fd = c->pending_fd;

	memcpy(&req, m->payload, sizeof(req));
	c->pending_fd = -1;
	if (fd < 0)
		return -EBADF;
	if (req.flags & ~(DC_SEND_LIVE | DC_SEND_DEBUG | DC_SEND_DESTROY |
			  DC_SEND_RESUME) ||
	    (req.flags & DC_SEND_DESTROY && req.flags & DC_SEND_RESUME) ||
	    req.pad) {
		close(fd);
		return -EINVAL;
	}
	if (state == DC_STATE_SHUTDOWN || state == DC_STATE_DYING) {
		close(fd);
		return -ESRCH;
	}
	o = (struct dc_send_opts){ .flags = req.flags,
				   .max_downtime_ms = req.max_downtime_ms,
				   .max_bytes_per_s = req.max_bytes_per_s,
				   .max_passes = req.max_passes };
	ctl->send_before = state == DC_STATE_PAUSED ? DC_STATE_PAUSED :
						      DC_STATE_RUNNING;
	ctl->send = hv_send_start(ctl->vm, fd, &o,
				  ctl->send_before == DC_STATE_RUNNING,
				  send_notify, ctl);
	if (!ctl->send)
		return -errno;
	ctl->send_client = c;
	ctl->send_paused = 0;
	ctl->send_seq = m->hdr.seq;
	ctl->send_flags = req.flags;
	return DEFERRED;
}

/* Progress to the sending client; at the end its reply and what follows. */
static void send_poll(struct hv_ctl *ctl)
{
	uint8_t out[DC_WIRE_BUF_SIZE];
	struct dc_send_progress p;
	struct dc_send_result res;
	struct dc_wire_send_reply reply;
	uint64_t one = 1;
	int rc;

	if (!ctl->send)
		return;
	while (hv_send_progress(ctl->send, &p) == 0) {
		struct dc_wire_progress wp = {
			.pass = p.pass, .paused = p.paused,
			.pages_total = p.pages_total,
			.pages_sent = p.pages_sent,
			.pages_dirty = p.pages_dirty,
			.dirty_pages_per_s = p.dirty_pages_per_s,
			.bytes_sent = p.bytes_sent,
			.bytes_per_s = p.bytes_per_s,
			.est_downtime_ms = p.est_downtime_ms,
			.throttle_pct = p.throttle_pct,
		};

		if (p.paused && !ctl->send_paused) {
			ctl->send_paused = 1;
			set_state(ctl, DC_STATE_PAUSED, DC_SHUTDOWN_NONE);
		}
		if (ctl->send_client)
			client_send(ctl->send_client, out,
				    dc_wire_encode(out, sizeof(out),
						   DC_WIRE_PROGRESS,
						   ctl->send_seq, &wp,
						   sizeof(wp)));
	}
	rc = hv_send_done(ctl->send, &res);
	if (rc == -EAGAIN)
		return;
	hv_send_free(ctl->send);
	ctl->send = NULL;
	if (rc) {
		/* the sender let a guest that was running run on */
		if (hv_vm_stopped(ctl->vm) == HV_RUNNING)
			set_state(ctl, ctl->send_before, DC_SHUTDOWN_NONE);
	} else if (ctl->send_flags & DC_SEND_DESTROY) {
		set_state(ctl, DC_STATE_DYING, DC_SHUTDOWN_NONE);
		if (write(ctl->destroy_efd, &one, sizeof(one)) < 0)
			rc = -errno;
	} else if (ctl->send_flags & DC_SEND_RESUME) {
		hv_vm_unpause(ctl->vm);
		set_state(ctl, DC_STATE_RUNNING, DC_SHUTDOWN_NONE);
	} else {
		set_state(ctl, DC_STATE_PAUSED, DC_SHUTDOWN_NONE);
	}
	reply = (struct dc_wire_send_reply){
		.bytes = res.bytes, .pages_sent = res.pages_sent,
		.passes = res.passes, .throttle_pct = res.throttle_pct,
		.downtime_ns = res.downtime_ns, .total_ns = res.total_ns,
	};
	if (ctl->send_client)
		client_send(ctl->send_client, out,
			    dc_wire_encode_reply(out, sizeof(out), DC_WIRE_SEND,
						 ctl->send_seq, rc, &reply,
						 rc ? 0 : sizeof(reply)));
	ctl->send_client = NULL;
}

static int32_t handle(struct hv_ctl *ctl, struct ctl_client *c,
		      const struct dc_wire_msg *m, void *body, uint32_t *len)
{
	struct dc_wire_shutdown sd;
	enum dc_state state;
	uint64_t one = 1;
	int receiving;

	pthread_mutex_lock(&ctl->lock);
	state = ctl->state;
	receiving = ctl->receiving;
	pthread_mutex_unlock(&ctl->lock);
	*len = 0;
	/* a guest being received is not there yet (nor its state) */
	if (receiving) {
		if (c->pending_fd >= 0) {
			close(c->pending_fd);
			c->pending_fd = -1;
		}
		return -ESRCH;
	}
	/* the fd passed with a request only SEND and SAVE take */
	if (m->hdr.type != DC_WIRE_SEND && m->hdr.type != DC_WIRE_SAVE &&
	    c->pending_fd >= 0) {
		close(c->pending_fd);
		c->pending_fd = -1;
	}
	/* while a send runs, it alone pauses and resumes the guest */
	if (ctl->send && (m->hdr.type == DC_WIRE_PAUSE ||
			  m->hdr.type == DC_WIRE_UNPAUSE ||
			  m->hdr.type == DC_WIRE_SAVE ||
			  m->hdr.type == DC_WIRE_SEND ||
			  m->hdr.type == DC_WIRE_SET_VCPUS)) {
		if (c->pending_fd >= 0) {
			close(c->pending_fd);
			c->pending_fd = -1;
		}
		return -EBUSY;
	}
	switch (m->hdr.type) {
	case DC_WIRE_SEND:
		return send_start(ctl, c, state, m);
	case DC_WIRE_HELLO: {
		struct dc_wire_hello h = { DC_WIRE_VERSION, (uint32_t)getpid() };

		memcpy(body, &h, sizeof(h));
		*len = sizeof(h);
		return 0;
	}
	case DC_WIRE_INFO:
		fill_info(ctl, body);
		*len = sizeof(struct dc_wire_info);
		return 0;
	case DC_WIRE_PAUSE:
		if (state == DC_STATE_SHUTDOWN)
			return -ESRCH;
		hv_vm_pause(ctl->vm);
		set_state(ctl, DC_STATE_PAUSED, DC_SHUTDOWN_NONE);
		return 0;
	case DC_WIRE_UNPAUSE:
		if (state == DC_STATE_SHUTDOWN)
			return -ESRCH;
		hv_vm_unpause(ctl->vm);
		set_state(ctl, DC_STATE_RUNNING, DC_SHUTDOWN_NONE);
		return 0;
	case DC_WIRE_SHUTDOWN:
		memcpy(&sd, m->payload, sizeof(sd));
		if (sd.reason != DC_SHUTDOWN_POWEROFF &&
		    sd.reason != DC_SHUTDOWN_REBOOT)
			return -EINVAL;
		if (state == DC_STATE_SHUTDOWN)
			return -ESRCH;
		/* Only ACPI reaches the guest; it decides what to do. */
		return hv_vm_power_button(ctl->vm);
	case DC_WIRE_DESTROY:
		set_state(ctl, DC_STATE_DYING, DC_SHUTDOWN_NONE);
		if (write(ctl->destroy_efd, &one, sizeof(one)) < 0)
			return -errno;
		return 0;
	case DC_WIRE_WATCH:
		c->watching = 1;
		return 0;
	case DC_WIRE_SAVE:
		return save(ctl, c, state, m, body, len);
	case DC_WIRE_SET_MEMORY:
		return set_memory(ctl, state, m);
	case DC_WIRE_SET_VCPUS:
		return set_vcpus(ctl, state, m);
	}
	return -EOPNOTSUPP;
}

/* The state now, to one watcher (@c) or to all (NULL). */
static void send_events(struct hv_ctl *ctl, struct ctl_client *c)
{
	uint8_t out[sizeof(struct dc_wire_hdr) + sizeof(struct dc_wire_info)];
	struct dc_wire_info info;
	int n;

	fill_info(ctl, &info);
	n = dc_wire_encode(out, sizeof(out), DC_WIRE_EVENT, 0, &info,
			   sizeof(info));
	if (c) {
		client_send(c, out, n);
		return;
	}
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl->clients[i].fd >= 0 && ctl->clients[i].watching)
			client_send(&ctl->clients[i], out, n);
}

/* Answer every whole request in the client's buffer. */
static void client_input(struct hv_ctl *ctl, struct ctl_client *c)
{
	uint8_t out[DC_WIRE_BUF_SIZE], body[DC_WIRE_MAX_PAYLOAD];
	struct dc_wire_msg m;
	ssize_t r;
	int n, fd;

	r = dc_wire_recv_fd(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
			    1, &fd);
	if (fd >= 0) {
		/* one fd per request at most: an older one was not taken */
		if (c->pending_fd >= 0)
			close(c->pending_fd);
		c->pending_fd = fd;
	}
	if (r <= 0) {
		if (r == 0 || (r != -EAGAIN && r != -EINTR))
			client_close(c);
		return;
	}
	c->len += (size_t)r;
	while (c->fd >= 0 && (n = dc_wire_parse(c->buf, c->len, &m)) != 0) {
		uint32_t len;
		int32_t status;

		/* A malformed or unasked-for message ends the conversation. */
		if (n < 0 || m.hdr.type & DC_WIRE_REPLY ||
		    m.hdr.type == DC_WIRE_EVENT ||
		    m.hdr.type == DC_WIRE_PROGRESS) {
			client_close(c);
			return;
		}
		status = handle(ctl, c, &m, body, &len);
		if (status != DEFERRED)
			client_send(c, out,
				    dc_wire_encode_reply(out, sizeof(out),
							 m.hdr.type, m.hdr.seq,
							 status, body,
							 status ? 0 : len));
		/* a watch starts with the state now: a change made before
		 * it (a guest crashing as it starts) is not lost */
		if (m.hdr.type == DC_WIRE_WATCH && status == 0 && c->fd >= 0)
			send_events(ctl, c);
		/* a send that failed dropped the client and emptied its
		 * buffer: nothing is left to move */
		if (c->fd < 0)
			return;
		memmove(c->buf, c->buf + n, c->len - (size_t)n);
		c->len -= (size_t)n;
	}
}

static void accept_client(struct hv_ctl *ctl)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* A client that stops reading must not stall the monitor. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (ctl->clients[i].fd < 0) {
			ctl->clients[i].fd = fd;
			ctl->clients[i].len = 0;
			return;
		}
	}
	hv_err("control: more than %d clients; refusing one", CTL_MAX_CLIENTS);
	close(fd);
}

static void *ctl_thread(void *arg)
{
	struct hv_ctl *ctl = arg;
	struct pollfd pfd[2 + CTL_MAX_CLIENTS];
	uint64_t v;

	hv_sandbox_thread();
	for (;;) {
		int n = 0, quit, pending;

		pfd[n++] = (struct pollfd){ .fd = ctl->wake_efd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = ctl->listen_fd, .events = POLLIN };
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			pfd[n++] = (struct pollfd){ .fd = ctl->clients[i].fd,
						    .events = POLLIN };
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN &&
		    read(ctl->wake_efd, &v, sizeof(v)) < 0)
			v = 0;
		pthread_mutex_lock(&ctl->lock);
		quit = ctl->quit;
		pending = ctl->event_pending;
		ctl->event_pending = 0;
		pthread_mutex_unlock(&ctl->lock);
		if (quit)
			break;
		if (pending)
			send_events(ctl, NULL);
		send_poll(ctl);
		if (pfd[1].revents & POLLIN)
			accept_client(ctl);
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			if (pfd[2 + i].fd >= 0 && pfd[2 + i].revents &&
			    ctl->clients[i].fd == pfd[2 + i].fd)
				client_input(ctl, &ctl->clients[i]);
	}
	return NULL;
}

/* Bind @path, replacing a socket file that nobody listens on. */
static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1, probe = -1, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		rc = -EADDRINUSE;
		goto out;
	}
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		goto out;
	}
	rc = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	close(probe);
	return rc;
}

struct hv_ctl *hv_ctl_start(struct hv_vm *vm, const char *path,
			    int receiving)
{
	struct hv_ctl *ctl = calloc(1, sizeof(*ctl));
	int rc;

	if (!ctl)
		return NULL;
	ctl->vm = vm;
	ctl->listen_fd = ctl->wake_efd = ctl->destroy_efd = -1;
	ctl->state = DC_STATE_RUNNING;
	ctl->receiving = receiving;
	pthread_mutex_init(&ctl->lock, NULL);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		ctl->clients[i].ctl = ctl;
		ctl->clients[i].fd = ctl->clients[i].pending_fd = -1;
	}
	ctl->path = strdup(path);
	if (!ctl->path) {
		rc = -ENOMEM;
		goto fail;
	}
	ctl->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ctl->destroy_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctl->wake_efd < 0 || ctl->destroy_efd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = listen_on(path);
	if (rc < 0)
		goto fail;
	ctl->listen_fd = rc;
	rc = -pthread_create(&ctl->thread, NULL, ctl_thread, ctl);
	if (rc)
		goto fail;
	ctl->started = 1;
	return ctl;
fail:
	hv_ctl_free(ctl);
	errno = -rc;
	return NULL;
}

void hv_ctl_set_paused(struct hv_ctl *ctl)
{
	pthread_mutex_lock(&ctl->lock);
	ctl->receiving = 0;
	pthread_mutex_unlock(&ctl->lock);
	set_state(ctl, DC_STATE_PAUSED, DC_SHUTDOWN_NONE);
}

void hv_ctl_guest_stopped(struct hv_ctl *ctl, enum hv_stop why)
{
	set_state(ctl, DC_STATE_SHUTDOWN, reason_of(why));
}

int hv_ctl_destroy_fd(const struct hv_ctl *ctl)
{
	return ctl->destroy_efd;
}

void hv_ctl_free(struct hv_ctl *ctl)
{
	uint64_t one = 1;

	if (!ctl)
		return;
	if (ctl->started) {
		pthread_mutex_lock(&ctl->lock);
		ctl->quit = 1;
		pthread_mutex_unlock(&ctl->lock);
		if (write(ctl->wake_efd, &one, sizeof(one)) < 0)
			pthread_cancel(ctl->thread);
		pthread_join(ctl->thread, NULL);
	}
	/* a send still going is cancelled and waited for */
	hv_send_free(ctl->send);
	ctl->send = NULL;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&ctl->clients[i]);
	if (ctl->listen_fd >= 0) {
		close(ctl->listen_fd);
		unlink(ctl->path);
	}
	if (ctl->wake_efd >= 0)
		close(ctl->wake_efd);
	if (ctl->destroy_efd >= 0)
		close(ctl->destroy_efd);
	pthread_mutex_destroy(&ctl->lock);
	free(ctl->path);
	free(ctl);
}
