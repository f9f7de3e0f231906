// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: an xlhv state file (state.h), read from a memfd as
 * `xlhv restore' reads one.  Input: a mode byte, then the file.  With the
 * mode's low bit set the target first rewrites every checksum it can find
 * (header, section headers, payloads) to the right value, so mutations
 * reach every length, count and field behind the CRCs; else the file is
 * read as it is (the checksum checks themselves).  Then:
 * hv_state_read_hdr, then hv_state_read_body into a fake guest RAM of the size the header names
 * (anonymous memory, touched only where the file has pages), then what
 * hv_state_load does next without KVM: hv_state_apply on a VM with a
 * virtio-blk, a virtio-net and a balloon (its device checks, the VM
 * section, the vCPU blobs through hv_vcpu_state_check; the KVM ioctls
 * then fail on a VM fd of -1), and each device section loaded into its
 * device (hv_virtio_mmio_load, hv_vq_load, the balloon's own), whose
 * queues are then served once from the loaded RAM.
 *
 * A failure is any crash or sanitizer report, a leak, an input slower than
 * 1 s, or an abort() on an inconsistency: a refusal without a message; a
 * body accepted whose sections do not end with END, whose count is not
 * the header's, or which hv_state_check_layout (the migration stream's
 * check of the same layout) refuses; a section longer than the format
 * allows.
 *
 * Not covered: the KVM side of a restore (KVM_SET_CLOCK, the irqchip,
 * the PIT, the vCPU ioctls all fail before doing anything), nor writing a
 * state file (hv_state_save).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev/devices.h"
#include "hv.h"
#include "state.h"
#include "fuzz/hvt_fuzz.h"

#define NR_DEVS	3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Make every checksum of @p right, as far as the lengths can be followed. */
static void crc_fix(uint8_t *p, size_t size)
{
	const size_t crc_at = offsetof(struct hv_state_hdr, crc);
	const size_t sh_crc = offsetof(struct hv_state_sec_hdr, crc);
	size_t off = sizeof(struct hv_state_hdr);

	if (size < off)
		return;
	put32(p + crc_at, hv_crc32c(0, p, crc_at));
	while (size - off >= sizeof(struct hv_state_sec_hdr)) {
		uint64_t len;

		memcpy(&len, p + off + offsetof(struct hv_state_sec_hdr, len),
		       8);
		put32(p + off + sh_crc, hv_crc32c(0, p + off, sh_crc));
		off += sizeof(struct hv_state_sec_hdr);
		if (len > size - off || size - off - len < 4)
			return;
		put32(p + off + len, hv_crc32c(0, p + off, len));
		off += len + 4;
	}
}

static void devices_load(struct hv_vm *vm, const struct hv_state_sec *secs,
			 uint32_t nr)
{
	static const int kinds[NR_DEVS] = { HVT_DEV_VBLK, HVT_DEV_VNET,
					    HVT_DEV_VBALLOON };

	for (uint32_t i = 0; i < nr; i++) {
		const struct hv_state_sec *s = &secs[i];
		struct hv_device *dev;

		if (s->type != HV_SEC_DEVICE || s->instance >= vm->nr_devs ||
		    s->len < HV_STATE_DEV_NAME)
			continue;
		dev = vm->devs[s->instance];
		if (dev->ops->load(dev, s->data + HV_STATE_DEV_NAME,
				   s->len - HV_STATE_DEV_NAME))
			continue;
		hvt_dev_run(kinds[s->instance], dev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	uint8_t *file = NULL;
	struct hv_device *devs[NR_DEVS] = { NULL };
	struct hv_state_sec *secs = NULL;
	struct hv_vcpu *vcpus = NULL;
	struct hv_state_hdr hdr;
	struct hv_config cfg;
	struct hv_vm vm;
	uint8_t *ram = MAP_FAILED;
	uint32_t nr = 0;
	char err[256] = "";
	int rc, peer = -1, unused;

	if (!size)
		return 0;
	file = malloc(size);
	if (!file)
		abort();
	memcpy(file, data + 1, --size);
	if (data[0] & 1)
		crc_fix(file, size);
	if (fd < 0)
		fd = memfd_create("fuzz_state", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) < 0 ||
	    pwrite(fd, file, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) < 0)
		abort();
	free(file);
	rc = hv_state_read_hdr(fd, &hdr, err, sizeof(err));
	if (rc) {
		if (!err[0])
			abort();
		return 0;
	}
	ram = mmap(NULL, hdr.ram_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		abort();
	rc = hv_state_read_body(fd, &hdr, &secs, &nr, ram, err, sizeof(err));
	if (rc) {
		if (!err[0])
			abort();
		goto out_ram;
	}
	if (!nr || secs[nr - 1].type != HV_SEC_END || nr + 1 !=
	    hdr.nr_sections)
		abort();
	for (uint32_t i = 0; i < nr; i++)
		if (secs[i].len > HV_STATE_SEC_MAX || !secs[i].data)
			abort();
	if (hv_state_check_layout(&hdr, secs, nr - 1, err, sizeof(err)))
		abort();

	hvt_vm_init(&vm, &cfg, ram, hdr.ram_size);
	vcpus = calloc(hdr.nr_vcpus, sizeof(*vcpus));
	if (!vcpus)
		abort();
	for (uint32_t i = 0; i < hdr.nr_vcpus; i++)
		vcpus[i] = (struct hv_vcpu){ .vm = &vm, .index = i, .fd = -1 };
	vm.vcpus = vcpus;
	vm.nr_vcpus = hdr.nr_vcpus;
	devs[0] = hvt_dev_new(&vm, &cfg, HVT_DEV_VBLK, &peer);
	devs[1] = hvt_dev_new(&vm, &cfg, HVT_DEV_VNET, &peer);
	devs[2] = hvt_dev_new(&vm, &cfg, HVT_DEV_VBALLOON, &unused);
	vm.devs = devs;
	vm.nr_devs = NR_DEVS;

	hv_state_apply(&vm, &hdr, secs, nr, "fuzz_state");
	devices_load(&vm, secs, nr);

	for (int i = NR_DEVS - 1; i >= 0; i--)
		devs[i]->ops->destroy(devs[i]);
	if (peer >= 0)
		close(peer);
	free(vcpus);
	hvt_vm_dispose(&vm);
	hv_state_secs_free(secs, nr);
out_ram:
	munmap(ram, hdr.ram_size);
	return 0;
}
