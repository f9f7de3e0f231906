// SPDX-License-Identifier: GPL-2.0
/*
 * The connections of xl to xld: accepting them, their input and output
 * buffers, the deferred work; the sockets' setup.
 *
 * The protocol: newline-delimited JSON on two unix sockets.
 *
 * A request is {"version": 1, "id": ANY, "method": "NAME", "params": {..}};
 * its reply is {"version": 1, "id": ANY, "result": {..}} or
 * {"version": 1, "id": ANY, "error": {"errno": "ENOENT", "code": 2,
 * "message": "..."}}.  Requests on one connection are answered in order,
 * one at a time; shutdown/reboot with "wait" hold the connection until the
 * domain has shut down.  Method, privilege and parameter shape are checked
 * centrally from the method table; every byte from a client is hostile.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xld/ctl/ctl.h"
#include "xld/ctl/ctl_internal.h"
#include "xld/log.h"

static void conn_update(struct ctl_conn *c);

static bool backlogged(const struct ctl_conn *c)
{
	return c->out_len - c->out_off > CTL_OUT_SOFT;
}

/* ---- output ---- */

void ctl_conn_queue(struct ctl_conn *c, const char *s, size_t len)
{
	size_t need;
	char *n;

	if (c->dead)
		return;
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	need = c->out_len + len + 1;
	if (need - c->out_off > XLD_CTL_OUT_MAX) {
		xld_warn("client pid %ld: more than %u bytes of replies "
			 "unread: dropped",
			 (long)c->pid, XLD_CTL_OUT_MAX);
		c->dead = true;
		ctl_kick(c->ctl);
		return;
	}
	if (need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;

		while (cap < need)
			cap *= 2;
		n = realloc(c->out, cap);
		if (!n) {
			c->dead = true;
			ctl_kick(c->ctl);
			return;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
}

void ctl_conn_flush(struct ctl_conn *c)
{
	ssize_t r;

	while (!c->dead && c->out_off < c->out_len) {
		r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r < 0) {
			c->dead = true;
			ctl_kick(c->ctl);
			return;
		}
		c->out_off += (size_t)r;
	}
	/* a refused client reads its error, then EOF (not a reset) */
	if (c->draining && !c->dead && c->out_off == c->out_len)
		shutdown(c->fd, SHUT_WR);
	conn_update(c);
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Refuse the rest of what @c sends, after one last error. */
static void conn_refuse(struct ctl_conn *c, int rc, const char *msg)
{
	ctl_send_error(c, NULL, rc, msg);
	c->draining = true;
	c->in_len = 0;
	fd_close(&c->pend_fd);
}

/* Handle every complete line buffered, unless a reply is held. */
static void process(struct ctl_conn *c)
{
	char *nl;
	size_t len;

	while (!c->dead && !c->draining && !c->waiting && !backlogged(c) &&
	       (nl = memchr(c->in, '\n', c->in_len))) {
		len = (size_t)(nl - c->in);
		/* the fd that came with a byte of this line is its own */
		if (c->line_fd < 0 && c->pend_fd >= 0 && c->pend_off <= len) {
			c->line_fd = c->pend_fd;
			c->pend_fd = -1;
		}
		*nl = '\0';
		if (!ctl_handle_line(c, c->in, len)) {
			*nl = '\n';
			break;
		}
		/* a request that took no fd closes the one it came with */
		fd_close(&c->line_fd);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		if (c->pend_fd >= 0)
			c->pend_off -= len + 1;
	}
	if (!c->dead && !c->draining && !c->waiting && c->in_len >= CTL_IN_CAP)
		conn_refuse(c, -E2BIG,
			    "request line too long: the limit is 262144 bytes");
	ctl_conn_flush(c);
	if (c->dead)
		ctl_kick(c->ctl);
}

/* ---- connections ---- */

static void conn_free(struct xld_ctl *ctl, struct ctl_conn *c)
{
	struct ctl_conn **pp;

	for (pp = &ctl->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ctl->nconns--;
	/* a send whose client went is cancelled: the guest runs on */
	xld_send_cancel(c->send);
	c->send = NULL;
	ctl_held_orphan(ctl, c);
	xld_loop_del(ctl->loop, c->fd);
	close(c->fd);
	fd_close(&c->line_fd);
	fd_close(&c->pend_fd);
	json_object_put(c->wait_id);
	free(c->in);
	free(c->out);
	free(c);
}

static void conn_update(struct ctl_conn *c)
{
	uint32_t ev = 0;

	if (c->dead)
		return;
	if (c->draining ||
	    (!c->waiting && !backlogged(c) && c->in_len < CTL_IN_CAP))
		ev |= EPOLLIN;
	if (c->out_off < c->out_len)
		ev |= EPOLLOUT;
	if (ev != c->events && xld_loop_mod(c->ctl->loop, c->fd, ev) == 0)
		c->events = ev;
}

/*
 * Read what @c sent, and the file descriptor that may come with it
 * (SCM_RIGHTS): it belongs to the line its first byte is part of (the
 * kernel never joins bytes sent with a descriptor to earlier ones).
 * More than one before a line takes the first sets c->fd_refused.
 */
static ssize_t conn_recv(struct ctl_conn *c)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = c->in + c->in_len,
			    .iov_len = c->in_cap - c->in_len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm;
	ssize_t r;
	size_t i, n;
	int fds[4];

	r = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r < 0)
		return r;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > 4)
			n = 4;
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (i = 0; i < n; i++) {
			if (c->pend_fd < 0 && i == 0 && n == 1) {
				c->pend_fd = fds[i];
				c->pend_off = c->in_len;
				continue;
			}
			close(fds[i]);
			c->fd_refused = true;
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		c->fd_refused = true;
	return r;
}

static void conn_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct ctl_conn *c = arg;
	ssize_t r;

	if (c->dead)
		return;
	if (events & EPOLLOUT) {
		ctl_conn_flush(c);
		/* drained enough: the requests that waited go on */
		if (!backlogged(c) && !c->waiting && !c->draining &&
		    memchr(c->in, '\n', c->in_len))
			process(c);
	}
	if (c->draining && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		char sink[4096];

		r = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			c->dead = true;
			ctl_kick(c->ctl);
		}
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (c->in_len < CTL_IN_CAP && !c->waiting && !backlogged(c)) {
			if (c->in_len == c->in_cap) {
				size_t cap = c->in_cap * 2;
				char *n;

				if (cap > CTL_IN_CAP)
					cap = CTL_IN_CAP;
				n = realloc(c->in, cap);
				if (!n) {
					c->dead = true;
					ctl_kick(c->ctl);
					return;
				}
				c->in = n;
				c->in_cap = cap;
			}
			r = conn_recv(c);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (r <= 0) {
				c->dead = true;
				ctl_kick(c->ctl);
				return;
			}
			c->in_len += (size_t)r;
			if (c->fd_refused) {
				conn_refuse(c, -EPROTO,
					    "at most one file descriptor may "
					    "come with a request line");
				ctl_conn_flush(c);
				return;
			}
			process(c);
		} else if (events & (EPOLLHUP | EPOLLERR)) {
			c->dead = true;
			ctl_kick(c->ctl);
		}
	}
}

/*
 * Whether process @pid (primary group @gid) is in @group: SO_PEERCRED
 * gives only the primary group, the supplementary ones are in
 * /proc/<pid>/status.
 */
static bool peer_in_group(pid_t pid, gid_t gid, gid_t group)
{
	char path[64], line[4096], *p, *end;
	bool in = gid == group;
	unsigned long g;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = in ? NULL : fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		for (p = line + 7; !in; p = end) {
			errno = 0;
			g = strtoul(p, &end, 10);
			if (end == p || errno)
				break;
			in = (gid_t)g == group;
		}
		break;
	}
	if (f)
		fclose(f);
	return in;
}

static void accept_event(struct xld_loop *loop, int fd, uint32_t events,
			 void *arg)
{
	struct xld_ctl *ctl = arg;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctl_conn *c = NULL;
	bool priv = fd == ctl->lfd[0];
	int cfd, rc;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		xld_warn("SO_PEERCRED: %s: client refused", strerror(errno));
		goto refuse;
	}
	if (priv && cred.uid != 0 && cred.uid != geteuid() &&
	    (ctl->group == (gid_t)-1 ||
	     !peer_in_group(cred.pid, cred.gid, ctl->group))) {
		xld_warn("uid %ld (pid %ld) on %s refused: %s", (long)cred.uid,
			 (long)cred.pid, ctl->path[0],
			 ctl->group == (gid_t)-1 ? "root only"
						 : "not in its group");
		goto refuse;
	}
	if (ctl->nconns >= XLD_CTL_CONNS_MAX) {
		xld_warn("%u clients already: pid %ld refused", ctl->nconns,
			 (long)cred.pid);
		goto refuse;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->in = malloc(4096)))
		goto refuse;
	c->in_cap = 4096;
	c->line_fd = c->pend_fd = -1;
	c->ctl = ctl;
	c->serial = ++ctl->next_serial;
	c->fd = cfd;
	c->priv = priv;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->events = EPOLLIN;
	rc = xld_loop_add(ctl->loop, cfd, EPOLLIN, conn_event, c);
	if (rc)
		goto refuse;
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->nconns++;
	return;
refuse:
	if (c)
		free(c->in);
	free(c);
	close(cfd);
}

/* ---- deferred work: closing clients, resuming after a wait ---- */

void ctl_kick(struct xld_ctl *ctl)
{
	uint64_t one = 1;

	if (write(ctl->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		xld_err("eventfd: %s", strerror(errno));
}

static void kick_event(struct xld_loop *loop, int fd, uint32_t events,
		       void *arg)
{
	struct xld_ctl *ctl = arg;
	struct ctl_conn *c, *next;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
	for (c = ctl->conns; c; c = next) {
		next = c->next;
		if (c->resume && !c->dead) {
			c->resume = false;
			process(c);
		}
		if (c->dead)
			conn_free(ctl, c);
	}
	ctl_held_reap(ctl);
}

static void dom_event(void *arg, struct xld_dom *d, enum xld_dom_event ev)
{
	struct xld_ctl *ctl = arg;
	struct ctl_conn *c;

	/* an orphan that was busy may be destroyed now (held.c) */
	if (ctl->orphans)
		ctl_kick(ctl);
	/* a domain whose start failed was never announced */
	for (c = ctl->conns; c && ev != XLD_DOM_FAILED; c = c->next)
		if (c->subscribed && !c->dead)
			ctl_send_event(c, d, ev);
	for (c = ctl->conns; c; c = c->next) {
		if (!c->waiting || c->dead || c->wait_domid != d->domid ||
		    !ctl_wait_event(c, d, ev))
			continue;
		json_object_put(c->wait_id);
		c->wait_id = NULL;
		c->waiting = false;
		c->resume = true;
		ctl_conn_flush(c);
		ctl_kick(ctl);
	}
}

/* ---- setup ---- */

static int listen_on(const char *path, mode_t mode, gid_t group, int *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (group != (gid_t)-1 && chown(path, (uid_t)-1, group) < 0) ||
	    chmod(path, mode) < 0 || listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		return rc;
	}
	*out = fd;
	return 0;
}

struct xld_ctl *xld_ctl_new(struct xld_loop *loop, struct xld_doms *doms,
			    const char *rundir, gid_t group)
{
	static const char *const names[2] = {"xld.sock", "xld-ro.sock"};
	const mode_t modes[2] = {group == (gid_t)-1 ? 0600 : 0660, 0666};
	const gid_t groups[2] = {group, (gid_t)-1};
	struct xld_ctl *ctl = calloc(1, sizeof(*ctl));
	char path[PATH_MAX];
	int i, rc = -ENOMEM;

	if (!ctl)
		return NULL;
	ctl->loop = loop;
	ctl->doms = doms;
	ctl->group = group;
	ctl->lfd[0] = ctl->lfd[1] = ctl->kick_fd = -1;
	ctl->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctl->kick_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = xld_loop_add(loop, ctl->kick_fd, EPOLLIN, kick_event, ctl);
	if (rc) {
		close(ctl->kick_fd);
		ctl->kick_fd = -1;
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", rundir, names[i]) >=
		    (int)sizeof(path)) {
			rc = -ENAMETOOLONG;
			goto fail;
		}
		ctl->path[i] = strdup(path);
		if (!ctl->path[i]) {
			rc = -ENOMEM;
			goto fail;
		}
		rc = listen_on(path, modes[i], groups[i], &ctl->lfd[i]);
		if (rc) {
			xld_err("listen on %s: %s", path, strerror(-rc));
			free(ctl->path[i]);
			ctl->path[i] = NULL;
			goto fail;
		}
		rc =
		    xld_loop_add(loop, ctl->lfd[i], EPOLLIN, accept_event, ctl);
		if (rc)
			goto fail;
	}
	xld_doms_set_notify(doms, dom_event, ctl);
	return ctl;
fail:
	xld_ctl_free(ctl);
	errno = -rc;
	return NULL;
}

void xld_ctl_free(struct xld_ctl *ctl)
{
	int i;

	if (!ctl)
		return;
	xld_doms_set_notify(ctl->doms, NULL, NULL);
	while (ctl->conns)
		conn_free(ctl, ctl->conns);
	/* xld stopping destroys no domain */
	ctl_held_free(&ctl->orphans);
	for (i = 0; i < 2; i++) {
		if (ctl->lfd[i] >= 0) {
			xld_loop_del(ctl->loop, ctl->lfd[i]);
			close(ctl->lfd[i]);
		}
		if (ctl->path[i]) {
			unlink(ctl->path[i]);
			free(ctl->path[i]);
		}
	}
	if (ctl->kick_fd >= 0) {
		xld_loop_del(ctl->loop, ctl->kick_fd);
		close(ctl->kick_fd);
	}
	free(ctl);
}
