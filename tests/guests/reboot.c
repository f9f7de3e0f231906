// SPDX-License-Identifier: GPL-2.0
/*
 * reboot: pulse the reset line through the i8042, as "reboot=k" does.
 * With key=1 it first waits for a byte on the serial port, so a test
 * decides when the reboot comes (xl config-update before it).
 */
#include "runtime.h"

#define COM1 HV_ABI_PORT_COM1

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	if (guest_cmdline_uint(bi, "key", 0)) {
		if (cpu != 0)
			guest_halt_forever();
		uart_puts("reboot: waiting for a key\n");
		/* few port reads: each one is an exit to the monitor */
		while (!(inb(COM1 + 5) & 1))
			for (int i = 0; i < 2000; i++)
				cpu_relax();
	}
	uart_puts("reboot: restarting\n");
	guest_reboot();
}
