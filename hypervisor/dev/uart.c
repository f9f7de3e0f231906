// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal 16550-style UART at COM1: transmit to the console's ring
 * (console.h), receive from it through a 16-byte FIFO (hv_uart_receive),
 * the divisor latch, scratch, loopback (which Linux's probe uses), an
 * always-ready transmitter, and the receive/THR-empty interrupts on
 * IRQ 4, gated by OUT2 as on a PC.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../console.h"
#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

#define UART_RBR	0	/* THR on write; DLL with DLAB */
#define UART_IER	1	/* DLM with DLAB */
#define UART_IIR	2	/* FCR on write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01	/* interrupt on received data */
#define IER_THRI	0x02	/* interrupt on THR empty */
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08	/* gates the IRQ line on a PC */
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define MSR_IDLE	0xb0	/* DCD, DSR, CTS: a cable is attached */
#define RX_FIFO		16	/* a 16550's */
#define COM1_IRQ	4

struct hv_uart {
	struct hv_device dev;
	pthread_mutex_t lock;
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr, lsr;
	uint8_t rx[RX_FIFO];
	unsigned int rx_head, rx_count;
	int thri;		/* a THR-empty interrupt is pending */
	int irq_level;
};

/* The interrupt the IIR reports, highest priority first. */
static uint8_t pending(const struct hv_uart *u)
{
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* Follow the pending interrupt on IRQ 4 (only edges cost an ioctl). */
static void update_irq(struct hv_uart *u)
{
	int level = pending(u) != IIR_NO_INT && (u->mcr & MCR_OUT2);

	if (level != u->irq_level) {
		u->irq_level = level;
		hv_vm_irq_line(u->dev.vm, COM1_IRQ, level);
	}
}

static void uart_reset(struct hv_device *dev)
{
	struct hv_uart *u = (struct hv_uart *)dev;

	pthread_mutex_lock(&u->lock);
	u->dll = 12;		/* 9600 baud, as a BIOS leaves it */
	u->dlm = u->ier = u->fcr = u->lcr = u->mcr = u->scr = 0;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->rx_head = u->rx_count = 0;
	u->thri = 0;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* Queue received bytes; a full FIFO drops the rest and flags overrun. */
static size_t rx_push(struct hv_uart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	for (; n < len && u->rx_count < RX_FIFO; n++)
		u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = buf[n];
	return n;
}

static void transmit(struct hv_uart *u, uint8_t c)
{
	u->thri = 1;		/* the byte leaves at once */
	if (u->mcr & MCR_LOOP) {
		if (!rx_push(u, &c, 1))
			u->lsr |= LSR_OE;
		return;
	}
	/* into the console's ring: the vCPU never waits for the host */
	hv_console_put(u->dev.vm, &c, 1);
}

size_t hv_uart_receive(struct hv_device *dev, const uint8_t *buf, size_t len)
{
	struct hv_uart *u = (struct hv_uart *)dev;
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = u->mcr & MCR_LOOP ? 0 : rx_push(u, buf, len);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

/* MSR in loopback mirrors MCR: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t msr(const struct hv_uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_IDLE;
	return (uint8_t)(((u->mcr & 0x1) << 5) | ((u->mcr & 0x2) << 3) |
			 ((u->mcr & 0x4) << 4) | ((u->mcr & 0x8) << 4));
}

static uint8_t uart_read(struct hv_uart *u, uint64_t reg)
{
	uint8_t v = 0;

	switch (reg) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % RX_FIFO;
			u->rx_count--;
		}
		return v;
	case UART_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR:
		v = pending(u);
		if (v == IIR_THRI)
			u->thri = 0;	/* reading it acknowledges THRE */
		return v | (u->fcr & 1 ? IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr | (u->rx_count ? LSR_DR : 0);
		u->lsr &= (uint8_t)~LSR_OE;	/* cleared by reading */
		return v;
	case UART_MSR:
		return msr(u);
	case UART_SCR:
		return u->scr;
	}
	return v;
}

static void uart_write(struct hv_uart *u, uint64_t reg, uint8_t v)
{
	switch (reg) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			transmit(u, v);
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with the THR empty raises it at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thri = 1;
		u->ier = v & 0x0f;
		break;
	case UART_IIR:
		u->fcr = v & 0xc9;	/* the bits that stick */
		if (v & 0x02)		/* clear the receive FIFO */
			u->rx_head = u->rx_count = 0;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	}
	/* LSR and MSR are read-only. */
}

static int uart_io(struct hv_device *dev, uint64_t offset, void *data,
		   unsigned int len, int is_write)
{
	struct hv_uart *u = (struct hv_uart *)dev;
	uint8_t *b = data;

	/* The 8250 has byte registers; wider accesses are not decoded. */
	if (len != 1) {
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	pthread_mutex_lock(&u->lock);
	if (is_write)
		uart_write(u, offset, *b);
	else
		*b = uart_read(u, offset);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* The saved registers and FIFO, in a fixed layout. */
struct uart_state {
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr, lsr;
	uint8_t rx[RX_FIFO];
	uint32_t rx_head, rx_count;
	uint32_t thri, pad;
};

static int uart_save(struct hv_device *dev, void *buf, size_t cap,
		     size_t *len)
{
	struct hv_uart *u = (struct hv_uart *)dev;
	struct uart_state s = { 0 };

	if (cap < sizeof(s))
		return -ENOSPC;
	pthread_mutex_lock(&u->lock);
	s = (struct uart_state){
		.dll = u->dll, .dlm = u->dlm, .ier = u->ier, .fcr = u->fcr,
		.lcr = u->lcr, .mcr = u->mcr, .scr = u->scr, .lsr = u->lsr,
		.rx_head = u->rx_head, .rx_count = u->rx_count,
		.thri = (uint32_t)u->thri,
	};
	memcpy(s.rx, u->rx, sizeof(s.rx));
	pthread_mutex_unlock(&u->lock);
	memcpy(buf, &s, sizeof(s));
	*len = sizeof(s);
	return 0;
}

static int uart_load(struct hv_device *dev, const void *buf, size_t len)
{
	struct hv_uart *u = (struct hv_uart *)dev;
	struct uart_state s;

	if (len != sizeof(s))
		return -EINVAL;
	memcpy(&s, buf, sizeof(s));
	if (s.rx_head >= RX_FIFO || s.rx_count > RX_FIFO || s.thri > 1 ||
	    s.ier & 0xf0 || s.mcr & 0xe0 || s.fcr & ~0xc9)
		return -EINVAL;
	pthread_mutex_lock(&u->lock);
	u->dll = s.dll;
	u->dlm = s.dlm;
	u->ier = s.ier;
	u->fcr = s.fcr;
	u->lcr = s.lcr;
	u->mcr = s.mcr;
	u->scr = s.scr;
	u->lsr = s.lsr;
	memcpy(u->rx, s.rx, sizeof(u->rx));
	u->rx_head = s.rx_head;
	u->rx_count = s.rx_count;
	u->thri = (int)s.thri;
	u->irq_level = 0;	/* a fresh VM's line is low: raise it again */
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

static void uart_destroy(struct hv_device *dev)
{
	struct hv_uart *u = (struct hv_uart *)dev;

	pthread_mutex_destroy(&u->lock);
	free(u);
}

static const struct hv_device_ops uart_ops = {
	.io = uart_io,
	.reset = uart_reset,
	.save = uart_save,
	.load = uart_load,
	.destroy = uart_destroy,
};

struct hv_device *hv_uart_new(struct hv_vm *vm)
{
	struct hv_uart *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->dev = (struct hv_device){
		.name = "uart", .bus = HV_BUS_PIO, .base = HV_ABI_PORT_COM1,
		.len = 8, .ops = &uart_ops, .vm = vm,
	};
	pthread_mutex_init(&u->lock, NULL);
	uart_reset(&u->dev);
	return &u->dev;
}
