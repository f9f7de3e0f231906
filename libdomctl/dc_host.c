// SPDX-License-Identifier: LGPL-2.1
/* What this host's KVM is, as the monitor's `info` command reports it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dc_hvinfo.h"
#include "dc_internal.h"

/* `xlhv info` prints a dozen short lines; anything past this is not it. */
#define INFO_MAX 4096

int dc_host_kvm(dc_ctx *ctx, struct dc_host_kvm *kvm)
{
	char text[INFO_MAX + 1], v[8];
	int rc, st;

	memset(kvm, 0, sizeof(*kvm));
	rc = dc_hvinfo_run(ctx->xlhv, text, sizeof(text), &st);
	if (rc) {
		snprintf(kvm->why, sizeof(kvm->why), "cannot run %s: %s",
			 ctx->xlhv, strerror(-rc));
		return rc;
	}
	if (!dc_hvinfo_value(text, "virt_caps", kvm->virt_caps,
			     sizeof(kvm->virt_caps)) || !kvm->virt_caps[0])
		snprintf(kvm->virt_caps, sizeof(kvm->virt_caps), "unknown");
	if (st == 0) {
		kvm->runs_linux = dc_hvinfo_value(text, "runs_linux", v,
						  sizeof(v)) &&
				  !strcmp(v, "yes");
		kvm->usable = 1;
	} else if (!dc_hvinfo_reason(text, kvm->why, sizeof(kvm->why))[0]) {
		snprintf(kvm->why, sizeof(kvm->why), "xlhv info failed");
	}
	return 0;
}
