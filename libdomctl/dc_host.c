// SPDX-License-Identifier: LGPL-2.1
/* What this host's KVM is, as the monitor's `info` command reports it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dc_internal.h"

extern char **environ;

/* `xlhv info` prints a dozen short lines; anything past this is not it. */
#define INFO_MAX 4096

/* Copy the value of "KEY: value" in @text into @val (empty if absent). */
static void info_value(const char *text, const char *key, char *val,
		       size_t len)
{
	size_t klen = strlen(key);
	const char *p = text, *e;

	val[0] = '\0';
	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if ((size_t)(e - p) > klen + 2 && !strncmp(p, key, klen) &&
		    p[klen] == ':' && p[klen + 1] == ' ') {
			snprintf(val, len, "%.*s", (int)(e - p - klen - 2),
				 p + klen + 2);
			return;
		}
	}
}

/* The last "xlhv: " line of @text, without the prefix, into @why. */
static void last_error(const char *text, char *why, size_t len)
{
	const char *p = text, *e, *found = NULL;
	size_t flen = 0;

	for (; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '\n');
		if (!strncmp(p, "xlhv: ", 6)) {
			found = p + 6;
			flen = (size_t)(e - found);
		}
	}
	if (found)
		snprintf(why, len, "%.*s", (int)flen, found);
	else
		snprintf(why, len, "xlhv info failed");
}

int dc_host_kvm(dc_ctx *ctx, struct dc_host_kvm *kvm)
{
	char *argv[] = { ctx->xlhv, "info", NULL };
	posix_spawn_file_actions_t fa;
	char text[INFO_MAX + 1];
	size_t got = 0;
	int p[2], rc, st;
	ssize_t n;
	pid_t pid;

	memset(kvm, 0, sizeof(*kvm));
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDERR_FILENO);
	rc = posix_spawn(&pid, ctx->xlhv, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		close(p[0]);
		snprintf(kvm->why, sizeof(kvm->why), "cannot run %s: %s",
			 ctx->xlhv, strerror(rc));
		return -rc;
	}
	while (got < INFO_MAX &&
	       ((n = read(p[0], text + got, INFO_MAX - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	text[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	info_value(text, "virt_caps", kvm->virt_caps, sizeof(kvm->virt_caps));
	if (!kvm->virt_caps[0])
		snprintf(kvm->virt_caps, sizeof(kvm->virt_caps), "unknown");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		char v[8];

		info_value(text, "runs_linux", v, sizeof(v));
		kvm->runs_linux = !strcmp(v, "yes");
		kvm->usable = 1;
	} else {
		last_error(text, kvm->why, sizeof(kvm->why));
	}
	return 0;
}
