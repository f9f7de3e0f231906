// SPDX-License-Identifier: GPL-2.0
/*
 * The xl.cfg parser: a hand-written lexer and recursive-descent parser
 * for Xen's configuration grammar (see xl_cfg.h).  Error messages follow
 * the form xl users know: "guest.cfg:3: config parsing error near `-1':
 * lexical error"; a syntax error names what was expected, as libxlu's
 * bison parser does.  After an error the parser skips to the next line
 * and goes on, so one run reports every broken line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcli/xl_cfg.h"

/* Deeper nesting than this is refused rather than recursed into. */
#define CFG_MAX_DEPTH 64
/* Errors reported per parse before giving up (a binary file has many). */
#define CFG_MAX_ERRORS 50
/* Bytes of input quoted in one message. */
#define CFG_MAX_NEAR 120

enum tok {
	T_EOF,
	T_IDENT,
	T_STRING,
	T_NUMBER,
	T_NEWLINE,
	T_ADD,
	T_EQ,
	T_SEMI,
	T_LBR,
	T_RBR,
	T_COMMA,
	T_LEXERR, /* already reported */
	T_NTOKENS
};

/* Token names as bison's verbose messages spell them, in its order. */
static const char *const tok_names[T_NTOKENS] = {
    [T_EOF] = "end of file", [T_IDENT] = "IDENT",     [T_STRING] = "STRING",
    [T_NUMBER] = "NUMBER",   [T_NEWLINE] = "NEWLINE", [T_ADD] = "+=",
    [T_EQ] = "'='",	     [T_SEMI] = "';'",	      [T_LBR] = "'['",
    [T_RBR] = "']'",	     [T_COMMA] = "','",	      [T_LEXERR] = "error",
};

#define BIT(t) (1u << (t))

struct token {
	enum tok type;
	unsigned int line;
	const char *text; /* raw text in the input */
	size_t len;
	char *str; /* IDENT, NUMBER, dequoted STRING: malloc'd */
};

struct parser {
	struct xl_cfg *cfg;
	const char *source; /* owned by cfg */
	const char *p;
	const char *end;
	unsigned int line;
	struct token tok; /* lookahead */
	int have_tok;
	unsigned int err_line; /* last line an error was reported on */
	int nerr;
	int stop; /* too many errors */
	int oom;
	struct xl_diag *diag;
};

static void report(struct parser *ps, unsigned int line, const char *text,
		   size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(struct parser *ps, unsigned int line, const char *text,
		   size_t len, const char *fmt, ...)
{
	struct xl_buf *b = &ps->diag->err;
	va_list ap;

	ps->nerr++;
	if (ps->err_line == line)
		return;
	ps->err_line = line;
	if (ps->diag->nerr >= CFG_MAX_ERRORS) {
		ps->stop = 1;
		xl_buf_printf(b, "%s:%u: too many errors, giving up\n",
			      ps->source, line);
		ps->diag->nerr++;
		return;
	}
	xl_buf_printf(b, "%s:%u: config parsing error near ", ps->source, line);
	if (text) {
		size_t i;

		/* the input may be anything: quote it printably */
		xl_buf_add(b, "`", 1);
		for (i = 0; i < len && i < CFG_MAX_NEAR; i++) {
			unsigned char c = (unsigned char)text[i];

			if (c < 0x20 || c >= 0x7f)
				xl_buf_printf(b, "\\x%02x", c);
			else
				xl_buf_add(b, (const char *)&c, 1);
		}
		if (len > CFG_MAX_NEAR)
			xl_buf_add(b, "...", 3);
		xl_buf_add(b, "': ", 3);
	}
	va_start(ap, fmt);
	xl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	xl_buf_add(b, "\n", 1);
	ps->diag->nerr++;
}

/* Reports the token @t as near-text. */
static void report_tok(struct parser *ps, const struct token *t,
		       const char *msg)
{
	if (t->type == T_NEWLINE)
		report(ps, t->line, NULL, 0, "<newline>: %s", msg);
	else if (t->type == T_EOF)
		report(ps, t->line, NULL, 0, "<end of file>: %s", msg);
	else
		report(ps, t->line, t->text, t->len, "%s", msg);
}

/* The message text after "near X: ", without the near-part. */
static void report_syntax(struct parser *ps, const struct token *t,
			  unsigned int expected)
{
	struct xl_buf msg = {0};
	unsigned int n = 0;
	int i;

	if (t->type == T_LEXERR)
		return;
	for (i = 0; i < T_NTOKENS; i++)
		if (expected & BIT(i))
			n++;
	xl_buf_printf(&msg, "syntax error, unexpected %s", tok_names[t->type]);
	if (n <= 4) {
		const char *sep = ", expecting ";

		for (i = 0; i < T_NTOKENS; i++) {
			if (!(expected & BIT(i)))
				continue;
			xl_buf_printf(&msg, "%s%s", sep, tok_names[i]);
			sep = " or ";
		}
	}
	if (msg.oom)
		ps->oom = 1;
	report_tok(ps, t, xl_buf_str(&msg));
	xl_buf_dispose(&msg);
}

/* Length of the run of non-blank characters at @s (Xen's error text). */
static size_t run_len(const char *s, const char *end)
{
	const char *q = s;

	while (q < end && *q != ' ' && *q != '\t' && *q != '\n')
		q++;
	return (size_t)(q - s);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Dequotes the string token [s, e) (quotes included) into a new string.
 * Returns 0, -EINVAL (reported) or -ENOMEM.
 */
static int dequote(struct parser *ps, const char *s, const char *e,
		   unsigned int line, char **out)
{
	const char *p = s + 1;
	const char *stop = e - 1;
	char *r, *q;
	int v, d, n;

	r = malloc((size_t)(e - s));
	if (!r)
		return -ENOMEM;
	q = r;
	while (p < stop) {
		int c = (unsigned char)*p++;

		if (c != '\\') {
			*q++ = (char)c;
			continue;
		}
		c = (unsigned char)*p++;
		switch (c) {
		case '"':
		case '\'':
		case '\\':
			v = c;
			break;
		case 'a':
			v = '\a';
			break;
		case 'b':
			v = '\b';
			break;
		case 'f':
			v = '\f';
			break;
		case 'n':
			v = '\n';
			break;
		case 'r':
			v = '\r';
			break;
		case 't':
			v = '\t';
			break;
		case 'v':
			v = '\v';
			break;
		case 'x':
			if (stop - p < 2 || hexval(p[0]) < 0 ||
			    hexval(p[1]) < 0) {
				report(ps, line, s, (size_t)(e - s),
				       "\\x in quoted string needs two hex "
				       "digits");
				goto bad;
			}
			v = hexval(p[0]) * 16 + hexval(p[1]);
			p += 2;
			break;
		default:
			if (c < '0' || c > '7') {
				report(ps, line, s, (size_t)(e - s),
				       "invalid character after backslash in "
				       "quoted string");
				goto bad;
			}
			v = c - '0';
			for (n = 1; n < 3 && p < stop; n++) {
				d = *p;
				if (d < '0' || d > '7')
					break;
				v = v * 8 + d - '0';
				p++;
			}
			if (v > 255) {
				report(ps, line, s, (size_t)(e - s),
				       "octal escape out of range in quoted "
				       "string");
				goto bad;
			}
			break;
		}
		if (v == 0) {
			report(ps, line, s, (size_t)(e - s),
			       "NUL character in quoted string");
			goto bad;
		}
		*q++ = (char)v;
	}
	*q = '\0';
	*out = r;
	return 0;
bad:
	free(r);
	return -EINVAL;
}

static int is_ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.';
}

static int is_number_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x';
}

/* Reads the next token into ps->tok.  Lexical errors are reported and
 * come back as T_LEXERR (covering the rest of the blank-free run). */
static void lex(struct parser *ps)
{
	struct token *t = &ps->tok;
	const char *s;
	int c;

	free(t->str);
	t->str = NULL;
again:
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
	s = ps->p;
	t->text = s;
	t->line = ps->line;
	t->len = 0;
	if (s >= ps->end) {
		t->type = T_EOF;
		return;
	}
	c = (unsigned char)*s;
	if (c == '#') {
		while (ps->p < ps->end && *ps->p != '\n')
			ps->p++;
		/* a comment on a last line without '\n' ends the file */
		goto again;
	}
	if (c == '\n') {
		ps->p++;
		ps->line++;
		t->type = T_NEWLINE;
		t->len = 0;
		return;
	}
	if (c >= 'a' && c <= 'z') {
		while (ps->p < ps->end && is_ident_char((unsigned char)*ps->p))
			ps->p++;
		t->type = T_IDENT;
		goto word;
	}
	if (c >= '0' && c <= '9') {
		while (ps->p < ps->end && is_number_char((unsigned char)*ps->p))
			ps->p++;
		t->type = T_NUMBER;
		goto word;
	}
	if (c == '"' || c == '\'') {
		const char *q = s + 1;

		while (q < ps->end && *q != c && *q != '\n') {
			if (*q == '\\' && q + 1 < ps->end && q[1] != '\n')
				q++;
			q++;
		}
		if (q >= ps->end || *q != c)
			goto lexerr;
		ps->p = q + 1;
		t->len = (size_t)(ps->p - s);
		switch (dequote(ps, s, ps->p, ps->line, &t->str)) {
		case 0:
			t->type = T_STRING;
			return;
		case -ENOMEM:
			ps->oom = 1;
			/* fall through */
		default:
			t->type = T_LEXERR;
			return;
		}
	}
	ps->p++;
	t->len = 1;
	switch (c) {
	case '=':
		t->type = T_EQ;
		return;
	case ';':
		t->type = T_SEMI;
		return;
	case '[':
		t->type = T_LBR;
		return;
	case ']':
		t->type = T_RBR;
		return;
	case ',':
		t->type = T_COMMA;
		return;
	case '+':
		if (ps->p < ps->end && *ps->p == '=') {
			ps->p++;
			t->len = 2;
			t->type = T_ADD;
			return;
		}
		break;
	}
	ps->p = s;
lexerr:
	t->len = run_len(s, ps->end);
	ps->p = s + t->len;
	t->type = T_LEXERR;
	report(ps, t->line, s, t->len, "lexical error");
	return;
word:
	t->len = (size_t)(ps->p - s);
	t->str = strndup(s, t->len);
	if (!t->str) {
		ps->oom = 1;
		t->type = T_LEXERR;
	}
}

static const struct token *peek(struct parser *ps)
{
	if (!ps->have_tok) {
		lex(ps);
		ps->have_tok = 1;
	}
	return &ps->tok;
}

static void consume(struct parser *ps)
{
	ps->have_tok = 0;
}

/* Skips to the end of the line (the `error NEWLINE' rule). */
static void recover(struct parser *ps)
{
	for (;;) {
		const struct token *t = peek(ps);

		if (t->type == T_EOF)
			return;
		consume(ps);
		if (t->type == T_NEWLINE)
			return;
	}
}

static void skip_newlines(struct parser *ps)
{
	while (peek(ps)->type == T_NEWLINE)
		consume(ps);
}

static void value_free(struct xl_cfg_value *v)
{
	size_t i;

	if (!v)
		return;
	free(v->atom);
	for (i = 0; i < v->nitems; i++)
		value_free(v->items[i]);
	free(v->items);
	free(v);
}

static int list_append(struct xl_cfg_value *l, struct xl_cfg_value *item)
{
	if (l->nitems == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		struct xl_cfg_value **n;

		n = realloc(l->items, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->items = n;
		l->cap = ncap;
	}
	l->items[l->nitems++] = item;
	return 0;
}

/*
 * value := STRING | NUMBER | '[' ... ']'.  @in_list selects what a
 * syntax error says was expected.  Returns the value, or NULL after an
 * error was reported (or on -ENOMEM, with ps->oom set).
 */
static struct xl_cfg_value *parse_value(struct parser *ps, int depth,
					int in_list)
{
	const struct token *t = peek(ps);
	struct xl_cfg_value *v;

	v = calloc(1, sizeof(*v));
	if (!v) {
		ps->oom = 1;
		return NULL;
	}
	v->line = t->line;
	if (t->type == T_STRING || t->type == T_NUMBER) {
		v->type = XL_CFG_ATOM;
		v->is_number = t->type == T_NUMBER;
		v->atom = ps->tok.str;
		ps->tok.str = NULL;
		consume(ps);
		return v;
	}
	if (t->type != T_LBR) {
		if (in_list)
			report_syntax(ps, t, ~0u);
		else
			report_syntax(
			    ps, t, BIT(T_STRING) | BIT(T_NUMBER) | BIT(T_LBR));
		goto fail;
	}
	if (depth >= CFG_MAX_DEPTH) {
		report_tok(ps, t, "lists nested too deeply");
		goto fail;
	}
	consume(ps);
	v->type = XL_CFG_LIST;
	skip_newlines(ps);
	for (;;) {
		struct xl_cfg_value *item;

		t = peek(ps);
		if (t->type == T_RBR) {
			consume(ps);
			return v;
		}
		item = parse_value(ps, depth + 1, 1);
		if (!item)
			goto fail;
		if (list_append(v, item)) {
			value_free(item);
			ps->oom = 1;
			goto fail;
		}
		skip_newlines(ps);
		t = peek(ps);
		if (t->type == T_RBR)
			continue;
		if (t->type != T_COMMA) {
			report_syntax(
			    ps, t, BIT(T_NEWLINE) | BIT(T_RBR) | BIT(T_COMMA));
			goto fail;
		}
		consume(ps);
		skip_newlines(ps);
	}
fail:
	value_free(v);
	return NULL;
}

static struct xl_cfg_setting *find(const struct xl_cfg *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nset; i++)
		if (!strcmp(cfg->set[i].name, name))
			return &cfg->set[i];
	return NULL;
}

const struct xl_cfg_setting *xl_cfg_find(const struct xl_cfg *cfg,
					 const char *name)
{
	return find(cfg, name);
}

/*
 * Stores @v (taking ownership) under @name; @add for '+='.  Returns 0,
 * -EINVAL (reported) or -ENOMEM.
 */
static int store(struct parser *ps, const struct token *name_tok,
		 const char *name, int add, struct xl_cfg_value *v)
{
	struct xl_cfg *cfg = ps->cfg;
	struct xl_cfg_setting *s = find(cfg, name);
	struct xl_cfg_value *old;
	size_t i;

	if (s && add) {
		old = s->value;
		if (old->is_number || v->is_number) {
			report(ps, v->line, name_tok->text, name_tok->len,
			       "+= cannot be used on a number");
			goto einval;
		}
		if (old->type != v->type) {
			report(ps, v->line, name_tok->text, name_tok->len,
			       "can't add [list] to \"string\" or vice versa");
			goto einval;
		}
		if (old->type == XL_CFG_ATOM) {
			size_t a = strlen(old->atom), b = strlen(v->atom);
			char *n = realloc(old->atom, a + b + 1);

			if (!n)
				goto enomem;
			memcpy(n + a, v->atom, b + 1);
			old->atom = n;
		} else {
			for (i = 0; i < v->nitems; i++) {
				if (list_append(old, v->items[i]))
					goto enomem;
				v->items[i] = NULL;
			}
		}
		s->line = v->line;
		s->source = ps->source;
		value_free(v);
		return 0;
	}
	if (s) {
		value_free(s->value);
		s->value = v;
		s->line = v->line;
		s->source = ps->source;
		return 0;
	}
	if (cfg->nset == cfg->capset) {
		size_t ncap = cfg->capset ? cfg->capset * 2 : 16;
		struct xl_cfg_setting *n;

		n = realloc(cfg->set, ncap * sizeof(*n));
		if (!n)
			goto enomem;
		cfg->set = n;
		cfg->capset = ncap;
	}
	s = &cfg->set[cfg->nset];
	s->name = strdup(name);
	if (!s->name)
		goto enomem;
	s->value = v;
	s->line = v->line;
	s->source = ps->source;
	cfg->nset++;
	return 0;
enomem:
	ps->oom = 1;
	value_free(v);
	return -ENOMEM;
einval:
	value_free(v);
	return -EINVAL;
}

/* Parses one statement starting at IDENT (the lookahead). */
static void parse_assignment(struct parser *ps)
{
	struct token name_tok = ps->tok;
	struct xl_cfg_value *v;
	const struct token *t;
	char *name;
	int add;

	name = ps->tok.str;
	ps->tok.str = NULL;
	name_tok.str = NULL;
	consume(ps);
	t = peek(ps);
	if (t->type != T_EQ && t->type != T_ADD) {
		report_syntax(ps, t, BIT(T_ADD) | BIT(T_EQ));
		goto recover;
	}
	add = t->type == T_ADD;
	consume(ps);
	v = parse_value(ps, 0, 0);
	if (!v)
		goto recover;
	t = peek(ps);
	if (t->type != T_NEWLINE && t->type != T_SEMI && t->type != T_EOF) {
		report_syntax(ps, t, BIT(T_EOF) | BIT(T_NEWLINE) | BIT(T_SEMI));
		value_free(v);
		goto recover;
	}
	if (t->type != T_EOF)
		consume(ps);
	store(ps, &name_tok, name, add, v);
	free(name);
	return;
recover:
	free(name);
	recover(ps);
}

static const char *add_source(struct xl_cfg *cfg, const char *source)
{
	char **n;
	size_t i;

	for (i = 0; i < cfg->nsources; i++)
		if (!strcmp(cfg->sources[i], source))
			return cfg->sources[i];
	n = realloc(cfg->sources, (cfg->nsources + 1) * sizeof(*n));
	if (!n)
		return NULL;
	cfg->sources = n;
	n[cfg->nsources] = strdup(source);
	if (!n[cfg->nsources])
		return NULL;
	return n[cfg->nsources++];
}

int xl_cfg_parse(struct xl_cfg *cfg, const char *source, const char *data,
		 size_t len, struct xl_diag *diag)
{
	struct parser ps = {0};
	int rc;

	ps.cfg = cfg;
	ps.diag = diag;
	ps.p = data;
	ps.end = data + len;
	ps.line = 1;
	ps.source = add_source(cfg, source);
	if (!ps.source)
		return -ENOMEM;

	while (!ps.oom && !ps.stop) {
		const struct token *t = peek(&ps);

		switch (t->type) {
		case T_EOF:
			goto done;
		case T_NEWLINE:
		case T_SEMI:
			consume(&ps);
			break;
		case T_IDENT:
			parse_assignment(&ps);
			break;
		case T_LEXERR:
			recover(&ps);
			break;
		default:
			report_syntax(&ps, t,
				      BIT(T_EOF) | BIT(T_IDENT) |
					  BIT(T_NEWLINE) | BIT(T_SEMI));
			recover(&ps);
			break;
		}
	}
done:
	free(ps.tok.str);
	if (ps.oom || diag->err.oom)
		rc = -ENOMEM;
	else if (ps.nerr)
		rc = -EINVAL;
	else
		rc = 0;
	return rc;
}

int xl_cfg_parse_file(struct xl_cfg *cfg, const char *path,
		      struct xl_diag *diag)
{
	struct xl_buf data = {0};
	char chunk[65536];
	int fd = -1;
	ssize_t r;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		rc = xl_buf_add(&data, chunk, (size_t)r);
		if (rc)
			goto out;
	}
	rc = xl_cfg_parse(cfg, path, data.s ? data.s : "", data.len, diag);
out:
	if (fd >= 0)
		close(fd);
	xl_buf_dispose(&data);
	return rc;
}

struct xl_cfg *xl_cfg_new(void)
{
	return calloc(1, sizeof(struct xl_cfg));
}

void xl_cfg_free(struct xl_cfg *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nset; i++) {
		free(cfg->set[i].name);
		value_free(cfg->set[i].value);
	}
	free(cfg->set);
	for (i = 0; i < cfg->nsources; i++)
		free(cfg->sources[i]);
	free(cfg->sources);
	free(cfg);
}

int xl_cfg_quote(struct xl_buf *out, const char *s)
{
	xl_buf_add(out, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			xl_buf_add(out, "\\\"", 2);
			break;
		case '\\':
			xl_buf_add(out, "\\\\", 2);
			break;
		case '\n':
			xl_buf_add(out, "\\n", 2);
			break;
		case '\t':
			xl_buf_add(out, "\\t", 2);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				xl_buf_printf(out, "\\x%02x", c);
			else
				xl_buf_add(out, (const char *)&c, 1);
		}
	}
	xl_buf_add(out, "\"", 1);
	return out->oom ? -ENOMEM : 0;
}

static void dump_value(const struct xl_cfg_value *v, struct xl_buf *out)
{
	size_t i;

	if (v->type == XL_CFG_ATOM) {
		if (v->is_number)
			xl_buf_printf(out, "%s", v->atom);
		else
			xl_cfg_quote(out, v->atom);
		return;
	}
	xl_buf_add(out, "[", 1);
	for (i = 0; i < v->nitems; i++) {
		if (i)
			xl_buf_add(out, ", ", 2);
		dump_value(v->items[i], out);
	}
	xl_buf_add(out, "]", 1);
}

int xl_cfg_dump(const struct xl_cfg *cfg, struct xl_buf *out)
{
	size_t i;

	for (i = 0; i < cfg->nset; i++) {
		xl_buf_printf(out, "%s@%u = ", cfg->set[i].name,
			      cfg->set[i].line);
		dump_value(cfg->set[i].value, out);
		xl_buf_add(out, "\n", 1);
	}
	return out->oom ? -ENOMEM : 0;
}
