// SPDX-License-Identifier: GPL-2.0
/*
 * xld's list reply, read as a stream of events.  With 1000 domains the
 * reply is 200 KB; a json-c tree of it costs most of `xl list' (measured:
 * 20 of 33 million instructions to parse, 7 more to free), where this
 * keeps only the row being read.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "xlcli/xl_domrows.h"

/* What a map or array is, by where it sits in the reply. */
enum role { R_TOP, R_RESULT, R_DOMAINS, R_ROW, R_OTHER };

/* The row fields by key; F_NONE for keys the table does not show. */
enum field {
	F_NONE,
	F_DOMID,
	F_MEMORY,
	F_VCPUS,
	F_CPUTIME,
	F_NAME,
	F_UUID,
	F_STATE,
	F_REASON,
};

#define FIELD(k, f) {k, sizeof(k) - 1, f}
static const struct {
	const char *key;
	size_t len;
	enum field field;
} fields[] = {
    FIELD("domid", F_DOMID), FIELD("memory_kib", F_MEMORY),
    FIELD("vcpus", F_VCPUS), FIELD("cpu_time_ns", F_CPUTIME),
    FIELD("name", F_NAME),   FIELD("uuid", F_UUID),
    FIELD("state", F_STATE), FIELD("shutdown_reason", F_REASON),
};

#define DEPTH_MAX 4 /* top, result, domains, row: deeper is skipped */

struct parse {
	struct xl_dom_rows *rows;
	enum role stack[DEPTH_MAX];
	int depth;	   /* entries used in stack */
	int skip;	   /* open containers below an R_OTHER */
	char key[16];	   /* the key of the next value (a longer one: "") */
	enum field field;  /* the key of the next value, in R_ROW */
	int domains, error; /* result.domains seen; an error member seen */
	int odd;	    /* a domain that is not an object */
	int nomem;
};

static int key_is(const struct parse *p, const char *k)
{
	return !strcmp(p->key, k);
}

static struct xl_dom_row *cur(struct parse *p)
{
	return &p->rows->row[p->rows->n - 1];
}

static int in_row(const struct parse *p)
{
	return !p->skip && p->depth && p->stack[p->depth - 1] == R_ROW;
}

/* A value at the top level named "error" makes this an error reply; a
 * scalar among the domains is not a domain. */
static void top_value(struct parse *p)
{
	if (!p->skip && p->depth == 1 && key_is(p, "error"))
		p->error = 1;
	if (!p->skip && p->depth && p->stack[p->depth - 1] == R_DOMAINS)
		p->odd = 1;
}

static void set_int(struct parse *p, int64_t v)
{
	struct xl_dom_row *r = cur(p);

	switch (p->field) {
	case F_DOMID:
		r->domid = v;
		break;
	case F_MEMORY:
		r->memory_kib = v;
		break;
	case F_VCPUS:
		r->vcpus = v;
		break;
	case F_CPUTIME:
		r->cpu_time_ns = v;
		break;
	default:
		break;
	}
}

static int on_integer(void *ctx, long long v)
{
	struct parse *p = ctx;

	top_value(p);
	if (in_row(p))
		set_int(p, v);
	return 1;
}

static int on_double(void *ctx, double v)
{
	struct parse *p = ctx;

	top_value(p);
	if (in_row(p) && v > (double)INT64_MIN && v < (double)INT64_MAX)
		set_int(p, (int64_t)v);
	return 1;
}

static int on_scalar(void *ctx)
{
	top_value(ctx);
	return 1;
}

static int on_boolean(void *ctx, int v)
{
	(void)v;
	return on_scalar(ctx);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parse *p = ctx;
	struct xl_dom_row *r;
	char **dst = NULL;

	top_value(p);
	if (!in_row(p))
		return 1;
	r = cur(p);
	switch (p->field) {
	case F_NAME:
		dst = &r->name;
		break;
	case F_UUID:
		dst = &r->uuid;
		break;
	case F_STATE:
		dst = &r->state;
		break;
	case F_REASON:
		dst = &r->reason;
		break;
	default:
		return 1;
	}
	free(*dst); /* a repeated key: the last one counts, as in json-c */
	*dst = strndup((const char *)s, len);
	if (!*dst) {
		p->nomem = 1;
		return 0;
	}
	return 1;
}

static int on_key(void *ctx, const unsigned char *k, size_t len)
{
	struct parse *p = ctx;
	size_t i;

	if (p->skip)
		return 1;
	/* a copy: yajl may reuse the key's buffer for the value */
	p->key[0] = '\0';
	if (len < sizeof(p->key) && !memchr(k, '\0', len)) {
		memcpy(p->key, k, len);
		p->key[len] = '\0';
	}
	p->field = F_NONE;
	if (in_row(p))
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (fields[i].len == len &&
			    !memcmp(fields[i].key, k, len))
				p->field = fields[i].field;
	return 1;
}

static int row_new(struct parse *p)
{
	struct xl_dom_rows *rows = p->rows;
	struct xl_dom_row *n;

	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;

		n = realloc(rows->row, cap * sizeof(*n));
		if (!n) {
			p->nomem = 1;
			return -ENOMEM;
		}
		rows->row = n;
		rows->cap = cap;
	}
	memset(&rows->row[rows->n++], 0, sizeof(*n));
	return 0;
}

/* Open a container: its role follows from its parent and its key. */
static int container_open(struct parse *p, int is_map)
{
	enum role parent, role = R_OTHER;

	if (p->skip) {
		p->skip++;
		return 1;
	}
	parent = p->depth ? p->stack[p->depth - 1] : R_OTHER;
	if (parent != R_DOMAINS)
		top_value(p);
	else if (!is_map)
		p->odd = 1;
	if (!p->depth && is_map)
		role = R_TOP;
	else if (parent == R_TOP && is_map && key_is(p, "result"))
		role = R_RESULT;
	else if (parent == R_RESULT && !is_map && key_is(p, "domains"))
		role = R_DOMAINS;
	else if (parent == R_DOMAINS && is_map)
		role = R_ROW;
	if (role == R_OTHER || p->depth == DEPTH_MAX) {
		p->skip = 1;
		return 1;
	}
	if (role == R_ROW && row_new(p))
		return 0;
	if (role == R_DOMAINS)
		p->domains = 1;
	p->stack[p->depth++] = role;
	p->key[0] = '\0';
	p->field = F_NONE;
	return 1;
}

static int container_close(struct parse *p)
{
	if (p->skip)
		p->skip--;
	else if (p->depth)
		p->depth--;
	return 1;
}

static int on_start_map(void *ctx)
{
	return container_open(ctx, 1);
}

static int on_start_array(void *ctx)
{
	return container_open(ctx, 0);
}

static int on_end(void *ctx)
{
	return container_close(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_scalar,
    .yajl_boolean = on_boolean,
    .yajl_integer = on_integer,
    .yajl_double = on_double,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

int xl_dom_rows_parse(const char *line, struct xl_dom_rows *rows)
{
	struct parse p = {.rows = rows};
	yajl_handle h = yajl_alloc(&callbacks, NULL, &p);
	yajl_status st;

	if (!h)
		return -ENOMEM;
	st = yajl_parse(h, (const unsigned char *)line, strlen(line));
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	if (p.nomem)
		return -ENOMEM;
	if (st != yajl_status_ok || p.error || p.odd || !p.domains)
		return -EPROTO;
	return 0;
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

/* A copy of string member @key; NULL when absent, null or not a string. */
static int jdup(json_object *o, const char *key, char **out)
{
	json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

int xl_dom_rows_add_json(struct xl_dom_rows *rows, json_object *d)
{
	struct parse p = {.rows = rows};
	struct xl_dom_row *r;

	if (row_new(&p))
		return -ENOMEM;
	r = cur(&p);
	r->domid = jint(d, "domid");
	r->memory_kib = jint(d, "memory_kib");
	r->vcpus = jint(d, "vcpus");
	r->cpu_time_ns = jint(d, "cpu_time_ns");
	if (jdup(d, "name", &r->name) || jdup(d, "uuid", &r->uuid) ||
	    jdup(d, "state", &r->state) ||
	    jdup(d, "shutdown_reason", &r->reason))
		return -ENOMEM;
	return 0;
}

void xl_dom_rows_free(struct xl_dom_rows *rows)
{
	size_t i;

	if (!rows)
		return;
	for (i = 0; i < rows->n; i++) {
		free(rows->row[i].name);
		free(rows->row[i].uuid);
		free(rows->row[i].state);
		free(rows->row[i].reason);
	}
	free(rows->row);
	rows->row = NULL;
	rows->n = rows->cap = 0;
}
