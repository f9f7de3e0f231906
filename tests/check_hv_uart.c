// SPDX-License-Identifier: GPL-2.0
/*
 * The 8250 UART through its ops against a fake VM whose console is a pipe,
 * and its receive side through hv_uart_receive as the console thread uses.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypervisor/dev/devices.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

static struct hv_vm vm;
static struct hv_device *uart;
static int pipefd[2];

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	ck_assert_int_eq(pipe2(pipefd, O_NONBLOCK), 0);
	vm.console_fd = pipefd[1];
	vm.stop_efd = -1;
	uart = hv_uart_new(&vm);
	ck_assert_ptr_nonnull(uart);
}

static void teardown(void)
{
	uart->ops->destroy(uart);
	close(pipefd[0]);
	close(pipefd[1]);
}

static uint8_t rd(unsigned int reg)
{
	uint8_t v = 0x55;

	ck_assert_int_eq(uart->ops->io(uart, reg, &v, 1, 0), 0);
	return v;
}

static void wr(unsigned int reg, uint8_t v)
{
	ck_assert_int_eq(uart->ops->io(uart, reg, &v, 1, 1), 0);
}

static size_t console(char *buf, size_t size)
{
	ssize_t r = read(pipefd[0], buf, size);

	return r < 0 ? 0 : (size_t)r;
}

START_TEST(test_identity)
{
	ck_assert_str_eq(uart->name, "uart");
	ck_assert_int_eq(uart->bus, HV_BUS_PIO);
	ck_assert_uint_eq(uart->base, 0x3f8);
	ck_assert_uint_eq(uart->len, 8);
}
END_TEST

START_TEST(test_transmit)
{
	char buf[16];

	ck_assert_uint_eq(rd(5) & 0x60, 0x60);	/* THRE, TEMT */
	wr(0, 'o');
	wr(0, 'k');
	ck_assert_uint_eq(console(buf, sizeof(buf)), 2);
	ck_assert_mem_eq(buf, "ok", 2);
	ck_assert_uint_eq(rd(5) & 0x60, 0x60);	/* ready again at once */
	ck_assert_uint_eq(rd(5) & 0x01, 0);	/* nothing received */
}
END_TEST

START_TEST(test_divisor_latch)
{
	char buf[4];

	wr(3, 0x83);		/* DLAB, 8N1 */
	wr(0, 0x01);		/* 115200 baud */
	wr(1, 0x00);
	ck_assert_uint_eq(rd(0), 0x01);
	ck_assert_uint_eq(rd(1), 0x00);
	ck_assert_uint_eq(console(buf, sizeof(buf)), 0); /* not transmitted */
	wr(3, 0x03);
	wr(1, 0xff);
	ck_assert_uint_eq(rd(1), 0x0f);	/* IER keeps its 4 bits */
	ck_assert_uint_eq(rd(3), 0x03);
	wr(3, 0x83);
	ck_assert_uint_eq(rd(0), 0x01);	/* the latch survived */
}
END_TEST

START_TEST(test_registers)
{
	wr(7, 0xa5);
	ck_assert_uint_eq(rd(7), 0xa5);	/* scratch */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);	/* no interrupt pending */
	wr(2, 0x07);			/* enable and clear FIFOs */
	ck_assert_uint_eq(rd(2) & 0xc0, 0xc0);
	ck_assert_uint_eq(rd(6) & 0xb0, 0xb0);	/* DCD DSR CTS */
	wr(5, 0x00);			/* LSR is read-only */
	ck_assert_uint_eq(rd(5) & 0x60, 0x60);
	uart->ops->reset(uart);
	ck_assert_uint_eq(rd(7), 0);
}
END_TEST

START_TEST(test_loopback)
{
	char buf[4];

	wr(4, 0x10 | 0x0f);		/* loop, DTR RTS OUT1 OUT2 */
	ck_assert_uint_eq(rd(6) & 0xf0, 0xf0);
	wr(4, 0x10 | 0x02);		/* RTS only: CTS */
	ck_assert_uint_eq(rd(6) & 0xf0, 0x10);
	wr(0, 'x');
	ck_assert_uint_eq(console(buf, sizeof(buf)), 0);
	ck_assert_uint_eq(rd(5) & 0x01, 0x01);	/* data ready */
	ck_assert_uint_eq(rd(0), 'x');
	ck_assert_uint_eq(rd(5) & 0x01, 0);
}
END_TEST

START_TEST(test_wide_access)
{
	uint32_t v = 0x41424344;
	char buf[8];

	/* Byte registers only: a 4-byte access is not decoded. */
	ck_assert_int_eq(uart->ops->io(uart, 0, &v, 4, 1), 0);
	ck_assert_uint_eq(console(buf, sizeof(buf)), 0);
	ck_assert_int_eq(uart->ops->io(uart, 0, &v, 4, 0), 0);
	ck_assert_uint_eq(v, 0xffffffff);
}
END_TEST

START_TEST(test_console_closed)
{
	/* A vanished console drops bytes; the guest keeps running (the
	 * monitor ignores SIGPIPE, as here). */
	signal(SIGPIPE, SIG_IGN);
	close(pipefd[0]);
	pipefd[0] = open("/dev/null", O_RDONLY);
	wr(0, 'z');
	ck_assert_uint_eq(rd(5) & 0x60, 0x60);
}
END_TEST

START_TEST(test_receive)
{
	static const uint8_t in[20] = "0123456789abcdefghij";

	ck_assert_uint_eq(rd(5) & 0x01, 0);
	ck_assert_uint_eq(hv_uart_receive(uart, in, 3), 3);
	ck_assert_uint_eq(rd(5) & 0x01, 0x01);
	ck_assert_uint_eq(rd(0), '0');
	ck_assert_uint_eq(rd(0), '1');
	ck_assert_uint_eq(rd(0), '2');
	ck_assert_uint_eq(rd(5) & 0x01, 0);
	ck_assert_uint_eq(rd(0), 0);		/* empty reads 0 */
	/* A 16-byte FIFO: the rest is the caller's to retry. */
	ck_assert_uint_eq(hv_uart_receive(uart, in, 20), 16);
	ck_assert_uint_eq(hv_uart_receive(uart, in + 16, 4), 0);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(0), in[i]);
	ck_assert_uint_eq(hv_uart_receive(uart, in + 16, 4), 4);
	ck_assert_uint_eq(rd(0), 'g');
	wr(2, 0x03);				/* FCR: clear receive FIFO */
	ck_assert_uint_eq(rd(5) & 0x01, 0);
	wr(4, 0x10);				/* loopback takes no input */
	ck_assert_uint_eq(hv_uart_receive(uart, in, 1), 0);
}
END_TEST

START_TEST(test_interrupt_id)
{
	static const uint8_t in[1] = { 'x' };

	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);	/* none */
	wr(1, 0x02);				/* ETBEI: THR is empty */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x02);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);	/* acknowledged by reading */
	wr(0, 'a');
	ck_assert_uint_eq(rd(2) & 0x0f, 0x02);	/* sent: empty again */
	wr(1, 0x03);				/* and ERBFI */
	hv_uart_receive(uart, in, 1);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x04);	/* data outranks THRE */
	ck_assert_uint_eq(rd(0), 'x');
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);
}
END_TEST

START_TEST(test_loopback_overrun)
{
	wr(4, 0x10);
	for (int i = 0; i < 17; i++)
		wr(0, (uint8_t)i);
	ck_assert_uint_eq(rd(5) & 0x03, 0x03);	/* DR and OE */
	ck_assert_uint_eq(rd(5) & 0x02, 0);	/* OE clears on read */
	ck_assert_uint_eq(rd(0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_uart");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_transmit);
	tcase_add_test(tc, test_divisor_latch);
	tcase_add_test(tc, test_registers);
	tcase_add_test(tc, test_loopback);
	tcase_add_test(tc, test_wide_access);
	tcase_add_test(tc, test_console_closed);
	tcase_add_test(tc, test_receive);
	tcase_add_test(tc, test_interrupt_id);
	tcase_add_test(tc, test_loopback_overrun);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
