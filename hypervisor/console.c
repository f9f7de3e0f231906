// SPDX-License-Identifier: GPL-2.0
/* Console input into the UART (see console.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
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

int hv_console_start(struct hv_vm *vm, int in_fd)
{
	struct hv_device *uart = hv_bus_find(&vm->pio, HV_ABI_PORT_COM1, 1);
	struct hv_console *c = NULL;
	pthread_attr_t attr;
	int rc, r;

	if (!uart)
		return -ENODEV;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->uart = uart;
	c->in_fd = in_fd;
	c->quit_efd = eventfd(0, EFD_CLOEXEC);
	if (c->quit_efd < 0) {
		rc = -errno;
		goto out;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONSOLE_STACK);
	r = pthread_create(&c->thread, &attr, console_thread, c);
	pthread_attr_destroy(&attr);
	rc = -r;
out:
	if (rc) {
		if (c->quit_efd >= 0)
			close(c->quit_efd);
		free(c);
		return rc;
	}
	vm->console = c;
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
	close(c->quit_efd);
	free(c);
	vm->console = NULL;
}
