// SPDX-License-Identifier: GPL-2.0
/* xl's side of the control protocol (see xl_ctl.h and xld(8)). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xlcli/xl_ctl.h"

/* Socket paths fit in sun_path. */
#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* A reply longer than this is refused (a list of 32751 domains fits). */
#define REPLY_MAX (64u * 1024 * 1024)

static const char *rundir(void)
{
	const char *v = getenv("XLD_RUNDIR");

	return v && *v ? v : "/run/xld";
}

static int ctl_connect(const char *name, char *path, size_t len, int *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r, rc;

	r = snprintf(path, len, "%s/%s", rundir(), name);
	if (r < 0 || (size_t)r >= len || (size_t)r >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

static int send_all(int fd, const char *s, size_t len)
{
	ssize_t r;

	while (len) {
		r = send(fd, s, len, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		s += r;
		len -= (size_t)r;
	}
	return 0;
}

/* One line from @fd into *@out (malloc'd, newline stripped). */
static int read_line(int fd, char **out)
{
	char *buf = NULL, *n;
	size_t len = 0, cap = 0;
	ssize_t r;
	int rc;

	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 16384;
			if (cap > REPLY_MAX) {
				rc = -E2BIG;
				goto out;
			}
			n = realloc(buf, cap);
			if (!n) {
				rc = -ENOMEM;
				goto out;
			}
			buf = n;
		}
		r = recv(fd, buf + len, cap - len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0) {
			rc = -ECONNRESET;
			goto out;
		}
		n = memchr(buf + len, '\n', (size_t)r);
		len += (size_t)r;
		if (n) {
			*n = '\0';
			*out = buf;
			return 0;
		}
	}
out:
	free(buf);
	return rc;
}

/* xld's positive errno, or EIO for a code out of range. */
static int errno_of(int code)
{
	return code > 0 && code < 4096 ? code : EIO;
}

/* One request object of the xl protocol; NULL without memory. */
static json_object *request_new(const char *method, json_object *params)
{
	json_object *req = json_object_new_object();

	if (!req)
		return NULL;
	json_object_object_add(req, "version",
			       json_object_new_int(XL_CTL_VERSION));
	json_object_object_add(req, "id", json_object_new_int(1));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params)
		json_object_object_add(req, "params", json_object_get(params));
	return req;
}

int xl_ctl_request(const char *method, json_object *params, char **line,
		   struct xl_ctl_err *err)
{
	json_object *req = NULL;
	char path[SUN_PATH_MAX], path_ro[SUN_PATH_MAX];
	const char *s;
	int fd = -1, rc;

	err->name[0] = err->message[0] = '\0';
	rc = ctl_connect("xld.sock", path, sizeof(path), &fd);
	if (rc == -EACCES || rc == -EPERM) {
		/* not root: the read-only socket serves what it can, and
		 * names the method it refuses */
		rc = ctl_connect("xld-ro.sock", path_ro, sizeof(path_ro), &fd);
	}
	if (rc) {
		snprintf(err->message, sizeof(err->message),
			 "cannot reach xld at %s: %s: this command needs the "
			 "xld daemon (start it with `xld', or set XLD_RUNDIR)",
			 path, strerror(-rc));
		return rc;
	}
	req = request_new(method, params);
	if (!req) {
		rc = -ENOMEM;
		goto out;
	}
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	rc = send_all(fd, s, strlen(s));
	if (!rc)
		rc = send_all(fd, "\n", 1);
	if (!rc)
		rc = read_line(fd, line);
	if (rc)
		snprintf(err->message, sizeof(err->message),
			 "talking to xld at %s: %s", path, strerror(-rc));
out:
	json_object_put(req);
	if (fd >= 0)
		close(fd);
	return rc;
}

int xl_ctl_reply(const char *line, json_object **result,
		 struct xl_ctl_err *err)
{
	json_object *rep = NULL, *v, *e;
	int rc;

	err->name[0] = err->message[0] = '\0';
	rep = json_tokener_parse(line);
	if (!rep || !json_object_is_type(rep, json_type_object)) {
		rc = -EPROTO;
		snprintf(err->message, sizeof(err->message),
			 "xld sent a reply that is not JSON");
		goto out;
	}
	if (json_object_object_get_ex(rep, "error", &e)) {
		const char *name = "", *msg = "";
		int code = 0;

		if (json_object_object_get_ex(e, "errno", &v))
			name = json_object_get_string(v);
		if (json_object_object_get_ex(e, "code", &v))
			code = json_object_get_int(v);
		if (json_object_object_get_ex(e, "message", &v))
			msg = json_object_get_string(v);
		snprintf(err->name, sizeof(err->name), "%s", name ? name : "");
		snprintf(err->message, sizeof(err->message), "%s",
			 msg ? msg : "");
		rc = -errno_of(code);
		goto out;
	}
	if (!json_object_object_get_ex(rep, "result", &v)) {
		rc = -EPROTO;
		snprintf(err->message, sizeof(err->message),
			 "xld's reply has neither result nor error");
		goto out;
	}
	*result = json_object_get(v);
	rc = 0;
out:
	json_object_put(rep);
	return rc;
}

int xl_ctl_call(const char *method, json_object *params, json_object **result,
		struct xl_ctl_err *err)
{
	char *line = NULL;
	int rc;

	rc = xl_ctl_request(method, params, &line, err);
	if (!rc)
		rc = xl_ctl_reply(line, result, err);
	free(line);
	return rc;
}

void xl_ctl_perror(const char *cmd, int rc, const struct xl_ctl_err *err)
{
	if (err->name[0])
		fprintf(stderr, "xl %s: %s (%s)\n", cmd,
			err->message[0] ? err->message : strerror(-rc),
			err->name);
	else
		fprintf(stderr, "xl %s: %s\n", cmd,
			err->message[0] ? err->message : strerror(-rc));
}

json_object *xl_ctl_dom_params(const char *dom)
{
	json_object *p = json_object_new_object();

	if (p &&
	    json_object_object_add(p, "domain", json_object_new_string(dom))) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

int xl_ctl_dom_call(const char *cmd, const char *method, const char *dom,
		    json_object *params, json_object **res)
{
	struct xl_ctl_err err;
	json_object *own = NULL, *r = NULL;
	int rc;

	if (!params) {
		own = params = xl_ctl_dom_params(dom);
		if (!params) {
			fprintf(stderr, "xl %s: out of memory\n", cmd);
			return 1;
		}
	}
	rc = xl_ctl_call(method, params, &r, &err);
	json_object_put(own);
	if ((rc == -ENOENT || rc == -ESRCH) && err.name[0]) {
		fprintf(stderr, "%s is an invalid domain identifier (rc=-6)\n",
			dom);
		return 1;
	}
	if (rc) {
		xl_ctl_perror(cmd, rc, &err);
		return 1;
	}
	if (res)
		*res = r;
	else
		json_object_put(r);
	return 0;
}

/* ---- requests that carry a file descriptor, with interim lines ---- */

/* @s and a newline, @fd (if >= 0) attached to its first byte. */
static int send_with_fd(int sock, const char *s, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)s, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	ssize_t r;
	int rc;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	/* the descriptor went with the first bytes: the rest as usual */
	rc = send_all(sock, s + r, len - (size_t)r);
	return rc ? rc : send_all(sock, "\n", 1);
}

int xl_ctl_call_fd(const char *method, json_object *params, int fd,
		   xl_ctl_progress_fn *progress, void *arg,
		   volatile sig_atomic_t *stop, json_object **result,
		   struct xl_ctl_err *err, int *conn)
{
	char path[SUN_PATH_MAX], *buf = NULL, *nl, *n;
	size_t len = 0, cap = 0;
	json_object *req = NULL, *line, *v;
	const char *s;
	int sock = -1, rc;
	ssize_t r;

	err->name[0] = err->message[0] = '\0';
	rc = ctl_connect("xld.sock", path, sizeof(path), &sock);
	if (rc) {
		snprintf(err->message, sizeof(err->message),
			 "cannot reach xld at %s: %s: this command needs the "
			 "xld daemon as root (start it with `xld', or set "
			 "XLD_RUNDIR)",
			 path, strerror(-rc));
		return rc;
	}
	req = request_new(method, params);
	if (!req) {
		rc = -ENOMEM;
		goto out;
	}
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	rc = s ? send_with_fd(sock, s, strlen(s), fd) : -ENOMEM;
	while (!rc) {
		/* every complete line: progress, or the reply */
		while (!rc && buf && (nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			line = json_tokener_parse(buf);
			if (line &&
			    json_object_object_get_ex(line, "progress", &v)) {
				if (progress)
					progress(arg, v);
			} else {
				rc = xl_ctl_reply(buf, result, err);
				json_object_put(line);
				goto out;
			}
			json_object_put(line);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 16384;
			n = cap <= REPLY_MAX ? realloc(buf, cap) : NULL;
			if (!n) {
				rc = cap > REPLY_MAX ? -E2BIG : -ENOMEM;
				break;
			}
			buf = n;
		}
		r = recv(sock, buf + len, cap - len, 0);
		if (r < 0 && errno == EINTR && !(stop && *stop))
			continue;
		if (r < 0)
			rc = -errno;
		else if (r == 0)
			rc = -ECONNRESET;
		else
			len += (size_t)r;
	}
	if (rc == -EINTR)
		snprintf(err->message, sizeof(err->message),
			 "interrupted: the request to xld is cancelled");
	else if (rc)
		snprintf(err->message, sizeof(err->message),
			 "talking to xld at %s: %s", path, strerror(-rc));
out:
	json_object_put(req);
	free(buf);
	if (!rc && conn) {
		*conn = sock;
		sock = -1;
	}
	if (sock >= 0)
		close(sock);
	return rc;
}
