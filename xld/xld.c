// SPDX-License-Identifier: GPL-2.0
/*
 * xld: the daemon's arguments, start-up and wiring.  It keeps the domains
 * (dom/), answers xl on $XLD_RUNDIR/xld.sock and xld-ro.sock (ctl/), and
 * serves the XenStore (store/) on $XLD_RUNDIR/xenstored.sock (Domain-0,
 * privileged) and on $XLD_RUNDIR/xs-dom/<domid>.sock for each introduced
 * domain.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xld/ctl/ctl.h"
#include "xld/dom/dom.h"
#include "xld/loop.h"
#include "xld/log.h"
#include "xld/store/xs.h"

struct xld_paths {
	const char *rundir, *statedir, *logdir;
	char log[PATH_MAX];
	char pid[PATH_MAX];
	char xs_sock[PATH_MAX];
	char dom_dir[PATH_MAX];
};

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && v[0] ? v : def;
}

/* mkdir -p with @mode for the directories it creates. */
static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path), i;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

static int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	int r = snprintf(buf, len, "%s/%s", dir, name);

	if (r < 0 || (size_t)r >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Is a live daemon answering on @path? */
static bool socket_live(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	bool live = false;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		live = true;
	close(fd);
	return live;
}

/* Take the pid file lock; -EBUSY (and *@other) if another xld has it. */
static int pidfile_lock(const char *path, int *fd_out, long *other)
{
	char buf[32];
	ssize_t r;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		r = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[r > 0 ? r : 0] = '\0';
		*other = strtol(buf, NULL, 10);
		close(fd);
		return rc;
	}
	if (ftruncate(fd, 0) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	r = pwrite(fd, buf, strlen(buf), 0);
	(void)r;
	*fd_out = fd;
	return 0;
}

/* Domain sockets left by a daemon that was killed: no domain is
 * introduced to this one yet. */
static void clean_dom_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".sock"))
			continue;
		if (path_join(path, sizeof(path), dir, de->d_name) == 0)
			unlink(path);
	}
	closedir(d);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void signal_event(struct xld_loop *loop, int fd, uint32_t events,
			 void *arg)
{
	struct signalfd_siginfo si;
	ssize_t r;

	(void)events;
	(void)arg;
	r = read(fd, &si, sizeof(si));
	if (r != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		int rc = xld_log_reopen();

		if (rc)
			xld_err("cannot reopen the log: %s", strerror(-rc));
		else
			xld_info("log reopened (SIGHUP)");
		return;
	}
	xld_info("signal %s: shutting down", strsignal((int)si.ssi_signo));
	xld_loop_stop(loop);
}

static void journal_timer(struct xld_loop *loop, int fd, uint32_t events,
			  void *arg)
{
	uint64_t ticks;

	(void)loop;
	(void)events;
	if (read(fd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
		return;
	xs_journal_tick(arg);
}

static void journal_flush(void *arg)
{
	xs_journal_flush(arg);
}

/*
 * Ask the monitor what KVM this host has.  Without a usable one no guest
 * can run: say why in one line and refuse to start, unless --without-kvm
 * asked for the store and xl's requests anyway; creates then fail at once
 * with the same reason (@why, empty when KVM is usable).
 */
static int kvm_check(const char *rundir, bool without_kvm, char *why,
		     size_t len)
{
	struct dc_host_kvm kvm;
	dc_ctx *dc = dc_ctx_new(rundir, NULL, NULL);

	if (!dc) {
		fprintf(stderr, "xld: %s\n", strerror(errno));
		return -1;
	}
	dc_host_kvm(dc, &kvm);
	dc_ctx_free(dc);
	snprintf(why, len, "%s", kvm.usable ? "" : kvm.why);
	if (kvm.usable || without_kvm)
		return 0;
	fprintf(stderr, "xld: %s\n", kvm.why);
	return -1;
}

/* The uids of monitors (--monitor-uids) when xld runs as root. */
#define MONITOR_UIDS_DEFAULT "200000-265535"

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: xld [--foreground] [--console-log-max BYTES]\n"
	       "           [--console-log-keep N] [--socket-group GROUP]\n"
	       "           [--without-kvm] [--help] [--version]\n"
	       "  -F, --foreground  stay in the foreground, log to stderr too\n"
	       "  --console-log-max BYTES  rotate a guest's console log at "
	       "this size\n"
	       "                    (0: never; default 1048576)\n"
	       "  --console-log-keep N     rotated console logs kept "
	       "(default 2)\n"
	       "  --socket-group GROUP     xld.sock 0660 for GROUP, whose "
	       "members\n"
	       "                    may then use every method (default: "
	       "root only)\n"
	       "  --without-kvm     start on a host without KVM: the store "
	       "and xl's\n"
	       "                    requests work, creating a guest fails\n"
	       "  --monitor-uids FIRST-LAST|off  run domain N's monitor as "
	       "uid and gid\n"
	       "                    FIRST+N (default " MONITOR_UIDS_DEFAULT
	       "; off: as xld)\n"
	       "  -h, --help        show this help\n"
	       "  -V, --version     show the version\n"
	       "Environment: XLD_RUNDIR (/run/xld), XLD_STATEDIR "
	       "(/var/lib/xld), XLD_LOGDIR (/var/log/xld),\n"
	       "  XLD_CONSOLE_LOG_MAX, XLD_CONSOLE_LOG_KEEP, XLD_SOCKET_GROUP, "
	       "XLD_WITHOUT_KVM=1,\n"
	       "  XLD_MONITOR_UIDS"
	       "  (as the options),\n"
	       "  XLD_DUMPDIR (core dumps; $XLD_STATEDIR/dump)\n");
}

/*
 * --monitor-uids FIRST-LAST (or XLD_MONITOR_UIDS): the uids, and as many
 * gids, that monitors run as, domain N's being FIRST+N; FIRST 1 or more
 * (0 is root), LAST at most 4294967294 (-1 is no one).  "off": as xld
 * runs.  The default, for an xld run as root: MONITOR_UIDS_DEFAULT.
 */
static int monitor_uids(const char *arg, uint32_t *first, uint32_t *count)
{
	const char *what = arg ? "--monitor-uids" : "XLD_MONITOR_UIDS";
	unsigned long long a, b = 0;
	char *end;

	if (!arg)
		arg = getenv("XLD_MONITOR_UIDS");
	if (!arg || !*arg)
		arg = geteuid() == 0 ? MONITOR_UIDS_DEFAULT : "off";
	if (!strcmp(arg, "off"))
		return 0;
	errno = 0;
	a = strtoull(arg, &end, 10);
	if (!errno && *end == '-' && end != arg && end[1] >= '0' &&
	    end[1] <= '9')
		b = strtoull(end + 1, &end, 10);
	else
		end = (char *)"x";
	if (errno || *end || a < 1 || b < a || b > 4294967294ULL ||
	    b - a < 1) {
		fprintf(stderr, "xld: %s %s: want FIRST-LAST, two uids from 1 "
			"to 4294967294, LAST above FIRST (e.g. "
			MONITOR_UIDS_DEFAULT "), or off\n", what, arg);
		return -1;
	}
	*first = (uint32_t)a;
	*count = (uint32_t)(b - a + 1);
	return 0;
}

/* The limits xlhv puts on --console-log-max and -keep (man/xlhv.8). */
#define CONLOG_MAX_MIN 4096ULL
#define CONLOG_MAX_MAX (1ULL << 40)
#define CONLOG_KEEP_MAX 99ULL

/*
 * A console log option (or its variable, @what) in @s: a decimal in
 * [@min, @max], or 0.  Says what is wrong and returns -EINVAL if not.
 */
static int conlog_arg(const char *what, const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > max ||
	    (v && v < min)) {
		fprintf(stderr, "xld: %s '%s': want 0 or a number from %llu "
			"to %llu\n", what, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * The console log's cap and rotation for struct dc_build: the options,
 * else the environment, else 0 (xlhv's defaults).
 */
static int conlog_opts(const char *max_arg, const char *keep_arg,
		       uint64_t *max, uint32_t *keep)
{
	const char *m = max_arg ? max_arg : getenv("XLD_CONSOLE_LOG_MAX");
	const char *k = keep_arg ? keep_arg : getenv("XLD_CONSOLE_LOG_KEEP");
	unsigned long long v;

	*max = 0;
	*keep = 0;
	if (m && *m) {
		if (conlog_arg(max_arg ? "--console-log-max" :
				"XLD_CONSOLE_LOG_MAX", m, CONLOG_MAX_MIN,
			       CONLOG_MAX_MAX, &v))
			return -EINVAL;
		*max = v ? v : DC_CONSOLE_LOG_NO_CAP;
	}
	if (k && *k) {
		if (conlog_arg(keep_arg ? "--console-log-keep" :
				"XLD_CONSOLE_LOG_KEEP", k, 0, CONLOG_KEEP_MAX,
			       &v))
			return -EINVAL;
		*keep = v ? (uint32_t)v : DC_CONSOLE_LOG_KEEP_NONE;
	}
	return 0;
}

/*
 * The group given to xld.sock (--socket-group, else XLD_SOCKET_GROUP): a
 * group name or a number; (gid_t)-1 when neither is set.  Says what is
 * wrong and returns -EINVAL for a group that does not exist.
 */
static int socket_group(const char *arg, gid_t *out)
{
	const char *g = arg ? arg : getenv("XLD_SOCKET_GROUP");
	struct group *gr;
	unsigned long v;
	char *end;

	*out = (gid_t)-1;
	if (!g || !*g)
		return 0;
	errno = 0;
	gr = getgrnam(g);
	if (!gr && *g >= '0' && *g <= '9') {
		v = strtoul(g, &end, 10);
		if (!*end && v < (gid_t)-1)
			gr = getgrgid((gid_t)v);
	}
	if (!gr) {
		fprintf(stderr, "xld: %s \"%s\": no such group\n",
			arg ? "--socket-group" : "XLD_SOCKET_GROUP", g);
		return -EINVAL;
	}
	*out = gr->gr_gid;
	return 0;
}

/*
 * Without --foreground: fork, and let the parent exit once the child
 * reports (through a pipe) that it listens, or failed to.
 */
static int daemonize(int *notify_fd)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1 && c == 'R')
			_exit(0);
		waitpid(pid, &status, 0);
		_exit(1);
	}
	close(p[0]);
	setsid();
	*notify_fd = p[1];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"foreground", no_argument, NULL, 'F'},
	    {"console-log-max", required_argument, NULL, 'M'},
	    {"console-log-keep", required_argument, NULL, 'K'},
	    {"socket-group", required_argument, NULL, 'G'},
	    {"without-kvm", no_argument, NULL, 'W'},
	    {"monitor-uids", required_argument, NULL, 'U'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct xld_paths p = {0};
	struct xld_loop *loop = NULL;
	struct xs_server *srv = NULL;
	struct xld_doms *doms = NULL;
	struct xld_ctl *ctl = NULL;
	struct itimerspec its = {{1, 0}, {1, 0}};
	struct xs_journal *journal = NULL;
	struct xs_store *st = NULL;
	bool foreground = false, without_kvm = false;
	char no_kvm[512];
	const char *conlog_max_arg = NULL, *conlog_keep_arg = NULL;
	const char *group_arg = NULL, *uids_arg = NULL, *env;
	uint32_t uid_first = 0, uid_count = 0;
	gid_t group;
	uint64_t conlog_max;
	uint32_t conlog_keep;
	int pid_fd = -1, sig_fd = -1, notify_fd = -1, timer_fd = -1, opt, rc;
	int ret = 1;
	char err[512];
	long other = 0;
	sigset_t mask;

	while ((opt = getopt_long(argc, argv, "FhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'M':
			conlog_max_arg = optarg;
			break;
		case 'K':
			conlog_keep_arg = optarg;
			break;
		case 'G':
			group_arg = optarg;
			break;
		case 'F':
			foreground = true;
			break;
		case 'W':
			without_kvm = true;
			break;
		case 'U':
			uids_arg = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("xld %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (conlog_opts(conlog_max_arg, conlog_keep_arg, &conlog_max,
			&conlog_keep))
		return 2;
	if (socket_group(group_arg, &group))
		return 2;
	if (monitor_uids(uids_arg, &uid_first, &uid_count))
		return 2;
	p.rundir = env_or("XLD_RUNDIR", "/run/xld");
	p.statedir = env_or("XLD_STATEDIR", "/var/lib/xld");
	p.logdir = env_or("XLD_LOGDIR", "/var/log/xld");
	if (path_join(p.log, sizeof(p.log), p.logdir, "xld.log") ||
	    path_join(p.pid, sizeof(p.pid), p.rundir, "xld.pid") ||
	    path_join(p.xs_sock, sizeof(p.xs_sock), p.rundir,
		      "xenstored.sock") ||
	    path_join(p.dom_dir, sizeof(p.dom_dir), p.rundir, "xs-dom")) {
		fprintf(stderr, "xld: directory names too long\n");
		return 1;
	}
	if ((env = getenv("XLD_WITHOUT_KVM")) && *env) {
		if (strcmp(env, "0") && strcmp(env, "1")) {
			fprintf(stderr, "xld: XLD_WITHOUT_KVM '%s': want 0 or "
				"1\n", env);
			return 2;
		}
		without_kvm = without_kvm || !strcmp(env, "1");
	}
	if (kvm_check(p.rundir, without_kvm, no_kvm, sizeof(no_kvm)))
		return 1;
	if ((rc = mkdir_p(p.rundir, 0755)) || (rc = mkdir_p(p.logdir, 0755)) ||
	    (rc = mkdir_p(p.statedir, 0700))) {
		fprintf(stderr, "xld: cannot create directories: %s\n",
			strerror(-rc));
		return 1;
	}
	rc = xld_log_open(p.log, foreground);
	if (rc) {
		fprintf(stderr, "xld: cannot open %s: %s\n", p.log,
			strerror(-rc));
		return 1;
	}
	if (!foreground) {
		rc = daemonize(&notify_fd);
		if (rc) {
			xld_err("fork: %s", strerror(-rc));
			goto out;
		}
	}
	rc = pidfile_lock(p.pid, &pid_fd, &other);
	if (rc == -EBUSY) {
		xld_err("another xld (pid %ld) owns %s: not starting", other,
			p.rundir);
		goto out;
	} else if (rc) {
		xld_err("cannot lock %s: %s", p.pid, strerror(-rc));
		goto out;
	}
	if (socket_live(p.xs_sock)) {
		xld_err("a daemon already answers on %s: not starting",
			p.xs_sock);
		goto out;
	}
	unlink(p.xs_sock);
	if (mkdir(p.dom_dir, 0700) < 0 && errno != EEXIST) {
		xld_err("mkdir %s: %s", p.dom_dir, strerror(errno));
		goto out;
	}
	chmod(p.dom_dir, 0700);
	clean_dom_dir(p.dom_dir);
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	loop = xld_loop_new();
	if (sig_fd < 0 || !loop) {
		xld_err("event loop: %s", strerror(errno));
		goto out;
	}
	rc = xld_loop_add(loop, sig_fd, EPOLLIN, signal_event, NULL);
	if (rc)
		goto out;
	srv = xs_server_new(loop, NULL, p.dom_dir);
	st = srv ? xs_store_new(xs_server_event, srv) : NULL;
	if (!st) {
		xld_err("store: %s", strerror(errno));
		goto out;
	}
	xs_server_set_store(srv, st);
	rc = xs_journal_open(st, p.statedir, &journal, err, sizeof(err));
	if (rc) {
		xld_err("cannot load the store: %s%s",
			err[0] ? err : strerror(-rc),
			rc == -EBADMSG ? "; not starting (move the file away "
					 "to start with an empty store)"
				       : "");
		goto out;
	}
	xld_info("store loaded from %s: %" PRIu64 " nodes", p.statedir,
		 xs_store_count(st));
	xs_server_set_flush_hook(srv, journal_flush, journal);
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer_fd < 0 || timerfd_settime(timer_fd, 0, &its, NULL) < 0 ||
	    xld_loop_add(loop, timer_fd, EPOLLIN, journal_timer, journal)) {
		xld_err("journal timer: %s", strerror(errno));
		goto out;
	}
	rc = xs_server_listen(srv, p.xs_sock, 0, true);
	if (rc) {
		xld_err("listen on %s: %s", p.xs_sock, strerror(-rc));
		goto out;
	}
	doms = xld_doms_new(loop, st, srv, p.rundir, p.statedir, p.logdir);
	if (!doms) {
		xld_err("domains: %s", strerror(errno));
		goto out;
	}
	xld_doms_set_console_log(doms, conlog_max, conlog_keep);
	if (uid_count) {
		xld_doms_set_monitor_ids(doms, uid_first, uid_count);
		xld_info("monitors run as uid and gid %" PRIu32 " plus their "
			 "domid (up to %" PRIu32 ")", uid_first,
			 uid_first + uid_count - 1);
	}
	if (no_kvm[0]) {
		xld_warn("--without-kvm: no guest can be created: %s", no_kvm);
		xld_doms_set_no_kvm(doms, no_kvm);
	}
	xld_doms_load(doms);
	/* what re-attaching changed in the store, then every change */
	xs_journal_flush(journal);
	xld_doms_set_flush(doms, journal_flush, journal);
	xld_info("%u domains re-attached", xld_doms_count(doms));
	ctl = xld_ctl_new(loop, doms, p.rundir, group);
	if (!ctl) {
		xld_err("control sockets: %s", strerror(errno));
		goto out;
	}
	xld_info("xld %s listening on %s (pid %ld)", PACKAGE_VERSION, p.xs_sock,
		 (long)getpid());
	if (notify_fd >= 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			close(devnull);
		}
		if (write(notify_fd, "R", 1) != 1)
			xld_warn("cannot notify the parent: %s",
				 strerror(errno));
		close(notify_fd);
		notify_fd = -1;
	}
	rc = xld_loop_run(loop);
	if (rc) {
		xld_err("event loop: %s", strerror(-rc));
		goto out;
	}
	ret = 0;
out:
	/* the guests keep running: xld only forgets them */
	xld_ctl_free(ctl);
	xld_doms_free(doms);
	xs_server_free(srv);
	xs_journal_close(journal);
	xs_store_free(st);
	if (timer_fd >= 0)
		close(timer_fd);
	xld_loop_free(loop);
	if (sig_fd >= 0)
		close(sig_fd);
	if (pid_fd >= 0) {
		unlink(p.pid);
		close(pid_fd);
	}
	if (notify_fd >= 0)
		close(notify_fd);
	xld_info("exiting with status %d", ret);
	xld_log_close();
	return ret;
}
