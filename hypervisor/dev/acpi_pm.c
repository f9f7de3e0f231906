// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM1a event and control registers (PM1_STS, PM1_EN, PM1_CNT),
 * where an OS powers off by writing SLP_TYP = S5 with SLP_EN, and the
 * GPE0 block (GPE0_STS, GPE0_EN) right after them.  The FADT (acpi.c)
 * points Linux here; test guests use the same write.  A status bit whose
 * enable bit is set raises the SCI (ISA IRQ 9, level), as the fixed-feature
 * power button (hv_vm_power_button) and CPU hotplug (hv_acpi_gpe_raise) do:
 * one device owns the line, so the two sources cannot fight over it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../acpi.h"
#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

#define PM_STS		0	/* 2 bytes, write 1 to clear */
#define PM_EN		2	/* 2 bytes */
#define PM_CNT		4	/* 2 bytes */
#define GPE_STS		8	/* 2 bytes, write 1 to clear */
#define GPE_EN		10	/* 2 bytes */
#define PM_LEN		12
#define CNT_SCI_EN	0x0001	/* always in ACPI mode: no SMM to leave */

struct hv_acpi_pm {
	struct hv_device dev;
	pthread_mutex_t lock;
	uint8_t regs[PM_LEN];
	int sci_level;
	unsigned int refused;		/* sleep requests logged */
};

/* A guest may write PM1_CNT in a loop: its log stays a few lines. */
#define SLEEP_LOG_MAX	8

static uint16_t reg16(const struct hv_acpi_pm *pm, unsigned int off)
{
	return (uint16_t)(pm->regs[off] | pm->regs[off + 1] << 8);
}

static void set16(struct hv_acpi_pm *pm, unsigned int off, uint16_t v)
{
	pm->regs[off] = (uint8_t)v;
	pm->regs[off + 1] = (uint8_t)(v >> 8);
}

/* The SCI follows (status & enable); only its edges cost an ioctl. */
static void update_sci(struct hv_acpi_pm *pm)
{
	int level = (reg16(pm, PM_STS) & reg16(pm, PM_EN)) != 0 ||
		    (reg16(pm, GPE_STS) & reg16(pm, GPE_EN)) != 0;

	if (level != pm->sci_level) {
		pm->sci_level = level;
		hv_vm_irq_line(pm->dev.vm, HV_ACPI_SCI_IRQ, level);
	}
}

static void acpi_pm_reset(struct hv_device *dev)
{
	struct hv_acpi_pm *pm = (struct hv_acpi_pm *)dev;

	memset(pm->regs, 0, sizeof(pm->regs));
	set16(pm, PM_CNT, CNT_SCI_EN);
	update_sci(pm);
}

/* After a write to PM1_CNT: act on SLP_EN, which itself never sticks. */
static void sleep_request(struct hv_acpi_pm *pm)
{
	uint16_t cnt = reg16(pm, PM_CNT);
	unsigned int typ = HV_ABI_PM1_SLP_TYP(cnt);

	if (!(cnt & HV_ABI_PM1_SLP_EN))
		return;
	set16(pm, PM_CNT, (uint16_t)(cnt & ~HV_ABI_PM1_SLP_EN));
	if (typ == HV_ABI_PM1_S5)
		hv_vm_request_stop(pm->dev.vm, HV_STOP_POWEROFF);
	else if (pm->refused < SLEEP_LOG_MAX)
		hv_err("acpi_pm: sleep type %u is not supported; ignored%s",
		       typ, ++pm->refused == SLEEP_LOG_MAX ?
				    " (not logging more)" : "");
}

static int acpi_pm_io(struct hv_device *dev, uint64_t offset, void *data,
		      unsigned int len, int is_write)
{
	struct hv_acpi_pm *pm = (struct hv_acpi_pm *)dev;
	uint8_t *b = data;
	int cnt_written = 0;

	pthread_mutex_lock(&pm->lock);
	for (unsigned int i = 0; i < len; i++) {
		uint64_t off = offset + i;	/* < PM_LEN: bus-checked */

		if (!is_write) {
			b[i] = pm->regs[off];
			continue;
		}
		if (off < PM_EN)
			pm->regs[off] &= (uint8_t)~b[i];
		else if (off < PM_CNT)
			pm->regs[off] = b[i];
		else if (off < PM_CNT + 2) {
			pm->regs[off] = b[i];
			cnt_written = 1;
		} else if (off >= GPE_STS && off < GPE_EN)
			pm->regs[off] &= (uint8_t)~b[i];
		else if (off >= GPE_EN)
			pm->regs[off] = b[i];
	}
	if (cnt_written) {
		pm->regs[PM_CNT] |= CNT_SCI_EN;
		sleep_request(pm);
	}
	if (is_write)
		update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

/* The state is the three registers, as the guest sees them. */
static int acpi_pm_save(struct hv_device *dev, void *buf, size_t cap,
			size_t *len)
{
	struct hv_acpi_pm *pm = (struct hv_acpi_pm *)dev;

	if (cap < PM_LEN)
		return -ENOSPC;
	pthread_mutex_lock(&pm->lock);
	memcpy(buf, pm->regs, PM_LEN);
	pthread_mutex_unlock(&pm->lock);
	*len = PM_LEN;
	return 0;
}

static int acpi_pm_load(struct hv_device *dev, const void *buf, size_t len)
{
	struct hv_acpi_pm *pm = (struct hv_acpi_pm *)dev;
	const uint8_t *r = buf;

	/* Always in ACPI mode, never mid-sleep (SLP_EN never sticks). */
	if (len != PM_LEN || !(r[PM_CNT] & CNT_SCI_EN) ||
	    (r[PM_CNT] | r[PM_CNT + 1] << 8) & HV_ABI_PM1_SLP_EN)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	memcpy(pm->regs, buf, PM_LEN);
	pm->sci_level = 0;	/* a fresh VM's line is low: raise it again */
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

static void acpi_pm_destroy(struct hv_device *dev)
{
	struct hv_acpi_pm *pm = (struct hv_acpi_pm *)dev;

	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static const struct hv_device_ops acpi_pm_ops = {
	.io = acpi_pm_io,
	.reset = acpi_pm_reset,
	.save = acpi_pm_save,
	.load = acpi_pm_load,
	.destroy = acpi_pm_destroy,
};

/*
 * Set @mask in status register @sts and raise the SCI, if the guest has
 * enabled it in @en: one that never armed an event would never see it.
 */
static int raise_event(struct hv_vm *vm, unsigned int en, unsigned int sts,
		       uint16_t mask)
{
	struct hv_acpi_pm *pm = NULL;
	int rc = 0;

	for (size_t i = 0; i < vm->nr_devs; i++)
		if (vm->devs[i]->ops == &acpi_pm_ops)
			pm = (struct hv_acpi_pm *)vm->devs[i];
	if (!pm)
		return -ENODEV;
	pthread_mutex_lock(&pm->lock);
	if (reg16(pm, en) & mask) {
		set16(pm, sts, reg16(pm, sts) | mask);
		update_sci(pm);
	} else {
		rc = -EOPNOTSUPP;
	}
	pthread_mutex_unlock(&pm->lock);
	return rc;
}

int hv_vm_power_button(struct hv_vm *vm)
{
	return raise_event(vm, PM_EN, PM_STS, HV_ACPI_PM1_PWRBTN);
}

int hv_acpi_gpe_raise(struct hv_vm *vm, unsigned int bit)
{
	if (bit >= 16)
		return -EINVAL;
	return raise_event(vm, GPE_EN, GPE_STS, (uint16_t)(1u << bit));
}

struct hv_device *hv_acpi_pm_new(struct hv_vm *vm)
{
	struct hv_acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pm->dev = (struct hv_device){
		.name = "acpi_pm", .bus = HV_BUS_PIO,
		.base = HV_ABI_PORT_ACPI_PM, .len = PM_LEN,
		.ops = &acpi_pm_ops, .vm = vm,
	};
	pthread_mutex_init(&pm->lock, NULL);
	acpi_pm_reset(&pm->dev);
	return &pm->dev;
}
