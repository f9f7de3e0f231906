// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM1a event and control registers (PM1_STS, PM1_EN, PM1_CNT),
 * where an OS powers off by writing SLP_TYP = S5 with SLP_EN.  The FADT
 * will point Linux here; test guests use the same write.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../guest_abi.h"
#include "../hv.h"
#include "devices.h"

#define PM_STS		0	/* 2 bytes, write 1 to clear */
#define PM_EN		2	/* 2 bytes */
#define PM_CNT		4	/* 2 bytes */
#define PM_LEN		8
#define CNT_SCI_EN	0x0001	/* always in ACPI mode: no SMM to leave */

struct hv_acpi_pm {
	struct hv_device dev;
	pthread_mutex_t lock;
	uint8_t regs[PM_LEN];
};

static uint16_t reg16(const struct hv_acpi_pm *pm, unsigned int off)
{
	return (uint16_t)(pm->regs[off] | pm->regs[off + 1] << 8);
}

static void set16(struct hv_acpi_pm *pm, unsigned int off, uint16_t v)
{
	pm->regs[off] = (uint8_t)v;
	pm->regs[off + 1] = (uint8_t)(v >> 8);
}

static void acpi_pm_reset(struct hv_device *dev)
{
	struct hv_acpi_pm *pm = (struct hv_acpi_pm *)dev;

	memset(pm->regs, 0, sizeof(pm->regs));
	set16(pm, PM_CNT, CNT_SCI_EN);
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
	else
		hv_err("acpi_pm: sleep type %u is not supported; ignored",
		       typ);
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
		}
	}
	if (cnt_written) {
		pm->regs[PM_CNT] |= CNT_SCI_EN;
		sleep_request(pm);
	}
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
	.destroy = acpi_pm_destroy,
};

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
