// SPDX-License-Identifier: LGPL-2.1
/* `xlhv info`, run and read (see dc_hvinfo.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dc_hvinfo.h"

extern char **environ;

int dc_hvinfo_run(const char *xlhv, char *out, size_t len, int *status)
{
	char *argv[] = { (char *)xlhv, (char *)"info", NULL };
	posix_spawn_file_actions_t fa;
	int p[2], rc, st;
	size_t got = 0;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (!len)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDERR_FILENO);
	rc = posix_spawn(&pid, xlhv, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		close(p[0]);
		return -rc;
	}
	/* to its end, so that xlhv never blocks on a full pipe */
	while ((n = read(p[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((size_t)n > len - 1 - got)
			n = (ssize_t)(len - 1 - got);
		memcpy(out + got, buf, (size_t)n);
		got += (size_t)n;
	}
	out[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

const char *dc_hvinfo_value(const char *text, const char *key, char *val,
			    size_t len)
{
	size_t klen = strlen(key);
	const char *p, *e;

	for (p = text; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if ((size_t)(e - p) > klen + 1 && !strncmp(p, key, klen) &&
		    p[klen] == ':' && p[klen + 1] == ' ') {
			snprintf(val, len, "%.*s", (int)(e - p - klen - 2),
				 p + klen + 2);
			return val;
		}
	}
	return NULL;
}

const char *dc_hvinfo_reason(const char *text, char *why, size_t len)
{
	const char *p, *e, *found = NULL, *last = NULL;
	int flen = 0, llen = 0;

	for (p = text; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (e == p)
			continue;
		last = p;
		llen = (int)(e - p);
		if (!strncmp(p, "xlhv: ", 6)) {
			found = p + 6;
			flen = (int)(e - found);
		}
	}
	if (found)
		snprintf(why, len, "%.*s", flen, found);
	else
		snprintf(why, len, "%.*s", last ? llen : 0, last ? last : "");
	return why;
}
