// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF test-guest loader against images built here: a good one, then
 * one table row per way to corrupt it, every truncation, and byte flips.
 */
#include "config.h"

#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypervisor/boot_elf.h"
#include "hypervisor/guest_abi.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define RAM_SIZE	(4ULL << 20)
#define CODE_OFF	0x1000
#define CODE_LEN	16
#define NOTE_OFF	256
#define IMG_LEN		(CODE_OFF + CODE_LEN)
#define TEXT_GPA	0x100000ULL
#define BSS_GPA		0x200000ULL

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	uint8_t pad[NOTE_OFF - sizeof(Elf64_Ehdr) - 3 * sizeof(Elf64_Phdr)];
	Elf64_Nhdr nh;
	char name[8];
	uint32_t version;
	uint8_t pad2[CODE_OFF - NOTE_OFF - sizeof(Elf64_Nhdr) - 8 - 4];
	uint8_t code[CODE_LEN];
} __attribute__((packed));

static struct hv_vm vm;
static struct image img;

static void image_build(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = TEXT_GPA + 4;
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 3;
	im->ph[0] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = CODE_OFF, .p_vaddr = TEXT_GPA, .p_paddr = TEXT_GPA,
		.p_filesz = CODE_LEN, .p_memsz = 0x2000, .p_align = 0x1000,
	};
	im->ph[1] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_flags = PF_R, .p_offset = NOTE_OFF,
		.p_filesz = sizeof(Elf64_Nhdr) + 8 + 4, .p_align = 4,
	};
	im->ph[2] = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0,
		.p_vaddr = BSS_GPA, .p_paddr = BSS_GPA, .p_memsz = 0x1000,
	};
	im->nh = (Elf64_Nhdr){ .n_namesz = 5, .n_descsz = 4,
			       .n_type = HV_ABI_NOTE_TYPE };
	memcpy(im->name, HV_ABI_NOTE_NAME, 5);
	im->version = HV_ABI_VERSION;
	for (int i = 0; i < CODE_LEN; i++)
		im->code[i] = (uint8_t)(0x90 + i);
}

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM_SIZE;
	vm.ram = malloc(RAM_SIZE);
	ck_assert_ptr_nonnull(vm.ram);
	memset(vm.ram, 0xaa, RAM_SIZE);
	image_build(&img);
}

static void teardown(void)
{
	free(vm.ram);
}

START_TEST(test_good)
{
	const char *why = NULL;
	uint64_t entry = 0;

	ck_assert_int_eq(sizeof(img), IMG_LEN);
	ck_assert_int_eq(hv_elf_load(&vm, &img, sizeof(img), &entry, &why), 0);
	ck_assert_uint_eq(entry, TEXT_GPA + 4);
	ck_assert_mem_eq(vm.ram + TEXT_GPA, img.code, CODE_LEN);
	/* memsz beyond filesz is zeroed, bytes past the segment are not. */
	for (uint64_t a = TEXT_GPA + CODE_LEN; a < TEXT_GPA + 0x2000; a++)
		ck_assert_uint_eq(vm.ram[a], 0);
	for (uint64_t a = BSS_GPA; a < BSS_GPA + 0x1000; a++)
		ck_assert_uint_eq(vm.ram[a], 0);
	ck_assert_uint_eq(vm.ram[TEXT_GPA + 0x2000], 0xaa);
	ck_assert_uint_eq(vm.ram[BSS_GPA + 0x1000], 0xaa);
}
END_TEST

/* The table: one corruption each, the error and the reason it must give. */
static void bad_magic(struct image *im) { im->eh.e_ident[1] = 'X'; }
static void class32(struct image *im) { im->eh.e_ident[EI_CLASS] = ELFCLASS32; }
static void big_endian(struct image *im) { im->eh.e_ident[EI_DATA] = ELFDATA2MSB; }
static void i386(struct image *im) { im->eh.e_machine = EM_386; }
static void dyn(struct image *im) { im->eh.e_type = ET_DYN; }
static void phentsize(struct image *im) { im->eh.e_phentsize = 32; }
static void phnum0(struct image *im) { im->eh.e_phnum = 0; }
static void phnum_big(struct image *im) { im->eh.e_phnum = 65535; }
static void phoff_far(struct image *im) { im->eh.e_phoff = IMG_LEN - 100; }
static void phoff_wrap(struct image *im) { im->eh.e_phoff = UINT64_MAX - 8; }
static void seg_past(struct image *im) { im->ph[0].p_filesz = 0x100; }
static void seg_off_wrap(struct image *im) { im->ph[0].p_offset = UINT64_MAX - 4; }
static void note_past(struct image *im) { im->ph[1].p_filesz = 0x10000; }
static void filesz_gt(struct image *im) { im->ph[0].p_memsz = 8; }
static void virt_phys(struct image *im) { im->ph[0].p_vaddr += 0x1000; }
static void low(struct image *im)
{
	im->ph[2].p_paddr = im->ph[2].p_vaddr = 0x2000;
}
static void past_ram(struct image *im) { im->ph[2].p_memsz = RAM_SIZE; }
static void gpa_wrap(struct image *im)
{
	im->ph[2].p_paddr = im->ph[2].p_vaddr = UINT64_MAX - 0x10;
}
static void entry_out(struct image *im) { im->eh.e_entry = 0x300000; }
static void entry_nx(struct image *im) { im->eh.e_entry = BSS_GPA; }
static void no_note(struct image *im) { im->ph[1].p_type = PT_NULL; }
static void note_ver(struct image *im) { im->version = 2; }
static void note_desc(struct image *im) { im->nh.n_descsz = 2; }
static void note_name_huge(struct image *im) { im->nh.n_namesz = 0xfffffff0; }
static void no_load(struct image *im)
{
	im->ph[0].p_type = PT_NULL;
	im->ph[2].p_type = PT_NULL;
}
static void pvh(struct image *im)
{
	memcpy(im->name, "Xen", 4);
	im->nh.n_namesz = 4;
	im->nh.n_type = 18;
}

static const struct {
	const char *what;
	void (*mutate)(struct image *im);
	int rc;
	const char *why;
} bad[] = {
	{ "bad magic", bad_magic, -ENOEXEC, "not an ELF file" },
	{ "ELFCLASS32", class32, -ENOEXEC, "x86-64 ELF64" },
	{ "big endian", big_endian, -ENOEXEC, "x86-64 ELF64" },
	{ "i386", i386, -ENOEXEC, "x86-64 ELF64" },
	{ "ET_DYN", dyn, -ENOEXEC, "ET_EXEC" },
	{ "phentsize", phentsize, -ENOEXEC, "program header size" },
	{ "phnum 0", phnum0, -ENOEXEC, "program header size" },
	{ "phnum 65535", phnum_big, -ENOEXEC, "program header size" },
	{ "phoff near end", phoff_far, -ENOEXEC, "past the end" },
	{ "phoff wraps", phoff_wrap, -ENOEXEC, "past the end" },
	{ "segment past end", seg_past, -ENOEXEC, "segment runs past" },
	{ "segment offset wraps", seg_off_wrap, -ENOEXEC, "segment runs past" },
	{ "note past end", note_past, -ENOEXEC, "segment runs past" },
	{ "filesz > memsz", filesz_gt, -ENOEXEC, "file size exceeds" },
	{ "vaddr != paddr", virt_phys, -ENOEXEC, "virtual and physical" },
	{ "below 1 MiB", low, -ENOEXEC, "below 1 MiB" },
	{ "past RAM", past_ram, -ENOSPC, "does not fit in guest RAM" },
	{ "address wraps", gpa_wrap, -ENOSPC, "does not fit in guest RAM" },
	{ "entry outside", entry_out, -ENOEXEC, "entry point" },
	{ "entry not exec", entry_nx, -ENOEXEC, "entry point" },
	{ "no note", no_note, -ENOEXEC, "no XLHV ABI note" },
	{ "note version", note_ver, -ENOEXEC, "another test-guest ABI" },
	{ "note desc size", note_desc, -ENOEXEC, "bad size" },
	{ "note name huge", note_name_huge, -ENOEXEC, "note runs past" },
	{ "no PT_LOAD", no_load, -ENOEXEC, "no loadable segment" },
	{ "PVH kernel", pvh, -ENOEXEC, "PVH" },
};

START_TEST(test_bad)
{
	const char *why = NULL;
	uint64_t entry = 0x1234;

	bad[_i].mutate(&img);
	ck_assert_msg(hv_elf_load(&vm, &img, sizeof(img), &entry, &why) ==
			      bad[_i].rc,
		      "%s: wrong result (why: %s)", bad[_i].what, why);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, bad[_i].why), "%s: why \"%s\", want \"%s\"",
		      bad[_i].what, why, bad[_i].why);
	ck_assert_uint_eq(entry, 0x1234);	/* untouched on failure */
}
END_TEST

START_TEST(test_truncated)
{
	const char *why;
	uint64_t entry;

	/* The code segment ends the file: every shorter copy is refused. */
	for (size_t len = 0; len < sizeof(img); len++) {
		uint8_t *copy = malloc(len ? len : 1);

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, &img, len);
		why = NULL;
		ck_assert_msg(hv_elf_load(&vm, copy, len, &entry, &why) < 0,
			      "truncated to %zu bytes was accepted", len);
		ck_assert_ptr_nonnull(why);
		free(copy);
	}
}
END_TEST

START_TEST(test_byte_flips)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };

	/* Whatever the header bytes say, no crash, and success stays sane. */
	for (size_t off = 0; off < NOTE_OFF + 24; off++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			struct image im;
			const char *why = NULL;
			uint64_t entry = 0;
			int rc;

			image_build(&im);
			((uint8_t *)&im)[off] = values[v];
			rc = hv_elf_load(&vm, &im, sizeof(im), &entry, &why);
			if (rc == 0)
				ck_assert(entry >= HV_ABI_IMAGE_MIN &&
					  entry < RAM_SIZE);
			else
				ck_assert_ptr_nonnull(why);
		}
	}
}
END_TEST

START_TEST(test_files)
{
	char path[] = "/tmp/check_hv_elf.XXXXXX";
	const char *why;
	uint64_t entry;
	int fd;

	ck_assert_int_eq(hv_elf_load_file(&vm, "/nonexistent/guest", &entry,
					  &why), -ENOENT);
	ck_assert_int_eq(hv_elf_load_file(&vm, "/tmp", &entry, &why),
			 -EISDIR);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, &img, sizeof(img)), (ssize_t)sizeof(img));
	ck_assert_int_eq(hv_elf_load_file(&vm, path, &entry, &why), 0);
	ck_assert_uint_eq(entry, TEXT_GPA + 4);
	/* A file larger than guest RAM is refused before it is read. */
	ck_assert_int_eq(ftruncate(fd, (off_t)RAM_SIZE + 1), 0);
	ck_assert_int_eq(hv_elf_load_file(&vm, path, &entry, &why), -EFBIG);
	ck_assert_str_eq(why, "larger than guest RAM");
	close(fd);
	unlink(path);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("hv_elf");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("corrupt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_byte_flips);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return hvt_run_suite(elf_suite());
}
