// SPDX-License-Identifier: GPL-2.0
/* The daemon's log: a file (appending, reopened after rotation) and stderr. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xld/log.h"

static FILE *log_file;
static bool log_stderr = true;
static char log_path[4096];

int xld_log_open(const char *path, bool to_stderr)
{
	FILE *f;

	if (strlen(path) >= sizeof(log_path))
		return -ENAMETOOLONG;
	f = fopen(path, "ae");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	xld_log_close();
	log_file = f;
	log_stderr = to_stderr;
	if (path != log_path)
		strcpy(log_path, path);
	return 0;
}

int xld_log_reopen(void)
{
	if (!log_path[0])
		return -ENOENT;
	return xld_log_open(log_path, log_stderr);
}

const char *xld_log_path(void)
{
	return log_path[0] ? log_path : NULL;
}

void xld_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void xld_log(enum xld_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info",
					    "debug"};
	char stamp[64], msg[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_file)
		fprintf(log_file, "%s.%03ldZ xld[%d] %s: %s\n", stamp,
			ts.tv_nsec / 1000000, (int)getpid(), names[level], msg);
	if (log_stderr || !log_file)
		fprintf(stderr, "%s.%03ldZ xld %s: %s\n", stamp,
			ts.tv_nsec / 1000000, names[level], msg);
}
