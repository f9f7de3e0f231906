/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xl's side of the control protocol: one request to xld, one reply.
 * xld listens on $XLD_RUNDIR/xld.sock (root) and xld-ro.sock (anyone,
 * read-only requests); XLD_RUNDIR defaults to /run/xld.
 */
#ifndef XL_CTL_H
#define XL_CTL_H

#include <signal.h>

#include <json-c/json.h>

#define XL_CTL_VERSION 1

struct xl_ctl_err {
	char name[32];	   /* "ENOENT"; "" when xld could not be reached */
	char message[512]; /* for the person at the terminal */
};

/*
 * Send @method with @params (borrowed; NULL for none) and wait for the
 * reply.  Returns 0 with *@result (to json_object_put) or -errno, with
 * @err saying why: xld's own error, or why it could not be reached
 * (err->name empty).  Never prints.
 */
int xl_ctl_call(const char *method, json_object *params, json_object **result,
		struct xl_ctl_err *err);

/*
 * xl_ctl_call in two steps, for a caller that reads a large reply its own
 * way: send the request and return xld's reply line in *@line (malloc'd),
 * or -errno with @err saying why; then xl_ctl_reply decodes a line into
 * the result or xld's error, as xl_ctl_call does.
 */
int xl_ctl_request(const char *method, json_object *params, char **line,
		   struct xl_ctl_err *err);
int xl_ctl_reply(const char *line, json_object **result,
		 struct xl_ctl_err *err);

/*
 * xl_ctl_call on a connection of its own to xld.sock, with @fd (if >= 0)
 * sent along (SCM_RIGHTS): xld's "send" and incoming "create".  The
 * interim lines xld sends before the reply, {"progress": {..}}, go to
 * @progress (may be NULL).  A signal that sets *@stop (a handler
 * installed without SA_RESTART) ends the wait with -EINTR: closing the
 * connection cancels the request in xld.  With @conn, a call that
 * succeeds leaves the connection open in *@conn, for the caller to
 * close: what xld ties to it ("create" with "hold") lasts until then.
 */
typedef void xl_ctl_progress_fn(void *arg, json_object *progress);
int xl_ctl_call_fd(const char *method, json_object *params, int fd,
		   xl_ctl_progress_fn *progress, void *arg,
		   volatile sig_atomic_t *stop, json_object **result,
		   struct xl_ctl_err *err, int *conn);

/* Print "xl CMD: MESSAGE" for a failed call (xld unreachable included). */
void xl_ctl_perror(const char *cmd, int rc, const struct xl_ctl_err *err);

/* Params {"domain": @dom}; NULL when out of memory. */
json_object *xl_ctl_dom_params(const char *dom);

/*
 * @method about @dom with @params (borrowed; NULL: {"domain": @dom}).
 * Prints the failure (Xen's message for an unknown domain); returns the
 * exit status, 0 with *@res (to json_object_put; may be NULL) on success.
 */
int xl_ctl_dom_call(const char *cmd, const char *method, const char *dom,
		    json_object *params, json_object **res);

#endif
