// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the xl <-> xld control protocol, server side
 * (xld/ctl/): one whole client connection per input.
 *
 * The input: byte 0 picks the socket (bit 0 set: the read-only
 * xld-ro.sock, else xld.sock), the rest is written as is on a
 * connection to it: newline-framed JSON requests, or anything.  Each
 * input gets a fresh event loop, store, domain registry and control
 * sockets in a temporary run directory, then the real code
 * runs: conn.c's framing, buffering and backpressure, methods.c's
 * dispatch (method table, privilege, parameter shape, domain
 * resolution), every method's argument checks, reply.c's replies.  The
 * client writes all of the input, shuts its side, and reads replies until
 * xld closes the connection.
 *
 * What is not covered, honestly: no domain ever exists.  The registry is
 * told this host has no KVM (xld --without-kvm), so "create" runs its
 * whole config validation (config_apply, the vif and vbd checks, the
 * scheduler bounds) and then fails with ENODEV before any monitor is
 * spawned; the methods on a domain reach only Domain-0's paths and "no
 * such domain".  Requests that would hold their reply (a wait on a
 * domain) cannot wait for anything.  File descriptors passed with a line
 * (SCM_RIGHTS: send, create with incoming) are not fuzzed.
 *
 * A failure is a crash, a sanitizer report or leak, a connection slower
 * than 1 s, or a reply that is not one JSON object a line with
 * "version": 1 (abort()ed on here).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

#include <json-c/json.h>

#include "xld/ctl/ctl.h"
#include "xld/dom/dom.h"
#include "xld/log.h"
#include "xld/loop.h"
#include "xld/store/xs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char rundir[64], statedir[96], logdir[96];

struct client {
	const uint8_t *data;
	size_t len, off;
	char *out;
	size_t out_len, out_cap;
	int fd, timer;
};

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_xlctl: inconsistency: %s\n", what);
		abort();
	}
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* At exit: the run directory goes, with everything in it. */
static void cleanup(void)
{
	nftw(rundir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	char log[128];

	signal(SIGPIPE, SIG_IGN);
	/* nothing may spawn a monitor, even past the no-KVM check */
	setenv("XLD_XLHV", "/nonexistent/xlhv", 1);
	snprintf(rundir, sizeof(rundir), "/tmp/fuzz-xlctl-XXXXXX");
	if (!mkdtemp(rundir))
		abort();
	atexit(cleanup);
	snprintf(statedir, sizeof(statedir), "%s/state", rundir);
	snprintf(logdir, sizeof(logdir), "%s/log", rundir);
	mkdir(statedir, 0700);
	mkdir(logdir, 0700);
	/* the daemon's messages, one for each refusal, to a file */
	snprintf(log, sizeof(log), "%s/xld.log", logdir);
	if (xld_log_open(log, false))
		abort();
}

/* Every reply line is one JSON object with "version": 1. */
static void check_replies(struct client *cl)
{
	char *line = cl->out, *nl;
	json_object *j, *v;

	while (line < cl->out + cl->out_len &&
	       (nl = memchr(line, '\n', cl->out + cl->out_len - line))) {
		*nl = '\0';
		j = json_tokener_parse(line);
		check(j && json_object_is_type(j, json_type_object),
		      "a reply line that is not a JSON object");
		check(json_object_object_get_ex(j, "version", &v) &&
			  json_object_get_int(v) == XLD_CTL_VERSION,
		      "a reply without version 1");
		json_object_put(j);
		line = nl + 1;
	}
}

static void client_event(struct xld_loop *loop, int fd, uint32_t events,
			 void *arg)
{
	struct client *cl = arg;
	ssize_t r;

	if (events & EPOLLOUT && cl->off < cl->len) {
		r = send(fd, cl->data + cl->off, cl->len - cl->off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0)
			cl->off += (size_t)r;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			cl->off = cl->len;
		if (cl->off == cl->len) {
			shutdown(fd, SHUT_WR);
			xld_loop_mod(loop, fd, EPOLLIN);
		}
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (cl->out_cap - cl->out_len < 65536) {
			cl->out_cap = cl->out_cap * 2 + 65536;
			cl->out = realloc(cl->out, cl->out_cap);
			if (!cl->out)
				abort();
		}
		r = recv(fd, cl->out + cl->out_len, cl->out_cap - cl->out_len,
			 MSG_DONTWAIT);
		if (r > 0)
			cl->out_len += (size_t)r;
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			xld_loop_stop(loop);
	}
}

/* A reply held for a domain that will never change: give up waiting. */
static void timer_event(struct xld_loop *loop, int fd, uint32_t events,
			void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	if (getenv("FUZZ_XLCTL_SHOW"))
		fprintf(stderr, "fuzz_xlctl: gave up waiting for the end\n");
	xld_loop_stop(loop);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct itimerspec its = {.it_value.tv_nsec = 100 * 1000000L};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct client cl = {.fd = -1, .timer = -1};
	struct xs_store *store;
	struct xld_loop *loop;
	struct xld_doms *doms;
	struct xld_ctl *ctl;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (!size)
		return 0;
	cl.data = data + 1;
	cl.len = size - 1;
	loop = xld_loop_new();
	store = xs_store_new(NULL, NULL);
	doms = loop && store
		   ? xld_doms_new(loop, store, NULL, rundir, statedir, logdir)
		   : NULL;
	if (!doms)
		abort();
	xld_doms_set_no_kvm(doms, "fuzzing: no KVM");
	ctl = xld_ctl_new(loop, doms, rundir, (gid_t)-1);
	if (!ctl)
		abort();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rundir,
		 data[0] & 1 ? "xld-ro.sock" : "xld.sock");
	cl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cl.timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (cl.fd < 0 || cl.timer < 0 ||
	    connect(cl.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    timerfd_settime(cl.timer, 0, &its, NULL) < 0 ||
	    xld_loop_add(loop, cl.fd, EPOLLIN | EPOLLOUT, client_event, &cl) ||
	    xld_loop_add(loop, cl.timer, EPOLLIN, timer_event, &cl))
		abort();
	if (!cl.len)
		shutdown(cl.fd, SHUT_WR);
	if (xld_loop_run(loop))
		abort();
	/* FUZZ_XLCTL_SHOW=1: what xld answered, to look at a seed's run */
	if (getenv("FUZZ_XLCTL_SHOW"))
		fwrite(cl.out, 1, cl.out_len, stderr);
	check_replies(&cl);
	xld_loop_del(loop, cl.fd);
	xld_loop_del(loop, cl.timer);
	close(cl.fd);
	close(cl.timer);
	free(cl.out);
	xld_ctl_free(ctl);
	xld_doms_free(doms);
	xs_store_free(store);
	xld_loop_free(loop);
	return 0;
}
