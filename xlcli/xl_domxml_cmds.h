/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xl's two libvirt domain XML commands.  They live in their own program,
 * xl-domxml, so that only it links libxml2 (and the ICU and C++ runtime
 * libxml2 brings): every other xl command starts without loading them.
 * xl's rows run xl-domxml; xl-domxml's rows convert.  Both tables are
 * made from XL_DOMXML_ROWS, so `xl help CMD' and `xl CMD -h' agree.
 */
#ifndef XL_DOMXML_CMDS_H
#define XL_DOMXML_CMDS_H

/* rows laid out as in xl_cmdtable.c, not as clang-format would */
/* clang-format off */
#define XL_DOMXML_ROWS(to_libvirt, from_libvirt)				\
	{"domxml-to-libvirt", to_libvirt, 0,					\
	 "Convert an xl domain config to libvirt domain XML",		\
	 "<ConfigFile>", "-h, --help          Print this help."},		\
	{"domxml-from-libvirt", from_libvirt, 0,				\
	 "Convert libvirt domain XML to an xl domain config",		\
	 "<XMLFile>", "-h, --help          Print this help."}
/* clang-format on */

/*
 * xl's side of either command: execs xl-domxml with the command's full
 * name and its arguments, so the exit status, output and messages are
 * xl-domxml's.  Returns 1, having said why, only if that cannot run.
 */
int main_domxml_run(int argc, char **argv);

#endif
