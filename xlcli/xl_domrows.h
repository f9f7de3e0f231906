/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rows of `xl list': the fields of each domain that the table shows,
 * read from xld's list reply with yajl's event parser (no object tree for
 * a thousand domains), or taken from a json-c object.
 */
#ifndef XL_DOMROWS_H
#define XL_DOMROWS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct xl_dom_row {
	int64_t domid, memory_kib, vcpus, cpu_time_ns;
	char *name, *uuid, *state, *reason; /* NULL when absent or null */
};

struct xl_dom_rows {
	struct xl_dom_row *row;
	size_t n, cap;
};

/*
 * Read xld's reply line @line ({"result": {"domains": [...]}}) into
 * @rows (empty on entry).  -EPROTO when it is anything else (an error
 * reply, bad JSON: decode it with xl_ctl_reply), -ENOMEM.  @rows is to
 * be freed with xl_dom_rows_free whatever the result.
 */
int xl_dom_rows_parse(const char *line, struct xl_dom_rows *rows);

/* Append the row of one domain object @d (as xld's list gives). */
int xl_dom_rows_add_json(struct xl_dom_rows *rows, json_object *d);

void xl_dom_rows_free(struct xl_dom_rows *rows);

#endif
