// SPDX-License-Identifier: GPL-2.0
/*
 * bootmon: one boot of a virtual machine monitor, timed and weighed.
 *
 *   bootmon [-t SECONDS] [-l LOG] MARKER UP -- COMMAND [ARGS...]
 *
 * Starts COMMAND (a VMM with the guest's serial console on its standard
 * output) and reads that output.  Prints one line:
 *
 *   MARKER_MS UP_MS EXIT_MS STATUS RSSANON RSSFILE RSSSHMEM
 *
 * MARKER_MS: ms from the fork before exec to the first line beginning
 * with MARKER; UP_MS: the same for UP, the moment the guest counts as up,
 * when COMMAND's /proc/PID/status is read (the three Rss* fields, KiB);
 * EXIT_MS: ms until COMMAND exited; STATUS: its exit status (128+N for a
 * signal).  No fork happens between the marker and the reading, so the
 * numbers are cheap to take even under emulation.  All of COMMAND's
 * output goes to LOG if given.  After SECONDS (default 120) COMMAND gets
 * SIGTERM, then SIGKILL two seconds later.  Exit status 0 when both lines
 * were seen and COMMAND exited 0, else 1 (with a message).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

/* The KiB value of FIELD ("RssAnon:") in a /proc/PID/status text. */
static long status_kib(const char *text, const char *field)
{
	const char *p = strstr(text, field);

	return p ? strtol(p + strlen(field), NULL, 10) : -1;
}

struct matcher {
	const char *prefix;
	size_t len, col;	/* col: chars matched in this line, or -1 */
	double at;		/* ms when seen, or -1 */
};

/* Feed one byte; true the first time the prefix completes a match. */
static int match_byte(struct matcher *m, char c, double t)
{
	if (c == '\n') {
		m->col = 0;
		return 0;
	}
	if (m->at >= 0 || m->col == (size_t)-1)
		return 0;
	if (m->col < m->len && c == m->prefix[m->col])
		m->col++;
	else
		m->col = (size_t)-1;
	if (m->col == m->len) {
		m->at = t;
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct matcher mk = { 0 }, up = { 0 };
	long anon = -1, file = -1, shmem = -1;
	int opt, pipefd[2], status, logfd = -1, killed = 0;
	double start, deadline, end, timeout_s = 120;
	char buf[4096], path[64];
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:l:")) != -1) {
		switch (opt) {
		case 't':
			timeout_s = atof(optarg);
			break;
		case 'l':
			logfd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC |
				     O_CLOEXEC, 0644);
			if (logfd < 0) {
				perror(optarg);
				return 1;
			}
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind < 4 || strcmp(argv[optind + 2], "--")) {
usage:
		fprintf(stderr, "usage: bootmon [-t SECONDS] [-l LOG] MARKER UP -- COMMAND...\n");
		return 2;
	}
	mk.prefix = argv[optind];
	up.prefix = argv[optind + 1];
	mk.len = strlen(mk.prefix);
	up.len = strlen(up.prefix);
	mk.at = up.at = -1;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		perror("bootmon: pipe");
		return 1;
	}
	start = now_ms();
	deadline = start + timeout_s * 1e3;
	pid = fork();
	if (pid < 0) {
		perror("bootmon: fork");
		return 1;
	}
	if (pid == 0) {
		dup2(pipefd[1], 1);
		execvp(argv[optind + 3], argv + optind + 3);
		fprintf(stderr, "bootmon: %s: %s\n", argv[optind + 3],
			strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);

	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		double t = now_ms();
		int wait_ms;
		ssize_t n;

		if (t >= deadline) {
			kill(pid, killed ? SIGKILL : SIGTERM);
			deadline = t + 2000;
			killed = 1;
		}
		wait_ms = (int)(deadline - t) + 1;
		if (poll(&pfd, 1, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!pfd.revents)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t = now_ms();
		if (logfd >= 0 && write(logfd, buf, n) != n)
			logfd = -1;
		for (ssize_t i = 0; i < n; i++) {
			match_byte(&mk, buf[i], t);
			if (match_byte(&up, buf[i], t)) {
				char st[4096];
				int fd = open(path, O_RDONLY | O_CLOEXEC);
				ssize_t len = fd < 0 ? -1 :
					read(fd, st, sizeof(st) - 1);

				if (fd >= 0)
					close(fd);
				if (len > 0) {
					st[len] = 0;
					anon = status_kib(st, "RssAnon:");
					file = status_kib(st, "RssFile:");
					shmem = status_kib(st, "RssShmem:");
				}
			}
		}
	}
	close(pipefd[0]);
	/* Output closed: the command is exiting; the deadline still holds. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() >= deadline) {
			kill(pid, killed ? SIGKILL : SIGTERM);
			deadline = now_ms() + 2000;
			killed = 1;
		}
		usleep(1000);
	}
	end = now_ms() - start;
	status = WIFEXITED(status) ? WEXITSTATUS(status) :
		128 + WTERMSIG(status);
	if (logfd >= 0)
		close(logfd);
	printf("%.1f %.1f %.1f %d %ld %ld %ld\n",
	       mk.at < 0 ? -1 : mk.at - start, up.at < 0 ? -1 : up.at - start,
	       end, status, anon, file, shmem);
	if (killed)
		fprintf(stderr, "bootmon: %s: stopped after the %g s limit\n",
			argv[optind + 3], timeout_s);
	if (mk.at < 0 || up.at < 0)
		fprintf(stderr, "bootmon: %s: \"%s\" never appeared\n",
			argv[optind + 3], mk.at < 0 ? mk.prefix : up.prefix);
	else if (status)
		fprintf(stderr, "bootmon: %s exited with status %d\n",
			argv[optind + 3], status);
	return mk.at < 0 || up.at < 0 || status || killed;
}
