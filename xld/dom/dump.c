// SPDX-License-Identifier: GPL-2.0
/*
 * Core dumps, waited for off the event loop.
 *
 * The monitor writes the file itself (it holds the guest's memory); the
 * request is answered only when the whole of RAM is on disk, which for a
 * large guest takes seconds.  So each dump gets a thread that makes the
 * one blocking libdomctl call, with a context of its own, and tells the
 * loop through an eventfd; libdomctl bounds the wait (600 s).  The thread
 * touches nothing but its job: the loop logs and acts on the result.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xld/dom/dump.h"
#include "xld/log.h"

struct dump_job {
	struct dump_job *next;
	struct xld_dumps *dumps;
	dc_ctx *dc; /* the thread's own */
	pthread_t thread;
	int efd; /* written by the thread when it is done */
	uint32_t domid;
	uint64_t tag;
	xld_dump_fn fn;
	void *arg;
	int rc;
	struct dc_save_result res;
	char path[DC_SAVE_PATH_MAX];
	char msg[512]; /* libdomctl's first error */
};

struct xld_dumps {
	struct xld_loop *loop;
	char *rundir;
	struct dump_job *jobs;
};

int xld_dump_path(char *buf, size_t len, const char *dir, const char *name,
		  uint32_t domid, time_t when)
{
	char stamp[32];
	struct tm tm;
	int r;

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	r = snprintf(buf, len, "%s/%s-%u-%s.core", dir, name, domid, stamp);
	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return 0;
}

int xld_dump_dir_make(const char *dir)
{
	struct stat sb;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(dir, &sb) < 0)
		return -errno;
	return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

/* libdomctl's messages, kept for the loop to log (never from here). */
static void job_log(void *opaque, enum dc_log_level level, const char *msg)
{
	struct dump_job *j = opaque;

	if (level == DC_LOG_ERROR && !j->msg[0])
		snprintf(j->msg, sizeof(j->msg), "%s", msg);
}

static void *job_run(void *arg)
{
	struct dump_job *j = arg;
	uint64_t one = 1;

	j->rc = dc_domain_save(j->dc, j->domid, j->path, 0, &j->res);
	while (write(j->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return NULL;
}

static void job_free(struct dump_job *j)
{
	if (!j)
		return;
	if (j->efd >= 0) {
		xld_loop_del(j->dumps->loop, j->efd);
		close(j->efd);
	}
	dc_ctx_free(j->dc);
	free(j);
}

static void job_unlink(struct xld_dumps *dumps, struct dump_job *j)
{
	struct dump_job **pp;

	for (pp = &dumps->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			return;
		}
	}
}

static void job_done(struct xld_loop *loop, int fd, uint32_t events, void *arg)
{
	struct dump_job *j = arg;
	uint64_t v;

	(void)loop;
	(void)events;
	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return; /* not yet */
	pthread_join(j->thread, NULL);
	job_unlink(j->dumps, j);
	j->fn(j->arg, j->domid, j->tag, j->path, j->rc, &j->res, j->msg);
	job_free(j);
}

int xld_dump_start(struct xld_dumps *dumps, uint32_t domid, const char *path,
		   xld_dump_fn fn, void *arg, uint64_t tag)
{
	struct dump_job *j;
	int rc;

	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= DC_SAVE_PATH_MAX)
		return -ENAMETOOLONG;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->dumps = dumps;
	j->domid = domid;
	j->tag = tag;
	j->fn = fn;
	j->arg = arg;
	strcpy(j->path, path);
	j->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (j->efd < 0) {
		rc = -errno;
		goto fail;
	}
	j->dc = dc_ctx_new(dumps->rundir, job_log, j);
	if (!j->dc) {
		rc = -errno;
		goto fail;
	}
	rc = xld_loop_add(dumps->loop, j->efd, EPOLLIN, job_done, j);
	if (rc) {
		close(j->efd); /* never added: not for xld_loop_del */
		j->efd = -1;
		goto fail;
	}
	rc = -pthread_create(&j->thread, NULL, job_run, j);
	if (rc)
		goto fail;
	j->next = dumps->jobs;
	dumps->jobs = j;
	return 0;
fail:
	job_free(j);
	return rc;
}

struct xld_dumps *xld_dumps_new(struct xld_loop *loop, const char *rundir)
{
	struct xld_dumps *dumps = calloc(1, sizeof(*dumps));

	if (!dumps)
		return NULL;
	dumps->loop = loop;
	dumps->rundir = strdup(rundir);
	if (!dumps->rundir) {
		free(dumps);
		errno = ENOMEM;
		return NULL;
	}
	return dumps;
}

void xld_dumps_free(struct xld_dumps *dumps)
{
	struct dump_job *j;

	if (!dumps)
		return;
	while ((j = dumps->jobs)) {
		dumps->jobs = j->next;
		xld_info("waiting for the core dump of domain %u to %s",
			 j->domid, j->path);
		pthread_join(j->thread, NULL);
		if (j->rc)
			xld_err("core dump of domain %u to %s: %s%s%s",
				j->domid, j->path, strerror(-j->rc),
				j->msg[0] ? ": " : "", j->msg);
		else
			xld_info("core dump of domain %u written to %s",
				 j->domid, j->path);
		j->fn(j->arg, j->domid, j->tag, j->path, -ECANCELED, &j->res,
		      j->msg);
		job_free(j);
	}
	free(dumps->rundir);
	free(dumps);
}
