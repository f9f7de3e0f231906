// SPDX-License-Identifier: LGPL-2.1
/* Domain operations: spawn a monitor, then talk to it over its socket. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dc_internal.h"

#define MAX_ARGS (48 + 2 * DC_NETS_MAX + 2 * DC_DISKS_MAX)
/* "tap=NAME,mac=xx:xx:xx:xx:xx:xx" */
#define NET_ARG_MAX 48

/* Disk paths must be absolute: the monitor has its own working directory. */
static int check_disks(dc_ctx *ctx, const struct dc_build *b)
{
	if (b->ndisks > DC_DISKS_MAX) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: %zu disks, at most %d",
			b->domid, b->ndisks, DC_DISKS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < b->ndisks; i++) {
		const char *p = b->disks[i].path;

		if (!p || p[0] != '/' || strnlen(p, PATH_MAX) == PATH_MAX) {
			dc__log(ctx, DC_LOG_ERROR, "domain %u: disk %zu: '%.80s' "
				"is not an absolute path", b->domid, i,
				p ? p : "");
			return -EINVAL;
		}
	}
	return 0;
}

static int check_build(dc_ctx *ctx, const struct dc_build *b)
{
	if (b->domid < 1 || b->domid > DC_DOMID_MAX) {
		dc__log(ctx, DC_LOG_ERROR, "domid %u out of range 1..%u",
			b->domid, DC_DOMID_MAX);
		return -EINVAL;
	}
	if (b->flags & ~DC_BUILD_INCOMING) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: unknown build flags %#x",
			b->domid, b->flags);
		return -EINVAL;
	}
	if (b->flags & DC_BUILD_INCOMING && b->incoming_fd < 0) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: incoming, but no stream "
			"fd", b->domid);
		return -EBADF;
	}
	/* a received guest is not booted: its kernel is in the stream */
	if ((!b->kernel || !*b->kernel) && !(b->flags & DC_BUILD_INCOMING)) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: no kernel given", b->domid);
		return -EINVAL;
	}
	if (!b->vcpus || !b->memory_mib) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: %s is 0", b->domid,
			b->vcpus ? "memory" : "vcpus");
		return -EINVAL;
	}
	if (b->maxvcpus && b->maxvcpus < b->vcpus) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: maxvcpus %u is less "
			"than vcpus %u", b->domid, b->maxvcpus, b->vcpus);
		return -EINVAL;
	}
	if (b->nnets > DC_NETS_MAX) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: %zu network cards, at "
			"most %d", b->domid, b->nnets, DC_NETS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < b->nnets; i++) {
		const struct dc_net *n = &b->nets[i];

		if (!n->tap || !*n->tap || strlen(n->tap) > 15 ||
		    strpbrk(n->tap, ",=/") ||
		    (n->mac && strlen(n->mac) != 17)) {
			dc__log(ctx, DC_LOG_ERROR, "domain %u: network card "
				"%zu: bad TAP name '%s' or MAC '%s'", b->domid,
				i, n->tap ? n->tap : "", n->mac ? n->mac : "");
			return -EINVAL;
		}
	}
	return check_disks(ctx, b);
}

/* --net arguments for @b's cards, into @nets. */
static void build_nets(const struct dc_build *b,
		       char nets[DC_NETS_MAX][NET_ARG_MAX])
{
	for (size_t i = 0; i < b->nnets; i++) {
		if (b->nets[i].mac)
			snprintf(nets[i], NET_ARG_MAX, "tap=%s,mac=%s",
				 b->nets[i].tap, b->nets[i].mac);
		else
			snprintf(nets[i], NET_ARG_MAX, "tap=%s",
				 b->nets[i].tap);
	}
}

/* The monitor's argument vector; strings live in @nums. */
static void build_argv(dc_ctx *ctx, const struct dc_build *b, const char *sock,
		       char nums[4][24], char nets[DC_NETS_MAX][NET_ARG_MAX],
		       const char **argv)
{
	int i = 0;

	snprintf(nums[0], 24, "%u", b->domid);
	snprintf(nums[1], 24, "%llu", (unsigned long long)b->memory_mib);
	snprintf(nums[2], 24, "%u", b->vcpus);
	argv[i++] = ctx->xlhv;
	argv[i++] = "run";
	argv[i++] = "--domid";
	argv[i++] = nums[0];
	argv[i++] = "--control";
	argv[i++] = sock;
	argv[i++] = "--ready-fd";
	argv[i++] = "3";
	if (b->kernel && *b->kernel) {
		argv[i++] = "--kernel";
		argv[i++] = b->kernel;
	}
	if (b->flags & DC_BUILD_INCOMING) {
		argv[i++] = "--incoming";
		argv[i++] = "4";	/* DC__PASS_FD */
	}
	argv[i++] = "--memory";
	argv[i++] = nums[1];
	argv[i++] = "--vcpus";
	argv[i++] = nums[2];
	if (b->maxmem_mib > b->memory_mib) {
		snprintf(nums[3], 24, "%llu",
			 (unsigned long long)b->maxmem_mib);
		argv[i++] = "--maxmem";
		argv[i++] = nums[3];
	}
	if (b->ramdisk) {
		argv[i++] = "--ramdisk";
		argv[i++] = b->ramdisk;
	}
	if (b->cmdline) {
		argv[i++] = "--cmdline";
		argv[i++] = b->cmdline;
	}
	if (b->console_log) {
		argv[i++] = "--console-log";
		argv[i++] = b->console_log;
	}
	if (b->name) {
		argv[i++] = "--name";
		argv[i++] = b->name;
	}
	for (size_t k = 0; k < b->ndisks; k++) {
		argv[i++] = b->disks[k].readonly ? "--disk-ro" : "--disk";
		argv[i++] = b->disks[k].path;
	}
	for (size_t k = 0; k < b->nnets; k++) {
		argv[i++] = "--net";
		argv[i++] = nets[k];
	}
	argv[i] = NULL;
}

/* Where the monitor of @domid links its console pty. */
int dc__tty_path(dc_ctx *ctx, uint32_t domid, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%u.tty", ctx->domdir, domid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Append "--maxvcpus N" (into @num) if @b has more than it starts with. */
static void argv_add_maxvcpus(const char **argv, const struct dc_build *b,
			      char num[24])
{
	int i = 0;

	if (b->maxvcpus <= b->vcpus)
		return;
	while (argv[i])
		i++;
	snprintf(num, 24, "%u", b->maxvcpus);
	argv[i++] = "--maxvcpus";
	argv[i++] = num;
	argv[i] = NULL;
}

/*
 * Append the console log's cap and rotation, if the caller chose them,
 * to the NULL-terminated @argv (numbers into @nums).
 */
static void argv_add_log_cap(const char **argv, const char *log,
			     uint64_t max, uint32_t keep, char nums[2][24])
{
	int i = 0;

	if (!log)
		return;
	while (argv[i])
		i++;
	if (max) {
		snprintf(nums[0], 24, "%llu", max == DC_CONSOLE_LOG_NO_CAP ?
			 0ULL : (unsigned long long)max);
		argv[i++] = "--console-log-max";
		argv[i++] = nums[0];
	}
	if (keep) {
		snprintf(nums[1], 24, "%u",
			 keep == DC_CONSOLE_LOG_KEEP_NONE ? 0u : keep);
		argv[i++] = "--console-log-keep";
		argv[i++] = nums[1];
	}
	argv[i] = NULL;
}

/* Append "@opt @val" to the NULL-terminated @argv. */
static void argv_add(const char **argv, const char *opt, const char *val)
{
	int i = 0;

	while (argv[i])
		i++;
	argv[i++] = opt;
	argv[i++] = val;
	argv[i] = NULL;
}

/*
 * The console link and the crash note of @domid's new monitor into
 * @argv (@tty and @note, PATH_MAX bytes each, hold them).  A note left
 * by an earlier monitor of the domid goes.
 */
static int argv_add_paths(dc_ctx *ctx, uint32_t domid, const char **argv,
			  char *tty, char *note)
{
	int rc = dc__tty_path(ctx, domid, tty, PATH_MAX);

	if (!rc)
		rc = dc__note_path(ctx, domid, note, PATH_MAX);
	if (rc)
		return rc;
	unlink(note);
	argv_add(argv, "--console-tty", tty);
	argv_add(argv, "--crash-note", note);
	return 0;
}

/* --uid and --gid for @domid's monitor (the number into @id), if the
 * context gives monitors their own. */
static int argv_add_ids(dc_ctx *ctx, uint32_t domid, const char **argv,
			char id[24])
{
	if (!ctx->id_count)
		return 0;
	if (domid >= ctx->id_count) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u: no uid for its monitor: "
			"the range %u-%u holds domids up to %u", domid,
			ctx->id_first, ctx->id_first + ctx->id_count - 1,
			ctx->id_count - 1);
		return -ERANGE;
	}
	snprintf(id, 24, "%u", ctx->id_first + domid);
	argv_add(argv, "--uid", id);
	argv_add(argv, "--gid", id);
	return 0;
}

void dc_domain_forget(dc_ctx *ctx, uint32_t domid)
{
	char path[PATH_MAX];
	struct stat st;

	if (!dc__sock_path(ctx, domid, path, sizeof(path)))
		unlink(path);
	if (!dc__tty_path(ctx, domid, path, sizeof(path)))
		unlink(path);
	if (!dc__note_path(ctx, domid, path, sizeof(path)) &&
	    lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
		unlink(path);
}

int dc_domain_crash_note(dc_ctx *ctx, uint32_t domid, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd, rc;

	if (domid < 1 || domid > DC_DOMID_MAX || len == 0)
		return -EINVAL;
	rc = dc__note_path(ctx, domid, path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	rc = r < 0 ? -errno : 0;
	close(fd);
	unlink(path);
	if (rc)
		return rc;
	/* the monitor opens it at its start: empty, nothing happened */
	if (r == 0)
		return -ENOENT;
	/* one line, as the monitor wrote it */
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int dc_domain_console(dc_ctx *ctx, uint32_t domid, char *tty, size_t len)
{
	char link[PATH_MAX], buf[PATH_MAX];
	ssize_t r;
	int rc;

	if (domid < 1 || domid > DC_DOMID_MAX)
		return -EINVAL;
	rc = dc__tty_path(ctx, domid, link, sizeof(link));
	if (rc)
		return rc;
	r = readlink(link, buf, sizeof(buf));
	if (r < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if ((size_t)r >= sizeof(buf) || (size_t)r >= len)
		return -ENAMETOOLONG;
	memcpy(tty, buf, (size_t)r);
	tty[r] = '\0';
	return 0;
}

/* Is @domid free for a new monitor?  Makes the socket directory too. */
static int domid_free(dc_ctx *ctx, uint32_t domid)
{
	struct dc_wire_hello hello;
	int rc;

	if (mkdir(ctx->domdir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		dc__log(ctx, DC_LOG_ERROR, "cannot create %s: %s", ctx->domdir,
			strerror(-rc));
		return rc;
	}
	if (dc__call(ctx, domid, DC_WIRE_HELLO, NULL, 0, &hello,
		     sizeof(hello)) == 0) {
		dc__log(ctx, DC_LOG_ERROR, "domain %u already has a monitor "
			"(pid %u)", domid, hello.pid);
		return -EEXIST;
	}
	return 0;
}

int dc_domain_create_start(dc_ctx *ctx, const struct dc_build *b,
			   struct dc_op **op)
{
	char maxvcpus[24], cap[2][24], id[24];
	const char *argv[MAX_ARGS];
	char sock[108], nums[4][24], nets[DC_NETS_MAX][NET_ARG_MAX];
	char tty[PATH_MAX], note[PATH_MAX];
	int rc;

	rc = check_build(ctx, b);
	if (rc)
		return rc;
	rc = dc__sock_path(ctx, b->domid, sock, sizeof(sock));
	if (rc)
		return rc;
	rc = domid_free(ctx, b->domid);
	if (rc)
		return rc;
	build_nets(b, nets);
	build_argv(ctx, b, sock, nums, nets, argv);
	rc = argv_add_paths(ctx, b->domid, argv, tty, note);
	if (!rc)
		rc = argv_add_ids(ctx, b->domid, argv, id);
	if (rc)
		return rc;
	argv_add_maxvcpus(argv, b, maxvcpus);
	argv_add_log_cap(argv, b->console_log, b->console_log_max,
			 b->console_log_keep, cap);
	return dc__spawn_start(ctx, b->domid, argv,
			       b->flags & DC_BUILD_INCOMING ? b->incoming_fd :
							      -1, op);
}

int dc_domain_create(dc_ctx *ctx, const struct dc_build *b, pid_t *pid)
{
	struct dc_op *op;
	int rc = dc_domain_create_start(ctx, b, &op);

	return rc ? rc : dc__op_wait(op, pid);
}

/* @path made absolute in @buf: the monitor's working directory is not ours. */
static int abs_path(dc_ctx *ctx, const char *path, char *buf, size_t len)
{
	char cwd[DC_SAVE_PATH_MAX];
	int n;

	if (!path || !*path) {
		dc__log(ctx, DC_LOG_ERROR, "no state file given");
		return -EINVAL;
	}
	if (path[0] == '/')
		n = snprintf(buf, len, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(buf, len, "%s/%s", cwd, path);
	else
		return -errno;
	if (n < 0 || (size_t)n >= len) {
		dc__log(ctx, DC_LOG_ERROR, "state file path %s: longer than "
			"%zu bytes", path, len - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

int dc_domain_restore(dc_ctx *ctx, const struct dc_restore *r, pid_t *pid)
{
	const char *argv[MAX_ARGS];
	char sock[108], domid[24], path[DC_SAVE_PATH_MAX], tty[PATH_MAX];
	char note[PATH_MAX], cap[2][24], id[24];
	struct dc_op *op;
	int i = 0, rc;

	if (r->domid < 1 || r->domid > DC_DOMID_MAX) {
		dc__log(ctx, DC_LOG_ERROR, "domid %u out of range 1..%u",
			r->domid, DC_DOMID_MAX);
		return -EINVAL;
	}
	rc = abs_path(ctx, r->path, path, sizeof(path));
	if (!rc)
		rc = dc__sock_path(ctx, r->domid, sock, sizeof(sock));
	if (!rc)
		rc = domid_free(ctx, r->domid);
	if (rc)
		return rc;
	snprintf(domid, sizeof(domid), "%u", r->domid);
	argv[i++] = ctx->xlhv;
	argv[i++] = "run";
	argv[i++] = "--domid";
	argv[i++] = domid;
	argv[i++] = "--control";
	argv[i++] = sock;
	argv[i++] = "--ready-fd";
	argv[i++] = "3";
	argv[i++] = "--restore";
	argv[i++] = path;
	if (r->console_log) {
		argv[i++] = "--console-log";
		argv[i++] = r->console_log;
	}
	if (r->name) {
		argv[i++] = "--name";
		argv[i++] = r->name;
	}
	argv[i] = NULL;
	rc = argv_add_paths(ctx, r->domid, argv, tty, note);
	if (!rc)
		rc = argv_add_ids(ctx, r->domid, argv, id);
	if (rc)
		return rc;
	argv_add_log_cap(argv, r->console_log, r->console_log_max,
			 r->console_log_keep, cap);
	rc = dc__spawn_start(ctx, r->domid, argv, -1, &op);
	return rc ? rc : dc__op_wait(op, pid);
}

/* A save writes all of RAM: allow it far longer than other requests. */
#define SAVE_TIMEOUT_S 600

int dc_domain_save(dc_ctx *ctx, uint32_t domid, const char *path,
		   unsigned int flags, struct dc_save_result *res)
{
	struct timeval tv = { .tv_sec = SAVE_TIMEOUT_S };
	struct dc_wire_save req;
	struct dc_wire_save_reply reply;
	int fd, file = -1, rc;

	if (flags & ~DC_SAVE_DESTROY)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.flags = flags;
	rc = abs_path(ctx, path, req.path, sizeof(req.path));
	if (rc)
		return rc;
	fd = dc__connect(ctx, domid);
	if (fd < 0)
		return fd;
	/* opened here, with the caller's rights: not the sandbox's to open */
	file = open(req.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
				      O_NOCTTY, 0600);
	if (file < 0) {
		rc = -errno;
		dc__log(ctx, DC_LOG_ERROR, "domain %u: save to %s: %s", domid,
			req.path, strerror(-rc));
		goto out;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		rc = -errno;
		goto out;
	}
	rc = dc__call_pass(ctx, fd, domid, DC_WIRE_SAVE, &req, sizeof(req),
			   &reply, sizeof(reply), file);
	if (rc == 0 && res)
		*res = (struct dc_save_result){ .bytes = reply.bytes,
						.save_ns = reply.save_ns };
out:
	if (file >= 0) {
		close(file);
		/* what a failed save left is no state file */
		if (rc)
			unlink(req.path);
	}
	close(fd);
	return rc;
}

int dc_domain_info(dc_ctx *ctx, uint32_t domid, struct dc_dominfo *info)
{
	struct dc_wire_hello hello;
	struct dc_wire_info wi;
	int rc;

	rc = dc__call(ctx, domid, DC_WIRE_HELLO, NULL, 0, &hello, sizeof(hello));
	if (rc == 0)
		rc = dc__call(ctx, domid, DC_WIRE_INFO, NULL, 0, &wi, sizeof(wi));
	if (rc == 0)
		rc = dc__info_from_wire(&wi, info);
	if (rc == 0) {
		info->domid = domid;
		info->pid = (pid_t)hello.pid;
	}
	return rc;
}

int dc__info_from_wire(const struct dc_wire_info *wi, struct dc_dominfo *info)
{
	/* The monitor is another process: its numbers are checked too. */
	if (wi->state < DC_STATE_RUNNING || wi->state > DC_STATE_DYING ||
	    wi->shutdown_reason > DC_SHUTDOWN_CRASH)
		return -EPROTO;
	*info = (struct dc_dominfo){
		.state = (enum dc_state)wi->state,
		.shutdown_reason = (enum dc_shutdown_reason)wi->shutdown_reason,
		.vcpus = wi->vcpus, .memory_kib = wi->memory_kib,
		.cpu_time_ns = wi->cpu_time_ns,
	};
	return 0;
}

/* "<domid>.sock" with a domid in range, else 0. */
static uint32_t sock_domid(const char *name)
{
	char *end;
	unsigned long v;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	v = strtoul(name, &end, 10);
	if (strcmp(end, ".sock") != 0 || v > DC_DOMID_MAX)
		return 0;
	return (uint32_t)v;
}

static int by_domid(const void *a, const void *b)
{
	const struct dc_dominfo *x = a, *y = b;

	return (x->domid > y->domid) - (x->domid < y->domid);
}

int dc_domain_list(dc_ctx *ctx, struct dc_dominfo **infos, size_t *n)
{
	struct dc_dominfo *list = NULL, *grown;
	size_t count = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	dir = opendir(ctx->domdir);
	if (!dir && errno != ENOENT)
		return -errno;
	while (dir && (de = readdir(dir))) {
		uint32_t domid = sock_domid(de->d_name);

		if (!domid)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				rc = -ENOMEM;
				goto out;
			}
			list = grown;
		}
		/* A socket whose monitor is gone is not a domain. */
		if (dc_domain_info(ctx, domid, &list[count]) == 0)
			count++;
	}
	/* no domain: list is still NULL, which qsort must not be given */
	if (count)
		qsort(list, count, sizeof(*list), by_domid);
	*infos = list;
	*n = count;
	list = NULL;
out:
	free(list);
	if (dir)
		closedir(dir);
	return rc;
}

int dc_domain_set_memory(dc_ctx *ctx, uint32_t domid, uint64_t target_kib)
{
	struct dc_wire_set_memory req = { .target_kib = target_kib };

	return dc__call(ctx, domid, DC_WIRE_SET_MEMORY, &req, sizeof(req),
			NULL, 0);
}

int dc_domain_pause(dc_ctx *ctx, uint32_t domid)
{
	return dc__call(ctx, domid, DC_WIRE_PAUSE, NULL, 0, NULL, 0);
}

int dc_domain_unpause(dc_ctx *ctx, uint32_t domid)
{
	return dc__call(ctx, domid, DC_WIRE_UNPAUSE, NULL, 0, NULL, 0);
}

int dc_domain_set_vcpus(dc_ctx *ctx, uint32_t domid, uint32_t online)
{
	struct dc_wire_set_vcpus req = { .online = online };

	if (!online)
		return -ERANGE;
	return dc__call(ctx, domid, DC_WIRE_SET_VCPUS, &req, sizeof(req),
			NULL, 0);
}

int dc_domain_shutdown(dc_ctx *ctx, uint32_t domid,
		       enum dc_shutdown_reason reason)
{
	struct dc_wire_shutdown req = { .reason = reason };

	if (reason != DC_SHUTDOWN_POWEROFF && reason != DC_SHUTDOWN_REBOOT)
		return -EINVAL;
	return dc__call(ctx, domid, DC_WIRE_SHUTDOWN, &req, sizeof(req), NULL, 0);
}
