// SPDX-License-Identifier: GPL-2.0
/* hello: greet on the serial console and through ucall, then power off. */
#include "runtime.h"

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	const char *cmdline = (const char *)(uintptr_t)bi->cmdline;

	if (cpu != 0)
		guest_halt_forever();
	/* The UART answers as an 8250: scratch register and idle LSR. */
	outb(HV_ABI_PORT_COM1 + 7, 0x5a);
	GUEST_ASSERT(inb(HV_ABI_PORT_COM1 + 7) == 0x5a);
	GUEST_ASSERT((inb(HV_ABI_PORT_COM1 + 5) & 0x60) == 0x60);

	uart_printf("Hello from an xlhv test guest: %u vCPU(s), %lu MiB\n",
		    bi->nr_vcpus, bi->ram_size >> 20);
	uart_printf("cmdline: \"%s\"\n", cmdline);
	guest_printf("hello: powering off\n");
	guest_poweroff();
}
