// SPDX-License-Identifier: GPL-2.0
/*
 * xl console: attach this terminal to a guest's serial console.  The
 * guest's monitor offers the console on a pseudo-terminal, published in
 * the store as /local/domain/<domid>/console/tty; xld tells us its path.
 * The terminal goes to raw mode (restored on every way out) and bytes
 * are copied both ways until Ctrl-] (detach), the console closing (the
 * domain is gone) or a signal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-], as Xen's xenconsole */
#define BUF_SIZE 4096

/* The tty path of @dom's console from xld; prints why not.  0 or exit 1. */
static int console_tty(const char *dom, char *tty, size_t len)
{
	struct xl_ctl_err err;
	json_object *params, *res = NULL, *v;
	const char *s;
	int rc;

	params = xl_ctl_dom_params(dom);
	rc = params ? xl_ctl_call("console", params, &res, &err) : -ENOMEM;
	json_object_put(params);
	if ((rc == -ENOENT || rc == -ESRCH) && err.name[0]) {
		fprintf(stderr, "%s is an invalid domain identifier (rc=-6)\n",
			dom);
		return 1;
	}
	if (rc) {
		xl_ctl_perror("console", rc, &err);
		return 1;
	}
	s = json_object_object_get_ex(res, "tty", &v)
		? json_object_get_string(v)
		: NULL;
	if (!s || !*s || strlen(s) >= len) {
		fprintf(stderr, "xl console: xld gave no console for %s\n",
			dom);
		json_object_put(res);
		return 1;
	}
	strcpy(tty, s);
	json_object_put(res);
	return 0;
}

/* Write all of @len bytes to blocking @fd.  0 or -errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t r;

	while (len) {
		r = write(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Copy between the terminal (stdin/stdout) and @pty until detach, the
 * console closing or a signal on @sig_fd.  Input waits in @in while the
 * guest is slow to take it; output is written as it comes.
 */
static int copy_loop(int pty, int sig_fd)
{
	char in[BUF_SIZE], out[BUF_SIZE], *esc;
	struct signalfd_siginfo si;
	size_t in_len = 0, in_off = 0;
	int stdin_open = 1;
	ssize_t r;

	for (;;) {
		struct pollfd pfd[3] = {
		    {.fd = pty, .events = POLLIN},
		    {.fd = stdin_open && in_off == in_len ? STDIN_FILENO : -1,
		     .events = POLLIN},
		    {.fd = sig_fd, .events = POLLIN},
		};

		if (in_off < in_len)
			pfd[0].events |= POLLOUT;
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[2].revents) {
			/* taken, so it stays handled once unblocked */
			r = read(sig_fd, &si, sizeof(si));
			(void)r;
			return 0;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(pty, out, sizeof(out));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0)
				return 0; /* the monitor closed it */
			if (write_all(STDOUT_FILENO, out, (size_t)r))
				return 0; /* our terminal went away */
		}
		if (pfd[0].revents & POLLOUT && in_off < in_len) {
			r = write(pty, in + in_off, in_len - in_off);
			if (r < 0 && errno != EINTR && errno != EAGAIN)
				return 0;
			if (r > 0)
				in_off += (size_t)r;
		}
		if (pfd[1].revents) {
			r = read(STDIN_FILENO, in, sizeof(in));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				stdin_open = 0; /* output goes on */
				continue;
			}
			esc = memchr(in, ESCAPE_CHAR, (size_t)r);
			in_off = 0;
			in_len = esc ? (size_t)(esc - in) : (size_t)r;
			if (esc) {
				/* what came before it goes, if it can now */
				r = write(pty, in, in_len);
				(void)r;
				return 0;
			}
		}
	}
}

int xl_console_attach(const char *dom)
{
	struct termios saved, raw;
	char tty[256];
	int pty = -1, sig_fd = -1, is_tty, ret;
	sigset_t sigs, old;

	ret = console_tty(dom, tty, sizeof(tty));
	if (ret)
		return ret;
	pty = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (pty < 0) {
		fprintf(stderr, "xl console: %s: %s\n", tty, strerror(errno));
		return 1;
	}
	/* the monitor set it raw; make sure, as xenconsole does */
	if (tcgetattr(pty, &raw) == 0) {
		cfmakeraw(&raw);
		tcsetattr(pty, TCSANOW, &raw);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sig_fd < 0) {
		fprintf(stderr, "xl console: signalfd: %s\n", strerror(errno));
		ret = 1;
		goto out;
	}
	is_tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	}
	ret = copy_loop(pty, sig_fd) ? 1 : 0;
	if (is_tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
out:
	if (sig_fd >= 0)
		close(sig_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pty);
	return ret;
}

int main_console(int argc, char **argv)
{
	int opt;

	while ((opt = xl_getopt(argc, argv, "t:n:", NULL, "console", 1)) !=
	       -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 't':
			/* one console: the serial line, also the "pv" one */
			if (strcmp(optarg, "pv") && strcmp(optarg, "serial")) {
				fprintf(stderr, "console type must be 'pv' "
						"or 'serial'\n");
				return 2;
			}
			break;
		case 'n':
			if (strcmp(optarg, "0")) {
				fprintf(stderr, "xl console: domains have "
						"one console, number 0\n");
				return 1;
			}
			break;
		}
	}
	if (argc - optind != 1) {
		xl_cmd_help(xl_cmd_find("console"), 1);
		return 2;
	}
	return xl_console_attach(argv[optind]);
}
