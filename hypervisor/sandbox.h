/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor's sandbox.  Every thread the monitor starts gives up its
 * effective capabilities first (hv_sandbox_thread), so only the main
 * thread opens what needs root's rights (/dev/kvm, a TAP, disks).  Once
 * everything is open, before the guest's first KVM_RUN, the main thread
 * enters the sandbox (hv_sandbox_enter): its own uid and gid if it was
 * given them, no new privileges, limits, no capability left in it, and
 * a seccomp allowlist installed in every thread at once.  A call outside the list kills the whole monitor
 * by SIGSYS; first its number is written to the crash note file, which
 * xld reads when it finds the monitor gone.
 */
#ifndef HV_SANDBOX_H
#define HV_SANDBOX_H

#include <sys/types.h>

/*
 * Before the monitor starts any thread: every thread is to run as @uid
 * and @gid (both 0: as it was started), at most @threads of them under
 * that uid; and the process goes into new mount, IPC and UTS
 * namespaces (per thread to the kernel, so only now are they the
 * process's).  0 or -errno, said on stderr.
 */
int hv_sandbox_setup(uid_t uid, gid_t gid, unsigned int threads);

/*
 * Enter the sandbox.  @crash_note (may be NULL: stderr only) names the
 * file the report of a forbidden call goes to.  XLHV_SANDBOX=off in the
 * environment skips it (to find a call missing from the list: say so in
 * a bug report).  0 or -errno, with what failed said on stderr.
 */
int hv_sandbox_enter(const char *crash_note);

/* What a thread the monitor starts calls first: it takes the monitor's
 * own uid, and its effective capabilities go (the permitted ones it
 * cannot raise: capset is not on the list). */
void hv_sandbox_thread(void);

#endif
