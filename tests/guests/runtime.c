// SPDX-License-Identifier: GPL-2.0
/* The test-guest runtime (see runtime.h and README). */
#include "runtime.h"

#define IDT_VECTORS	256
#define GATE_INTR	0x8e	/* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
extern char guest_trap_stubs[];

void guest_start(unsigned int cpu, const struct hv_boot_info *bi);
void guest_trap(uint64_t vector, const uint64_t *frame)
	__attribute__((noreturn));

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* printf-lite: %% %c %s %d %i %u %x %p, l/ll/z sizes, '0' and width. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned int base, int neg,
		    int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int longs = 0, width = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			for (str = str ? str : "(null)"; *str; str++)
				put(&o, *str);
			break;
		}
		case 'd':
		case 'i':
			s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(&o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10,
				s < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, uint64_t) :
				    va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'u' ? 10 : 16, 0, width, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0,
				' ');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void ucall(struct hv_ucall *uc)
{
	outl(HV_ABI_PORT_UCALL, (uint32_t)(uintptr_t)uc);
}

void guest_printf(const char *fmt, ...)
{
	struct hv_ucall uc = { .cmd = HV_UCALL_PRINT };
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(uc.msg, sizeof(uc.msg), fmt, ap);
	va_end(ap);
	ucall(&uc);
}

void guest_assert_fail(const char *file, unsigned int line, const char *fmt,
		       ...)
{
	struct hv_ucall uc = { .cmd = HV_UCALL_ASSERT, .line = line };
	va_list ap;

	/* Builds pass paths like ../../tests/guests/x.c: keep the name. */
	for (const char *p = file; *p; p++)
		if (*p == '/')
			file = p + 1;
	guest_snprintf(uc.file, sizeof(uc.file), "%s", file);
	va_start(ap, fmt);
	guest_vsnprintf(uc.msg, sizeof(uc.msg), fmt, ap);
	va_end(ap);
	ucall(&uc);
	guest_halt_forever();
}

void guest_done(void)
{
	struct hv_ucall uc = { .cmd = HV_UCALL_DONE };

	ucall(&uc);
	guest_halt_forever();
}

void uart_puts(const char *s)
{
	for (; *s; s++) {
		/* Poll for THRE, boundedly: a bad UART must not hang us. */
		for (int i = 0; i < 1000 && !(inb(HV_ABI_PORT_COM1 + 5) & 0x20);
		     i++)
			cpu_relax();
		outb(HV_ABI_PORT_COM1, (uint8_t)*s);
	}
}

void uart_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
}

void guest_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void guest_poweroff(void)
{
	outw(HV_ABI_PORT_PM1_CNT,
	     (uint16_t)(HV_ABI_PM1_S5 << 10 | HV_ABI_PM1_SLP_EN));
	guest_halt_forever();
}

void guest_reboot(void)
{
	outb(HV_ABI_PORT_I8042_CMD, HV_ABI_I8042_RESET);
	guest_halt_forever();
}

void guest_panic(void)
{
	outb(HV_ABI_PORT_PVPANIC, HV_ABI_PVPANIC_PANICKED);
	guest_halt_forever();
}

uint64_t guest_cmdline_uint(const struct hv_boot_info *bi, const char *key,
			    uint64_t def)
{
	const char *p = (const char *)(uintptr_t)bi->cmdline;
	size_t klen = strlen(key);

	while (*p) {
		const char *w = p;
		size_t i = 0;

		while (i < klen && w[i] == key[i])
			i++;
		if (i == klen && w[i] == '=') {
			uint64_t v = 0;

			for (w += klen + 1; *w >= '0' && *w <= '9'; w++)
				v = v * 10 + (uint64_t)(*w - '0');
			return v;
		}
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return def;
}

void guest_trap(uint64_t vector, const uint64_t *frame)
{
	/* These vectors push an error code before rip. */
	int has_err = vector == 8 || (vector >= 10 && vector <= 14) ||
		      vector == 17 || vector == 21 || vector == 29 ||
		      vector == 30;

	guest_assert_fail("trap", (unsigned int)vector,
			  "unexpected exception/interrupt %lu at rip %lx "
			  "(error code %lx)",
			  vector, frame[has_err], has_err ? frame[0] : 0);
}

static void idt_setup(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	for (int i = 0; i < IDT_VECTORS; i++) {
		uint64_t a = (uintptr_t)guest_trap_stubs + 16 * (uint64_t)i;

		idt[i] = (struct idt_gate){
			.off_lo = (uint16_t)a, .sel = HV_ABI_SEL_KCODE,
			.type = GATE_INTR, .off_mid = (uint16_t)(a >> 16),
			.off_hi = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void guest_start(unsigned int cpu, const struct hv_boot_info *bi)
{
	idt_setup();
	GUEST_ASSERT(bi->magic == HV_ABI_BOOT_MAGIC);
	GUEST_ASSERT(bi->version == HV_ABI_VERSION);
	GUEST_ASSERT(cpu < bi->nr_vcpus);
	guest_main(cpu, bi);
	guest_done();
}
