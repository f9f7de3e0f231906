// SPDX-License-Identifier: GPL-2.0
/*
 * crash: the ways a guest dies.  how=0 (default) reports a panic through
 * pvpanic, as Linux's pvpanic driver does; how=1 fails a GUEST_ASSERT;
 * how=2 executes ud2 (the runtime's IDT reports it); how=3 hands the
 * ucall port an address outside RAM; how=4 triple-faults.
 */
#include "runtime.h"

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	(void)cpu;
	/* The device advertises the events it accepts. */
	GUEST_ASSERT(inb(HV_ABI_PORT_PVPANIC) & HV_ABI_PVPANIC_PANICKED);
	switch (guest_cmdline_uint(bi, "how", 0)) {
	case 1:
		GUEST_ASSERT_MSG(bi->nr_vcpus == 1000, "%u vCPUs, not 1000",
				 bi->nr_vcpus);
		break;
	case 2:
		__asm__ volatile("ud2");
		break;
	case 3:
		outl(HV_ABI_PORT_UCALL, 0xfffff000u);
		break;
	case 4:
		__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
		break;
	}
	uart_puts("crash: panicking\n");
	guest_panic();
}
