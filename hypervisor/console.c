// SPDX-License-Identifier: GPL-2.0
/* Console input into the UART, and the pseudo-terminal (see console.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "dev/devices.h"
#include "guest_abi.h"
#include "hv.h"

#define CONSOLE_STACK	(64 * 1024)
#define FULL_WAIT_MS	1	/* retry a full FIFO this often */
#define BACKGROUND_MS	200	/* retry a tty we may not read yet */

struct hv_console {
	struct hv_device *uart;
	int in_fd;
	int quit_efd;
	pthread_t thread;
	int pty_fd;		/* the pty's master (ours, non-blocking) or -1 */
	int slave_fd;		/* held open: no hangup between readers */
	char *link;		/* a symlink to the slave, removed at the end */
};

/* Wait up to @ms for the quit event; 1 if it came. */
static int quit_wait(struct hv_console *c, int ms)
{
	struct pollfd pfd = { .fd = c->quit_efd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/* Hand @len bytes to the UART, waiting while its FIFO is full. */
static int feed(struct hv_console *c, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		done += hv_uart_receive(c->uart, buf + done, len - done);
		if (done < len && quit_wait(c, FULL_WAIT_MS))
			return -EINTR;
	}
	return 0;
}

static void *console_thread(void *arg)
{
	struct hv_console *c = arg;
	struct pollfd pfd[2] = {
		{ .fd = c->in_fd, .events = POLLIN },
		{ .fd = c->quit_efd, .events = POLLIN },
	};
	uint8_t buf[64];
	sigset_t set;
	ssize_t r;

	/* Read from a background tty fails with EIO instead of stopping us. */
	sigemptyset(&set);
	sigaddset(&set, SIGTTIN);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		r = read(c->in_fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0 && errno == EIO) {
			if (quit_wait(c, BACKGROUND_MS))
				break;
			continue;
		}
		if (r <= 0)
			break;		/* end of input: the guest reads no more */
		if (feed(c, buf, (size_t)r))
			break;
	}
	return NULL;
}

/* Start the input thread on @c, then hang it on @vm. */
static int console_run(struct hv_vm *vm, struct hv_console *c)
{
	pthread_attr_t attr;
	int r;

	c->quit_efd = eventfd(0, EFD_CLOEXEC);
	if (c->quit_efd < 0)
		return -errno;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONSOLE_STACK);
	r = pthread_create(&c->thread, &attr, console_thread, c);
	pthread_attr_destroy(&attr);
	if (r)
		return -r;
	vm->console = c;
	return 0;
}

static struct hv_console *console_new(struct hv_vm *vm)
{
	struct hv_device *uart = hv_bus_find(&vm->pio, HV_ABI_PORT_COM1, 1);
	struct hv_console *c;

	if (!uart) {
		errno = ENODEV;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->uart = uart;
	c->in_fd = c->pty_fd = c->slave_fd = c->quit_efd = -1;
	return c;
}

static void console_free(struct hv_console *c)
{
	if (!c)
		return;
	if (c->link)
		unlink(c->link);
	free(c->link);
	if (c->quit_efd >= 0)
		close(c->quit_efd);
	if (c->slave_fd >= 0)
		close(c->slave_fd);
	if (c->pty_fd >= 0)
		close(c->pty_fd);
	free(c);
}

int hv_console_start(struct hv_vm *vm, int in_fd)
{
	struct hv_console *c = console_new(vm);
	int rc;

	if (!c)
		return -errno;
	c->in_fd = in_fd;
	rc = console_run(vm, c);
	if (rc)
		console_free(c);
	return rc;
}

/* A new pty in @c, its slave in raw mode and held open; name in @name. */
static int pty_open(struct hv_console *c, char *name, size_t len)
{
	struct termios t;
	int r;

	c->pty_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (c->pty_fd < 0)
		return -errno;
	if (grantpt(c->pty_fd) < 0 || unlockpt(c->pty_fd) < 0)
		return -errno;
	r = ptsname_r(c->pty_fd, name, len);
	if (r)
		return -r;
	c->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave_fd < 0)
		return -errno;
	/* No echo of the guest's output back into it, no line editing. */
	if (tcgetattr(c->slave_fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	if (tcsetattr(c->slave_fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}

int hv_console_start_pty(struct hv_vm *vm, const char *link, char *name,
			 size_t len)
{
	struct hv_console *c = console_new(vm);
	char tty[64];
	int rc;

	if (!c)
		return -errno;
	rc = pty_open(c, tty, sizeof(tty));
	if (rc)
		goto out;
	if (strlen(tty) >= len) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	if (link) {
		/* a link left by a monitor that was killed is stale */
		if (unlink(link) < 0 && errno != ENOENT) {
			rc = -errno;
			goto out;
		}
		if (symlink(tty, link) < 0) {
			rc = -errno;
			goto out;
		}
		c->link = strdup(link);
		if (!c->link) {
			unlink(link);
			rc = -ENOMEM;
			goto out;
		}
	}
	c->in_fd = c->pty_fd;
	rc = console_run(vm, c);
out:
	if (rc) {
		console_free(c);
		return rc;
	}
	strcpy(name, tty);
	return 0;
}

void hv_console_output(struct hv_vm *vm, uint8_t byte)
{
	struct hv_console *c = vm->console;
	ssize_t r;

	/* Nobody reading, or too slowly: the pty is full and drops it. */
	if (c && c->pty_fd >= 0) {
		r = write(c->pty_fd, &byte, 1);
		(void)r;
	}
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
