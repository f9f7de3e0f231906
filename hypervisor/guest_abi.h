/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test-guest ABI: what xlhv promises an ELF test guest and what the
 * guest may ask of it.  Shared by the monitor and the freestanding guests in
 * tests/guests/, so it uses nothing but <stdint.h>.  tests/guests/README is
 * the prose version; keep the two in step.
 */
#ifndef HV_GUEST_ABI_H
#define HV_GUEST_ABI_H

#include <stdint.h>

/*
 * Guest physical memory map.  RAM is one block from 0; the first MiB
 * belongs to the monitor, the image loads at or above HV_ABI_IMAGE_MIN.
 */
#define HV_ABI_BOOT_INFO	0x1000ULL	/* struct hv_boot_info */
#define HV_ABI_GDT		0x2000ULL	/* the GDT below */
#define HV_ABI_CMDLINE		0x3000ULL	/* NUL-terminated, < 4 KiB */
#define HV_ABI_CMDLINE_MAX	0x1000ULL
#define HV_ABI_PAGE_TABLES	0x10000ULL	/* PML4, PDPT, 4 PDs */
#define HV_ABI_STACKS		0x80000ULL	/* vCPU n's stack ends at */
#define HV_ABI_STACK_SIZE	0x2000ULL	/* STACKS + (n + 1) * SIZE */
#define HV_ABI_IMAGE_MIN	0x100000ULL
#define HV_ABI_MAX_VCPUS	64
#define HV_ABI_IDMAP_END	0x100000000ULL	/* 4 GiB identity map */

/* GDT selectors: 64-bit kernel code/data, then user data/code (DPL 3). */
#define HV_ABI_SEL_KCODE	0x08
#define HV_ABI_SEL_KDATA	0x10
#define HV_ABI_SEL_UDATA	0x18
#define HV_ABI_SEL_UCODE	0x20
#define HV_ABI_GDT_ENTRIES	5

#define HV_ABI_BOOT_MAGIC	0x56484c58u	/* "XLHV" */
#define HV_ABI_VERSION		1

/* At HV_ABI_BOOT_INFO; every vCPU gets its address in %rsi. */
struct hv_boot_info {
	uint32_t magic;		/* HV_ABI_BOOT_MAGIC */
	uint32_t version;	/* HV_ABI_VERSION */
	uint64_t ram_size;	/* bytes of RAM from guest physical 0 */
	uint32_t nr_vcpus;
	uint32_t cmdline_len;	/* without the NUL */
	uint64_t cmdline;	/* guest physical address of the string */
};

/*
 * An ELF note (name "XLHV", type HV_ABI_NOTE_TYPE, a 4-byte descriptor
 * holding HV_ABI_VERSION) marks an image as written for this ABI.
 */
#define HV_ABI_NOTE_NAME	"XLHV"
#define HV_ABI_NOTE_TYPE	1

/* I/O ports. */
#define HV_ABI_PORT_UCALL	0x00e8	/* outl: GPA of a struct hv_ucall */
#define HV_ABI_PORT_I8042_CMD	0x0064	/* write 0xfe: reboot */
#define HV_ABI_PORT_PVPANIC	0x0505	/* write bit 0: guest panicked */
#define HV_ABI_PORT_ACPI_PM	0x0600	/* PM1a_EVT (4 bytes), PM1a_CNT */
#define HV_ABI_PORT_PM1_CNT	0x0604
#define HV_ABI_PORT_GPE0	0x0608	/* GPE0_STS (2 bytes), GPE0_EN (2) */
#define HV_ABI_PORT_CPUHP	0x0620	/* ACPI CPU hotplug (dev/cpuhp.c) */
#define HV_ABI_PORT_COM1	0x03f8	/* 8250 UART */

/*
 * virtio-mmio (version 2) devices: slot n at BASE + n * SIZE, above RAM in
 * the 3 GiB hole, interrupt on IOAPIC pin FIRST_IRQ + n, skipping IRQ 9
 * (the ACPI SCI): slots 0-3 on IRQs 5-8, slots 4-9 on IRQs 10-15, slots
 * 10-16 on GSIs 16-22 (no ISA IRQ is left for them).  Slot 0 is the first
 * --disk, slots 1 to 8 the --net devices in their order, slot 9 the memory
 * balloon every VM has, slots 10 to 16 the second to eighth --disk: the
 * slots of one-disk VMs stay where they always were.
 */
#define HV_ABI_VIRTIO_MMIO_BASE	0xd0000000ULL
#define HV_ABI_VIRTIO_MMIO_SIZE	0x200ULL
#define HV_ABI_VIRTIO_FIRST_IRQ	5
#define HV_ABI_VIRTIO_SLOTS	17
#define HV_ABI_VIRTIO_BALLOON_SLOT 9
#define HV_ABI_VIRTIO_DISK_SLOT(n)	((n) ? 9 + (n) : 0)
#define HV_ABI_VIRTIO_IRQ(n)	\
	(HV_ABI_VIRTIO_FIRST_IRQ + (n) + ((n) >= 4 ? 1 : 0))

/* PM1_CNT: SLP_EN with SLP_TYP 5 (the \_S5 value we advertise) = off. */
#define HV_ABI_PM1_SLP_EN	(1u << 13)
#define HV_ABI_PM1_SLP_TYP(x)	(((x) >> 10) & 7u)
#define HV_ABI_PM1_S5		5u
#define HV_ABI_I8042_RESET	0xfe
#define HV_ABI_PVPANIC_PANICKED	(1u << 0)
#define HV_ABI_PVPANIC_CRASH_LOADED (1u << 1)

enum hv_ucall_cmd {
	HV_UCALL_PRINT = 1,	/* msg goes to the console */
	HV_UCALL_ASSERT = 2,	/* file:line: msg; the VM stops as crashed */
	HV_UCALL_DONE = 3,	/* the test passed; the VM stops as off */
};

#define HV_UCALL_FILE_MAX	64
#define HV_UCALL_MSG_MAX	192

/* Guest-owned, 8-byte aligned; the monitor copies it before use. */
struct hv_ucall {
	uint32_t cmd;
	uint32_t line;
	uint64_t value;
	char file[HV_UCALL_FILE_MAX];
	char msg[HV_UCALL_MSG_MAX];
};

#endif
