// SPDX-License-Identifier: GPL-2.0
/*
 * uartecho: read lines typed on the serial console (polling LSR, with the
 * FIFO enabled as Linux does) and echo each back on it, until a
 * line "quit".  lines=N stops after N lines instead.
 */
#include "runtime.h"

#define COM1		HV_ABI_PORT_COM1
#define SPINS		5000000

/* One line, without its newline; 0 on end of input or a timeout. */
static int read_line(char *buf, int size)
{
	int n = 0;

	for (long spin = 0; spin < SPINS; spin++) {
		char c;

		if (!(inb(COM1 + 5) & 1))
			continue;
		c = (char)inb(COM1);
		if (c == '\n') {
			buf[n] = '\0';
			return 1;
		}
		if (n < size - 1)
			buf[n++] = c;
		spin = 0;
	}
	return 0;
}

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	uint64_t lines = guest_cmdline_uint(bi, "lines", 0);
	char line[128];

	if (cpu != 0)
		guest_halt_forever();
	outb(COM1 + 2, 0x01);	/* enable the FIFOs, keeping early input */
	GUEST_ASSERT((inb(COM1 + 2) & 0xc0) == 0xc0);
	uart_puts("uartecho: ready\n");
	for (uint64_t n = 1; read_line(line, sizeof(line)); n++) {
		/* back on the serial line, as a shell echoes (xl console) */
		uart_printf("uartecho: %s\n", line);
		if (!__builtin_strcmp(line, "quit") || n == lines)
			GUEST_DONE();
	}
	GUEST_ASSERT_MSG(0, "no more input");
}
