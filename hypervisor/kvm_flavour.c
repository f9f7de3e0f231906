// SPDX-License-Identifier: GPL-2.0
/* Detect the kind of KVM behind /dev/kvm (see kvm_flavour.h). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm_flavour.h"

static int exists_under(const char *sysroot, const char *dir,
			const char *name)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s/%s/%s", sysroot, dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return access(path, F_OK) == 0;
}

static int module_loaded(const char *sysroot, const char *mod)
{
	return exists_under(sysroot, "sys/module", mod);
}

/* Does the first "flags" line of /proc/cpuinfo hold @flag as a word? */
static int cpu_has_flag(const char *sysroot, const char *flag)
{
	char path[PATH_MAX], line[4096];
	size_t flen = strlen(flag);
	int found = 0, n;
	FILE *f;

	n = snprintf(path, sizeof(path), "%s/proc/cpuinfo", sysroot);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, "flags", 5) != 0)
			continue;
		p = strchr(line, ':');
		for (p = p ? p + 1 : line; (p = strstr(p, flag)); p += flen) {
			if (p[-1] == ' ' && (p[flen] == ' ' || p[flen] == '\n' ||
					     p[flen] == '\0')) {
				found = 1;
				break;
			}
		}
		break;
	}
	fclose(f);
	return found;
}

enum hv_kvm_flavour hv_kvm_flavour_detect(const char *sysroot)
{
	/*
	 * A loaded module is not enough: kvm_pvm inside a PVM guest loads
	 * but does not bind ("this kernel is itself a kvm-pvm guest"), and
	 * then no misc device, no /dev/kvm, exists.
	 */
	if (!exists_under(sysroot, "sys/class/misc", "kvm"))
		return HV_KVM_NONE;
	/*
	 * A PVM host may also load kvm_amd without the CPU offering SVM,
	 * so the hardware kinds count only with their CPU flag.
	 */
	if (module_loaded(sysroot, "kvm_amd") && cpu_has_flag(sysroot, "svm"))
		return HV_KVM_SVM;
	if (module_loaded(sysroot, "kvm_intel") && cpu_has_flag(sysroot, "vmx"))
		return HV_KVM_VMX;
	if (module_loaded(sysroot, "kvm_pvm"))
		return HV_KVM_PVM;
	return HV_KVM_NONE;
}

const char *hv_kvm_absent_reason(const char *sysroot)
{
	if (cpu_has_flag(sysroot, "svm"))
		return "its CPU offers AMD-V but KVM is not loaded "
		       "(modprobe kvm_amd)";
	if (cpu_has_flag(sysroot, "vmx"))
		return "its CPU offers VT-x but KVM is not loaded "
		       "(modprobe kvm_intel)";
	if (cpu_has_flag(sysroot, "hypervisor"))
		return "it is a virtual machine without nested virtualization";
	return "its CPU has no hardware virtualization";
}

const char *hv_kvm_flavour_name(enum hv_kvm_flavour f)
{
	switch (f) {
	case HV_KVM_SVM:
		return "svm";
	case HV_KVM_VMX:
		return "vmx";
	case HV_KVM_PVM:
		return "pvm";
	case HV_KVM_NONE:
		break;
	}
	return "none";
}

int hv_kvm_flavour_runs_linux(enum hv_kvm_flavour f)
{
	return f == HV_KVM_SVM || f == HV_KVM_VMX;
}
