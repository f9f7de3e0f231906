/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's serial console, host side.  The UART (and the ucall PRINT
 * of test guests) put output into a bounded ring (ring.h) and return at
 * once: a vCPU never waits for console I/O.  One console thread per VM
 * drains the ring to the console log (console_log.h: capped, rotated)
 * and to the pseudo-terminal, and feeds what is typed to the UART.
 * When the ring is full the oldest bytes are overwritten; a reader that
 * lost some gets a line "[xlhv: N bytes of console output dropped]".
 *
 * The pty (managed mode, as Xen's console daemon offers one) is written
 * only while someone has it open.  Its reader is given every byte no
 * reader has taken yet, up to the ring's size: on attach that is the
 * backlog of recent, unread output, then the output goes on live.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "console_log.h"
#include "ring.h"

#define HV_CONSOLE_RING_DEFAULT	(64u * 1024)	/* --console-ring */

struct hv_vm;

struct hv_console_cfg {
	int in_fd;		/* typed input (borrowed), or -1 */
	size_t ring_size;	/* HV_RING_MIN..HV_RING_MAX */
	int pty;		/* offer a pty; what is typed on it is input */
	const char *tty_link;	/* with pty: a symlink to it, or NULL */
	int capture_stderr;	/* for hv_console_take_stderr */
};

/*
 * Start @vm's console: output to @log (taken over, freed even on
 * failure; NULL: output only kept in the ring), input from cfg->in_fd or
 * the pty.  The pty's path goes to @tty (@len bytes; "" without one); a
 * pty that cannot be made is reported and done without.  Call before
 * the vCPUs run.  0 or -errno (-ENODEV: the VM has no UART).
 */
int hv_console_start(struct hv_vm *vm, const struct hv_console_cfg *cfg,
		     struct hv_conlog *log, char *tty, size_t len);

/*
 * The guest wrote @len bytes to its console: into the ring; never
 * blocks.  Without a console (a test's fake VM) they are written to
 * vm->console_fd.
 */
void hv_console_put(struct hv_vm *vm, const void *buf, size_t len);

/*
 * From now on the monitor's own stderr goes to the console log through
 * the console thread (started with capture_stderr), so its messages
 * count against the cap too, and are dropped rather than waited for if
 * the thread falls behind.  0 or -errno.
 */
int hv_console_take_stderr(struct hv_vm *vm);

/* Drain the ring to the log, stop and join the thread; safe if not started. */
void hv_console_stop(struct hv_vm *vm);

#endif
