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
#define HV_ACPI_ISA_IRQS	16
#define HV_ACPI_IOAPIC_PINS	24	/* KVM's IOAPIC: GSIs 0-23 */
#define HV_ACPI_MAX_VIRTIO	17	/* HV_ABI_VIRTIO_SLOTS */

/* PM1 status/enable bits (dev/acpi_pm.c). */
#define HV_ACPI_PM1_TMR		0x0001
#define HV_ACPI_PM1_GBL		0x0020
#define HV_ACPI_PM1_PWRBTN	0x0100
#define HV_ACPI_PM1_WAK		0x8000

/*
 * GPE0 (dev/acpi_pm.c): two status bytes (write 1 to clear), two enable
 * bytes.  Bit HV_ACPI_GPE_CPUHP runs \_GPE._E02, the CPU hotplug scan.
 */
#define HV_ACPI_GPE0_LEN	4
#define HV_ACPI_GPE_CPUHP	2

/*
 * The CPU hotplug registers (dev/cpuhp.c), read by the DSDT's AML: one
 * bit per possible vCPU in each 64-bit little-endian bitmap.
 */
#define HV_CPUHP_PRESENT	0x00	/* read-only: _STA, _MAT enabled */
#define HV_CPUHP_INSERT		0x08	/* Notify(1) pending; write 1 clears */
#define HV_CPUHP_REMOVE		0x10	/* Notify(3) pending; write 1 clears */
#define HV_CPUHP_EJECT		0x18	/* _EJ0 writes 1: the vCPU is gone */
#define HV_CPUHP_LEN		0x20
#define HV_CPUHP_MAX		64

/* What the tables describe; hv_acpi_build() fills it from a VM. */
struct hv_acpi_layout {
	unsigned int nr_vcpus;		/* enabled at boot, 1..255 */
	unsigned int max_vcpus;		/* possible; 0: nr_vcpus */
	uint16_t cpuhp_port;		/* 0: no CPU hotplug objects */
	unsigned int nr_virtio;
	struct {
		uint64_t base;
		uint32_t len;
		unsigned int irq;	/* IOAPIC pin (GSI), level-high */
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

/*
 * Set GPE0 status bit @bit and raise the SCI.  -EOPNOTSUPP (nothing set)
 * if the guest never enabled that GPE: it has no handler for it.
 */
int hv_acpi_gpe_raise(struct hv_vm *vm, unsigned int bit);

#endif
