/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI tables a Linux guest reads: RSDP (revision 2) -> XSDT -> FADT
 * (with FACS and DSDT) and MADT.  The FADT is a full (not hardware-reduced)
 * one so that the fixed-feature power button, PM1 registers and SCI of
 * dev/acpi_pm.c work; the DSDT, in AML, describes the virtio-mmio devices
 * (_HID "LNRO0005"), pvpanic (_HID "QEMU0001") and \_S5.
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;

/* Where the tables go in guest RAM: the BIOS area Linux also scans. */
#define HV_ACPI_BASE		0xe0000ULL
#define HV_ACPI_SIZE		0x20000ULL
#define HV_ACPI_SCI_IRQ		9
#define HV_ACPI_IOAPIC_ADDR	0xfec00000u
#define HV_ACPI_LAPIC_ADDR	0xfee00000u
#define HV_ACPI_MAX_VIRTIO	16

/* PM1 status/enable bits (dev/acpi_pm.c). */
#define HV_ACPI_PM1_TMR		0x0001
#define HV_ACPI_PM1_GBL		0x0020
#define HV_ACPI_PM1_PWRBTN	0x0100
#define HV_ACPI_PM1_WAK		0x8000

/* What the tables describe; hv_acpi_build() fills it from a VM. */
struct hv_acpi_layout {
	unsigned int nr_vcpus;		/* 1..255 */
	unsigned int nr_virtio;
	struct {
		uint64_t base;
		uint32_t len;
		unsigned int irq;	/* ISA IRQ = IOAPIC pin, level-high */
	} virtio[HV_ACPI_MAX_VIRTIO];
	uint16_t pvpanic_port;		/* 0: none */
};

/*
 * Write the tables for @l into @buf (@size bytes), which the guest sees at
 * guest-physical @gpa.  On success *rsdp is the RSDP's address and *used
 * the bytes written.  -EINVAL for a layout out of range, -ENOSPC if @size
 * is too small.
 */
int hv_acpi_tables(const struct hv_acpi_layout *l, uint8_t *buf,
		   size_t size, uint64_t gpa, uint64_t *rsdp, size_t *used);

/* Describe @vm (vCPUs, virtio-mmio devices on its bus, pvpanic). */
int hv_acpi_layout_of(struct hv_vm *vm, struct hv_acpi_layout *l);

/* Both of the above into guest RAM at HV_ACPI_BASE; *rsdp its address. */
int hv_acpi_build(struct hv_vm *vm, uint64_t *rsdp);

#endif
