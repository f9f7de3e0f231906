// SPDX-License-Identifier: GPL-2.0
/*
 * smp: every vCPU checks its APIC id and reports in; vCPU 0 waits for all
 * of them (boundedly: ring-0 loops are slow under PVM) and reports done.
 */
#include "runtime.h"

#define WAIT_SPINS	5000000

static unsigned int arrived;

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	uint32_t a, b, c, d;
	unsigned int n = 0;

	cpuid(1, &a, &b, &c, &d);
	GUEST_ASSERT_MSG(b >> 24 == cpu, "vcpu %u has APIC id %u", cpu,
			 b >> 24);
	GUEST_ASSERT(c & (1u << 31));	/* the hypervisor bit */
	guest_printf("smp: vcpu %u in\n", cpu);
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	if (cpu != 0)
		guest_halt_forever();

	for (long i = 0; i < WAIT_SPINS; i++) {
		n = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST);
		if (n == bi->nr_vcpus)
			break;
		cpu_relax();
	}
	GUEST_ASSERT_MSG(n == bi->nr_vcpus, "only %u of %u vCPUs arrived", n,
			 bi->nr_vcpus);
	guest_printf("smp: all %u vCPUs in\n", n);
	GUEST_DONE();
}
