/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libdomctl: create and control domains, each run by its own detached
 * monitor process (xlhv).  This is to xld what libxc is to Xen's toolstack.
 *
 * Small, and synchronous but for the dc_op calls.  Every function returns
 * 0 or a negative errno unless it says otherwise; it never prints
 * (messages go to the log callback given to dc_ctx_new) and never exits.
 * Out-parameters are written only on success.  A dc_ctx is not
 * thread-safe: use one per thread.
 */
#ifndef DOMCTL_H
#define DOMCTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dc_ctx dc_ctx;

enum dc_log_level { DC_LOG_ERROR, DC_LOG_WARN, DC_LOG_INFO, DC_LOG_DEBUG };
typedef void dc_log_fn(void *opaque, enum dc_log_level level, const char *msg);

/* Domain states, as the monitor reports them. */
enum dc_state {
	DC_STATE_RUNNING = 1,
	DC_STATE_BLOCKED,	/* every vCPU halted, waiting for an event */
	DC_STATE_PAUSED,
	DC_STATE_SHUTDOWN,	/* the guest stopped; see shutdown_reason */
	DC_STATE_DYING,
};

enum dc_shutdown_reason {
	DC_SHUTDOWN_NONE = 0,
	DC_SHUTDOWN_POWEROFF,
	DC_SHUTDOWN_REBOOT,
	DC_SHUTDOWN_CRASH,
};

/* A network card of a new domain: an existing TAP device. */
#define DC_NETS_MAX 8
struct dc_net {
	const char *tap;		/* its name, at most 15 bytes */
	const char *mac;		/* "xx:xx:xx:xx:xx:xx"; NULL: derived */
};

/* A disk of a new domain: a raw image file or a block device. */
#define DC_DISKS_MAX 8
struct dc_disk {
	const char *path;		/* absolute */
	int readonly;			/* nonzero: the guest cannot write it */
};

/*
 * The console log's cap and rotation (xlhv's --console-log-max and
 * --console-log-keep): zero in struct dc_build means the monitor's
 * default, so these say "no cap" and "keep no rotated file".
 */
#define DC_CONSOLE_LOG_NO_CAP		UINT64_MAX
#define DC_CONSOLE_LOG_KEEP_NONE	UINT32_MAX

/* What a new domain is built from.  Strings are borrowed. */
struct dc_build {
	uint32_t domid;			/* 1..DC_DOMID_MAX, chosen by the caller */
	const char *name;		/* for logs and the process title */
	const char *kernel;		/* required */
	const char *ramdisk;		/* NULL: none */
	const char *cmdline;		/* NULL: empty */
	uint64_t memory_mib;		/* the balloon's first target */
	uint64_t maxmem_mib;		/* guest RAM; 0 or below memory: memory */
	uint32_t vcpus;			/* online at boot */
	uint32_t maxvcpus;		/* possible (CPU hotplug); 0: vcpus */
	const char *console_log;	/* serial output goes here; NULL: discarded */
	uint64_t console_log_max;	/* its cap in bytes; 0: xlhv's default */
	uint32_t console_log_keep;	/* rotated files kept; 0: xlhv's default */
	const struct dc_net *nets;	/* nnets of them, at most DC_NETS_MAX */
	size_t nnets;
	const struct dc_disk *disks;	/* ndisks, at most DC_DISKS_MAX, in */
	size_t ndisks;			/* the order the guest sees them */
	uint32_t flags;			/* DC_BUILD_* */
	int incoming_fd;		/* with DC_BUILD_INCOMING */
};

/*
 * Build the domain from the migration stream on @incoming_fd (what
 * dc_domain_send wrote, after any header of the caller's own) instead of
 * booting it: kernel, ramdisk and cmdline are not needed; RAM and vCPUs
 * must match the stream's.  The create returns once the whole stream is
 * in, with the domain paused; it fails, with the monitor's message naming
 * what is wrong in the stream, if the stream is bad or ends early.
 */
#define DC_BUILD_INCOMING	1u

#define DC_DOMID_MAX 32751

struct dc_dominfo {
	uint32_t domid;
	pid_t pid;			/* the monitor's */
	enum dc_state state;
	enum dc_shutdown_reason shutdown_reason;
	uint32_t vcpus;
	uint64_t memory_kib;
	uint64_t cpu_time_ns;		/* all vCPUs, since creation */
};

/*
 * A context for domains whose control sockets live in @rundir/dom/.  The
 * monitor binary is $XLD_XLHV if set; else, for a program run uninstalled
 * from libdomctl's build tree, that tree's hypervisor/xlhv; else the
 * installed xlhv.  @log may be NULL.  Returns NULL with errno set on
 * failure.
 */
dc_ctx *dc_ctx_new(const char *rundir, dc_log_fn *log, void *opaque);
void dc_ctx_free(dc_ctx *ctx);

/*
 * Monitors started from now on run under their own uid and gid, @first
 * plus the domid (xlhv run --uid --gid), of the @count from @first; a
 * domid past them is refused (-ERANGE, said to the log).  @count 0 (and
 * @first 0): they run as the caller does.  -EINVAL for a range that
 * holds 0 or passes 4294967294.
 */
int dc_ctx_set_monitor_ids(dc_ctx *ctx, uint32_t first, uint32_t count);

/* This host's KVM, as the monitor (`xlhv info`) reports it. */
struct dc_host_kvm {
	char virt_caps[16];	/* "svm", "vmx", "pvm", "none", "unknown" */
	int usable;		/* /dev/kvm opened and answered */
	int runs_linux;		/* hardware-assisted: unmodified guests run */
	char why[512];		/* unusable: the monitor's one-line reason */
};

/*
 * Ask the monitor binary what this host's KVM is.  Returns 0 with @kvm
 * filled (an unusable KVM is an answer, with its reason in @kvm->why), or
 * -errno when the monitor cannot be run at all (@kvm->why says so).
 */
int dc_host_kvm(dc_ctx *ctx, struct dc_host_kvm *kvm);

/*
 * Start a domain: spawn a detached monitor (its own session, so it
 * outlives the caller) and return once the guest runs, with its pid in
 * @pid.  When the monitor refuses the build, its own message goes to the
 * log callback and the error is returned (-EINVAL for a bad build,
 * -EEXIST when the domid is in use, -ENODEV without a usable /dev/kvm).
 */
int dc_domain_create(dc_ctx *ctx, const struct dc_build *build, pid_t *pid);

/*
 * The pseudo-terminal offering @domid's serial console ("/dev/pts/N"),
 * as its monitor linked it, into @tty (@len bytes).  -ESRCH when there is
 * none, -ENAMETOOLONG when it does not fit.
 */
int dc_domain_console(dc_ctx *ctx, uint32_t domid, char *tty, size_t len);

/*
 * Why @domid's monitor was killed, when its sandbox killed it for a
 * forbidden system call ("killed by the sandbox: forbidden system call
 * N (x86_64) in thread T"), into @buf (@len bytes, cut to fit), read
 * once: the note is removed.  -ENOENT when the monitor left none.
 */
int dc_domain_crash_note(dc_ctx *ctx, uint32_t domid, char *buf, size_t len);

/*
 * @domid's monitor is gone: remove what it could not remove itself, run
 * under its own uid in a directory that is not its own (its control
 * socket, its console link, an empty crash note).  A crash note with a
 * report in it stays, for dc_domain_crash_note.
 */
void dc_domain_forget(dc_ctx *ctx, uint32_t domid);

/* -ESRCH when no monitor answers for @domid. */
int dc_domain_info(dc_ctx *ctx, uint32_t domid, struct dc_dominfo *info);

/*
 * Every live domain, sorted by domid.  On success *@infos is an array of
 * *@n entries for the caller to free().
 */
int dc_domain_list(dc_ctx *ctx, struct dc_dominfo **infos, size_t *n);

int dc_domain_pause(dc_ctx *ctx, uint32_t domid);
int dc_domain_unpause(dc_ctx *ctx, uint32_t domid);

/* Ask the guest to power off or reboot (ACPI, as a power button does). */
int dc_domain_shutdown(dc_ctx *ctx, uint32_t domid,
		       enum dc_shutdown_reason reason);

/*
 * Set the memory @domid should run with to @target_kib, at most the RAM
 * it was built with (maxmem_mib): its balloon driver gives back the rest
 * or takes it again.  Returns once the monitor has the new target, not
 * when the guest reached it.  -ERANGE above its RAM or below 4 MiB,
 * -ESRCH when the domain is gone or shut down.
 */
int dc_domain_set_memory(dc_ctx *ctx, uint32_t domid, uint64_t target_kib);

/*
 * Have @online vCPUs of @domid online, 1..its maxvcpus (ACPI CPU hotplug:
 * the highest go first).  Returns once the guest was asked, not when it
 * brought them up or ejected them.  -ERANGE outside 1..maxvcpus,
 * -EOPNOTSUPP when the guest has no ACPI CPU hotplug (a test guest),
 * -ESRCH when the domain is gone or shut down.
 */
int dc_domain_set_vcpus(dc_ctx *ctx, uint32_t domid, uint32_t online);

/* Stop the domain at once and wait until its monitor has exited. */
int dc_domain_destroy(dc_ctx *ctx, uint32_t domid);

/*
 * The same without waiting, for an event loop: an op to poll.
 * dc_domain_create_start checks the build and spawns the monitor (its
 * refusals are returned at once); dc_domain_destroy_start asks the
 * monitor to stop (-ESRCH: there is none).  Then wait for dc_op_fd() to
 * be readable and call dc_op_step(): -EAGAIN until the op has ended, then
 * what dc_domain_create (with the monitor's pid in @pid) or
 * dc_domain_destroy returns.  Each op has the deadline of its synchronous
 * form (a destroy kills a monitor that does not go).  dc_op_free() ends
 * the wait early: a monitor being started starts on without us.
 */
struct dc_op;
int dc_domain_create_start(dc_ctx *ctx, const struct dc_build *build,
			   struct dc_op **op);
int dc_domain_destroy_start(dc_ctx *ctx, uint32_t domid, struct dc_op **op);
int dc_op_fd(const struct dc_op *op);
int dc_op_step(struct dc_op *op, pid_t *pid);
void dc_op_free(struct dc_op *op);

/* dc_domain_save flags. */
#define DC_SAVE_DESTROY		1u	/* destroy it once saved */
#define DC_SAVE_PATH_MAX	1024

struct dc_save_result {
	uint64_t bytes;			/* the state file's size */
	uint64_t save_ns;		/* from the pause to the file written */
};

/*
 * Pause @domid and write its whole state (vCPUs, interrupt controllers,
 * clock, devices, RAM) to @path (made absolute here: the monitor has its
 * own working directory), then leave it paused, or destroy it with
 * DC_SAVE_DESTROY.  When the save fails a running guest runs on.
 * A guest that has shut down but is not destroyed yet is saved as it
 * stopped (a core dump).  @res may be NULL.  -ESRCH: no such domain, or
 * it is being destroyed.
 */
int dc_domain_save(dc_ctx *ctx, uint32_t domid, const char *path,
		   unsigned int flags, struct dc_save_result *res);

/* What a saved domain is restored as.  Strings are borrowed. */
struct dc_restore {
	uint32_t domid;			/* 1..DC_DOMID_MAX, the caller's */
	const char *name;		/* NULL: none */
	const char *path;		/* what dc_domain_save wrote */
	const char *console_log;	/* NULL: serial output discarded */
	uint64_t console_log_max;	/* as in struct dc_build */
	uint32_t console_log_keep;
};

/*
 * Start a monitor that resumes the guest saved in @r->path (memory and
 * vCPUs come from the file) and return once it runs, as
 * dc_domain_create does.  A file that is truncated, corrupt or of
 * another version is refused: -EINVAL, with the monitor's message naming
 * the file and what is wrong given to the log callback.
 */
int dc_domain_restore(dc_ctx *ctx, const struct dc_restore *r, pid_t *pid);

/* dc_send_opts flags. */
#define DC_SEND_LIVE		1u	/* copy while it runs, then pause */
#define DC_SEND_DEBUG		2u	/* send every page again, paused, to compare */
#define DC_SEND_DESTROY		4u	/* destroy it once the stream is complete */
#define DC_SEND_RESUME		8u	/* let it run again once complete */
/* Neither DESTROY nor RESUME: it stays paused (migrate waits for "go"). */

struct dc_send_opts {
	uint32_t flags;			/* DC_SEND_* */
	uint32_t max_downtime_ms;	/* the pause's budget; 0: 300 */
	uint64_t max_bytes_per_s;	/* bandwidth cap; 0: none */
	uint32_t max_passes;		/* live passes at most; 0: 30 */
	uint32_t pad;
};

/* How a send is going, as the monitor reports it about once a second. */
struct dc_send_progress {
	uint32_t pass;			/* 1 = the full copy */
	uint32_t paused;		/* the last, paused pass has begun */
	uint64_t pages_total;		/* the guest's */
	uint64_t pages_sent;		/* in every pass so far */
	uint64_t pages_dirty;		/* still to send */
	uint64_t dirty_pages_per_s;	/* the guest's write rate */
	uint64_t bytes_sent;
	uint64_t bytes_per_s;		/* the link's rate */
	uint64_t est_downtime_ms;	/* if it paused now */
	uint32_t throttle_pct;		/* auto-converge: vCPU time taken away */
	uint32_t pad;
};

struct dc_send_result {
	uint64_t bytes;			/* the stream's length */
	uint64_t pages_sent;		/* pages sent, every pass */
	uint32_t passes;		/* live passes (the paused one not counted) */
	uint32_t throttle_pct;		/* the most auto-converge took */
	uint64_t downtime_ns;		/* from the pause to the END written */
	uint64_t total_ns;
};

/*
 * Write @domid's migration stream (memory, vCPUs, interrupt controllers,
 * clock, devices) to @fd: a pipe, socket or file, passed to the monitor.
 * With DC_SEND_LIVE, memory is copied while the guest runs, pass after
 * pass of what it dirtied, until what is left fits the downtime budget or
 * the passes run out; then it is paused and the rest sent.  Without it
 * the guest is paused first.  Disks are flushed while it is paused.  When
 * anything fails (the reader goes, the disk fills, the send is cancelled)
 * a guest that was running runs on, and the error is returned (-EPIPE,
 * -ENOSPC, -ECANCELED...).  @res may be NULL.
 */
int dc_domain_send(dc_ctx *ctx, uint32_t domid, int fd,
		   const struct dc_send_opts *opts, struct dc_send_result *res);
/*
 * The same as an op (see dc_op_step); dc_op_free before the end cancels
 * the send and lets the guest run on.  While it runs, dc_op_send_progress
 * gives the latest report (-EAGAIN: none since the last call); once
 * dc_op_step has returned 0, dc_op_send_result gives the result.
 */
int dc_domain_send_start(dc_ctx *ctx, uint32_t domid, int fd,
			 const struct dc_send_opts *opts, struct dc_op **op);
int dc_op_send_progress(struct dc_op *op, struct dc_send_progress *p);
int dc_op_send_result(const struct dc_op *op, struct dc_send_result *res);

/*
 * Be told of @domid's state changes: returns a connected fd (close it to
 * stop) that becomes readable on each change; put it in poll/epoll and
 * call dc_watch_read.  The first event is the state as the watch began,
 * so that no change between a look and the watch is missed.  Returns
 * -errno on failure.
 */
int dc_domain_watch(dc_ctx *ctx, uint32_t domid);
/*
 * The same without waiting for the monitor to answer: its answer is the
 * first thing dc_watch_read reads (-EAGAIN: it was yes), then the state
 * as the watch began.
 */
int dc_domain_watch_start(dc_ctx *ctx, uint32_t domid);

/*
 * Read one state change from a watch fd (blocking; fine after poll says
 * readable) into @info (domid and pid are not filled).  -ECONNRESET when
 * the monitor has gone: the domain no longer exists; -EAGAIN when what
 * was read was the answer to dc_domain_watch_start.
 */
int dc_watch_read(int fd, struct dc_dominfo *info);

#ifdef __cplusplus
}
#endif
#endif
