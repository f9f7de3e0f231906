/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvirt domain XML and xl.cfg: `xl domxml-to-libvirt' and `xl
 * domxml-from-libvirt'.  The XML is libvirt's domain format for a `kvm'
 * domain with direct kernel boot.  What maps: name, uuid, memory and
 * maxmem, vcpus and maxvcpus, cpus (one CPU set or one per vCPU),
 * cpu_weight and cap (cputune), kernel, ramdisk, cmdline, file and block
 * disks (target, format, vdev, access, cdrom), interfaces (bridge, mac,
 * model, ip, vifname, script, mtu), serial devices and on_poweroff,
 * on_reboot, on_crash.  Everything else is reported by name, one warning
 * line each, and not converted.
 */
#ifndef XL_DOMXML_H
#define XL_DOMXML_H

#include <stddef.h>

#include "xlcli/xl_domcfg.h"
#include "xlcli/xl_util.h"

/* The largest XML document domxml-from-libvirt reads. */
#define XL_DOMXML_MAX (4u * 1024 * 1024)

/*
 * The libvirt domain XML of @dc into *@xml (malloc'd, NUL-terminated).
 * What does not map goes to @d as warnings "SOURCE: warning: ...".
 * Returns 0, -EINVAL (see @d) or -ENOMEM; *@xml is written on success
 * only.
 */
int xl_domxml_from_domcfg(const struct xl_domcfg *dc, const char *source,
			  char **xml, struct xl_diag *d);

/*
 * Converts @len bytes of libvirt domain XML, named @source in messages,
 * to an xl.cfg file's text in *@cfg (malloc'd).  Errors and warnings go
 * to @d as "SOURCE:LINE: ..." naming the element or value.  Documents
 * with a DOCTYPE are refused (no entities are ever expanded).  Returns
 * 0, -EINVAL (see @d), -EFBIG (larger than XL_DOMXML_MAX) or -ENOMEM.
 */
int xl_domxml_to_xlcfg(const char *source, const char *data, size_t len,
		       char **cfg, struct xl_diag *d);

#endif
