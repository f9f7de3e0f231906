// SPDX-License-Identifier: GPL-2.0
/*
 * flood: write numbered lines to the serial port as fast as it goes, a
 * line per `rep outsb` and no waiting for THRE (the transmitter is always
 * ready), to show that a guest flooding its console cannot fill the
 * host's disk or hold anything up.  Runs in ring 3 (IOPL 3), which PVM
 * runs natively.  lines=N stops after N lines and powers off (0, the
 * default: never); bytewise=1 writes one OUT a byte, as Linux's 8250
 * driver does (far slower: an exit each).
 */
#include "runtime.h"

struct flood {
	uint64_t lines;
	uint64_t bytewise;
};

/* @len bytes to COM1's THR in one string OUT: one exit, not @len. */
static void outsb(const char *p, uint64_t len)
{
	__asm__ volatile("rep outsb"
			 : "+S"(p), "+c"(len)
			 : "d"((uint16_t)HV_ABI_PORT_COM1)
			 : "memory");
}

static struct flood flood;
static uint8_t user_stack[16384] __attribute__((aligned(16)));

static void flood_loop(void *arg)
{
	struct flood *f = arg;
	char line[96];
	int len;

	for (uint64_t n = 1; !f->lines || n <= f->lines; n++) {
		len = guest_snprintf(line, sizeof(line),
				     "flood %010lu: the quick brown fox jumps "
				     "over the lazy dog\n", n);
		if (!f->bytewise) {
			outsb(line, (uint64_t)len);
			continue;
		}
		for (int i = 0; i < len; i++)
			outb(HV_ABI_PORT_COM1, (uint8_t)line[i]);
	}
	guest_printf("flood: %lu lines written\n", f->lines);
	GUEST_DONE();
}

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	if (cpu != 0)
		guest_halt_forever();
	flood.lines = guest_cmdline_uint(bi, "lines", 0);
	flood.bytewise = guest_cmdline_uint(bi, "bytewise", 0);
	uart_puts("flood: starting\n");
	guest_enter_user(flood_loop, &flood, user_stack + sizeof(user_stack));
}
