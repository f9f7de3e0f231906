// SPDX-License-Identifier: LGPL-2.1
/*
 * Starting and destroying monitors without waiting: each is a dc_op with
 * one fd to poll.  Behind it an epoll set holds what the op waits on (the
 * new monitor's ready pipe, or the old one's pidfd) and a timerfd for its
 * deadline, so a caller's event loop needs no timers of its own.  The
 * synchronous dc_domain_create/restore/destroy are these ops waited for.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dc_internal.h"

/* How long a monitor may take to start its guest, or to go away. */
#define CREATE_TIMEOUT_MS 30000
/* A create from a migration stream waits for the stream: the monitor
 * itself fails one stalled HV_RECV_STALL_MS (60 s). */
#define INCOMING_TIMEOUT_MS (3600 * 1000)
/* A send hears progress every second; this long without a word and the
 * monitor is wedged. */
#define SEND_SILENCE_MS 120000
#define DESTROY_TIMEOUT_MS 10000
/* Where the monitor finds its ready pipe: xlhv run --ready-fd 3. */
#define READY_FD 3
/* And its migration stream, when it receives one: --incoming 4. */
#define PASS_FD 4
/* Without pidfd_open (old kernels, valgrind), a gone monitor is looked
 * for this often. */
#define GONE_POLL_MS 10

enum op_kind { OP_START, OP_DESTROY, OP_SEND };

struct dc_op {
	dc_ctx *ctx;
	enum op_kind kind;
	uint32_t domid;
	int epfd;	/* the caller's fd: src or timer is ready */
	int src;	/* the ready pipe (start), the pidfd (destroy), or -1 */
	int timer;	/* the deadline; a periodic look without a pidfd */
	pid_t child;	/* start: our child that forks the monitor, or 0 */
	pid_t pid;	/* destroy: the monitor */
	bool killed;	/* destroy: it had to be killed */
	int waited_ms;	/* destroy without a pidfd: ticks counted */
	size_t len;
	char text[4096]; /* start: what the monitor said */
	/* send: the request's seq, what was read, its outcome */
	uint32_t seq;
	size_t blen;
	uint8_t buf[2 * DC_WIRE_BUF_SIZE];
	bool has_prog, done;
	int status;
	struct dc_send_progress prog;
	struct dc_send_result res;
};

static int timer_arm(int fd, int ms, bool periodic)
{
	struct itimerspec its = {0};

	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (periodic)
		its.it_interval = its.it_value;
	return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}

static int ep_add(int epfd, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void dc_op_free(struct dc_op *op)
{
	if (!op)
		return;
	/* an unfinished start's monitor runs on, nobody's child */
	if (op->child > 0)
		while (waitpid(op->child, NULL, 0) < 0 && errno == EINTR)
			;
	if (op->src >= 0)
		close(op->src);
	if (op->timer >= 0)
		close(op->timer);
	if (op->epfd >= 0)
		close(op->epfd);
	free(op);
}

static int op_new(dc_ctx *ctx, enum op_kind kind, uint32_t domid, int src,
		  int ms, bool periodic, struct dc_op **out)
{
	struct dc_op *op = calloc(1, sizeof(*op));
	int rc;

	if (!op) {
		if (src >= 0)
			close(src);
		return -ENOMEM;
	}
	op->ctx = ctx;
	op->kind = kind;
	op->domid = domid;
	op->src = src;
	op->epfd = epoll_create1(EPOLL_CLOEXEC);
	op->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (op->epfd < 0 || op->timer < 0)
		rc = -errno;
	else
		rc = timer_arm(op->timer, ms, periodic);
	if (!rc)
		rc = ep_add(op->epfd, op->timer);
	if (!rc && src >= 0)
		rc = ep_add(op->epfd, src);
	if (rc) {
		dc_op_free(op);
		return rc;
	}
	*out = op;
	return 0;
}

int dc_op_fd(const struct dc_op *op)
{
	return op->epfd;
}

/* Has the deadline passed?  Reads the timer, so each tick counts once. */
static bool timer_fired(struct dc_op *op)
{
	uint64_t ticks;

	return read(op->timer, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks);
}

/*
 * The pid of @domid's monitor, from the credentials of a connection to
 * its control socket (connecting to a listening unix socket does not wait
 * for it).  The connection into *@fdp, or closed when @fdp is NULL.
 */
static int monitor_pid(dc_ctx *ctx, uint32_t domid, pid_t *pid, int *fdp)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = dc__connect(ctx, domid), rc = 0;

	if (fd < 0)
		return fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		rc = -errno;
	else if (cred.pid <= 0)
		rc = -EPROTO;
	if (rc || !fdp)
		close(fd);
	if (rc)
		return rc;
	*pid = cred.pid;
	if (fdp)
		*fdp = fd;
	return 0;
}

/* ---- start ---- */

/*
 * In the child: leave the caller's session and process group, fork again
 * so the monitor is nobody's child, and exec it with the ready pipe as fd
 * 3 and as stderr, so its error messages reach us too.  Only
 * async-signal-safe calls from here on.
 */
static void __attribute__((noreturn))
spawn_monitor(const char **argv, int ready_w, int pass_fd)
{
	int null, in = -1;

	if (setsid() < 0)
		_exit(127);
	/* out of the way of 0..3 first (F_DUPFD: not close-on-exec) */
	if (pass_fd >= 0) {
		in = fcntl(pass_fd, F_DUPFD, PASS_FD + 1);
		if (in < 0)
			_exit(127);
	}
	switch (fork()) {
	case -1:
		_exit(127);
	case 0:
		break;
	default:
		_exit(0);
	}
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(ready_w, 2) < 0 || dup2(ready_w, READY_FD) < 0 ||
	    (in >= 0 && dup2(in, PASS_FD) < 0))
		_exit(127);
	if (in >= 0)
		close(in);
	execv(argv[0], (char *const *)argv);
	dprintf(READY_FD, "cannot run %s (errno %d)\nerr %d\n", argv[0], errno,
		errno);
	_exit(127);
}

int dc__spawn_start(dc_ctx *ctx, uint32_t domid, const char **argv,
		    int pass_fd, struct dc_op **out)
{
	int pipefd[2], rc;
	struct dc_op *op;
	pid_t child;

	/* said here, with where the path came from: the child can only
	 * report an errno */
	if (access(argv[0], X_OK) < 0) {
		rc = -errno;
		dc__log(ctx, DC_LOG_ERROR, "domain %u: cannot run %s: %s (%s)",
			domid, argv[0], strerror(-rc), ctx->xlhv_how);
		return rc;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(pipefd[0], F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return rc;
	}
	rc = op_new(ctx, OP_START, domid, pipefd[0],
		    pass_fd >= 0 ? INCOMING_TIMEOUT_MS : CREATE_TIMEOUT_MS,
		    false, &op);
	if (rc) {
		close(pipefd[1]);
		return rc;
	}
	child = fork();
	if (child < 0) {
		rc = -errno;
		close(pipefd[1]);
		dc_op_free(op);
		return rc;
	}
	if (child == 0)
		spawn_monitor(argv, pipefd[1], pass_fd);
	close(pipefd[1]);
	op->child = child;
	*out = op;
	return 0;
}

/*
 * What the monitor said, once it closed the pipe: its error messages
 * (logged), then a verdict line, "ok" or "err ERRNO".  Nothing but EOF
 * means it died before its guest ran.
 */
static int verdict(struct dc_op *op)
{
	char *line, *next;
	int err, rc = -EIO;

	op->text[op->len] = '\0';
	for (line = op->text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (strcmp(line, "ok") == 0)
			rc = 0;
		else if (sscanf(line, "err %d", &err) == 1 && err > 0 &&
			 err < 4096)
			rc = -err;
		else if (*line)
			dc__log(op->ctx, DC_LOG_ERROR, "domain %u: %s",
				op->domid, line);
	}
	if (rc == -EIO && !op->len)
		dc__log(op->ctx, DC_LOG_ERROR, "domain %u: monitor exited "
			"before its guest ran", op->domid);
	return rc;
}

static int start_step(struct dc_op *op, pid_t *pid)
{
	bool eof = false;
	ssize_t r;
	int rc;

	if (op->child > 0 && waitpid(op->child, NULL, WNOHANG) == op->child)
		op->child = 0;
	/* a monitor that says more than fits has said enough */
	while (!eof && op->len < sizeof(op->text) - 1) {
		r = read(op->src, op->text + op->len,
			 sizeof(op->text) - 1 - op->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0)
			eof = true;
		else
			op->len += (size_t)r;
	}
	if (!eof && op->len < sizeof(op->text) - 1) {
		if (!timer_fired(op))
			return -EAGAIN;
		dc__log(op->ctx, DC_LOG_ERROR, "domain %u: monitor did not "
			"start its guest within %d s", op->domid,
			CREATE_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	rc = verdict(op);
	if (rc)
		return rc;
	/* its pid from the socket it listens on: no request, no wait */
	return monitor_pid(op->ctx, op->domid, pid, NULL);
}

/* ---- destroy ---- */

/* Has @pid exited?  A zombie waiting for init to reap it has. */
static bool exited(pid_t pid)
{
	char path[64], stat[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return true;
	stat[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')'. */
	p = strrchr(stat, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

int dc_domain_destroy_start(dc_ctx *ctx, uint32_t domid, struct dc_op **out)
{
	struct dc_op *op;
	int fd, pidfd, rc;
	pid_t pid;

	rc = monitor_pid(ctx, domid, &pid, &fd);
	if (rc)
		return rc;
	/* the pidfd first: the pid cannot be reused under us after it */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno != ENOSYS) {
		rc = errno == ESRCH ? -ESRCH : -errno;
		close(fd);
		return rc;
	}
	rc = dc__call_fd(ctx, fd, domid, DC_WIRE_DESTROY, NULL, 0, NULL, 0);
	close(fd);
	if (rc) {
		if (pidfd >= 0)
			close(pidfd);
		return rc;
	}
	/* without a pidfd the timer ticks and each tick looks */
	rc = op_new(ctx, OP_DESTROY, domid, pidfd,
		    pidfd >= 0 ? DESTROY_TIMEOUT_MS : GONE_POLL_MS, pidfd < 0,
		    &op);
	if (rc)
		return rc;
	op->pid = pid;
	*out = op;
	return 0;
}

static bool gone(struct dc_op *op)
{
	struct pollfd p = {.fd = op->src, .events = POLLIN};

	if (op->src < 0)
		return exited(op->pid);
	return poll(&p, 1, 0) > 0;
}

/* The deadline of a destroy: DESTROY_TIMEOUT_MS, counted in ticks without
 * a pidfd. */
static bool destroy_expired(struct dc_op *op)
{
	uint64_t ticks;

	if (read(op->timer, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
		return false;
	if (op->src >= 0)
		return true;
	op->waited_ms += (int)ticks * GONE_POLL_MS;
	if (op->waited_ms < DESTROY_TIMEOUT_MS)
		return false;
	op->waited_ms = 0;
	return true;
}

static int destroy_step(struct dc_op *op)
{
	if (gone(op)) {
		/* killed, or under its own uid, it left its files behind */
		dc_domain_forget(op->ctx, op->domid);
		return 0;
	}
	if (!destroy_expired(op))
		return -EAGAIN;
	if (op->killed)
		return -ETIMEDOUT;
	dc__log(op->ctx, DC_LOG_WARN, "domain %u: monitor %d still there "
		"after %d s: killing it", op->domid, (int)op->pid,
		DESTROY_TIMEOUT_MS / 1000);
	kill(op->pid, SIGKILL);
	op->killed = true;
	if (op->src >= 0) {
		int rc = timer_arm(op->timer, DESTROY_TIMEOUT_MS, false);

		if (rc)
			return rc;
	}
	return gone(op) ? destroy_step(op) : -EAGAIN;
}

/* ---- send ---- */

int dc__send_op_new(dc_ctx *ctx, uint32_t domid, int conn, uint32_t seq,
		    struct dc_op **out)
{
	struct dc_op *op;
	int rc;

	rc = op_new(ctx, OP_SEND, domid, conn, SEND_SILENCE_MS, false, &op);
	if (rc)
		return rc;
	op->seq = seq;
	*out = op;
	return 0;
}

static int send_msg(struct dc_op *op, const struct dc_wire_msg *m)
{
	struct dc_wire_progress wp;
	struct dc_wire_send_reply wr;
	const uint8_t *body;
	uint32_t blen;
	int32_t status;

	if (m->hdr.seq != op->seq)
		return -EPROTO;
	if (m->hdr.type == DC_WIRE_PROGRESS) {
		memcpy(&wp, m->payload, sizeof(wp));
		op->prog = (struct dc_send_progress){
			.pass = wp.pass, .paused = wp.paused,
			.pages_total = wp.pages_total,
			.pages_sent = wp.pages_sent,
			.pages_dirty = wp.pages_dirty,
			.dirty_pages_per_s = wp.dirty_pages_per_s,
			.bytes_sent = wp.bytes_sent,
			.bytes_per_s = wp.bytes_per_s,
			.est_downtime_ms = wp.est_downtime_ms,
			.throttle_pct = wp.throttle_pct,
		};
		op->has_prog = true;
		return -EAGAIN;
	}
	if (m->hdr.type != (DC_WIRE_SEND | DC_WIRE_REPLY) ||
	    dc_wire_reply_status(m, &status, &body, &blen))
		return -EPROTO;
	if (status == 0) {
		memcpy(&wr, body, sizeof(wr));
		op->res = (struct dc_send_result){
			.bytes = wr.bytes, .pages_sent = wr.pages_sent,
			.passes = wr.passes, .throttle_pct = wr.throttle_pct,
			.downtime_ns = wr.downtime_ns, .total_ns = wr.total_ns,
		};
	}
	return status;
}

static int send_step(struct dc_op *op)
{
	struct dc_wire_msg m;
	bool heard = false;
	ssize_t r;
	int n, rc;

	if (op->done)
		return op->status;
	for (;;) {
		r = recv(op->src, op->buf + op->blen,
			 sizeof(op->buf) - op->blen, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			rc = r < 0 ? -errno : -ECONNRESET;
			dc__log(op->ctx, DC_LOG_ERROR, "domain %u: the monitor "
				"ended the send without a reply%s%s", op->domid,
				r < 0 ? ": " : "", r < 0 ? strerror(errno) : "");
			goto done;
		}
		op->blen += (size_t)r;
		while ((n = dc_wire_parse(op->buf, op->blen, &m)) > 0) {
			rc = send_msg(op, &m);
			memmove(op->buf, op->buf + n, op->blen - (size_t)n);
			op->blen -= (size_t)n;
			heard = true;
			if (rc != -EAGAIN)
				goto done;
		}
		if (n < 0) {
			rc = -EPROTO;
			dc__log(op->ctx, DC_LOG_ERROR, "domain %u: malformed "
				"message during a send", op->domid);
			goto done;
		}
	}
	if (heard)
		return timer_arm(op->timer, SEND_SILENCE_MS, false) ?: -EAGAIN;
	if (!timer_fired(op))
		return -EAGAIN;
	dc__log(op->ctx, DC_LOG_ERROR, "domain %u: no word from the monitor "
		"for %d s during a send", op->domid, SEND_SILENCE_MS / 1000);
	rc = -ETIMEDOUT;
done:
	if (rc == -EPROTO)
		dc__log(op->ctx, DC_LOG_ERROR, "domain %u: unexpected message "
			"during a send", op->domid);
	op->done = true;
	op->status = rc;
	return rc;
}

int dc_op_send_progress(struct dc_op *op, struct dc_send_progress *p)
{
	if (op->kind != OP_SEND)
		return -EINVAL;
	if (!op->has_prog)
		return -EAGAIN;
	*p = op->prog;
	op->has_prog = false;
	return 0;
}

int dc_op_send_result(const struct dc_op *op, struct dc_send_result *res)
{
	if (op->kind != OP_SEND || !op->done || op->status)
		return -EINVAL;
	*res = op->res;
	return 0;
}

int dc_op_step(struct dc_op *op, pid_t *pid)
{
	pid_t ignored;

	if (op->kind == OP_SEND)
		return send_step(op);
	if (op->kind == OP_DESTROY)
		return destroy_step(op);
	return start_step(op, pid ? pid : &ignored);
}

int dc__op_wait(struct dc_op *op, pid_t *pid)
{
	struct pollfd p = {.fd = op->epfd, .events = POLLIN};
	int rc;

	while ((rc = dc_op_step(op, pid)) == -EAGAIN)
		if (poll(&p, 1, -1) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
	dc_op_free(op);
	return rc;
}

int dc_domain_destroy(dc_ctx *ctx, uint32_t domid)
{
	struct dc_op *op;
	int rc;

	rc = dc_domain_destroy_start(ctx, domid, &op);
	return rc ? rc : dc__op_wait(op, NULL);
}
