// SPDX-License-Identifier: GPL-2.0
/* The daemon's epoll loop, and its log. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "xld/xld.h"

struct reg {
	struct reg *next; /* registered, or dead until the batch ends */
	int fd;
	bool dead;
	xld_fd_fn fn;
	void *arg;
};

struct xld_loop {
	int epfd;
	bool stop;
	struct reg *regs;
	struct reg *dead;
};

struct xld_loop *xld_loop_new(void)
{
	struct xld_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int saved = errno;

		free(loop);
		errno = saved;
		return NULL;
	}
	return loop;
}

static void reap(struct xld_loop *loop)
{
	struct reg *r;

	while ((r = loop->dead)) {
		loop->dead = r->next;
		free(r);
	}
}

void xld_loop_free(struct xld_loop *loop)
{
	struct reg *r;

	if (!loop)
		return;
	while ((r = loop->regs)) {
		loop->regs = r->next;
		free(r);
	}
	reap(loop);
	close(loop->epfd);
	free(loop);
}

static struct reg *reg_find(struct xld_loop *loop, int fd)
{
	struct reg *r;

	for (r = loop->regs; r; r = r->next)
		if (r->fd == fd)
			return r;
	return NULL;
}

int xld_loop_add(struct xld_loop *loop, int fd, uint32_t events, xld_fd_fn fn,
		 void *arg)
{
	struct epoll_event ev = {.events = events};
	struct reg *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->fn = fn;
	r->arg = arg;
	ev.data.ptr = r;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		free(r);
		return rc;
	}
	r->next = loop->regs;
	loop->regs = r;
	return 0;
}

int xld_loop_mod(struct xld_loop *loop, int fd, uint32_t events)
{
	struct reg *r = reg_find(loop, fd);
	struct epoll_event ev = {.events = events};

	if (!r)
		return -ENOENT;
	ev.data.ptr = r;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void xld_loop_del(struct xld_loop *loop, int fd)
{
	struct reg **pp, *r;

	for (pp = &loop->regs; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			r = *pp;
			*pp = r->next;
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
			r->dead = true;
			r->next = loop->dead;
			loop->dead = r;
			return;
		}
	}
}

void xld_loop_stop(struct xld_loop *loop)
{
	loop->stop = true;
}

int xld_loop_run(struct xld_loop *loop)
{
	struct epoll_event evs[64];
	int r, i;

	while (!loop->stop) {
		r = epoll_wait(loop->epfd, evs, 64, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < r; i++) {
			struct reg *reg = evs[i].data.ptr;

			if (reg->dead)
				continue;
			reg->fn(loop, reg->fd, evs[i].events, reg->arg);
		}
		reap(loop);
	}
	return 0;
}

static FILE *log_file;
static bool log_stderr = true;
static char log_path[4096];

int xld_log_open(const char *path, bool to_stderr)
{
	FILE *f;

	if (strlen(path) >= sizeof(log_path))
		return -ENAMETOOLONG;
	f = fopen(path, "ae");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	xld_log_close();
	log_file = f;
	log_stderr = to_stderr;
	if (path != log_path)
		strcpy(log_path, path);
	return 0;
}

int xld_log_reopen(void)
{
	if (!log_path[0])
		return -ENOENT;
	return xld_log_open(log_path, log_stderr);
}

const char *xld_log_path(void)
{
	return log_path[0] ? log_path : NULL;
}

void xld_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void xld_log(enum xld_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info",
					    "debug"};
	char stamp[64], msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_file)
		fprintf(log_file, "%s.%03ldZ xld[%d] %s: %s\n", stamp,
			ts.tv_nsec / 1000000, (int)getpid(), names[level], msg);
	if (log_stderr || !log_file)
		fprintf(stderr, "%s.%03ldZ xld %s: %s\n", stamp,
			ts.tv_nsec / 1000000, names[level], msg);
}
