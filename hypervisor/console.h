/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Console input: bytes read from the monitor's standard input (or any fd)
 * fed to the guest's COM1 UART by a small thread, as fast as the guest
 * empties its receive FIFO.  Output needs no thread: the UART writes it.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

struct hv_vm;

/*
 * Start feeding @in_fd (borrowed; it stays open) to @vm's UART.
 * Returns 0 or -errno; -ENODEV if the VM has no UART.
 */
int hv_console_start(struct hv_vm *vm, int in_fd);

/* Stop and join the input thread; safe if it never started. */
void hv_console_stop(struct hv_vm *vm);

#endif
