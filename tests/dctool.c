// SPDX-License-Identifier: GPL-2.0
/*
 * dctool: libdomctl's calls as shell commands, for the integration tests
 * (xl goes through xld; these tests exercise the library on its own).
 *
 *   dctool RUNDIR create DOMID KERNEL MEMORY_MIB VCPUS [CONSOLE_LOG [CMDLINE]]
 *   dctool RUNDIR list | info DOMID | pause DOMID | unpause DOMID
 *   dctool RUNDIR shutdown DOMID poweroff|reboot | destroy DOMID
 *   dctool RUNDIR scale N KERNEL
 *   dctool RUNDIR watch DOMID COUNT
 *   dctool RUNDIR save DOMID FILE [destroy] | restore DOMID FILE [CONSOLE_LOG]
 *   dctool RUNDIR send DOMID FILE|- [live] [destroy|resume] [debug]
 *                 [downtime=MS] [passes=N] [bw=BYTES_PER_S] [progress]
 *   dctool RUNDIR incoming DOMID KERNEL MEMORY_MIB VCPUS CONSOLE_LOG < STREAM
 *
 * info and list print "DOMID PID STATE REASON VCPUS MEMORY_KIB CPU_NS".
 * scale creates domains 1..N in this one process, lists, pauses, unpauses
 * and destroys them all, checking each step and that no fd leaked.
 * watch prints "watching", then "STATE REASON" for the state as the watch
 * began and each change after, COUNT lines in all.
 * save prints "BYTES SAVE_NS"; restore prints the new monitor's pid.
 * send writes the stream to FILE ('-': standard output) and prints
 * "bytes=B pages_sent=P passes=N throttle=T downtime_ns=D total_ns=T"
 * (on standard error when the stream goes to standard output), after
 * "progress pass=N paused=P sent=S dirty=D est_ms=E throttle=T" lines on
 * standard error with "progress"; incoming
 * creates the domain from the stream on standard input, left paused,
 * and prints the new monitor's pid.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "domctl.h"

static const char *const state_names[] = {
	[DC_STATE_RUNNING] = "running", [DC_STATE_BLOCKED] = "blocked",
	[DC_STATE_PAUSED] = "paused", [DC_STATE_SHUTDOWN] = "shutdown",
	[DC_STATE_DYING] = "dying",
};

static const char *const reason_names[] = {
	[DC_SHUTDOWN_NONE] = "-", [DC_SHUTDOWN_POWEROFF] = "poweroff",
	[DC_SHUTDOWN_REBOOT] = "reboot", [DC_SHUTDOWN_CRASH] = "crash",
};

static void log_stderr(void *opaque, enum dc_log_level level, const char *msg)
{
	fprintf(stderr, "dctool: %s\n", msg);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s) {
		fprintf(stderr, "dctool: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

static void print_info(const struct dc_dominfo *i)
{
	printf("%u %d %s %s %u %llu %llu\n", i->domid, (int)i->pid,
	       state_names[i->state], reason_names[i->shutdown_reason], i->vcpus,
	       (unsigned long long)i->memory_kib,
	       (unsigned long long)i->cpu_time_ns);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/*
 * Every domain in the list in @want state (for running, blocked counts
 * too); else print what is wrong.
 */
static int expect_all(dc_ctx *ctx, size_t n, enum dc_state want)
{
	struct dc_dominfo *list;
	size_t got;
	int rc;

	rc = dc_domain_list(ctx, &list, &got);
	if (rc)
		return rc;
	for (size_t i = 0; i < got; i++) {
		/* An idle guest that is not paused runs as "blocked". */
		enum dc_state got_state = list[i].state == DC_STATE_BLOCKED ?
					  DC_STATE_RUNNING : list[i].state;

		if (got_state != want || list[i].domid != i + 1) {
			fprintf(stderr, "dctool: domain %u is %s, want %s\n",
				list[i].domid, state_names[list[i].state],
				state_names[want]);
			rc = -EPROTO;
		}
	}
	if (got != n) {
		fprintf(stderr, "dctool: %zu domains listed, want %zu\n", got, n);
		rc = -EPROTO;
	}
	free(list);
	return rc;
}

static int scale(dc_ctx *ctx, uint32_t n, const char *kernel)
{
	int fds = count_fds(), rc = 0;
	pid_t pid;

	for (uint32_t d = 1; d <= n && !rc; d++) {
		struct dc_build b = { .domid = d, .kernel = kernel,
				      .memory_mib = 4, .vcpus = 1 };

		rc = dc_domain_create(ctx, &b, &pid);
	}
	if (!rc)
		rc = expect_all(ctx, n, DC_STATE_RUNNING);
	for (uint32_t d = 1; d <= n && !rc; d++)
		rc = dc_domain_pause(ctx, d);
	if (!rc)
		rc = expect_all(ctx, n, DC_STATE_PAUSED);
	for (uint32_t d = 1; d <= n && !rc; d++)
		rc = dc_domain_unpause(ctx, d);
	if (!rc)
		rc = expect_all(ctx, n, DC_STATE_RUNNING);
	for (uint32_t d = 1; d <= n; d++) {
		int r = dc_domain_destroy(ctx, d);

		if (r && r != -ESRCH && !rc)
			rc = r;
	}
	if (!rc)
		rc = expect_all(ctx, 0, DC_STATE_RUNNING);
	if (!rc && count_fds() != fds) {
		fprintf(stderr, "dctool: %d fds open after, %d before\n",
			count_fds(), fds);
		rc = -EMFILE;
	}
	if (!rc)
		printf("scale: %u domains created, listed, paused, unpaused, "
		       "destroyed\n", n);
	return rc;
}

/* send DOMID FILE|- [live] [destroy|resume] [debug] [downtime=MS] ... */
static int send(dc_ctx *ctx, int argc, char **argv)
{
	struct dc_send_opts o = { 0 };
	struct dc_send_result res;
	struct dc_send_progress p;
	int to_stdout = !strcmp(argv[4], "-"), show = 0, fd, rc;
	struct dc_op *op;
	struct pollfd pfd;

	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "live"))
			o.flags |= DC_SEND_LIVE;
		else if (!strcmp(argv[i], "destroy"))
			o.flags |= DC_SEND_DESTROY;
		else if (!strcmp(argv[i], "resume"))
			o.flags |= DC_SEND_RESUME;
		else if (!strcmp(argv[i], "debug"))
			o.flags |= DC_SEND_DEBUG;
		else if (!strncmp(argv[i], "downtime=", 9))
			o.max_downtime_ms = (uint32_t)num(argv[i] + 9);
		else if (!strncmp(argv[i], "passes=", 7))
			o.max_passes = (uint32_t)num(argv[i] + 7);
		else if (!strncmp(argv[i], "bw=", 3))
			o.max_bytes_per_s = num(argv[i] + 3);
		else if (!strcmp(argv[i], "progress"))
			show = 1;
		else {
			fprintf(stderr, "dctool: send: unknown option %s\n",
				argv[i]);
			exit(2);
		}
	}
	fd = to_stdout ? STDOUT_FILENO :
			 open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0600);
	if (fd < 0)
		return -errno;
	/* the op, as xld drives it, to see the progress on the way */
	rc = dc_domain_send_start(ctx, (uint32_t)num(argv[3]), fd, &o, &op);
	if (!to_stdout)
		close(fd);
	if (rc)
		return rc;
	pfd = (struct pollfd){ .fd = dc_op_fd(op), .events = POLLIN };
	/* the last report may come in the step that ends the op */
	for (;;) {
		rc = dc_op_step(op, NULL);
		if (dc_op_send_progress(op, &p) == 0 && show)
			fprintf(stderr, "progress pass=%u paused=%u sent=%llu "
				"dirty=%llu est_ms=%llu throttle=%u\n",
				p.pass, p.paused,
				(unsigned long long)p.pages_sent,
				(unsigned long long)p.pages_dirty,
				(unsigned long long)p.est_downtime_ms,
				p.throttle_pct);
		if (rc != -EAGAIN)
			break;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
	}
	if (!rc)
		rc = dc_op_send_result(op, &res);
	dc_op_free(op);
	if (!rc)
		fprintf(to_stdout ? stderr : stdout,
			"bytes=%llu pages_sent=%llu passes=%u throttle=%u "
			"downtime_ns=%llu total_ns=%llu\n",
			(unsigned long long)res.bytes,
			(unsigned long long)res.pages_sent, res.passes,
			res.throttle_pct, (unsigned long long)res.downtime_ns,
			(unsigned long long)res.total_ns);
	return rc;
}

int main(int argc, char **argv)
{
	struct dc_dominfo info, *list;
	const char *cmd;
	dc_ctx *ctx;
	size_t n;
	pid_t pid;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: dctool RUNDIR COMMAND [ARGS]\n");
		return 2;
	}
	ctx = dc_ctx_new(argv[1], log_stderr, NULL);
	if (!ctx) {
		perror("dctool: dc_ctx_new");
		return 1;
	}
	cmd = argv[2];
	if (!strcmp(cmd, "create") && argc >= 7 && argc <= 9) {
		struct dc_build b = {
			.domid = num(argv[3]), .kernel = argv[4],
			.memory_mib = num(argv[5]), .vcpus = num(argv[6]),
			.console_log = argc >= 8 ? argv[7] : NULL,
			.cmdline = argc == 9 ? argv[8] : NULL,
		};

		rc = dc_domain_create(ctx, &b, &pid);
		if (!rc)
			printf("%d\n", (int)pid);
	} else if (!strcmp(cmd, "scale") && argc == 5) {
		rc = scale(ctx, num(argv[3]), argv[4]);
	} else if (!strcmp(cmd, "watch") && argc == 5) {
		unsigned long count = num(argv[4]);
		int fd = dc_domain_watch(ctx, num(argv[3]));

		rc = fd < 0 ? fd : 0;
		if (!rc) {
			printf("watching\n");
			fflush(stdout);
		}
		for (unsigned long i = 0; !rc && i < count; i++) {
			rc = dc_watch_read(fd, &info);
			if (!rc) {
				printf("%s %s\n", state_names[info.state],
				       reason_names[info.shutdown_reason]);
				fflush(stdout);
			}
		}
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(cmd, "save") && (argc == 5 || argc == 6)) {
		struct dc_save_result res;
		unsigned int flags = 0;

		if (argc == 6 && strcmp(argv[5], "destroy")) {
			fprintf(stderr, "dctool: save: want \"destroy\" or "
				"nothing after the file\n");
			dc_ctx_free(ctx);
			return 2;
		}
		if (argc == 6)
			flags = DC_SAVE_DESTROY;
		rc = dc_domain_save(ctx, num(argv[3]), argv[4], flags, &res);
		if (!rc)
			printf("%llu %llu\n", (unsigned long long)res.bytes,
			       (unsigned long long)res.save_ns);
	} else if (!strcmp(cmd, "restore") && (argc == 5 || argc == 6)) {
		struct dc_restore r = {
			.domid = num(argv[3]), .path = argv[4],
			.console_log = argc == 6 ? argv[5] : NULL,
		};

		rc = dc_domain_restore(ctx, &r, &pid);
		if (!rc)
			printf("%d\n", (int)pid);
	} else if (!strcmp(cmd, "send") && argc >= 5 && argc <= 12) {
		rc = send(ctx, argc, argv);
	} else if (!strcmp(cmd, "incoming") && argc == 8) {
		struct dc_build b = {
			.domid = num(argv[3]), .kernel = argv[4],
			.memory_mib = num(argv[5]), .vcpus = num(argv[6]),
			.console_log = argv[7],
			.flags = DC_BUILD_INCOMING, .incoming_fd = STDIN_FILENO,
		};

		rc = dc_domain_create(ctx, &b, &pid);
		if (!rc)
			printf("%d\n", (int)pid);
	} else if (!strcmp(cmd, "list") && argc == 3) {
		rc = dc_domain_list(ctx, &list, &n);
		for (size_t i = 0; !rc && i < n; i++)
			print_info(&list[i]);
		if (!rc)
			free(list);
	} else if (!strcmp(cmd, "info") && argc == 4) {
		rc = dc_domain_info(ctx, num(argv[3]), &info);
		if (!rc)
			print_info(&info);
	} else if (!strcmp(cmd, "pause") && argc == 4) {
		rc = dc_domain_pause(ctx, num(argv[3]));
	} else if (!strcmp(cmd, "unpause") && argc == 4) {
		rc = dc_domain_unpause(ctx, num(argv[3]));
	} else if (!strcmp(cmd, "destroy") && argc == 4) {
		rc = dc_domain_destroy(ctx, num(argv[3]));
	} else if (!strcmp(cmd, "shutdown") && argc == 5) {
		rc = dc_domain_shutdown(ctx, num(argv[3]),
					!strcmp(argv[4], "reboot") ?
					DC_SHUTDOWN_REBOOT : DC_SHUTDOWN_POWEROFF);
	} else {
		fprintf(stderr, "dctool: bad command or arguments: %s\n", cmd);
		dc_ctx_free(ctx);
		return 2;
	}
	if (rc)
		fprintf(stderr, "dctool: %s: %s\n", cmd, strerror(-rc));
	dc_ctx_free(ctx);
	return rc ? 1 : 0;
}
