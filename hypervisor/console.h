/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console input: bytes read from the monitor's standard input (or any fd)
 * fed to the guest's COM1 UART by a small thread, as fast as the guest
 * empties its receive FIFO.  Output needs no thread: the UART writes it.
 *
 * A managed monitor offers the console on a pseudo-terminal as well, as
 * Xen's console daemon does: the UART's output is copied to it without
 * ever blocking (dropped there when nobody reads, or too slowly; the
 * console log still gets it) and what is typed on it goes to the UART.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;

/*
 * Start feeding @in_fd (borrowed; it stays open) to @vm's UART.
 * Returns 0 or -errno; -ENODEV if the VM has no UART.
 */
int hv_console_start(struct hv_vm *vm, int in_fd);

/*
 * Open a pseudo-terminal (raw mode) for @vm's UART and feed what is typed
 * on it to the UART.  Its slave's path goes to @name (@len bytes); @link,
 * if not NULL, becomes a symlink to it, removed by hv_console_stop.  Call
 * before the vCPUs run.  Returns 0 or -errno.
 */
int hv_console_start_pty(struct hv_vm *vm, const char *link, char *name,
			 size_t len);

/* The UART transmitted @byte: copy it to the pty, if any; never blocks. */
void hv_console_output(struct hv_vm *vm, uint8_t byte);

/* Stop and join the input thread; safe if it never started. */
void hv_console_stop(struct hv_vm *vm);

#endif
