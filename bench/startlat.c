// SPDX-License-Identifier: GPL-2.0
/*
 * startlat: how long from starting a command until a line beginning with
 * PREFIX appears on its standard output, over RUNS runs.  Prints one line
 * per run (milliseconds) for the caller to take medians and plots from.
 *
 *   startlat RUNS PREFIX -- COMMAND [ARGS...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One run: milliseconds until PREFIX starts a line, or -1. */
static double run_once(const char *prefix, char **argv)
{
	size_t plen = strlen(prefix), col = 0;
	double start, found = -1;
	int pipefd[2], status;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	start = now_ms();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	/* Match PREFIX at the start of any line, across read boundaries. */
	while (found < 0 && (n = read(pipefd[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n && found < 0; i++) {
			if (buf[i] == '\n') {
				col = 0;
				continue;
			}
			if (col != (size_t)-1 && col < plen && buf[i] == prefix[col])
				col++;
			else
				col = (size_t)-1;
			if (col == plen)
				found = now_ms() - start;
		}
	}
	while (read(pipefd[0], buf, sizeof(buf)) > 0)
		;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return found;
}

int main(int argc, char **argv)
{
	int runs;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: startlat RUNS PREFIX -- COMMAND...\n");
		return 2;
	}
	runs = atoi(argv[1]);
	for (int i = 0; i < runs; i++) {
		double ms = run_once(argv[2], argv + 4);

		if (ms < 0) {
			fprintf(stderr, "startlat: run %d: \"%s\" never "
				"appeared\n", i, argv[2]);
			return 1;
		}
		printf("%.3f\n", ms);
	}
	return 0;
}
