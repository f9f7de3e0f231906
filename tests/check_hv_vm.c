// SPDX-License-Identifier: GPL-2.0
/*
 * The VM core without KVM: hv_gpa_ptr bounds, stop reasons and exit codes,
 * and the devices that stop a VM (ucall, ACPI PM, i8042, pvpanic) driven
 * through their ops against a fake VM.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypervisor/dev/devices.h"
#include "hypervisor/guest_abi.h"
#include "hypervisor/hv.h"
#include "tests/hvt_check.h"

#define RAM	0x10000ULL

static struct hv_vm vm;
static int pipefd[2];

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM;
	vm.ram = calloc(1, RAM);
	ck_assert_ptr_nonnull(vm.ram);
	pthread_mutex_init(&vm.stop_lock, NULL);
	pthread_cond_init(&vm.stop_cond, NULL);
	vm.stop_efd = -1;
	ck_assert_int_eq(pipe2(pipefd, O_NONBLOCK), 0);
	vm.console_fd = pipefd[1];
}

static void teardown(void)
{
	free(vm.ram);
	close(pipefd[0]);
	close(pipefd[1]);
}

static const struct {
	uint64_t gpa, len;
	int ok;
} bounds[] = {
	{ 0, 1, 1 },		{ 0, RAM, 1 },		{ RAM - 1, 1, 1 },
	{ RAM, 0, 1 },		{ RAM, 1, 0 },		{ RAM - 1, 2, 0 },
	{ 0, RAM + 1, 0 },	{ 1, UINT64_MAX, 0 },	{ UINT64_MAX, 2, 0 },
	{ UINT64_MAX - 1, 4, 0 }, { RAM + 4096, 8, 0 },
};

START_TEST(test_gpa_bounds)
{
	void *p = hv_gpa_ptr(&vm, bounds[_i].gpa, bounds[_i].len);

	if (bounds[_i].ok)
		ck_assert_ptr_eq(p, vm.ram + bounds[_i].gpa);
	else
		ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_gpa_no_ram)
{
	free(vm.ram);
	vm.ram = NULL;
	ck_assert_ptr_null(hv_gpa_ptr(&vm, 0, 1));
}
END_TEST

START_TEST(test_stop_first_wins)
{
	ck_assert_int_eq(hv_vm_stopped(&vm), HV_RUNNING);
	hv_vm_request_stop(&vm, HV_STOP_REBOOT);
	hv_vm_request_stop(&vm, HV_STOP_POWEROFF);
	ck_assert_int_eq(hv_vm_stopped(&vm), HV_STOP_REBOOT);
}
END_TEST

static const struct {
	enum hv_stop why;
	int code;
} codes[] = {
	{ HV_STOP_POWEROFF, 0 }, { HV_STOP_ERROR, 1 }, { HV_STOP_REBOOT, 3 },
	{ HV_STOP_CRASH, 4 },	 { HV_STOP_SIGNAL, 5 }, { HV_RUNNING, 1 },
};

START_TEST(test_exit_codes)
{
	ck_assert_int_eq(hv_stop_exit_code(codes[_i].why), codes[_i].code);
}
END_TEST

START_TEST(test_device_table)
{
	static const char *const order[] = { "uart", "ucall", "acpi_pm",
					     "cpuhp", "i8042", "pvpanic",
					     "vblk", "vnet", "vballoon" };
	struct hv_bus bus = { 0 };

	ck_assert_uint_eq(hv_device_table_len, 9);
	for (size_t i = 0; i < hv_device_table_len; i++) {
		struct hv_device *d;

		ck_assert_str_eq(hv_device_table[i].name, order[i]);
		/* Optional devices only come with their configuration. */
		if (hv_device_table[i].wanted) {
			ck_assert_int_eq(hv_device_table[i].wanted(&vm), 0);
			continue;
		}
		d = hv_device_table[i].create(&vm);
		ck_assert_ptr_nonnull(d);
		ck_assert_str_eq(d->name, order[i]);
		/* The fixed ports never collide. */
		ck_assert_int_eq(hv_bus_register(&bus, d), 0);
	}
	for (size_t i = 0; i < bus.nr; i++)
		bus.devs[i]->ops->destroy(bus.devs[i]);
	hv_bus_dispose(&bus);
}
END_TEST

/* Device writes that stop the VM, and ones that must not. */
static struct hv_device *(*const ctor[])(struct hv_vm *) = {
	hv_acpi_pm_new, hv_i8042_new, hv_pvpanic_new,
};
static const struct {
	int dev;
	uint64_t offset;
	uint32_t value;
	unsigned int len;
	enum hv_stop want;
} writes[] = {
	{ 0, 4, 5u << 10 | 1u << 13, 2, HV_STOP_POWEROFF },	/* S5 */
	{ 0, 5, (5u << 10 | 1u << 13) >> 8, 1, HV_STOP_POWEROFF },
	{ 0, 4, 5u << 10, 2, HV_RUNNING },		/* no SLP_EN */
	{ 0, 4, 3u << 10 | 1u << 13, 2, HV_RUNNING },	/* S3: refused */
	{ 0, 0, 0xffff, 2, HV_RUNNING },		/* PM1_STS */
	{ 1, 0, 0xfe, 1, HV_STOP_REBOOT },
	{ 1, 0, 0xd1, 1, HV_RUNNING },
	{ 1, 0, 0xfe, 2, HV_RUNNING },			/* wrong width */
	{ 2, 0, 1, 1, HV_STOP_CRASH },
	{ 2, 0, 2, 1, HV_RUNNING },			/* crash kernel loaded */
	{ 2, 0, 0, 1, HV_RUNNING },
};

START_TEST(test_stop_devices)
{
	struct hv_device *d = ctor[writes[_i].dev](&vm);
	uint32_t v = writes[_i].value;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->ops->io(d, writes[_i].offset, &v, writes[_i].len,
				    1), 0);
	ck_assert_int_eq(hv_vm_stopped(&vm), writes[_i].want);
	d->ops->destroy(d);
}
END_TEST

START_TEST(test_acpi_pm_regs)
{
	struct hv_device *d = hv_acpi_pm_new(&vm);
	uint16_t v = 0;

	d->ops->io(d, 4, &v, 2, 0);
	ck_assert_uint_eq(v & 1, 1);		/* SCI_EN: ACPI mode */
	v = 0x0120;
	d->ops->io(d, 2, &v, 2, 1);		/* PM1_EN holds */
	v = 0;
	d->ops->io(d, 2, &v, 2, 0);
	ck_assert_uint_eq(v, 0x0120);
	v = 3u << 10 | 1u << 13;		/* S3: SLP_EN does not stick */
	d->ops->io(d, 4, &v, 2, 1);
	d->ops->io(d, 4, &v, 2, 0);
	ck_assert_uint_eq(v & (1u << 13), 0);
	d->ops->destroy(d);
}
END_TEST

static void ucall_put(uint64_t gpa, uint32_t cmd, const char *msg)
{
	struct hv_ucall *uc = hv_gpa_ptr(&vm, gpa, sizeof(*uc));

	ck_assert_ptr_nonnull(uc);
	memset(uc, 0, sizeof(*uc));
	uc->cmd = cmd;
	uc->line = 42;
	strcpy(uc->file, "t.c");
	strcpy(uc->msg, msg);
}

static int ucall_do(struct hv_device *d, uint32_t gpa)
{
	return d->ops->io(d, 0, &gpa, 4, 1);
}

START_TEST(test_ucall_print)
{
	struct hv_device *d = hv_ucall_new(&vm);
	struct hv_ucall *uc;
	char buf[300];
	ssize_t n;

	ucall_put(0x1000, HV_UCALL_PRINT, "hi\x1b[2J\n");
	ck_assert_int_eq(ucall_do(d, 0x1000), 0);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 7);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "hi?[2J\n");	/* no escape reaches a tty */
	/* An unterminated message is cut at the buffer, not read past it. */
	uc = hv_gpa_ptr(&vm, 0x2000, sizeof(*uc));
	ucall_put(0x2000, HV_UCALL_PRINT, "");
	memset(uc->msg, 'a', sizeof(uc->msg));
	ck_assert_int_eq(ucall_do(d, 0x2000), 0);
	n = read(pipefd[0], buf, sizeof(buf));
	ck_assert_int_eq(n, HV_UCALL_MSG_MAX - 1);
	ck_assert_int_eq(hv_vm_stopped(&vm), HV_RUNNING);
	d->ops->destroy(d);
}
END_TEST

static const struct {
	uint32_t gpa, cmd;
	enum hv_stop want;
} ucalls[] = {
	{ 0x1000, HV_UCALL_DONE, HV_STOP_POWEROFF },
	{ 0x1000, HV_UCALL_ASSERT, HV_STOP_CRASH },
	{ 0x1000, 99, HV_STOP_CRASH },
	{ (uint32_t)RAM - 8, HV_UCALL_PRINT, HV_STOP_CRASH },	/* straddles */
	{ 0xffffffff, HV_UCALL_PRINT, HV_STOP_CRASH },
};

START_TEST(test_ucall_stop)
{
	struct hv_device *d = hv_ucall_new(&vm);

	if (ucalls[_i].gpa < RAM - sizeof(struct hv_ucall))
		ucall_put(ucalls[_i].gpa, ucalls[_i].cmd, "m");
	ck_assert_int_eq(ucall_do(d, ucalls[_i].gpa), 0);
	ck_assert_int_eq(hv_vm_stopped(&vm), ucalls[_i].want);
	d->ops->destroy(d);
}
END_TEST

START_TEST(test_ucall_bad_width)
{
	struct hv_device *d = hv_ucall_new(&vm);
	uint8_t b = 0;

	ucall_put(0, HV_UCALL_DONE, "");
	ck_assert_int_eq(d->ops->io(d, 0, &b, 1, 1), 0);
	ck_assert_int_eq(hv_vm_stopped(&vm), HV_RUNNING);
	d->ops->destroy(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_vm");
	TCase *tc;

	tc = tcase_create("gpa");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_gpa_bounds, 0,
			    sizeof(bounds) / sizeof(bounds[0]));
	tcase_add_test(tc, test_gpa_no_ram);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stop_first_wins);
	tcase_add_loop_test(tc, test_exit_codes, 0,
			    sizeof(codes) / sizeof(codes[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("devices");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_device_table);
	tcase_add_loop_test(tc, test_stop_devices, 0,
			    sizeof(writes) / sizeof(writes[0]));
	tcase_add_test(tc, test_acpi_pm_regs);
	tcase_add_test(tc, test_ucall_print);
	tcase_add_loop_test(tc, test_ucall_stop, 0,
			    sizeof(ucalls) / sizeof(ucalls[0]));
	tcase_add_test(tc, test_ucall_bad_width);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
