// SPDX-License-Identifier: GPL-2.0
/* The journal's background fdatasync (see xs_syncer.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "xld/store/xs_syncer.h"

struct xs_syncer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a job arrived, one finished, or quit */
	int fd;			/* the job: a duplicate to sync, or -1 */
	int error;		/* of the last finished job */
	bool quit;
};

static void *syncer_main(void *arg)
{
	struct xs_syncer *s = arg;
	int fd, rc;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->fd < 0 && !s->quit)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->fd < 0)
			break;
		fd = s->fd;
		pthread_mutex_unlock(&s->lock);
		rc = fdatasync(fd) < 0 ? -errno : 0;
		close(fd);
		pthread_mutex_lock(&s->lock);
		s->fd = -1;
		if (rc)
			s->error = rc;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct xs_syncer *xs_syncer_new(void)
{
	struct xs_syncer *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return NULL;
	s->fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	rc = pthread_create(&s->thread, NULL, syncer_main, s);
	if (rc) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		errno = rc;
		return NULL;
	}
	return s;
}

void xs_syncer_free(struct xs_syncer *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	/* the thread finishes a job it holds before it sees quit */
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

bool xs_syncer_start(struct xs_syncer *s, int fd)
{
	bool started = false;
	int dup_fd;

	pthread_mutex_lock(&s->lock);
	if (s->fd < 0) {
		dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dup_fd < 0) {
			s->error = -errno;
		} else {
			s->fd = dup_fd;
			started = true;
			pthread_cond_broadcast(&s->cond);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return started;
}

int xs_syncer_error(struct xs_syncer *s)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = s->error;
	s->error = 0;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void xs_syncer_wait(struct xs_syncer *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->fd >= 0)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}
