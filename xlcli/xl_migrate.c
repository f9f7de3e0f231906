// SPDX-License-Identifier: GPL-2.0
/*
 * xl migrate and xl migrate-receive: Xen's protocol (tools/xl/
 * xl_migrate.c) over `ssh HOST xl migrate-receive' or -s CMD: the
 * receiver's banner, the xl header and config, the xlhv stream, "ready",
 * the sender's copy renamed NAME--migratedaway, "go" (the point of no
 * return), the receiver's report and status byte.  Before "go" any
 * failure, Ctrl-C or SIGTERM included, leaves the sender's copy running
 * and the receiver's destroyed; after it the receiver's runs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_save.h"
#include "xlcli/xl_savefile.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* SIGINT and SIGTERM interrupt what blocks (no SA_RESTART). */
static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void block_signals(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(how, &set, NULL);
}

/* Xen's migrate_read_fixedmessage: @len bytes of @msg, or a message. */
static int read_fixed(int fd, const char *msg, size_t len, const char *what,
		      const char *stream, const char *rune)
{
	char buf[64];
	int rc;

	rc = interrupted ? -EINTR : xl_read_exactly(fd, buf, len);
	if (rc == -EINTR)
		fprintf(stderr, "interrupted reading %s from %s\n", what,
			stream);
	if (rc == -EPROTO)
		fprintf(stderr, "file/stream truncated reading %s from %s\n",
			what, stream);
	else if (rc && rc != -EINTR)
		fprintf(stderr, "failed to read %s from %s: %s\n", what,
			stream, strerror(-rc));
	else if (memcmp(buf, msg, len)) {
		fprintf(stderr, "%s contained unexpected data instead of %s\n",
			stream, what);
		rc = -EPROTO;
	}
	if (rc && rune)
		fprintf(stderr, "(command run was: %s )\n", rune);
	return rc;
}

/* ---- the sender ---- */

struct sender {
	pid_t child;
	int send_fd, recv_fd;
	char *rune;
};

static int transport_start(struct sender *s)
{
	int to[2], from[2];

	if (pipe2(to, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return -errno;
	}
	s->child = fork();
	if (s->child < 0) {
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		return -errno;
	}
	if (s->child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		block_signals(SIG_UNBLOCK);
		/* Ctrl-C is the sender's to act on: the receiver hears of it
		 * as the end of its stdin, and destroys its copy */
		setpgid(0, 0);
		dup2(to[0], STDIN_FILENO);
		dup2(from[1], STDOUT_FILENO);
		execlp("sh", "sh", "-c", s->rune, (char *)NULL);
		perror("failed to exec sh");
		_exit(1);
	}
	close(to[0]);
	close(from[1]);
	s->send_fd = to[1];
	s->recv_fd = from[0];
	return 0;
}

/* Xen's migration_child_report: wait up to 2 s for the transport. */
static void transport_end(struct sender *s)
{
	struct timespec ts = {0, 50 * 1000 * 1000};
	int i, st;
	pid_t r;

	if (s->send_fd >= 0)
		close(s->send_fd);
	if (s->recv_fd >= 0)
		close(s->recv_fd);
	s->send_fd = s->recv_fd = -1;
	if (s->child <= 0)
		return;
	for (i = 0; i < 40; i++) {
		r = waitpid(s->child, &st, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "wait for migration child [%ld] "
					"failed: %s\n",
				(long)s->child, strerror(errno));
			s->child = 0;
			return;
		}
		if (r == s->child) {
			if (WIFEXITED(st) && WEXITSTATUS(st))
				fprintf(stderr, "migration transport process "
						"[%ld] exited with error status "
						"%d\n",
					(long)s->child, WEXITSTATUS(st));
			else if (WIFSIGNALED(st))
				fprintf(stderr, "migration transport process "
						"[%ld] died due to fatal signal "
						"%s\n",
					(long)s->child, strsignal(WTERMSIG(st)));
			s->child = 0;
			return;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "migration child [%ld] not exiting, no longer "
			"waiting (exit status will be unreported)\n",
		(long)s->child);
	s->child = 0;
}

static const char failed_badly[] =
    "** Migration failed during final handshake **\n"
    "Domain state is now undefined !\n"
    "Please CHECK AT BOTH ENDS for running instances, before renaming and\n"
    " resuming at most one instance.  Two simultaneous instances of the "
    "domain\n"
    " would probably result in SEVERE DATA LOSS and it is now your\n"
    " responsibility to avoid that.  Sorry.\n";

struct migrate_opts {
	const char *dom, *host, *ssh, *cfgfile;
	int daemonize, debug, paused, keep_domid, timestamps;
	uint32_t max_downtime_ms;
	uint64_t max_bytes_per_s;
};

static int build_rune(const struct migrate_opts *o, char **rune)
{
	char verbose[8] = "";
	int v = xl_globals.verbose > 4 ? 4 : xl_globals.verbose, r;

	if (o->ssh && !o->ssh[0])
		return (*rune = strdup(o->host)) ? 0 : -ENOMEM;
	if (v)
		snprintf(verbose, sizeof(verbose), " -%.*s", v, "vvvv");
	r = asprintf(rune, "exec %s %s xl%s%s%s migrate-receive%s%s%s",
		     o->ssh ? o->ssh : "ssh", o->host,
		     xl_globals.progress_cr || isatty(STDERR_FILENO) > 0
			 ? " -t"
			 : "",
		     o->timestamps || xl_globals.timestamps ? " -T" : "",
		     verbose, o->daemonize ? "" : " -e", o->debug ? " -d" : "",
		     o->paused ? " -p" : "");
	return r < 0 ? -ENOMEM : 0;
}

static int migrate(const struct migrate_opts *o)
{
	struct sender s = {.send_fd = -1, .recv_fd = -1};
	json_object *cfg = NULL;
	char *name = NULL, *away = NULL;
	int domid, ret, rc, sent = 0, renamed = 0;
	unsigned char status;

	ret = xl_dom_config("migrate", o->dom, o->cfgfile, o->keep_domid,
			    "No config file stored for running domain and "
			    "none supplied - cannot migrate.\n",
			    &domid, &name, &cfg);
	if (ret)
		goto out;
	ret = 1;
	if (build_rune(o, &s.rune) ||
	    asprintf(&away, "%s--migratedaway", name) < 0) {
		away = NULL;
		fprintf(stderr, "xl migrate: out of memory\n");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	catch_signals();
	rc = transport_start(&s);
	if (rc) {
		fprintf(stderr, "xl migrate: cannot start the transport: %s\n",
			strerror(-rc));
		goto out;
	}
	/* migrate_do_preamble */
	if (read_fixed(s.recv_fd, XL_MIGRATE_BANNER,
		       sizeof(XL_MIGRATE_BANNER) - 1, "banner",
		       "migration receiver stream", s.rune))
		goto out;
	rc = xl_savefile_write(s.send_fd, "migration stream", cfg);
	if (rc) {
		fprintf(stderr, "xl: fatal error: writing the header to the "
				"migration stream: %s\n",
			strerror(-rc));
		goto out;
	}
	rc = xl_send("migrate", domid, s.send_fd,
		     o->debug ? "live,debug" : "live", o->max_downtime_ms,
		     o->max_bytes_per_s, &interrupted);
	if (rc) {
		fprintf(stderr,
			"migration sender: libxl_domain_suspend failed "
			"(rc=%d)\n",
			-3);
		goto failed_resume;
	}
	sent = 1; /* the guest is paused, its stream complete */
	if (read_fixed(s.recv_fd, XL_MIGRATE_READY, sizeof(XL_MIGRATE_READY),
		       "ready message", "migration receiver stream", s.rune))
		goto failed_resume;
	fprintf(stderr, "migration sender: Target has acknowledged "
			"transfer.\n");
	if (xl_dom_do("rename", domid, away))
		goto failed_resume;
	renamed = 1;
	/* a signal now would leave two paused copies: hold it */
	block_signals(SIG_BLOCK);
	if (interrupted)
		goto failed_resume;
	fprintf(stderr, "migration sender: Giving target permission to "
			"start.\n");
	if (xl_write_exactly(s.send_fd, XL_MIGRATE_GO, sizeof(XL_MIGRATE_GO)))
		goto failed_badly;
	if (read_fixed(s.recv_fd, XL_MIGRATE_REPORT, sizeof(XL_MIGRATE_REPORT),
		       "success/failure report message", "migration ack stream",
		       NULL) ||
	    xl_read_exactly(s.recv_fd, &status, 1))
		goto failed_badly;
	if (status) {
		fprintf(stderr, "migration sender: Target reports startup "
				"failure (status code %d).\n",
			status);
		if (read_fixed(s.recv_fd, XL_MIGRATE_GO, sizeof(XL_MIGRATE_GO),
			       "permission for sender to resume",
			       "migration receiver stream", s.rune))
			goto failed_badly;
		fprintf(stderr, "migration sender: Trying to resume at our "
				"end.\n");
		xl_dom_do("rename", domid, name);
		if (!xl_dom_do("unpause", domid, NULL))
			fprintf(stderr, "migration sender: Resumed OK.\n");
		fprintf(stderr, "Migration failed due to problems at "
				"target.\n");
		goto out_child;
	}
	fprintf(stderr, "migration sender: Target reports successful "
			"startup.\n");
	rc = xl_dom_do("destroy", domid, NULL);
	if (rc)
		fprintf(stderr, "xl migrate: destroying our copy, domain %d: "
				"%s\n",
			domid, strerror(-rc));
	fprintf(stderr, "Migration successful.\n");
	ret = 0;
	goto out_child;
failed_resume:
	block_signals(SIG_BLOCK);
	/* the receiver's copy goes when its stdin closes */
	close(s.send_fd);
	s.send_fd = -1;
	fprintf(stderr, "Migration failed, resuming at sender.\n");
	if (renamed)
		xl_dom_do("rename", domid, name);
	/* a failed send's guest runs on; a complete one waits paused */
	if (sent)
		xl_dom_do("unpause", domid, NULL);
	goto out_child;
failed_badly:
	fputs(failed_badly, stderr);
out_child:
	transport_end(&s);
out:
	transport_end(&s);
	free(s.rune);
	free(away);
	free(name);
	json_object_put(cfg);
	return ret;
}

/* A number of @what (--max-downtime, --bandwidth) with nothing after. */
static int parse_num(const char *arg, const char *what, uint64_t max,
		     uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > max) {
		fprintf(stderr, "xl migrate: %s: `%s' is not a number up to "
				"%llu\n",
			what, arg, (unsigned long long)max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int main_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"debug", no_argument, NULL, 0x100},
	    {"live", no_argument, NULL, 0x200},
	    {"max-downtime", required_argument, NULL, 0x300},
	    {"bandwidth", required_argument, NULL, 0x400},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct migrate_opts o = {.daemonize = 1};
	uint64_t v;
	int opt;

	while ((opt = xl_getopt(argc, argv, "FC:s:epDT", opts, "migrate",
				2)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'C':
			o.cfgfile = optarg;
			break;
		case 's':
			o.ssh = optarg;
			break;
		case 'e':
		case 'F':
			o.daemonize = 0;
			break;
		case 'p':
			o.paused = 1;
			break;
		case 'D':
			o.keep_domid = 1;
			break;
		case 'T':
			o.timestamps = 1;
			break;
		case 0x100:
			o.debug = 1;
			break;
		case 0x200:
			break; /* xm compatibility: always live */
		case 0x300:
			if (parse_num(optarg, "--max-downtime", UINT32_MAX, &v))
				return 2;
			o.max_downtime_ms = (uint32_t)v;
			break;
		case 0x400:
			if (parse_num(optarg, "--bandwidth", 1ull << 30, &v))
				return 2;
			o.max_bytes_per_s = v << 20;
			break;
		}
	}
	o.dom = argv[optind];
	o.host = argv[optind + 1];
	return migrate(&o);
}

/* ---- the receiver ---- */

int main_migrate_receive(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"colo", no_argument, NULL, 0x100},
	    {"coloft-script", required_argument, NULL, 0x200},
	    {"userspace-colo-proxy", no_argument, NULL, 0x300},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int paused = 0, debug = 0, domid = -1, held = -1, opt, rc;
	unsigned char status = 0;
	char *name = NULL, *incoming = NULL;
	const char *n;

	while ((opt = xl_getopt(argc, argv, "Fedrp", opts, "migrate-receive",
				0)) != -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'F':
		case 'e':
			break; /* xld, not xl, waits for the domain's death */
		case 'd':
			debug = 1;
			break;
		case 'p':
			paused = 1;
			break;
		case 'r':
		case 0x100:
		case 0x200:
		case 0x300:
			fprintf(stderr, "xl migrate-receive: Remus and COLO "
					"are not supported here\n");
			return 1;
		}
	}
	if (argc > optind) {
		xl_cmd_help(xl_cmd_find("migrate-receive"), 1);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* a signal before "go" fails the migration: our copy goes */
	catch_signals();
	fprintf(stderr, "migration target: Ready to receive domain.\n");
	if (xl_write_exactly(STDOUT_FILENO, XL_MIGRATE_BANNER,
			     sizeof(XL_MIGRATE_BANNER) - 1)) {
		fprintf(stderr, "xl: fatal error: writing the banner: %s\n",
			strerror(errno));
		return 1;
	}
	rc = xl_recv_domain(STDIN_FILENO, "<incoming migration stream>", NULL,
			    "--incoming", 0, debug, &domid, &incoming, &held);
	if (rc) {
		fprintf(stderr, "migration target: Domain creation failed "
				"(code %d).\n",
			rc == -EINVAL ? -6 : -3);
		return 1;
	}
	/* the name it had: NAME--incoming without its suffix */
	n = incoming;
	name = strndup(n, strlen(n) - strlen("--incoming"));
	fprintf(stderr, "migration target: Transfer complete, requesting "
			"permission to start domain.\n");
	if (xl_write_exactly(STDOUT_FILENO, XL_MIGRATE_READY,
			     sizeof(XL_MIGRATE_READY))) {
		/* no sender to tell: our copy goes */
		xl_dom_do("destroy", domid, NULL);
		return 1;
	}
	rc = read_fixed(STDIN_FILENO, XL_MIGRATE_GO, sizeof(XL_MIGRATE_GO),
			"GO message", "migration stream", NULL);
	if (rc) {
		status = 0xff;
		goto report;
	}
	fprintf(stderr, "migration target: Got permission, starting "
			"domain.\n");
	if (!name || xl_dom_do("rename", domid, name)) {
		status = 3;
		goto report;
	}
	/* renamed, it no longer goes with this process (xld's "hold") */
	close(held);
	if (!paused && xl_dom_do("unpause", domid, NULL)) {
		status = 3;
		goto report;
	}
	fprintf(stderr, "migration target: Domain started successsfully.\n");
report:
	if (xl_write_exactly(STDOUT_FILENO, XL_MIGRATE_REPORT,
			     sizeof(XL_MIGRATE_REPORT)) ||
	    xl_write_exactly(STDOUT_FILENO, &status, 1)) {
		/* the sender went before "go": it runs its copy again */
		if (status)
			xl_dom_do("destroy", domid, NULL);
		free(name);
		free(incoming);
		return 1;
	}
	if (status) {
		fprintf(stderr, "migration target: Failure, destroying our "
				"copy.\n");
		rc = xl_dom_do("destroy", domid, NULL);
		if (rc) {
			fprintf(stderr, "migration target: Failed to destroy "
					"our copy (code %d).\n",
				-3);
			free(name);
			free(incoming);
			return 1;
		}
		fprintf(stderr, "migration target: Cleanup OK, granting sender "
				"permission to resume.\n");
		xl_write_exactly(STDOUT_FILENO, XL_MIGRATE_GO,
				 sizeof(XL_MIGRATE_GO));
	}
	free(name);
	free(incoming);
	return 0;
}
