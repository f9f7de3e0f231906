/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole-VM state save and restore (the base of `xl save`, `xl restore` and
 * live migration), and the file format it uses.
 *
 * A state file is a header, then sections, each checksummed (CRC32C):
 *
 *   header   48 bytes: magic "XLHVSTAT", version, RAM size, vCPUs, the
 *            number of sections, what this KVM could not save, CRC
 *   section  24-byte header {type, instance, len, reserved, CRC of the
 *            header} + len payload bytes + the payload's CRC (4 bytes)
 *
 * in this order: VM, CLOCK, IRQCHIP, PIT (each only if the header's flags
 * do not say it was skipped), one VCPU per vCPU, one DEVICE per device,
 * RAM, END.  The RAM payload is the page count, a bitmap of the pages
 * that are not all zero, and those pages.  Host byte order: restore and
 * migration run between x86-64 hosts.
 *
 * A file is hostile input.  Reading checks every length and count before
 * using it and every CRC, and refuses the file whole, with one message
 * saying what is wrong, before anything reaches KVM or a device.
 */
#ifndef HV_STATE_H
#define HV_STATE_H

#include <stddef.h>
#include <stdint.h>

struct hv_vm;
struct hv_vcpu;

#define HV_STATE_MAGIC		"XLHVSTAT"
#define HV_STATE_VERSION	1
#define HV_STATE_PAGE		4096ULL
#define HV_STATE_SEC_MAX	(1U << 20)	/* any section but RAM */
#define HV_STATE_MAX_DEVS	32
#define HV_STATE_MAX_VCPUS	64
/* VM, CLOCK, IRQCHIP, PIT, vCPUs, devices, RAM, END. */
#define HV_STATE_MAX_SECTIONS \
	(6 + HV_STATE_MAX_VCPUS + HV_STATE_MAX_DEVS)

/* Header flags: what the saving KVM lacked (and so is not in the file). */
#define HV_STATE_F_NO_IRQCHIP	(1U << 0)
#define HV_STATE_F_NO_PIT	(1U << 1)
#define HV_STATE_F_NO_CLOCK	(1U << 2)
#define HV_STATE_F_ALL		0x7U

enum hv_state_sec_type {
	HV_SEC_VM = 1,
	HV_SEC_CLOCK,
	HV_SEC_IRQCHIP,
	HV_SEC_PIT,
	HV_SEC_VCPU,
	HV_SEC_DEVICE,
	HV_SEC_RAM,
	HV_SEC_END,
};

struct hv_state_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_len;
	uint64_t ram_size;
	uint32_t nr_vcpus;
	uint32_t nr_sections;	/* RAM and END included */
	uint32_t flags;		/* HV_STATE_F_* */
	uint32_t reserved[2];
	uint32_t crc;		/* CRC32C of the bytes before it */
};

struct hv_state_sec_hdr {
	uint32_t type;
	uint32_t instance;
	uint64_t len;
	uint32_t reserved;
	uint32_t crc;		/* CRC32C of the bytes before it */
};

/* A section held in memory (RAM goes straight to guest memory instead). */
struct hv_state_sec {
	uint32_t type;
	uint32_t instance;
	uint64_t len;
	uint8_t *data;
};

/* The VM section's payload. */
struct hv_state_vm {
	uint32_t boot_kind;
	uint32_t pad;
	uint64_t boot_arg;
};

/* A device section starts with the device's name, NUL-padded. */
#define HV_STATE_DEV_NAME	16

/* CRC32C (Castagnoli) of @len bytes, continuing from @crc (0 to start). */
uint32_t hv_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * Write a state file to @fd: @hdr (magic, version, lengths, CRC filled in
 * here), the @nr sections, then @ram as the RAM section (only its nonzero
 * pages) and END.  @ram_fd, if not -1, is the file mapped at @ram: its
 * holes are skipped without being read (reading would allocate them).
 * Returns 0 or -errno.
 */
int hv_state_write(int fd, struct hv_state_hdr *hdr,
		   const struct hv_state_sec *secs, uint32_t nr,
		   const uint8_t *ram, uint64_t ram_size, int ram_fd);

/*
 * Read and check the header at the start of @fd.  -EINVAL (or
 * -EPROTONOSUPPORT for another version) with @err saying what is wrong;
 * -errno from read.
 */
int hv_state_read_hdr(int fd, struct hv_state_hdr *hdr, char *err,
		      size_t errlen);

/*
 * Read every section after the header into *@secs (*@nr of them, for
 * hv_state_secs_free) and RAM into @ram (@hdr->ram_size bytes, zeroed
 * by the caller), checking lengths, counts, order and CRCs.  -EINVAL with
 * @err saying what is wrong; then nothing is returned.
 */
int hv_state_read_body(int fd, const struct hv_state_hdr *hdr,
		       struct hv_state_sec **secs, uint32_t *nr,
		       uint8_t *ram, char *err, size_t errlen);
void hv_state_secs_free(struct hv_state_sec *secs, uint32_t nr);

/*
 * Save the paused @vm to @path: every vCPU, the irqchip, PIT, clock,
 * every device and RAM.  The vCPUs must be parked (hv_vm_pause).  @fd,
 * if not -1, is @path opened by the caller (xld: the sandbox opens no
 * such file), and left open; else @path is opened here.  On failure the
 * file is emptied (removed, if opened here) and the error said with
 * hv_err.  The file's size goes to *@bytes (may be NULL).
 */
int hv_state_save(struct hv_vm *vm, const char *path, int fd,
		  uint64_t *bytes);

/*
 * Restore @vm, created from the header of @path (its RAM size and vCPU
 * count) with its vCPUs created and their CPUID set but not started, from
 * @fd positioned after the header.  Everything is checked before any of
 * it is applied; errors are said with hv_err, naming @path.
 */
int hv_state_load(struct hv_vm *vm, int fd, const struct hv_state_hdr *hdr,
		  const char *path);

/*
 * The paused @vm's state as sections, as hv_state_save writes them (VM,
 * CLOCK, IRQCHIP, PIT, VCPUs, DEVICEs; no RAM, no END): *@secs (*@nr of
 * them, for hv_state_secs_free) and *@flags (HV_STATE_F_*: what this KVM
 * could not give).  For the migration stream.
 */
int hv_state_collect(struct hv_vm *vm, uint32_t *flags,
		     struct hv_state_sec **secs, uint32_t *nr);

/*
 * Check sections that came from elsewhere than a state file (the
 * migration stream) as the file's reader does: order, instances and
 * lengths, for @hdr's nr_vcpus and flags.  -EINVAL with @err.
 */
int hv_state_check_layout(const struct hv_state_hdr *hdr,
			  const struct hv_state_sec *secs, uint32_t nr,
			  char *err, size_t errlen);

/*
 * Check @secs against @vm (irqchip, PIT, devices, vCPU blobs) and apply
 * them: what hv_state_load does after reading.  Errors are said with
 * hv_err as "@what: ...".
 */
int hv_state_apply(struct hv_vm *vm, const struct hv_state_hdr *hdr,
		   const struct hv_state_sec *secs, uint32_t nr,
		   const char *what);

/*
 * The next extent of @fd (a memfd) holding data at or after @off, as
 * [*start, *end); the whole rest when @fd is -1 or cannot say.  Returns
 * 0 when there is none, else 1.
 */
int hv_state_next_data(int fd, uint64_t off, uint64_t size, uint64_t *start,
		       uint64_t *end);

/* vcpu_state.c: one vCPU's state as a self-describing blob. */

/* Read vCPU @v whole into a new blob (*@blob, for free()). */
int hv_vcpu_state_get(struct hv_vcpu *v, uint8_t **blob, size_t *len);
/* Check a blob's records without KVM: -EINVAL with *@why. */
int hv_vcpu_state_check(const uint8_t *blob, size_t len, const char **why);
/* Apply a checked blob to @v.  -errno with *@why naming the step. */
int hv_vcpu_state_set(struct hv_vcpu *v, const uint8_t *blob, size_t len,
		      const char **why);

/* dirty.c: dirty-page logging on guest RAM, for live migration. */

/* The slots there are: guest RAM is slot 0. */
#define HV_DIRTY_NR_SLOTS	1

/* Start or stop logging writes to memory slot @slot. */
int hv_dirty_log_enable(struct hv_vm *vm, unsigned int slot, int on);
/*
 * Copy @slot's dirty bitmap (one bit per page, bit i of 64-bit word i/64
 * for page i) into @bitmap (@len bytes, at least hv_dirty_bitmap_len) and
 * clear it in KVM, so the next read shows only later writes.
 */
int hv_dirty_log_get(struct hv_vm *vm, unsigned int slot, uint64_t *bitmap,
		     size_t len);
/*
 * A device model wrote guest RAM at [@gpa, @gpa + @len): while logging is
 * on, the next hv_dirty_log_get reports those pages too.  Any thread.
 */
void hv_dirty_mark(struct hv_vm *vm, uint64_t gpa, uint64_t len);
size_t hv_dirty_bitmap_len(const struct hv_vm *vm, unsigned int slot);

#endif
