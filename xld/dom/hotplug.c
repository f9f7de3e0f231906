// SPDX-License-Identifier: GPL-2.0
/*
 * A hotplug script as a child watched by the loop (hotplug.h).  An epoll
 * set holds the child's output pipe, its pidfd and a timerfd; the loop
 * watches the set.  Without pidfd_open (old kernels, valgrind) the timer
 * ticks every POLL_MS instead and each tick looks for the exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xld/dom/hotplug.h"
#include "xld/log.h"

#define OUTPUT_MAX 4096
#define POLL_MS 50

extern char **environ;

struct xld_hotplug {
	struct xld_loop *loop;
	pid_t pid;
	int epfd;
	int out;     /* its output, until EOF */
	int pidfd;   /* or -1: the timer ticks */
	int timer;
	long long deadline_ms;
	xld_hotplug_fn fn;
	void *arg;
	char tag[300];
	size_t len;
	char buf[OUTPUT_MAX + 1];
	char last[512];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xld's environment without the names in @vars, then @vars. */
static char **env_make(char *const vars[], size_t nvars)
{
	size_t n = 0, i, j, k, len;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + nvars + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (i = k = 0; i < n; i++) {
		for (j = 0; j < nvars; j++) {
			len = strcspn(vars[j], "=") + 1;
			if (!strncmp(environ[i], vars[j], len))
				break;
		}
		if (j == nvars)
			env[k++] = environ[i];
	}
	for (i = 0; i < nvars; i++)
		env[k++] = vars[i];
	return env;
}

/* Log the complete lines buffered (all of them when @all). */
static void output_log(struct xld_hotplug *h, bool all)
{
	char *line = h->buf, *nl;
	size_t rest;

	h->buf[h->len] = '\0';
	while ((nl = strchr(line, '\n')) || (all && *line)) {
		if (nl)
			*nl = '\0';
		if (*line) {
			xld_log(XLD_LOG_INFO, "%s: %s", h->tag, line);
			snprintf(h->last, sizeof(h->last), "%.*s",
				 (int)sizeof(h->last) - 1, line);
		}
		if (!nl) {
			line += strlen(line);
			break;
		}
		line = nl + 1;
	}
	rest = h->len - (size_t)(line - h->buf);
	memmove(h->buf, line, rest);
	h->len = rest;
}

/* Read what it wrote; at EOF the pipe leaves the set. */
static void output_read(struct xld_hotplug *h)
{
	ssize_t r;

	while (h->out >= 0) {
		r = read(h->out, h->buf + h->len, OUTPUT_MAX - h->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->out, NULL);
			close(h->out);
			h->out = -1;
			return;
		}
		h->len += (size_t)r;
		/* a line longer than the buffer is logged in pieces */
		output_log(h, h->len == OUTPUT_MAX);
	}
}

static void hotplug_free(struct xld_hotplug *h)
{
	if (h->epfd >= 0)
		xld_loop_del(h->loop, h->epfd);
	if (h->out >= 0)
		close(h->out);
	if (h->pidfd >= 0)
		close(h->pidfd);
	if (h->timer >= 0)
		close(h->timer);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
}

static void kill_wait(struct xld_hotplug *h, int *status)
{
	kill(-h->pid, SIGKILL);
	kill(h->pid, SIGKILL);
	while (waitpid(h->pid, status, 0) < 0 && errno == EINTR)
		;
}

static void hotplug_event(struct xld_loop *loop, int fd, uint32_t events,
			  void *arg)
{
	struct xld_hotplug *h = arg;
	char how[32] = "";
	uint64_t ticks;
	int status = 0, rc = 0;

	(void)loop;
	(void)fd;
	(void)events;
	if (read(h->timer, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	output_read(h);
	if (waitpid(h->pid, &status, WNOHANG) != h->pid) {
		if (now_ms() < h->deadline_ms)
			return;
		kill_wait(h, &status);
		rc = -ETIMEDOUT;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* what it wrote before it ended is still in the pipe */
		if (WIFEXITED(status))
			snprintf(how, sizeof(how), "status %d",
				 WEXITSTATUS(status));
		else
			snprintf(how, sizeof(how), "signal %d",
				 WTERMSIG(status));
		rc = -EIO;
	}
	/* whatever it left behind may hold the pipe: read what is there */
	output_read(h);
	output_log(h, true);
	h->fn(h->arg, rc, how, h->last);
	hotplug_free(h);
}

static int ep_add(int epfd, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* The epoll set of @h, and @h in the loop. */
static int hotplug_watch(struct xld_hotplug *h, unsigned int timeout_s)
{
	struct itimerspec its = {0};
	int rc;

	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->epfd < 0 || h->timer < 0)
		return -errno;
	h->pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
	h->deadline_ms = now_ms() + (long long)timeout_s * 1000;
	if (h->pidfd >= 0) {
		its.it_value.tv_sec = timeout_s;
	} else {
		its.it_value.tv_nsec = POLL_MS * 1000000L;
		its.it_interval = its.it_value;
	}
	if (timerfd_settime(h->timer, 0, &its, NULL) < 0)
		return -errno;
	rc = ep_add(h->epfd, h->timer);
	if (!rc)
		rc = ep_add(h->epfd, h->out);
	if (!rc && h->pidfd >= 0)
		rc = ep_add(h->epfd, h->pidfd);
	if (!rc)
		rc = xld_loop_add(h->loop, h->epfd, EPOLLIN, hotplug_event, h);
	return rc;
}

int xld_hotplug_run(struct xld_loop *loop, const char *path,
		    const char *action, char *const vars[], size_t nvars,
		    const char *tag, unsigned int timeout_s, xld_hotplug_fn fn,
		    void *arg, struct xld_hotplug **out)
{
	const char *argv[] = {path, action, NULL};
	struct xld_hotplug *h;
	int pfd[2] = {-1, -1}, null = -1, rc = 0;
	char **env;

	h = calloc(1, sizeof(*h));
	env = env_make(vars, nvars);
	if (!h || !env) {
		free(h);
		free(env);
		return -ENOMEM;
	}
	h->loop = loop;
	h->fn = fn;
	h->arg = arg;
	h->epfd = h->timer = h->pidfd = h->out = -1;
	snprintf(h->tag, sizeof(h->tag), "%s", tag);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	h->pid = fork();
	if (h->pid < 0) {
		rc = -errno;
		goto fail;
	}
	if (h->pid == 0) {
		/* its own group, so a time-out kills what it started too */
		setpgid(0, 0);
		if (dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(pfd[1], 2) < 0)
			_exit(126);
		execve(argv[0], (char *const *)argv, env);
		dprintf(2, "cannot run it: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	close(null);
	free(env);
	h->out = pfd[0];
	if (fcntl(h->out, F_SETFL, O_NONBLOCK) < 0 ||
	    (rc = hotplug_watch(h, timeout_s))) {
		rc = rc ? rc : -errno;
		xld_hotplug_cancel(h);
		return rc;
	}
	*out = h;
	return 0;
fail:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (null >= 0)
		close(null);
	free(env);
	free(h);
	return rc;
}

void xld_hotplug_cancel(struct xld_hotplug *h)
{
	int status;

	if (!h)
		return;
	kill_wait(h, &status);
	hotplug_free(h);
}
