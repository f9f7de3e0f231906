/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Where the project's programs find each other: the monitor (xlhv), xl's
 * libvirt XML converter (xl-domxml) and xld's hotplug scripts.  One rule
 * for libdomctl, xl and xld, as libtool's and git's uninstalled programs
 * have it:
 *   1. the file's environment variable, when set and not empty;
 *   2. else, when the running program is an uninstalled one of the build
 *      tree it was built in (/proc/self/exe lies inside that build
 *      directory, and not in an install directory), the build tree's copy;
 *   3. else the installed path.
 * A leaf module: it includes nothing of the project and is linked (as
 * libdcpath.la) into libdomctl, xl and xld.
 */
#ifndef DC_PATH_H
#define DC_PATH_H

#include <stddef.h>

enum dc_path_file {
	DC_PATH_XLHV,		/* the monitor: $XLD_XLHV */
	DC_PATH_XL_DOMXML,	/* xl's libvirt XML converter: $XL_DOMXML */
	DC_PATH_SCRIPTDIR,	/* the directory of xld's hotplug scripts:
				 * $XLD_SCRIPTDIR */
};

/*
 * The path of @file into @buf (@len bytes), for the running program.
 * @how, if not NULL, gets where that path came from, for messages:
 * "from $XLD_XLHV", "the build tree's xlhv; XLD_XLHV overrides it" or
 * "the installed xlhv; XLD_XLHV overrides it" (a static string; for
 * DC_PATH_SCRIPTDIR it reads "in ...", for a script in that directory).
 * Returns 0, -EINVAL for an unknown @file, or -ENAMETOOLONG when the path
 * does not fit (@buf and @how are then not written).  Nothing is checked
 * on disk: the caller's error when the path does not work names it, with
 * @how.
 */
int dc_path_find(enum dc_path_file file, char *buf, size_t len,
		 const char **how);

/*
 * The same for a program at @exe, an absolute path with no symbolic
 * links (NULL: a program of no build tree).  For tests.
 */
int dc_path_find_for(const char *exe, enum dc_path_file file, char *buf,
		     size_t len, const char **how);

/*
 * 1 if @exe (absolute, no symbolic links) is an uninstalled program of
 * this build tree, else 0.
 */
int dc_path_exe_in_tree(const char *exe);

#endif
