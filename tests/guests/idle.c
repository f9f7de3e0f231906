// SPDX-License-Identifier: GPL-2.0
/* idle: halt with interrupts enabled, forever, costing the host nothing. */
#include "runtime.h"

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	(void)bi;
	if (cpu == 0)
		uart_puts("idle: halting\n");
	for (;;)
		__asm__ volatile("sti; hlt");
}
