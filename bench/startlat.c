// SPDX-License-Identifier: GPL-2.0
/*
 * startlat: how long from starting a command until a line beginning with
 * PREFIX appears on its standard output, over RUNS runs.  Prints one line
 * per run (milliseconds) for the caller to take medians and plots from.
 *
 *   startlat [-f FD] [-k] RUNS PREFIX -- COMMAND [ARGS...]
 *
 * -f FD: look for PREFIX on COMMAND's file descriptor FD (3 or more: a
 * ready fd such as xlhv's --ready-fd) instead of its standard output,
 * which goes to /dev/null.  -k: once PREFIX has appeared, stop COMMAND
 * (SIGTERM, SIGKILL after 5 s) rather than wait for it to exit: for a
 * command that runs until told to stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* Stop @pid: SIGTERM, then SIGKILL if it is still there after 5 s. */
static void stop_child(pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		if (kill(pid, i ? 0 : SIGTERM) < 0 ||
		    waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
}

/*
 * One run: milliseconds until PREFIX starts a line on the child's @fd,
 * or -1.  @stop: stop the child once it has.
 */
static double run_once(const char *prefix, int fd, int stop, char **argv)
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
		close(pipefd[0]);
		if (fd != 1) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0 && null != 1) {
				dup2(null, 1);
				close(null);
			}
		}
		dup2(pipefd[1], fd);
		if (pipefd[1] != fd)
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
	if (stop && found >= 0)
		stop_child(pid);
	while (read(pipefd[0], buf, sizeof(buf)) > 0)
		;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return found;
}

int main(int argc, char **argv)
{
	int runs, fd = 1, stop = 0, c;

	while ((c = getopt(argc, argv, "+f:k")) != -1) {
		switch (c) {
		case 'f':
			fd = atoi(optarg);
			if (fd < 3 || fd > 1023)
				goto usage;
			break;
		case 'k':
			stop = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 5 || strcmp(argv[3], "--"))
		goto usage;
	runs = atoi(argv[1]);
	for (int i = 0; i < runs; i++) {
		double ms = run_once(argv[2], fd, stop, argv + 4);

		if (ms < 0) {
			fprintf(stderr, "startlat: run %d: \"%s\" never "
				"appeared\n", i, argv[2]);
			return 1;
		}
		printf("%.3f\n", ms);
		fflush(stdout);
	}
	return 0;
usage:
	fprintf(stderr, "usage: startlat [-f FD] [-k] RUNS PREFIX -- "
		"COMMAND...\n");
	return 2;
}
