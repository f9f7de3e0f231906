// SPDX-License-Identifier: GPL-2.0
/*
 * The console thread: the ring to the log and the pty, typed input to
 * the UART, and the monitor's stderr to the log (see console.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "dev/devices.h"
#include "guest_abi.h"
#include "hv.h"
#include "sandbox.h"

#define CONSOLE_STACK	(64 * 1024)
#define CHUNK		4096	/* copied out of the ring at a time */
#define FULL_WAIT_MS	1	/* retry a full receive FIFO this often */
#define BACKGROUND_MS	200	/* retry a tty we may not read yet */
#define ATTACH_POLL_MS	250	/* look for a new reader this often */
#define GATHER_MS	2	/* let output gather before draining it */
#define NOTICE_MAX	80

struct hv_console {
	struct hv_vm *vm;
	struct hv_device *uart;
	pthread_t thread;
	int quit_efd;		/* hv_console_stop: drain, then end */
	int wake_efd;		/* the ring has news */

	pthread_mutex_t lock;	/* the ring and notified */
	struct hv_ring ring;
	int notified;		/* wake_efd written since the last drain */

	struct hv_conlog *log;	/* NULL: output kept in the ring only */
	uint64_t log_pos, log_dropped;
	int log_failing;	/* reported once until it works again */
	int err_rd, err_wr;	/* the monitor's stderr, once taken */

	int in_fd;		/* stdin (borrowed), the pty, or -1 */
	uint8_t in[64];		/* typed, not yet taken by the UART */
	size_t in_len, in_off;
	int in_paused;		/* a background tty: wait, then retry */

	int pty_fd;		/* the pty's master (non-blocking) or -1 */
	char *link;		/* a symlink to the slave, removed at the end */
	int attached;		/* the slave is open: write to it */
	int leftover;		/* a reader left: take what it typed */
	int recheck;		/* look again whether a reader is there */
	uint64_t next_check;	/* when to, while nobody is (ms) */
	uint64_t pty_pos, pty_dropped;
	uint8_t pty_buf[NOTICE_MAX + CHUNK];	/* taken from the ring */
	size_t pty_len, pty_off;

	uint8_t chunk[CHUNK];
};

void hv_console_put(struct hv_vm *vm, const void *buf, size_t len)
{
	struct hv_console *c = vm->console;
	const uint8_t *p = buf;
	uint64_t one = 1;
	int wake = 0;
	ssize_t r;

	if (!c) {
		/* a fake VM's pipe; a closed one drops it, EINTR too */
		while (len && (r = write(vm->console_fd, p, len)) > 0) {
			p += r;
			len -= (size_t)r;
		}
		return;
	}
	pthread_mutex_lock(&c->lock);
	hv_ring_put(&c->ring, buf, len);
	if (!c->notified)
		wake = c->notified = 1;
	pthread_mutex_unlock(&c->lock);
	/* one wake-up per drain, not per byte */
	if (wake) {
		r = write(c->wake_efd, &one, sizeof(one));
		(void)r;	/* cannot fail: the count is far from full */
	}
}

/* "[xlhv: N bytes of console output dropped]" on a line of its own. */
static size_t notice(char *buf, uint64_t n, int line_start, const char *nl)
{
	int r = snprintf(buf, NOTICE_MAX, "%s[xlhv: %" PRIu64 " bytes of "
			 "console output dropped]%s", line_start ? "" : nl, n,
			 nl);

	return r > 0 && r < NOTICE_MAX ? (size_t)r : 0;
}

static void log_write(struct hv_console *c, const void *buf, size_t len)
{
	int rc = hv_conlog_write(c->log, buf, len);

	/*
	 * Said once per failure (our stderr may be this very log); the
	 * rotation's own trouble is said too, the cap held all the same.
	 */
	/* -EINTR: stopping, with a stdout nobody reads; nothing to say */
	if (rc && rc != -EINTR && !c->log_failing)
		hv_err("console log: %s (output is being lost)",
		       strerror(-rc));
	c->log_failing = rc != 0;
}

/* Take up to CHUNK bytes from position *@pos on into c->chunk. */
static size_t ring_take(struct hv_console *c, uint64_t *pos,
			uint64_t *dropped)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = hv_ring_read(&c->ring, pos, c->chunk, sizeof(c->chunk), dropped);
	pthread_mutex_unlock(&c->lock);
	return n;
}

/*
 * Everything new in the ring to the log, saying what was lost.  A chunk
 * with more behind it ends at its last newline, the rest taken again
 * with the next, so the log rotates between lines.
 */
static void log_drain(struct hv_console *c)
{
	char note[NOTICE_MAX];
	uint8_t *nl;
	size_t n;

	for (;;) {
		n = ring_take(c, &c->log_pos, &c->log_dropped);
		nl = n == sizeof(c->chunk) ? memrchr(c->chunk, '\n', n) : NULL;
		if (nl) {
			c->log_pos -= n - (size_t)(nl + 1 - c->chunk);
			n = (size_t)(nl + 1 - c->chunk);
		}
		if (c->log && c->log_dropped) {
			log_write(c, note, notice(note, c->log_dropped,
						  c->log->line_start, "\n"));
		}
		c->log_dropped = 0;
		if (!n)
			return;
		if (c->log)
			log_write(c, c->chunk, n);
	}
}

/* The monitor's own messages, as they come, to the log. */
static void err_drain(struct hv_console *c)
{
	ssize_t r;

	if (c->err_rd < 0)
		return;
	while ((r = read(c->err_rd, c->chunk, sizeof(c->chunk))) > 0)
		if (c->log)
			log_write(c, c->chunk, (size_t)r);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Is someone holding the pty's slave open?  Its master says POLLHUP
 * while nobody does.  A reader that just came gets what no reader took.
 */
static void pty_check(struct hv_console *c)
{
	struct pollfd pfd = { .fd = c->pty_fd, .events = 0 };

	if (c->pty_fd < 0)
		return;
	c->recheck = 0;
	c->next_check = now_ms() + ATTACH_POLL_MS;
	if (poll(&pfd, 1, 0) < 0)
		return;
	c->attached = !(pfd.revents & POLLHUP);
	/*
	 * Take what was typed by a reader gone since, or come and gone
	 * between two looks (echo cmd > pty): read until EIO.
	 */
	if (!c->attached)
		c->leftover = 1;
}

/* Write what the reader has not had yet, while the pty takes it. */
static void pty_drain(struct hv_console *c)
{
	size_t n;
	ssize_t r;

	while (c->attached) {
		if (c->pty_off == c->pty_len) {
			c->pty_off = c->pty_len = 0;
			n = ring_take(c, &c->pty_pos, &c->pty_dropped);
			if (c->pty_dropped)
				c->pty_len = notice((char *)c->pty_buf,
						    c->pty_dropped, 0, "\r\n");
			c->pty_dropped = 0;
			memcpy(c->pty_buf + c->pty_len, c->chunk, n);
			c->pty_len += n;
			if (!c->pty_len)
				return;
		}
		r = write(c->pty_fd, c->pty_buf + c->pty_off,
			  c->pty_len - c->pty_off);
		if (r <= 0)
			return;	/* full (POLLOUT says when), or gone */
		c->pty_off += (size_t)r;
	}
}

/* Is anything waiting for the pty? */
static int pty_pending(struct hv_console *c)
{
	int more;

	if (c->pty_off < c->pty_len)
		return 1;
	pthread_mutex_lock(&c->lock);
	more = c->pty_pos != c->ring.head;
	pthread_mutex_unlock(&c->lock);
	return more;
}

/* Hand typed bytes to the UART as its FIFO makes room. */
static void input_feed(struct hv_console *c)
{
	c->in_off += hv_uart_receive(c->uart, c->in + c->in_off,
				     c->in_len - c->in_off);
}

static void input_read(struct hv_console *c)
{
	ssize_t r = read(c->in_fd, c->in, sizeof(c->in));

	/* a reader that left: all it typed is taken, then EIO */
	if (r <= 0 && c->in_fd == c->pty_fd && !c->attached)
		c->leftover = 0;
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* a read from a background tty fails with EIO (SIGTTIN blocked) */
	if (r < 0 && errno == EIO && c->in_fd != c->pty_fd) {
		c->in_paused = 1;
		return;
	}
	if (r <= 0) {
		if (c->in_fd != c->pty_fd)
			c->in_fd = -1;	/* end of input: read no more */
		return;
	}
	c->in_off = 0;
	c->in_len = (size_t)r;
	input_feed(c);
}

static void drain_efd(int fd)
{
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));

	(void)r;
}

/* How long to poll: input waiting for room, a paused tty, a reader to find. */
static int loop_timeout(struct hv_console *c)
{
	if (c->in_off < c->in_len)
		return FULL_WAIT_MS;
	if (c->in_paused)
		return BACKGROUND_MS;
	if (c->pty_fd >= 0 && !c->attached)
		return ATTACH_POLL_MS;
	return -1;
}

static void *console_thread(void *arg)
{
	struct hv_console *c = arg;
	enum { P_QUIT, P_WAKE, P_ERR, P_IN, P_PTY, P_N };
	struct pollfd pfd[P_N];
	int typing, r;
	sigset_t set;

	hv_sandbox_thread();
	/* A read from a background tty fails with EIO, not stopping us. */
	sigemptyset(&set);
	sigaddset(&set, SIGTTIN);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	c->recheck = 1;
	for (;;) {
		log_drain(c);
		/* by the clock: a flooding guest keeps poll from timing out */
		if (c->recheck || (!c->attached && now_ms() >= c->next_check))
			pty_check(c);
		pty_drain(c);
		if (c->leftover && c->in_off == c->in_len)
			input_read(c);

		typing = c->in_off == c->in_len && !c->in_paused;
		memset(pfd, 0, sizeof(pfd));
		pfd[P_QUIT] = (struct pollfd){ c->quit_efd, POLLIN, 0 };
		pfd[P_WAKE] = (struct pollfd){ c->wake_efd, POLLIN, 0 };
		pfd[P_ERR] = (struct pollfd){ c->err_rd, POLLIN, 0 };
		pfd[P_IN].fd = pfd[P_PTY].fd = -1;
		if (c->in_fd >= 0 && c->in_fd != c->pty_fd && typing)
			pfd[P_IN] = (struct pollfd){ c->in_fd, POLLIN, 0 };
		if (c->attached) {
			/* POLLHUP comes unasked: the reader left */
			pfd[P_PTY].fd = c->pty_fd;
			if (typing)
				pfd[P_PTY].events |= POLLIN;
			if (pty_pending(c))
				pfd[P_PTY].events |= POLLOUT;
		}
		r = poll(pfd, P_N, loop_timeout(c));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hv_err("console: poll: %s", strerror(errno));
			break;
		}
		if (pfd[P_QUIT].revents)
			break;
		if (pfd[P_PTY].revents & (POLLHUP | POLLERR))
			c->recheck = 1;
		if (pfd[P_WAKE].revents) {
			/*
			 * A byte at a time is how a UART talks: wait a
			 * moment for more, rather than a wake-up each.
			 */
			poll(&pfd[P_QUIT], 1, GATHER_MS);
			drain_efd(c->wake_efd);
			pthread_mutex_lock(&c->lock);
			c->notified = 0;
			pthread_mutex_unlock(&c->lock);
		}
		if (pfd[P_ERR].revents)
			err_drain(c);
		c->in_paused = 0;
		if (c->in_off < c->in_len)
			input_feed(c);
		else if (pfd[P_IN].revents)
			input_read(c);
		else if (pfd[P_PTY].revents & POLLIN)
			input_read(c);
	}
	/* what the guest said last, and why the monitor stops, is kept */
	log_drain(c);
	err_drain(c);
	return NULL;
}

static void console_free(struct hv_console *c)
{
	if (!c)
		return;
	if (c->link)
		unlink(c->link);
	free(c->link);
	if (c->err_wr >= 0) {
		/* late messages go straight to the log, or nowhere */
		if (c->log)
			dup2(c->log->fd, STDERR_FILENO);
		close(c->err_wr);
	}
	if (c->err_rd >= 0)
		close(c->err_rd);
	if (c->pty_fd >= 0)
		close(c->pty_fd);
	if (c->wake_efd >= 0)
		close(c->wake_efd);
	if (c->quit_efd >= 0)
		close(c->quit_efd);
	hv_conlog_free(c->log);
	hv_ring_dispose(&c->ring);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/*
 * A new pty in @c, raw, its slave's path in @name.  The slave is opened
 * once and closed, so that the master says POLLHUP until a reader comes
 * (a fresh pty does not); raw mode stays with it.  A reader coming is
 * looked for every ATTACH_POLL_MS: inotify would hear it at once, but
 * its instances are limited per user (128), and a host of many guests
 * would take them all from its other programs.
 */
static int pty_open(struct hv_console *c, char *name, size_t len)
{
	struct termios t;
	int r, slave;

	c->pty_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (c->pty_fd < 0)
		return -errno;
	if (grantpt(c->pty_fd) < 0 || unlockpt(c->pty_fd) < 0)
		return -errno;
	r = ptsname_r(c->pty_fd, name, len);
	if (r)
		return -r;
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return -errno;
	/* No echo of the guest's output back into it, no line editing. */
	r = tcgetattr(slave, &t);
	if (!r) {
		cfmakeraw(&t);
		r = tcsetattr(slave, TCSANOW, &t);
	}
	r = r < 0 ? -errno : 0;
	close(slave);
	return r;
}

/* The pty, linked at @link; the console works on without it. */
static int pty_start(struct hv_console *c, const char *link, char *name,
		     size_t len)
{
	char tty[64];
	int rc;

	rc = pty_open(c, tty, sizeof(tty));
	if (!rc && strlen(tty) >= len)
		rc = -ENAMETOOLONG;
	/* a link left by a monitor that was killed is stale */
	if (!rc && link && unlink(link) < 0 && errno != ENOENT)
		rc = -errno;
	if (!rc && link && symlink(tty, link) < 0)
		rc = -errno;
	if (!rc && link && !(c->link = strdup(link))) {
		unlink(link);
		rc = -ENOMEM;
	}
	if (rc) {
		hv_err("console pty%s%s: %s (continuing without)",
		       link ? " " : "", link ? link : "", strerror(-rc));
		if (c->pty_fd >= 0)
			close(c->pty_fd);
		c->pty_fd = -1;
		return rc;
	}
	strcpy(name, tty);
	c->in_fd = c->pty_fd;
	return 0;
}

int hv_console_start(struct hv_vm *vm, const struct hv_console_cfg *cfg,
		     struct hv_conlog *log, char *tty, size_t len)
{
	struct hv_device *uart = hv_bus_find(&vm->pio, HV_ABI_PORT_COM1, 1);
	struct hv_console *c;
	pthread_attr_t attr;
	int r, rc, p[2];

	if (len)
		tty[0] = '\0';
	c = uart ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		hv_conlog_free(log);
		return uart ? -ENOMEM : -ENODEV;
	}
	c->vm = vm;
	c->uart = uart;
	c->log = log;
	c->quit_efd = c->wake_efd = c->err_rd = c->err_wr = -1;
	c->pty_fd = -1;
	c->in_fd = cfg->in_fd;
	pthread_mutex_init(&c->lock, NULL);
	rc = hv_ring_init(&c->ring, cfg->ring_size);
	if (rc)
		goto out;
	c->quit_efd = eventfd(0, EFD_CLOEXEC);
	c->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->quit_efd < 0 || c->wake_efd < 0) {
		rc = -errno;
		goto out;
	}
	/* a stdout nobody reads holds the thread only until the stop */
	if (log)
		log->wait_fd = c->quit_efd;
	/* non-blocking: a message the thread cannot take yet is dropped */
	if (cfg->capture_stderr && pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = -errno;
		goto out;
	}
	if (cfg->capture_stderr) {
		c->err_rd = p[0];
		c->err_wr = p[1];
	}
	if (cfg->pty)
		pty_start(c, cfg->tty_link, tty, len);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONSOLE_STACK);
	r = pthread_create(&c->thread, &attr, console_thread, c);
	pthread_attr_destroy(&attr);
	if (r) {
		rc = -r;
		goto out;
	}
	vm->console = c;
out:
	if (rc)
		console_free(c);
	return rc;
}

int hv_console_take_stderr(struct hv_vm *vm)
{
	struct hv_console *c = vm->console;

	if (!c || c->err_wr < 0)
		return -ENODEV;
	if (dup2(c->err_wr, STDERR_FILENO) < 0)
		return -errno;
	return 0;
}

void hv_console_stop(struct hv_vm *vm)
{
	struct hv_console *c = vm->console;
	uint64_t one = 1;
	ssize_t r;

	if (!c)
		return;
	r = write(c->quit_efd, &one, sizeof(one));
	(void)r;	/* cannot fail on a fresh eventfd */
	pthread_join(c->thread, NULL);
	vm->console = NULL;
	console_free(c);
}
