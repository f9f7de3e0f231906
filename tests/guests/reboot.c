// SPDX-License-Identifier: GPL-2.0
/* reboot: pulse the reset line through the i8042, as "reboot=k" does. */
#include "runtime.h"

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	(void)cpu;
	(void)bi;
	uart_puts("reboot: restarting\n");
	guest_reboot();
}
