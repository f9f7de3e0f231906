/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xl.cfg parser: Xen's configuration file grammar (the one libxlu
 * accepts), used for domain configs, `xl create` overrides and xl.conf.
 *
 *   file       := { statement } [ assignment ]
 *   statement  := [ assignment ] ( NEWLINE | ';' )
 *   assignment := IDENT ( '=' | '+=' ) value
 *   value      := STRING | NUMBER | '[' { NEWLINE } [ values ] ']'
 *   values     := value { NEWLINE } { ',' { NEWLINE } value { NEWLINE } }
 *                 [ ',' { NEWLINE } ]
 *
 * IDENT is [a-z][._0-9a-z]*, NUMBER is [0-9][0-9a-fx]* (read later with
 * strtoul base 0: decimal, 0x hex, 0 octal), STRING is quoted with ' or "
 * on one line with C escapes; '#' starts a comment.  Both numbers and
 * strings are "atoms": a number may be given as a string.  The last
 * assignment to a key wins; '+=' appends to a string or a list.
 */
#ifndef XL_CFG_H
#define XL_CFG_H

#include <stddef.h>

#include "xlcli/xl_util.h"

enum xl_cfg_type {
	XL_CFG_ATOM,
	XL_CFG_LIST,
};

struct xl_cfg_value {
	enum xl_cfg_type type;
	unsigned int line;	     /* where the value starts */
	int is_number;		     /* an atom written as a NUMBER */
	char *atom;		     /* XL_CFG_ATOM */
	struct xl_cfg_value **items; /* XL_CFG_LIST */
	size_t nitems;
	size_t cap;
};

struct xl_cfg_setting {
	char *name;
	struct xl_cfg_value *value;
	const char *source; /* file name, owned by the config */
	unsigned int line;  /* of the value last assigned */
};

struct xl_cfg {
	struct xl_cfg_setting *set; /* in order of first assignment */
	size_t nset;
	size_t capset;
	char **sources;
	size_t nsources;
};

/* Returns an empty config, or NULL with errno set. */
struct xl_cfg *xl_cfg_new(void);
void xl_cfg_free(struct xl_cfg *cfg);

/*
 * Parses @len bytes of @data, named @source in messages, into @cfg,
 * after what it already holds (so overrides and '+=' see earlier
 * settings).  Errors go to @diag as "SOURCE:LINE: config parsing error
 * near `TEXT': WHY".  Returns 0, -EINVAL on a syntax error (then @cfg
 * must be discarded) or -ENOMEM.
 */
int xl_cfg_parse(struct xl_cfg *cfg, const char *source, const char *data,
		 size_t len, struct xl_diag *diag);

/* Reads and parses the file @path (named as given in messages).  Returns
 * 0, -EINVAL, -ENOMEM or the -errno of opening or reading it. */
int xl_cfg_parse_file(struct xl_cfg *cfg, const char *path,
		      struct xl_diag *diag);

/* The setting named @name, or NULL. */
const struct xl_cfg_setting *xl_cfg_find(const struct xl_cfg *cfg,
					 const char *name);

/*
 * Appends a canonical dump of @cfg to @out, one setting per line in the
 * order of first assignment: NAME@LINE = VALUE, atoms that were numbers
 * bare, strings double-quoted with C escapes, lists in brackets.
 */
int xl_cfg_dump(const struct xl_cfg *cfg, struct xl_buf *out);

/* Appends @s to @out double-quoted, with C escapes for unprintables. */
int xl_cfg_quote(struct xl_buf *out, const char *s);

#endif
