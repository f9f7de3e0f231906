/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of xld/ctl/ share among themselves; nothing outside
 * xld/ctl/ includes this (ctl.h is the public side).
 */
#ifndef XLD_CTL_INTERNAL_H
#define XLD_CTL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "xld/ctl/ctl.h"
#include "xld/dom/dom.h"

#define CTL_MODIFIES 0x1 /* refused on the read-only socket */
#define CTL_DOMAIN 0x2	 /* params.domain names a domain */
#define CTL_IN_CAP (XLD_CTL_LINE_MAX + 1)
/* Past this much unsent output a client's requests wait (backpressure). */
#define CTL_OUT_SOFT (256u * 1024)

/* What a held reply waits for (a dump-core's end is not a domain's). */
enum ctl_wait {
	CTL_WAIT_SHUTDOWN, /* xl shutdown -w, xl wait: shut down or gone */
	CTL_WAIT_GONE,	   /* xl destroy: the monitor is gone */
	CTL_WAIT_RUN,	   /* xl create: the monitor runs the guest */
	CTL_WAIT_IDLE,	   /* a request deferred: the start or destroy ended */
	CTL_WAIT_SEND,	   /* a send's end (methods_send.c answers it) */
};

struct ctl_conn {
	struct ctl_conn *next;
	struct xld_ctl *ctl;
	int fd;
	bool priv;
	bool dead;     /* closed at the next kick */
	bool draining; /* refused: reply sent, input discarded until EOF */
	bool resume;   /* a wait ended: look at buffered requests */
	bool waiting;  /* a reply is held until wait_domid ... */
	enum ctl_wait wait_for; /* ... shuts down, is gone, or runs */
	bool wait_paused;    /* CTL_WAIT_RUN: pause it then (create -p) */
	uint32_t wait_domid; /* 0: until a dump-core ends */
	uint64_t serial;     /* names it to a dump-core that ends later */
	json_object *wait_id;
	bool subscribed; /* "events": domain changes are sent unasked */
	uint32_t events;
	pid_t pid;
	uid_t uid;
	char *in;
	size_t in_len, in_cap; /* grows up to CTL_IN_CAP */
	/* a file descriptor sent with a line (SCM_RIGHTS), at most one a
	 * line: pend_fd came with the byte at in[pend_off]; line_fd is the
	 * line being handled's, closed when it ends unless a handler took
	 * it (ctl_req.fd) */
	int pend_fd, line_fd;
	size_t pend_off;
	bool fd_refused; /* more than one came: the client is refused */
	struct xld_send *send; /* its "send" running: cancelled if it goes */
	bool send_destroy;     /* ... and the domain destroyed after it */
	struct ctl_held *held; /* created with "hold": see held.c */
	char *out;
	size_t out_len, out_off, out_cap;
};

struct xld_ctl {
	struct xld_loop *loop;
	struct xld_doms *doms;
	gid_t group; /* may use xld.sock too; (gid_t)-1: root only */
	int lfd[2];  /* rw, ro */
	char *path[2];
	int kick_fd;
	struct ctl_conn *conns;
	unsigned int nconns;
	uint64_t next_serial;
	struct ctl_held *orphans; /* held by connections that went */
};

struct ctl_req {
	struct ctl_conn *c;
	json_object *params;
	json_object *result; /* set by a handler that succeeds */
	char *text;	     /* or: the result as JSON text (malloc'd) */
	size_t text_len;
	struct xld_dom *dom; /* CTL_DOMAIN: the domain, NULL for Domain-0 */
	const char *qualifier;
	bool pending;  /* the handler holds the reply */
	int fd;	       /* sent with the line, or -1; a handler that keeps
			* it sets this to -1 (see ctl_conn.line_fd) */
	char msg[512]; /* why a handler failed */
};

struct ctl_method {
	const char *name;
	int (*fn)(struct ctl_req *r);
	unsigned int flags;
};

/* ---- conn.c: connections, their buffers, deferred work ---- */
/* @len bytes of @s and a newline to @c's output (dropped past the max). */
void ctl_conn_queue(struct ctl_conn *c, const char *s, size_t len);
void ctl_conn_flush(struct ctl_conn *c);
/* Have the loop close dead clients and resume waits, soon (not here). */
void ctl_kick(struct xld_ctl *ctl);

/* ---- reply.c: what is sent to a client ---- */
void ctl_send_error(struct ctl_conn *c, json_object *id, int rc,
		    const char *msg);
/* Takes ownership of @result (NULL: an empty object). */
void ctl_send_result(struct ctl_conn *c, json_object *id, json_object *result);
/* @text: a result already in JSON (a large one, made without json-c). */
void ctl_send_text_result(struct ctl_conn *c, json_object *id, const char *text,
			  size_t len);
/* An event of a domain, unasked, to a subscribed client. */
void ctl_send_event(struct ctl_conn *c, const struct xld_dom *d,
		    enum xld_dom_event ev);

/* ---- methods.c: the method table and the dispatch of a request ---- */
/* One request line (NUL-terminated, newline stripped). */
/* One request line (NUL-terminated, newline stripped); false: it waits
 * for its domain (c->waiting) and is to be handled again then. */
bool ctl_handle_line(struct ctl_conn *c, const char *line, size_t len);
/* Why @r failed into r->msg; returns @rc. */
int ctl_fail(struct ctl_req *r, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ctl_refuse_dom0(struct ctl_req *r, const char *what);
/* params.domain: a name or a domid (string or number). */
int ctl_resolve_domain(struct ctl_req *r);

/* ---- methods_info.c: what xld and its domains are ---- */
/* The list's members too: keep ctl_list.c gen_dom() the same. */
json_object *ctl_dom_json(const struct xld_dom *d);
json_object *ctl_dom0_json(void);
int ctl_do_hello(struct ctl_req *r);
int ctl_do_list(struct ctl_req *r);
int ctl_do_info(struct ctl_req *r);
int ctl_do_devices(struct ctl_req *r);
int ctl_do_stats(struct ctl_req *r);
int ctl_do_dmesg(struct ctl_req *r);
int ctl_do_dmesg_clear(struct ctl_req *r);

/* ---- methods_domain.c: a domain's life ---- */
/*
 * @d changed (@ev): if @c's held reply waited for that, send it; true
 * when @c's wait has ended.
 */
bool ctl_wait_event(struct ctl_conn *c, struct xld_dom *d,
		    enum xld_dom_event ev);
int ctl_do_domid(struct ctl_req *r);
int ctl_do_domname(struct ctl_req *r);
int ctl_do_console(struct ctl_req *r);
int ctl_do_create(struct ctl_req *r);
int ctl_do_destroy(struct ctl_req *r);
int ctl_do_pause(struct ctl_req *r);
int ctl_do_unpause(struct ctl_req *r);
int ctl_do_shutdown(struct ctl_req *r);
int ctl_do_reboot(struct ctl_req *r);
int ctl_do_wait(struct ctl_req *r);
int ctl_do_events(struct ctl_req *r);
int ctl_do_rename(struct ctl_req *r);
int ctl_do_config_update(struct ctl_req *r);
int ctl_do_dump_core(struct ctl_req *r);

/* ---- methods_send.c: migration streams (xl save, migrate) ---- */
int ctl_do_send(struct ctl_req *r);
/* create with params.incoming: the stream on the request's fd */
int ctl_create_incoming(struct ctl_req *r, json_object *cfg,
			struct xld_dom **d);

/* held.c: domains that live only as long as the connection that made
 * them, until renamed ("create" with "hold": true). */
struct ctl_held *ctl_held_new(void);
void ctl_held_attach(struct ctl_conn *c, struct ctl_held *h,
		     const struct xld_dom *d);
void ctl_held_orphan(struct xld_ctl *ctl, struct ctl_conn *c);
void ctl_held_reap(struct xld_ctl *ctl);
void ctl_held_free(struct ctl_held **list);

/* ---- methods_resources.c: memory, vCPUs, CPU weight and cap ---- */
int ctl_do_vcpus(struct ctl_req *r);
int ctl_do_vcpu_pin(struct ctl_req *r);
int ctl_do_vcpu_set(struct ctl_req *r);
int ctl_do_mem_set(struct ctl_req *r);
int ctl_do_mem_max(struct ctl_req *r);
int ctl_do_sched_credit_get(struct ctl_req *r);
int ctl_do_sched_credit_set(struct ctl_req *r);

#endif
