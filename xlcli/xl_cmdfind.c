// SPDX-License-Identifier: GPL-2.0
/* Finding a command by its name or an unambiguous prefix (as xl does). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "xlcli/xl.h"

const struct xl_cmd *xl_cmd_lookup(const struct xl_cmd *tab, size_t n,
				   const char *name)
{
	const struct xl_cmd *found = NULL;
	size_t i, len = strlen(name);

	if (!len) {
		errno = ENOENT;
		return NULL;
	}
	/* an exact name wins even when it prefixes another command */
	for (i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return &tab[i];
	for (i = 0; i < n; i++) {
		if (strncmp(tab[i].name, name, len))
			continue;
		if (found) {
			errno = EINVAL;
			return NULL;
		}
		found = &tab[i];
	}
	if (!found)
		errno = ENOENT;
	return found;
}
