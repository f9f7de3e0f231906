// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor's sandbox (sandbox.h): what it gives up before the guest
 * runs, and the seccomp allowlist of its threads.
 *
 * The list holds what the monitor's threads call once the guest runs:
 * the KVM and TAP ioctls, I/O on descriptors it holds, memory, threads
 * (clone only with CLONE_THREAD: no fork), signals and time, and the few
 * file and socket calls of its runtime work (the control socket, xl
 * save's state file, console log rotation, /proc/self/task).  No exec,
 * no mapping of executable memory, no ptrace, mount, bpf, keyctl,
 * module or namespace calls, no socket but AF_UNIX.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <seccomp.h>

#include "hv.h"
#include "sandbox.h"

/* Calls allowed whatever their arguments. */
static const int allowed[] = {
	/* I/O on descriptors the monitor holds */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv),
	SCMP_SYS(pwritev), SCMP_SYS(preadv2), SCMP_SYS(pwritev2),
	SCMP_SYS(lseek), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(fallocate), SCMP_SYS(ftruncate), SCMP_SYS(close),
	SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(ioctl), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(getdents64), SCMP_SYS(pipe2),
	/* waiting */
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait),
	SCMP_SYS(eventfd2), SCMP_SYS(signalfd4), SCMP_SYS(timerfd_create),
	SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(futex), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(sched_yield),
	SCMP_SYS(restart_syscall),
	/* memory (mmap and mprotect below: never executable) */
	SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(brk),
	SCMP_SYS(memfd_create),
	/* threads and signals */
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(set_tid_address),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack), SCMP_SYS(tgkill),
	SCMP_SYS(gettid), SCMP_SYS(getpid), SCMP_SYS(exit),
	SCMP_SYS(exit_group), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_setaffinity), SCMP_SYS(getrusage),
	SCMP_SYS(getrandom), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(uname),
	SCMP_SYS(sysinfo),
	/* files: xl save's state file, console log rotation, the tty link */
	SCMP_SYS(openat), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
	SCMP_SYS(symlink), SCMP_SYS(readlink), SCMP_SYS(access),
	SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(chmod),
	SCMP_SYS(fchmod),
	/* the control socket (socket() itself below: AF_UNIX only) */
	SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(connect), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
	SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(shutdown),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
};

/*
 * The monitor's only globals, as what they stand for is the process's:
 * the descriptor a forbidden call's report goes to (a signal handler has
 * no other way to it), the uid and gid every thread takes (0: none), and
 * whether the filter is in, under the lock a starting thread takes to
 * give up its rights (capset and setresuid are not on the list).
 */
static int crash_fd = -1;
static uid_t own_uid;
static gid_t own_gid;
static rlim_t thread_max;
static pthread_mutex_t enter_lock = PTHREAD_MUTEX_INITIALIZER;
static bool entered;

static size_t put_str(char *buf, size_t at, const char *s)
{
	while (*s && at < 127)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, long v)
{
	char d[24];
	int n = 0;

	if (v < 0) {
		if (at < 127)
			buf[at++] = '-';
		v = -v;
	}
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(d));
	while (n && at < 127)
		buf[at++] = d[--n];
	return at;
}

/* SIGSYS from the filter: say which call, then die of SIGSYS.  Only
 * async-signal-safe calls, each on the list. */
static void forbidden(int sig, siginfo_t *si, void *uc)
{
	char msg[128];
	size_t n = 0;
	sigset_t s;

	n = put_str(msg, n, "xlhv: killed by the sandbox: forbidden system "
			    "call ");
	n = put_num(msg, n, si->si_syscall);
	n = put_str(msg, n, " (x86_64) in thread ");
	n = put_num(msg, n, (long)syscall(SYS_gettid));
	msg[n++] = '\n';
	if (write(STDERR_FILENO, msg, n) < 0) {
		/* nothing more to do about it */
	}
	/* without "xlhv: ": xld names the monitor itself */
	if (crash_fd >= 0 && pwrite(crash_fd, msg + 6, n - 6, 0) < 0) {
		/* xld says only that the monitor is gone */
	}
	signal(sig, SIG_DFL);
	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	_exit(128 + sig);
}

static int caps_clear(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static bool sandbox_off(void)
{
	const char *env = getenv("XLHV_SANDBOX");

	return env && !strcmp(env, "off");
}

/*
 * The calling thread takes the monitor's own uid and gid, with no
 * supplementary group.  Credentials are per thread to the kernel (glibc's
 * setresuid would signal every thread, and fail in those that dropped
 * their capabilities already), so each thread does it itself, raw.
 * Leaving uid 0 clears its capabilities too.
 */
static int own_ids_take(void)
{
	/* one started by a thread that took them has them */
	if (!own_uid || (uid_t)syscall(SYS_getuid) == own_uid)
		return 0;
	if (syscall(SYS_setgroups, 0, NULL) < 0 ||
	    syscall(SYS_setresgid, own_gid, own_gid, own_gid) < 0 ||
	    syscall(SYS_setresuid, own_uid, own_uid, own_uid) < 0)
		return -errno;
	return 0;
}

int hv_sandbox_setup(uid_t uid, gid_t gid, unsigned int threads)
{
	int rc;

	if (sandbox_off())
		return 0;
	if (!uid != !gid) {
		hv_err("sandbox: --uid and --gid go together");
		return -EINVAL;
	}
	own_uid = uid;
	own_gid = gid;
	thread_max = threads;
	/*
	 * Namespaces are per thread too: taken now, before any thread, every
	 * one inherits them.  The mount namespace keeps the host's tree but
	 * nothing mounted in it reaches the host, nor the host's mounts it.
	 */
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
		rc = -errno;
		hv_err("sandbox: new mount, IPC and UTS namespaces: %s",
		       strerror(-rc));
		return rc;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rc = -errno;
		hv_err("sandbox: make the mount namespace private: %s",
		       strerror(-rc));
		return rc;
	}
	return 0;
}

void hv_sandbox_thread(void)
{
	int rc = 0;

	if (sandbox_off())
		return;
	/* one started after the filter has none, as its creator had none
	 * (hv_sandbox_enter waits for those started before to drop theirs) */
	pthread_mutex_lock(&enter_lock);
	/* taking the uid leaves no capability, and the filter lets it */
	if (!entered || own_uid)
		rc = own_ids_take();
	if (!entered && !rc)
		rc = caps_clear();
	pthread_mutex_unlock(&enter_lock);
	if (rc)
		hv_err("note: a thread keeps its uid or capabilities: %s",
		       strerror(-rc));
}

/* Whether thread @tid holds no capability, and has the monitor's own
 * uid if it has one (from its status file). */
static int thread_capless(const char *tid)
{
	char path[300], buf[2048], *p;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1; /* gone */
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 1;
	buf[r] = '\0';
	p = strstr(buf, "\nUid:");
	if (own_uid && (!p || strtoul(p + 6, NULL, 10) != own_uid))
		return 0;
	for (p = buf; (p = strstr(p, "\nCap")); p++)
		if ((!strncmp(p, "\nCapPrm:", 8) || !strncmp(p, "\nCapEff:", 8)) &&
		    strtoull(p + 8, NULL, 16))
			return 0;
	return 1;
}

/*
 * Wait until every other thread has dropped its capabilities: each does
 * first thing (hv_sandbox_thread), but one started just now may not have
 * run yet.  After 2 s the one that still has them is named.
 */
static int threads_wait_capless(void)
{
	char self[16], stuck[256] = "";
	struct dirent *e;
	DIR *d;
	int i;

	snprintf(self, sizeof(self), "%ld", (long)syscall(SYS_gettid));
	/* 100 us steps: a thread just started drops its own within a few;
	 * the start of the guest waits on this */
	for (i = 0; i < 20000; i++) {
		d = opendir("/proc/self/task");
		if (!d)
			return -errno;
		stuck[0] = '\0';
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && strcmp(e->d_name, self) &&
			    !thread_capless(e->d_name))
				snprintf(stuck, sizeof(stuck), "%s", e->d_name);
		closedir(d);
		if (!stuck[0])
			return 0;
		usleep(100);
	}
	hv_err("sandbox: thread %s keeps its uid or capabilities", stuck);
	return -EPERM;
}

/* The allowlist, for every thread (TSYNC). */
static int filter_load(void)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
	size_t i;
	int rc;

	if (!f)
		return -ENOMEM;
	rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; !rc && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, allowed[i], 0);
	/* memory is never made executable */
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* threads, never a process: glibc falls back from clone3, whose
	 * flags a filter cannot see, to clone */
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clone3), 0);
	if (!rc)
		rc = seccomp_rule_add(
		    f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	/* a thread's name; reading limits, never setting them */
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME));
	if (!rc)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
				      SCMP_A2(SCMP_CMP_EQ, 0));
	/* a thread started before the filter takes the monitor's own ids
	 * (own_ids_take): those exactly, and no group */
	if (!rc && own_uid)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(setgroups), 1,
				      SCMP_A0(SCMP_CMP_EQ, 0));
	if (!rc && own_uid)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(setresgid), 3,
				      SCMP_A0(SCMP_CMP_EQ, own_gid),
				      SCMP_A1(SCMP_CMP_EQ, own_gid),
				      SCMP_A2(SCMP_CMP_EQ, own_gid));
	if (!rc && own_uid)
		rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(setresuid), 3,
				      SCMP_A0(SCMP_CMP_EQ, own_uid),
				      SCMP_A1(SCMP_CMP_EQ, own_uid),
				      SCMP_A2(SCMP_CMP_EQ, own_uid));
	if (!rc)
		rc = seccomp_load(f);
	seccomp_release(f);
	return rc;
}

/*
 * Limits that hold once the sandbox is in: no core file (it would hold
 * the guest's memory), no locked memory (nothing here locks any), no
 * more descriptors than now allowed, and under the monitor's own uid no
 * more threads than hv_sandbox_setup was told (counted per uid).
 */
static int limits_set(void)
{
	struct rlimit zero = {0, 0}, files;
	int rc = 0;

	if (setrlimit(RLIMIT_CORE, &zero) < 0 ||
	    setrlimit(RLIMIT_MEMLOCK, &zero) < 0)
		rc = -errno;
	if (!rc && getrlimit(RLIMIT_NOFILE, &files) == 0) {
		files.rlim_max = files.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &files) < 0)
			rc = -errno;
	}
	if (!rc && own_uid) {
		struct rlimit procs = {thread_max, thread_max};

		if (setrlimit(RLIMIT_NPROC, &procs) < 0)
			rc = -errno;
	}
	if (rc)
		hv_err("sandbox: resource limits: %s", strerror(-rc));
	return rc;
}

int hv_sandbox_enter(const char *note)
{
	struct sigaction sa = {.sa_sigaction = forbidden,
			       .sa_flags = SA_SIGINFO};
	int cap, rc;

	if (sandbox_off()) {
		hv_err("note: XLHV_SANDBOX=off: the monitor runs without its "
		       "sandbox");
		return 0;
	}
	/* opened now: the directory it goes in is not the monitor's own */
	if (note) {
		crash_fd = open(note, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
					 O_NOFOLLOW, 0600);
		if (crash_fd < 0) {
			rc = -errno;
			hv_err("sandbox: crash note %s: %s", note, strerror(-rc));
			return rc;
		}
	}
	rc = limits_set();
	if (rc)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		rc = -errno;
		hv_err("sandbox: no new privileges: %s", strerror(-rc));
		return rc;
	}
	/* the bounding set first: dropping it needs CAP_SETPCAP */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM) {
			rc = -errno;
			hv_err("sandbox: drop capability %d from the bounding "
			       "set: %s",
			       cap, strerror(-rc));
			return rc;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL) {
		rc = -errno;
		hv_err("sandbox: clear ambient capabilities: %s",
		       strerror(-rc));
		return rc;
	}
	rc = own_ids_take();
	if (rc) {
		hv_err("sandbox: take uid %u, gid %u: %s", (unsigned)own_uid,
		       (unsigned)own_gid, strerror(-rc));
		return rc;
	}
	rc = caps_clear();
	if (rc) {
		hv_err("sandbox: drop capabilities: %s", strerror(-rc));
		return rc;
	}
	/*
	 * A thread that has not run yet still has root's rights: without a
	 * uid of its own, wait until it has dropped them, as it cannot once
	 * the filter is in.  With one, it takes the uid first thing, which
	 * the filter lets it do, and which leaves it no capability.
	 */
	rc = own_uid ? 0 : threads_wait_capless();
	if (rc)
		return rc;
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		rc = -errno;
		hv_err("sandbox: SIGSYS handler: %s", strerror(-rc));
		return rc;
	}
	pthread_mutex_lock(&enter_lock);
	rc = filter_load();
	entered = !rc;
	pthread_mutex_unlock(&enter_lock);
	if (rc)
		hv_err("sandbox: seccomp filter: %s", strerror(-rc));
	return rc;
}
