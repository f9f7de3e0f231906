// SPDX-License-Identifier: GPL-2.0
/* KVM flavour detection against fake /sys/module and /proc/cpuinfo trees. */
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
	enum hv_kvm_flavour want;
} cases[] = {
	{ { "kvm", "kvm_amd" }, "fpu svm lm", HV_KVM_SVM },
	{ { "kvm", "kvm_intel" }, "fpu vmx lm", HV_KVM_VMX },
	{ { "kvm", "kvm_pvm" }, "fpu lm hypervisor", HV_KVM_PVM },
	/* kvm_amd without the CPU flag cannot be what /dev/kvm runs on */
	{ { "kvm_amd", "kvm_pvm" }, "fpu lm", HV_KVM_PVM },
	/* a flag that merely contains "svm" is not the svm flag */
	{ { "kvm_amd" }, "fpu nosvm svmx lm", HV_KVM_NONE },
	/* the svm flag last on the line */
	{ { "kvm_amd" }, "fpu lm svm", HV_KVM_SVM },
	{ { NULL }, "fpu svm vmx", HV_KVM_NONE },
};

START_TEST(test_detect)
{
	for (int m = 0; m < 3 && cases[_i].modules[m]; m++)
		add_module(cases[_i].modules[m]);
	set_flags(cases[_i].flags);
	ck_assert_int_eq(hv_kvm_flavour_detect(root), cases[_i].want);
}
END_TEST

START_TEST(test_no_cpuinfo)
{
	add_module("kvm_amd");
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
	suite_add_tcase(s, tc);
	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	return hvt_run_suite(s);
}
