/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which kind of KVM backs /dev/kvm: hardware-assisted (AMD SVM, Intel VMX),
 * which runs unmodified guests, or PVM, which runs only the project's small
 * long-mode test guests.  See DESIGN.md, "Two kinds of KVM".
 */
#ifndef HV_KVM_FLAVOUR_H
#define HV_KVM_FLAVOUR_H

enum hv_kvm_flavour {
	HV_KVM_NONE = 0,	/* no KVM device: no module bound to one */
	HV_KVM_SVM,		/* kvm_amd on a CPU with the svm flag */
	HV_KVM_VMX,		/* kvm_intel on a CPU with the vmx flag */
	HV_KVM_PVM,		/* kvm_pvm: no hardware virtualization */
};

/*
 * Detect the flavour from the module list and CPU flags under @sysroot
 * ("/" on a real system; tests pass a fake tree).  Returns the flavour;
 * never fails: anything unrecognised is HV_KVM_NONE.
 */
enum hv_kvm_flavour hv_kvm_flavour_detect(const char *sysroot);

/*
 * Why a host whose flavour is HV_KVM_NONE offers no KVM, from its CPU
 * flags under @sysroot: a CPU with AMD-V or VT-x whose module is not
 * loaded, a virtual machine without nested virtualization, or a CPU
 * without either.  A static string, never NULL.
 */
const char *hv_kvm_absent_reason(const char *sysroot);

/*
 * The one line xlhv, xld and xl say where there is no KVM: what is
 * missing and what would serve.  A format with one %s for the reason.
 */
#define HV_KVM_ABSENT_FMT						\
	"this host offers no KVM: %s; guests need a host with AMD-V or "	\
	"VT-x (for testing: tests/testhost/run, see xlhv(8))"

/* "svm", "vmx", "pvm" or "none": the word `xl info` prints as virt_caps. */
const char *hv_kvm_flavour_name(enum hv_kvm_flavour f);

/* Nonzero when the flavour can run an unmodified Linux kernel. */
int hv_kvm_flavour_runs_linux(enum hv_kvm_flavour f);

#endif
