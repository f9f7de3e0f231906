// SPDX-License-Identifier: LGPL-2.1
/* Where the project's programs find each other (see dc_path.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dc_path.h"

/* libdomctl/Makefile.am gives the build's and the install's directories. */
#if !defined(DC_PATH_BUILDDIR) || !defined(DC_PATH_SRCDIR) || \
	!defined(DC_PATH_SBINDIR) || !defined(DC_PATH_BINDIR) || \
	!defined(DC_PATH_LIBEXECDIR) || !defined(DC_PATH_PKGLIBEXECDIR) || \
	!defined(DC_PATH_SYSCONFDIR)
#error "dc_path.c needs the directories libdomctl/Makefile.am defines"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { FROM_ENV, FROM_TREE, FROM_INSTALL };

static const struct {
	const char *env;
	const char *path[3];	/* FROM_TREE and FROM_INSTALL */
	const char *how[3];
} files[] = {
	[DC_PATH_XLHV] = {
		"XLD_XLHV",
		{ NULL, DC_PATH_BUILDDIR "/hypervisor/xlhv",
		  DC_PATH_SBINDIR "/xlhv" },
		{ "from $XLD_XLHV",
		  "the build tree's xlhv; XLD_XLHV overrides it",
		  "the installed xlhv; XLD_XLHV overrides it" },
	},
	[DC_PATH_XL_DOMXML] = {
		"XL_DOMXML",
		{ NULL, DC_PATH_BUILDDIR "/xlcli/xl-domxml",
		  DC_PATH_PKGLIBEXECDIR "/xl-domxml" },
		{ "from $XL_DOMXML",
		  "the build tree's xl-domxml; XL_DOMXML overrides it",
		  "the installed xl-domxml; XL_DOMXML overrides it" },
	},
	[DC_PATH_SCRIPTDIR] = {
		"XLD_SCRIPTDIR",
		/* the scripts are sources: the build tree has none */
		{ NULL, DC_PATH_SRCDIR "/xld/scripts",
		  DC_PATH_SYSCONFDIR "/xld/scripts" },
		{ "in $XLD_SCRIPTDIR",
		  "in the source tree's xld/scripts; XLD_SCRIPTDIR overrides it",
		  "in the installed scripts; XLD_SCRIPTDIR overrides it" },
	},
};

/* Is @path @dir itself or inside it?  Both absolute. */
static int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 0 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* @dir with its symbolic links resolved (in @buf), or as it is. */
static const char *real_dir(const char *dir, char buf[PATH_MAX])
{
	return realpath(dir, buf) ? buf : dir;
}

int dc_path_exe_in_tree(const char *exe)
{
	/* where programs are installed, should that be in the build tree */
	static const char *const installed[] = {
		DC_PATH_SBINDIR, DC_PATH_BINDIR, DC_PATH_LIBEXECDIR,
	};
	char buf[PATH_MAX];
	size_t i;

	if (!exe || exe[0] != '/' ||
	    !path_under(exe, real_dir(DC_PATH_BUILDDIR, buf)))
		return 0;
	for (i = 0; i < ARRAY_SIZE(installed); i++)
		if (path_under(exe, real_dir(installed[i], buf)))
			return 0;
	return 1;
}

int dc_path_find_for(const char *exe, enum dc_path_file file, char *buf,
		     size_t len, const char **how)
{
	const char *p;
	size_t n;
	int from;

	if ((unsigned int)file >= ARRAY_SIZE(files))
		return -EINVAL;
	p = getenv(files[file].env);
	if (p && *p)
		from = FROM_ENV;
	else
		from = dc_path_exe_in_tree(exe) ? FROM_TREE : FROM_INSTALL;
	if (from != FROM_ENV)
		p = files[file].path[from];
	n = strlen(p);
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, p, n + 1);
	if (how)
		*how = files[file].how[from];
	return 0;
}

int dc_path_find(enum dc_path_file file, char *buf, size_t len,
		 const char **how)
{
	char exe[PATH_MAX];

	/* NULL (no /proc, a deleted binary): the installed paths */
	return dc_path_find_for(realpath("/proc/self/exe", exe), file, buf,
				len, how);
}
