// SPDX-License-Identifier: GPL-2.0
/*
 * KVM flavour detection against fake /sys/module, /sys/class/misc and
 * /proc/cpuinfo trees, and the reason given where there is no KVM.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hypervisor/kvm_flavour.h"
#include "tests/hvt_check.h"

static char root[] = "/tmp/check_kvm_flavour.XXXXXX";

static void root_setup(void)
{
	char path[256];

	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/sys", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/module", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/class", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sys/class/misc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void root_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static void add_module(const char *mod)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sys/module/%s", root, mod);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* The misc device a bound KVM module registers (udev makes /dev/kvm of it). */
static void add_kvm_device(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sys/class/misc/kvm", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void set_flags(const char *flags)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "processor\t: 0\nflags\t\t: %s\nbugs\t\t: svm_bug\n", flags);
	fclose(f);
}

static const struct {
	const char *modules[3];
	const char *flags;
	int device;		/* a KVM misc device is registered */
	enum hv_kvm_flavour want;
} cases[] = {
	{ { "kvm", "kvm_amd" }, "fpu svm lm", 1, HV_KVM_SVM },
	{ { "kvm", "kvm_intel" }, "fpu vmx lm", 1, HV_KVM_VMX },
	{ { "kvm", "kvm_pvm" }, "fpu lm hypervisor", 1, HV_KVM_PVM },
	{ { "kvm_amd" }, "fpu lm svm", 1, HV_KVM_SVM },
	{ { NULL }, "fpu svm vmx", 0, HV_KVM_NONE },
	/* kvm_amd without the CPU flag cannot be what /dev/kvm runs on */
	{ { "kvm_amd", "kvm_pvm" }, "fpu lm", 1, HV_KVM_PVM },
	/* a flag that merely contains "svm" is not the svm flag */
	{ { "kvm_amd" }, "fpu nosvm svmx lm", 1, HV_KVM_NONE },
	/* the svm flag last on the line */
	{ { "kvm_amd" }, "fpu lm svm", 1, HV_KVM_SVM },
	/* a PVM guest: kvm_pvm loads but does not bind, so no device */
	{ { "kvm", "kvm_pvm" }, "fpu lm hypervisor", 0, HV_KVM_NONE },
	/* a module loaded, its device gone (unbound): no KVM */
	{ { "kvm", "kvm_amd" }, "fpu svm lm", 0, HV_KVM_NONE },
};

START_TEST(test_detect)
{
	for (int m = 0; m < 3 && cases[_i].modules[m]; m++)
		add_module(cases[_i].modules[m]);
	if (cases[_i].device)
		add_kvm_device();
	set_flags(cases[_i].flags);
	ck_assert_int_eq(hv_kvm_flavour_detect(root), cases[_i].want);
}
END_TEST

/* Where there is no KVM, the reason follows the CPU's flags. */
static const struct {
	const char *flags;
	const char *want;
} reasons[] = {
	{ "fpu svm lm hypervisor", "its CPU offers AMD-V but KVM is not loaded (modprobe kvm_amd)" },
	{ "fpu vmx lm", "its CPU offers VT-x but KVM is not loaded (modprobe kvm_intel)" },
	{ "fpu lm hypervisor", "it is a virtual machine without nested virtualization" },
	{ "fpu lm", "its CPU has no hardware virtualization" },
	{ "fpu nosvm lm", "its CPU has no hardware virtualization" },
};

START_TEST(test_absent_reason)
{
	set_flags(reasons[_i].flags);
	ck_assert_str_eq(hv_kvm_absent_reason(root), reasons[_i].want);
}
END_TEST

START_TEST(test_no_cpuinfo)
{
	add_module("kvm_amd");
	add_kvm_device();
	ck_assert_int_eq(hv_kvm_flavour_detect(root), HV_KVM_NONE);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(hv_kvm_flavour_name(HV_KVM_SVM), "svm");
	ck_assert_str_eq(hv_kvm_flavour_name(HV_KVM_VMX), "vmx");
	ck_assert_str_eq(hv_kvm_flavour_name(HV_KVM_PVM), "pvm");
	ck_assert_str_eq(hv_kvm_flavour_name(HV_KVM_NONE), "none");
	ck_assert(hv_kvm_flavour_runs_linux(HV_KVM_SVM));
	ck_assert(hv_kvm_flavour_runs_linux(HV_KVM_VMX));
	ck_assert(!hv_kvm_flavour_runs_linux(HV_KVM_PVM));
	ck_assert(!hv_kvm_flavour_runs_linux(HV_KVM_NONE));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kvm_flavour");
	TCase *tc = tcase_create("detect");

	tcase_add_checked_fixture(tc, root_setup, root_teardown);
	tcase_add_loop_test(tc, test_detect, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_no_cpuinfo);
	tcase_add_loop_test(tc, test_absent_reason, 0,
			    sizeof(reasons) / sizeof(reasons[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
