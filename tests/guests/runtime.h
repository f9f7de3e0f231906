/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test-guest runtime: port I/O, the ucall channel (print, assert,
 * done), a small printf, the UART console, and the ways out of a VM.
 * Each guest defines guest_main(); returning from it reports done.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/guest_abi.h"

/* Runs on every vCPU at once, on its own stack. */
void guest_main(unsigned int cpu, const struct hv_boot_info *bi);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(0));
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Through the ucall port: */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_assert_fail(const char *file, unsigned int line, const char *fmt,
		       ...) __attribute__((noreturn, format(printf, 3, 4)));
void guest_done(void) __attribute__((noreturn));

#define GUEST_ASSERT(cond)                                                 \
	do {                                                               \
		if (!(cond))                                               \
			guest_assert_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)
#define GUEST_ASSERT_MSG(cond, ...)                                        \
	do {                                                               \
		if (!(cond))                                               \
			guest_assert_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)
#define GUEST_DONE() guest_done()

/* Through the 8250 at COM1: what a user sees as the console. */
void uart_puts(const char *s);
void uart_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The devices Linux uses too: ACPI S5, i8042 reset, pvpanic. */
void guest_poweroff(void) __attribute__((noreturn));
void guest_reboot(void) __attribute__((noreturn));
void guest_panic(void) __attribute__((noreturn));
void guest_halt_forever(void) __attribute__((noreturn));

/* "key=N" from the command line, or @def. */
uint64_t guest_cmdline_uint(const struct hv_boot_info *bi, const char *key,
			    uint64_t def);

/* Continue in ring 3 (IOPL 3: ports work) at fn(arg); fn never returns. */
void guest_enter_user(void (*fn)(void *), void *arg, void *stack_top)
	__attribute__((noreturn));

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#endif
