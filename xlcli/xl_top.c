// SPDX-License-Identifier: GPL-2.0
/*
 * xl top: the host and its domains in xentop's table, refreshed.  One
 * "stats" request to xld per refresh gives every domain (as xl list has
 * it) with its vifs' TAP counters; CPU(%) is the CPU time a domain used
 * since the last refresh over the wall time between the two.
 *
 * The monitors count no block I/O, so xentop's VBD_OO, VBD_RD, VBD_WR,
 * VBD_RSECT and VBD_WSECT columns are left out rather than shown as
 * zeros; VBDS (the configured disks) stays.  There is no XSM: SSID is 0,
 * as on a Xen host without one.
 *
 * The interactive screen is plain ANSI on a termios raw terminal (no
 * curses): the alternate screen, redrawn from the top each time, and put
 * back as it was on every way out (q, Esc, SIGINT/TERM/HUP, errors).
 * -b prints the header and rows only, for scripts, as xentop -b does.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "xlcli/xl.h"
#include "xlcli/xl_ctl.h"
#include "xlcli/xl_util.h"

#define TOP_NAME_MAX 64
#define TOP_VIFS_MAX 8
#define TOP_VCPUS_MAX 512
#define TOP_DELAY_MAX 86400.0
#define TOP_PROMPT_MAX 16

/* A vif as the guest sees it: what it sent is what its TAP received. */
struct top_vif {
	int devid;
	int counted; /* its TAP's counters could be read */
	uint64_t rx_bytes, rx_pkts, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_pkts, tx_errs, tx_drop;
};

struct top_dom {
	uint32_t domid;
	char name[TOP_NAME_MAX + 1];
	char state[7]; /* xentop's letters, "dsbcpr" */
	int rank;      /* the first of those letters set, for sorting */
	uint64_t cpu_ns;
	double cpu_pct;
	uint64_t mem_kib;
	uint64_t maxmem_kib; /* 0: no limit (Domain-0) */
	unsigned int vcpus;
	unsigned int nvbds;
	unsigned int nvifs;
	struct top_vif vifs[TOP_VIFS_MAX];
	uint64_t net_tx, net_rx; /* bytes, every vif */
};

struct top_sample {
	struct top_dom *d;
	size_t n;
	struct timespec mono;
	time_t wall;
	int valid;
};

struct top {
	struct top_sample cur, prev;
	/* options and keys */
	int batch, networks, vcpus, repeat, fullname;
	double delay;
	unsigned long iterations; /* 0: no end */
	int sort;		  /* -1: domid, else a field */
	size_t first;		  /* scrolled past this many domains */
	/* the host */
	uint64_t mem_total_kib, mem_free_kib;
	long cpus;
	unsigned long mhz;
	char version[64];
	/* the terminal */
	int rows, cols;
	int prompting;
	char prompt[TOP_PROMPT_MAX + 1];
	char note[128]; /* shown on the bottom line until the next key */
	char err[640];	/* why it stopped, said once the screen is back */
	struct xl_buf out;
};

static volatile sig_atomic_t got_quit, got_winch, got_tstp;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else if (sig == SIGTSTP)
		got_tstp = 1;
	else
		got_quit = 1;
}

/* ---- reading xld's reply ---- */

static int ju64(json_object *o, const char *key, uint64_t max, uint64_t *out)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v))
		return -ENOENT;
	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < 0 || (uint64_t)n > max)
		return -EINVAL;
	*out = (uint64_t)n;
	return 0;
}

static void letters_set(struct top_dom *d, const char *state,
			const char *reason)
{
	static const char order[] = "dsbcpr";
	char c = '-';

	if (!strcmp(state, "running"))
		c = 'r';
	else if (!strcmp(state, "blocked"))
		c = 'b';
	else if (!strcmp(state, "paused"))
		c = 'p';
	else if (!strcmp(state, "dying"))
		c = 'd';
	else if (!strcmp(state, "shutdown"))
		c = reason && !strcmp(reason, "crash") ? 'c' : 's';
	memcpy(d->state, "------", 7);
	d->rank = 6;
	if (c != '-') {
		d->rank = (int)(strchr(order, c) - order);
		d->state[d->rank] = c;
	}
}

static int vif_parse(json_object *o, struct top_vif *v, char *why, size_t len)
{
	static const char *const keys[8] = {
	    "tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
	    "rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
	};
	/* the TAP's tx is what the guest received (as libxenstat swaps) */
	uint64_t *dst[8] = {&v->rx_bytes, &v->rx_pkts,	&v->rx_errs,
			    &v->rx_drop,  &v->tx_bytes, &v->tx_pkts,
			    &v->tx_errs,  &v->tx_drop};
	json_object *st = NULL;
	uint64_t id;
	int i;

	if (ju64(o, "devid", INT32_MAX, &id)) {
		snprintf(why, len, "a vif without a valid devid");
		return -EINVAL;
	}
	v->devid = (int)id;
	json_object_object_get_ex(o, "stats", &st);
	v->counted = st && json_object_is_type(st, json_type_object);
	for (i = 0; v->counted && i < 8; i++) {
		if (ju64(st, keys[i], INT64_MAX, dst[i])) {
			snprintf(why, len, "vif %d: bad or missing %s",
				 v->devid, keys[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* One domain of the reply into @d; -EINVAL with @why naming the value. */
static int dom_parse(json_object *o, struct top_dom *d, char *why, size_t len)
{
	json_object *v, *a;
	const char *state, *reason = NULL;
	uint64_t n;
	size_t i;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, len, "not an object");
		return -EINVAL;
	}
	if (ju64(o, "domid", 32767, &n)) {
		snprintf(why, len, "bad or missing domid");
		return -EINVAL;
	}
	d->domid = (uint32_t)n;
	if (!json_object_object_get_ex(o, "name", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !json_object_get_string_len(v) ||
	    json_object_get_string_len(v) > TOP_NAME_MAX) {
		snprintf(why, len, "domain %" PRIu32 ": bad or missing name",
			 d->domid);
		return -EINVAL;
	}
	strcpy(d->name, json_object_get_string(v));
	if (!json_object_object_get_ex(o, "state", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(why, len, "domain %" PRIu32 ": bad or missing state",
			 d->domid);
		return -EINVAL;
	}
	state = json_object_get_string(v);
	if (json_object_object_get_ex(o, "shutdown_reason", &v) && v &&
	    json_object_is_type(v, json_type_string))
		reason = json_object_get_string(v);
	letters_set(d, state, reason);
	if (ju64(o, "cpu_time_ns", INT64_MAX, &d->cpu_ns) ||
	    ju64(o, "memory_kib", INT64_MAX, &d->mem_kib) ||
	    ju64(o, "vcpus", TOP_VCPUS_MAX, &n)) {
		snprintf(why, len,
			 "domain %" PRIu32 ": bad or missing cpu_time_ns, "
			 "memory_kib or vcpus",
			 d->domid);
		return -EINVAL;
	}
	d->vcpus = (unsigned int)n;
	/* Domain-0 has no limit, as in xentop; a guest its maxmem or RAM */
	rc = ju64(o, "maxmem_kib", INT64_MAX, &d->maxmem_kib);
	if (rc == -EINVAL) {
		snprintf(why, len, "domain %" PRIu32 ": bad maxmem_kib",
			 d->domid);
		return rc;
	}
	if (rc || !d->maxmem_kib)
		d->maxmem_kib = d->domid ? d->mem_kib : 0;
	if (json_object_object_get_ex(o, "vbds", &a)) {
		if (!json_object_is_type(a, json_type_array)) {
			snprintf(why, len, "domain %" PRIu32 ": bad vbds",
				 d->domid);
			return -EINVAL;
		}
		d->nvbds = (unsigned int)json_object_array_length(a);
	}
	if (!json_object_object_get_ex(o, "vifs", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > TOP_VIFS_MAX) {
		snprintf(why, len, "domain %" PRIu32 ": bad vifs", d->domid);
		return -EINVAL;
	}
	for (i = 0; i < json_object_array_length(a); i++) {
		struct top_vif *vf = &d->vifs[d->nvifs];
		char vwhy[96];

		if (vif_parse(json_object_array_get_idx(a, i), vf, vwhy,
			      sizeof(vwhy))) {
			snprintf(why, len, "domain %" PRIu32 ": %s", d->domid,
				 vwhy);
			return -EINVAL;
		}
		d->nvifs++;
		d->net_tx += vf->tx_bytes;
		d->net_rx += vf->rx_bytes;
	}
	return 0;
}

/*
 * A new sample of every domain into t->cur (the old one kept in prev).
 * Returns 0, or 1 with t->err saying why.
 */
static int sample(struct top *t)
{
	struct top_sample s = {0};
	struct xl_ctl_err err;
	json_object *res = NULL, *doms;
	char why[160];
	size_t i;
	int rc;

	rc = xl_ctl_call("stats", NULL, &res, &err);
	if (rc) {
		snprintf(t->err, sizeof(t->err), "xl top: %s%s%s%s",
			 err.message[0] ? err.message : strerror(-rc),
			 err.name[0] ? " (" : "", err.name,
			 err.name[0] ? ")" : "");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &s.mono);
	s.wall = time(NULL);
	if (!json_object_object_get_ex(res, "domains", &doms) ||
	    !json_object_is_type(doms, json_type_array)) {
		snprintf(t->err, sizeof(t->err),
			 "xl top: xld's stats have no domains array");
		goto bad;
	}
	s.n = json_object_array_length(doms);
	s.d = calloc(s.n ? s.n : 1, sizeof(*s.d));
	if (!s.d) {
		snprintf(t->err, sizeof(t->err), "xl top: out of memory");
		goto bad;
	}
	for (i = 0; i < s.n; i++) {
		if (dom_parse(json_object_array_get_idx(doms, i), &s.d[i], why,
			      sizeof(why))) {
			snprintf(t->err, sizeof(t->err),
				 "xl top: xld's stats, entry %zu: %s", i, why);
			goto bad;
		}
	}
	json_object_put(res);
	free(t->prev.d);
	t->prev = t->cur;
	t->cur = s;
	t->cur.valid = 1;
	return 0;
bad:
	free(s.d);
	json_object_put(res);
	return 1;
}

/* CPU(%) of each domain: its CPU time since the last sample over wall. */
static void cpu_pct(struct top *t)
{
	double wall_ns;
	size_t i, j;

	wall_ns = (double)(t->cur.mono.tv_sec - t->prev.mono.tv_sec) * 1e9 +
		  (double)(t->cur.mono.tv_nsec - t->prev.mono.tv_nsec);
	for (i = 0; i < t->cur.n; i++) {
		struct top_dom *d = &t->cur.d[i];

		d->cpu_pct = 0.0;
		if (!t->prev.valid || wall_ns <= 0)
			continue;
		for (j = 0; j < t->prev.n; j++) {
			const struct top_dom *p = &t->prev.d[j];

			/* a restarted guest has a new domid: no delta */
			if (p->domid != d->domid || p->cpu_ns > d->cpu_ns)
				continue;
			d->cpu_pct =
			    (double)(d->cpu_ns - p->cpu_ns) / wall_ns * 100.0;
			break;
		}
	}
}

/* "KEY: N kB" of /proc/meminfo, in KiB; 0 when missing. */
static uint64_t meminfo_kib(const char *key)
{
	unsigned long long v = 0;
	size_t klen = strlen(key);
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			if (sscanf(line + klen + 1, "%llu", &v) != 1)
				v = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

static void host_read(struct top *t)
{
	char line[256];
	double mhz;
	FILE *f;

	t->mem_total_kib = meminfo_kib("MemTotal");
	t->mem_free_kib = meminfo_kib("MemAvailable");
	if (t->mem_free_kib > t->mem_total_kib)
		t->mem_free_kib = t->mem_total_kib;
	t->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (t->mhz)
		return;
	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "cpu MHz", 7)) {
			char *c = strchr(line, ':');

			if (c && sscanf(c + 1, "%lf", &mhz) == 1 && mhz > 0 &&
			    mhz < 1e6)
				t->mhz = (unsigned long)(mhz + 0.5);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* ---- the table ---- */

enum {
	F_NAME,
	F_STATE,
	F_CPU,
	F_CPU_PCT,
	F_MEM,
	F_MEM_PCT,
	F_MAXMEM,
	F_MAX_PCT,
	F_VCPUS,
	F_NETS,
	F_NETTX,
	F_NETRX,
	F_VBDS,
	F_SSID,
	F_COUNT,
};

static const char *const headers[F_COUNT] = {
    "NAME",	"STATE",     "CPU(sec)",  "CPU(%)", "MEM(k)",
    "MEM(%)",	"MAXMEM(k)", "MAXMEM(%)", "VCPUS",  "NETS",
    "NETTX(k)", "NETRX(k)",  "VBDS",	  "SSID",
};

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Column widths: xentop's, wider where a name or a counter needs it. */
static void widths(const struct top *t, int w[F_COUNT])
{
	static const int def[F_COUNT] = {10, 6, 10, 6, 10, 6, 10,
					 9,  5, 4,  8, 8,  4, 4};
	size_t i;
	int n;

	memcpy(w, def, sizeof(def));
	for (i = 0; i < t->cur.n; i++) {
		const struct top_dom *d = &t->cur.d[i];

		n = (int)strlen(d->name);
		if (t->fullname && n > w[F_NAME])
			w[F_NAME] = n;
		n = digits(d->net_tx / 1024);
		if (n > w[F_NETTX])
			w[F_NETTX] = n;
		n = digits(d->net_rx / 1024);
		if (n > w[F_NETRX])
			w[F_NETRX] = n;
	}
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole * 100.0 : 0.0;
}

static void row(struct top *t, const struct top_dom *d, const int w[F_COUNT])
{
	struct xl_buf *b = &t->out;
	uint64_t total = t->mem_total_kib;

	if (t->fullname)
		xl_buf_printf(b, "%*s", w[F_NAME], d->name);
	else
		xl_buf_printf(b, "%10.10s", d->name);
	xl_buf_printf(b, " %6s %10" PRIu64 " %6.1f %10" PRIu64 " %6.1f",
		      d->state, d->cpu_ns / 1000000000, d->cpu_pct, d->mem_kib,
		      pct(d->mem_kib, total));
	if (d->maxmem_kib)
		xl_buf_printf(b, " %10" PRIu64 " %9.1f", d->maxmem_kib,
			      pct(d->maxmem_kib, total));
	else
		xl_buf_printf(b, " %10s %9s", "no limit", "n/a");
	xl_buf_printf(b, " %5u %4u %*" PRIu64 " %*" PRIu64 " %4u %4u\n",
		      d->vcpus, d->nvifs, w[F_NETTX], d->net_tx / 1024,
		      w[F_NETRX], d->net_rx / 1024, d->nvbds, 0u);
}

/* The header line; [*@s, *@e) is the sort column's text. */
static void header(struct top *t, const int w[F_COUNT], size_t *s, size_t *e)
{
	int i;

	*s = *e = 0;
	for (i = 0; i < F_COUNT; i++) {
		if (i)
			xl_buf_add(&t->out, " ", 1);
		if (i == t->sort)
			*s = t->out.len;
		xl_buf_printf(&t->out, "%*s", w[i], headers[i]);
		if (i == t->sort)
			*e = t->out.len;
	}
	xl_buf_add(&t->out, "\n", 1);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Larger first for the figures, as xentop sorts; domid breaks ties. */
static int dom_cmp(const void *pa, const void *pb, void *arg)
{
	const struct top_dom *a = pa, *b = pb;
	const struct top *t = arg;
	int c = 0;

	switch (t->sort) {
	case F_NAME:
		c = strcasecmp(a->name, b->name);
		break;
	case F_STATE:
		c = a->rank - b->rank;
		break;
	case F_CPU:
		c = -cmp_u64(a->cpu_ns, b->cpu_ns);
		break;
	case F_CPU_PCT:
		c = (a->cpu_pct < b->cpu_pct) - (a->cpu_pct > b->cpu_pct);
		break;
	case F_MEM:
	case F_MEM_PCT:
		c = -cmp_u64(a->mem_kib, b->mem_kib);
		break;
	case F_MAXMEM:
	case F_MAX_PCT:
		/* no limit is the most */
		c = -cmp_u64(a->maxmem_kib ? a->maxmem_kib : UINT64_MAX,
			     b->maxmem_kib ? b->maxmem_kib : UINT64_MAX);
		break;
	case F_VCPUS:
		c = -cmp_u64(a->vcpus, b->vcpus);
		break;
	case F_NETS:
		c = -cmp_u64(a->nvifs, b->nvifs);
		break;
	case F_NETTX:
		c = -cmp_u64(a->net_tx, b->net_tx);
		break;
	case F_NETRX:
		c = -cmp_u64(a->net_rx, b->net_rx);
		break;
	case F_VBDS:
		c = -cmp_u64(a->nvbds, b->nvbds);
		break;
	}
	return c ? c : cmp_u64(a->domid, b->domid);
}

static void net_rows(struct top *t, const struct top_dom *d)
{
	unsigned int i;

	for (i = 0; i < d->nvifs; i++) {
		const struct top_vif *v = &d->vifs[i];

		if (!v->counted) {
			xl_buf_printf(&t->out,
				      "Net%d: its TAP's counters cannot be "
				      "read\n",
				      v->devid);
			continue;
		}
		xl_buf_printf(&t->out,
			      "Net%d RX: %8" PRIu64 "bytes %8" PRIu64
			      "pkts %8" PRIu64 "err %8" PRIu64 "drop  "
			      "TX: %8" PRIu64 "bytes %8" PRIu64 "pkts %8" PRIu64
			      "err %8" PRIu64 "drop\n",
			      v->devid, v->rx_bytes, v->rx_pkts, v->rx_errs,
			      v->rx_drop, v->tx_bytes, v->tx_pkts, v->tx_errs,
			      v->tx_drop);
	}
}

/* "VCPUs(sec):   0:          5s ...", five a line, from the monitor. */
static void vcpu_rows(struct top *t, const struct top_dom *d)
{
	json_object *p, *res = NULL, *a, *o;
	struct xl_ctl_err err;
	uint64_t id, ns;
	size_t i, n, shown = 0;

	if (!d->domid)
		return; /* Domain-0's CPUs are the host's */
	p = json_object_new_object();
	if (!p ||
	    json_object_object_add(p, "domain",
				   json_object_new_int64(d->domid)) ||
	    xl_ctl_call("vcpus", p, &res, &err)) {
		json_object_put(p);
		xl_buf_printf(&t->out, "VCPUs(sec): cannot be read\n");
		return;
	}
	json_object_put(p);
	xl_buf_printf(&t->out, "VCPUs(sec): ");
	if (json_object_object_get_ex(res, "vcpus", &a) &&
	    json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		for (i = 0; i < n && i < TOP_VCPUS_MAX; i++) {
			o = json_object_array_get_idx(a, i);
			if (ju64(o, "vcpu", TOP_VCPUS_MAX, &id) ||
			    ju64(o, "cpu_time_ns", INT64_MAX, &ns))
				continue;
			if (shown && shown % 5 == 0)
				xl_buf_printf(&t->out, "\n            ");
			xl_buf_printf(&t->out, " %2" PRIu64 ": %10" PRIu64 "s",
				      id, ns / 1000000000);
			shown++;
		}
	}
	xl_buf_add(&t->out, "\n", 1);
	json_object_put(res);
}

static void summary(struct top *t)
{
	unsigned int run = 0, block = 0, pause = 0, crash = 0, dying = 0,
		     down = 0;
	struct tm tm;
	char when[16];
	size_t i;

	localtime_r(&t->cur.wall, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	xl_buf_printf(&t->out, "xl top - %s   xld %s\n", when, t->version);
	for (i = 0; i < t->cur.n; i++) {
		switch (t->cur.d[i].rank) {
		case 0:
			dying++;
			break;
		case 1:
			down++;
			break;
		case 2:
			block++;
			break;
		case 3:
			crash++;
			break;
		case 4:
			pause++;
			break;
		case 5:
			run++;
			break;
		}
	}
	xl_buf_printf(&t->out,
		      "%zu domains: %u running, %u blocked, %u paused, "
		      "%u crashed, %u dying, %u shutdown \n",
		      t->cur.n, run, block, pause, crash, dying, down);
	xl_buf_printf(&t->out,
		      "Mem: %" PRIu64 "k total, %" PRIu64 "k used, %" PRIu64
		      "k free    CPUs: %ld @ %luMHz\n",
		      t->mem_total_kib, t->mem_total_kib - t->mem_free_kib,
		      t->mem_free_kib, t->cpus, t->mhz);
}

/*
 * The table into t->out, one line per '\n': each domain after the
 * header (again before each with -r), then its vif and vCPU lines.
 * Offsets of the header lines' sort columns go to @hs/@he (@nh of them).
 */
static void table(struct top *t, size_t *hs, size_t *he, size_t *hl,
		  size_t maxh, size_t *nh)
{
	int w[F_COUNT];
	size_t i;

	*nh = 0;
	qsort_r(t->cur.d, t->cur.n, sizeof(*t->cur.d), dom_cmp, t);
	widths(t, w);
	for (i = t->first; i < t->cur.n; i++) {
		if (i == t->first || t->repeat) {
			if (*nh < maxh) {
				hl[*nh] = t->out.len;
				header(t, w, &hs[*nh], &he[*nh]);
				(*nh)++;
			} else {
				size_t s, e;

				header(t, w, &s, &e);
			}
		}
		row(t, &t->cur.d[i], w);
		if (t->vcpus)
			vcpu_rows(t, &t->cur.d[i]);
		if (t->networks)
			net_rows(t, &t->cur.d[i]);
	}
}

/* ---- batch mode ---- */

static int batch_print(struct top *t)
{
	size_t hs[1], he[1], hl[1], nh;

	t->out.len = 0;
	if (t->out.s)
		t->out.s[0] = '\0';
	table(t, hs, he, hl, 1, &nh);
	if (t->out.oom) {
		snprintf(t->err, sizeof(t->err), "xl top: out of memory");
		return 1;
	}
	fputs(xl_buf_str(&t->out), stdout);
	if (fflush(stdout) || ferror(stdout)) {
		snprintf(t->err, sizeof(t->err),
			 "xl top: writing the table: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static void sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s};

	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the interactive screen ---- */

static int write_all(const char *s, size_t len)
{
	ssize_t r;

	while (len) {
		r = write(STDOUT_FILENO, s, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		s += r;
		len -= (size_t)r;
	}
	return 0;
}

static void term_puts(const char *s)
{
	write_all(s, strlen(s));
}

static void term_size(struct top *t)
{
	struct winsize ws;

	t->rows = 24;
	t->cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	}
}

/*
 * Draw the screen: summary, table (cut to the window), and the keys or
 * the delay prompt on the last line.  Header lines are reversed, their
 * sort column bold, as in xentop.
 */
static int draw(struct top *t)
{
	struct xl_buf scr = {0};
	size_t hs[64], he[64], hl[64], nh, h = 0, off = 0, next, cut;
	int line = 0, rc;

	t->out.len = 0;
	if (t->out.s)
		t->out.s[0] = '\0';
	summary(t);
	table(t, hs, he, hl, 64, &nh);
	xl_buf_printf(&scr, "\033[H");
	while (off < t->out.len && line < t->rows - 1) {
		next = off + strcspn(t->out.s + off, "\n");
		cut =
		    next - off > (size_t)t->cols ? off + (size_t)t->cols : next;
		if (h < nh && hl[h] == off) {
			size_t s = hs[h] < cut ? hs[h] : cut;
			size_t e = he[h] < cut ? he[h] : cut;

			if (t->sort < 0)
				s = e = cut;
			xl_buf_printf(&scr, "\033[7m");
			xl_buf_add(&scr, t->out.s + off, s - off);
			xl_buf_printf(&scr, "\033[1m");
			xl_buf_add(&scr, t->out.s + s, e - s);
			xl_buf_printf(&scr, "\033[22m");
			xl_buf_add(&scr, t->out.s + e, cut - e);
			xl_buf_printf(&scr, "\033[0m");
			h++;
		} else {
			xl_buf_add(&scr, t->out.s + off, cut - off);
		}
		xl_buf_printf(&scr, "\033[K\r\n");
		off = next + 1;
		line++;
	}
	xl_buf_printf(&scr, "\033[J\033[%d;1H", t->rows);
	if (t->prompting)
		xl_buf_printf(&scr, "Delay(sec): %s", t->prompt);
	else if (t->note[0])
		xl_buf_printf(&scr, "%.*s", t->cols, t->note);
	else
		xl_buf_printf(&scr,
			      "  \033[7mD\033[0melay  \033[7mN\033[0metworks  "
			      "\033[7mV\033[0mCPUs  \033[7mR\033[0mepeat "
			      "header  \033[7mS\033[0mort order  "
			      "\033[7mQ\033[0muit");
	xl_buf_printf(&scr, "\033[K");
	if (scr.oom || t->out.oom) {
		errno = ENOMEM;
		rc = -1;
	} else {
		rc = write_all(scr.s, scr.len);
	}
	xl_buf_dispose(&scr);
	return rc;
}

static int delay_parse(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v > TOP_DELAY_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* What one typed key does; 1 when it quits, 2 to redraw. */
static int key(struct top *t, const unsigned char *k, size_t n, size_t *used)
{
	double v;

	*used = 1;
	t->note[0] = '\0';
	if (t->prompting) {
		if (k[0] == '\r' || k[0] == '\n') {
			t->prompting = 0;
			if (delay_parse(t->prompt, &v))
				snprintf(t->note, sizeof(t->note),
					 "  Delay '%s' refused: give seconds, "
					 "above 0 and at most %.0f",
					 t->prompt, TOP_DELAY_MAX);
			else
				t->delay = v;
		} else if (k[0] == 0x1b) {
			t->prompting = 0;
		} else if (k[0] == 0x7f || k[0] == 0x08) {
			size_t l = strlen(t->prompt);

			if (l)
				t->prompt[l - 1] = '\0';
		} else if ((isdigit(k[0]) || k[0] == '.') &&
			   strlen(t->prompt) < TOP_PROMPT_MAX) {
			size_t l = strlen(t->prompt);

			t->prompt[l] = (char)k[0];
			t->prompt[l + 1] = '\0';
		}
		return 2;
	}
	if (k[0] == 0x1b) {
		if (n >= 3 && k[1] == '[' && (k[2] == 'A' || k[2] == 'B')) {
			*used = 3;
			if (k[2] == 'A' && t->first)
				t->first--;
			else if (k[2] == 'B' && t->first + 1 < t->cur.n)
				t->first++;
			return 2;
		}
		return 1; /* Esc alone */
	}
	switch (tolower(k[0])) {
	case 'q':
		return 1;
	case 'd':
		t->prompting = 1;
		t->prompt[0] = '\0';
		break;
	case 's':
		t->sort = t->sort + 1 >= F_COUNT ? -1 : t->sort + 1;
		break;
	case 'n':
		t->networks ^= 1;
		break;
	case 'v':
		t->vcpus ^= 1;
		break;
	case 'r':
		t->repeat ^= 1;
		break;
	case 0x0c: /* Ctrl-L */
		term_puts("\033[2J");
		break;
	default:
		return 0;
	}
	return 2;
}

/* Wait up to @ms for keys; 1: quit, 2: redraw now, 0: time is up. */
static int keys_wait(struct top *t, long ms)
{
	unsigned char buf[64];
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	size_t off, used;
	ssize_t r;
	int ret = 0, k;

	if (poll(&p, 1, (int)ms) <= 0)
		return 0; /* a signal or time: the caller looks */
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return 1; /* the terminal went */
	r = read(STDIN_FILENO, buf, sizeof(buf));
	if (r == 0)
		return 1;
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 2 : 1;
	for (off = 0; off < (size_t)r; off += used) {
		k = key(t, buf + off, (size_t)r - off, &used);
		if (k == 1)
			return 1;
		if (k == 2)
			ret = 2;
	}
	return ret;
}

static long ms_since(const struct timespec *a)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - a->tv_sec) * 1000 +
		      (now.tv_nsec - a->tv_nsec) / 1000000);
}

static void term_enter(const struct termios *orig)
{
	struct termios raw = *orig;

	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
	/* the alternate screen, no cursor */
	term_puts("\033[?1049h\033[?25l\033[2J");
}

static void term_leave(const struct termios *orig)
{
	term_puts("\033[?25h\033[?1049l");
	tcsetattr(STDIN_FILENO, TCSADRAIN, orig);
}

static int interactive(struct top *t)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP};
	struct sigaction sa = {.sa_handler = on_signal}, old[5];
	struct termios orig;
	unsigned long done = 0;
	int ret = 0, k = 0;
	size_t i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    tcgetattr(STDIN_FILENO, &orig)) {
		fprintf(stderr, "xl top: the interactive screen needs a "
				"terminal: use -b for plain text\n");
		return 1;
	}
	/* xld unreachable: said on the screen as it is */
	host_read(t);
	if (sample(t))
		return 1;
	cpu_pct(t);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, &old[i]);
	term_size(t);
	term_enter(&orig);
	k = 3; /* the first sample is taken */
	while (!got_quit) {
		if (k != 2 && k != 3) {
			host_read(t);
			ret = sample(t);
			if (ret)
				break;
			cpu_pct(t);
		}
		if (k != 2)
			done++;
		if (t->first >= t->cur.n)
			t->first = t->cur.n ? t->cur.n - 1 : 0;
		if (draw(t)) {
			snprintf(t->err, sizeof(t->err),
				 "xl top: writing to the terminal: %s",
				 strerror(errno));
			ret = 1;
			break;
		}
		if (t->iterations && done >= t->iterations)
			break;
		/* keys until the delay is over */
		for (k = 0; !got_quit && k != 1 && k != 2;) {
			long left =
			    (long)(t->delay * 1000) - ms_since(&t->cur.mono);

			if (left <= 0)
				break;
			k = keys_wait(t, left);
			if (got_winch) {
				got_winch = 0;
				term_size(t);
				k = 2;
			}
			if (got_tstp) {
				/* stop with the terminal as it was */
				got_tstp = 0;
				term_leave(&orig);
				signal(SIGTSTP, SIG_DFL);
				raise(SIGTSTP);
				sigaction(SIGTSTP, &sa, NULL);
				term_size(t);
				term_enter(&orig);
				k = 2;
			}
		}
		if (k == 1)
			break;
	}
	term_leave(&orig);
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	return ret;
}

/* ---- the command ---- */

static void version_read(struct top *t)
{
	struct xl_ctl_err err;
	json_object *res = NULL, *v;

	snprintf(t->version, sizeof(t->version), "?");
	if (xl_ctl_call("hello", NULL, &res, &err))
		return;
	if (json_object_object_get_ex(res, "xld", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) < (int)sizeof(t->version))
		snprintf(t->version, sizeof(t->version), "%s",
			 json_object_get_string(v));
	json_object_put(res);
}

int main_top(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"batch", no_argument, NULL, 'b'},
	    {"delay", required_argument, NULL, 'd'},
	    {"iterations", required_argument, NULL, 'i'},
	    {"networks", no_argument, NULL, 'n'},
	    {"vcpus", no_argument, NULL, 'v'},
	    {"repeat-header", no_argument, NULL, 'r'},
	    {"full-name", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct top t = {.delay = 3, .sort = -1};
	unsigned long done = 0;
	int opt, ret;

	while ((opt = xl_getopt(argc, argv, "bd:i:nvrf", opts, "top", 0)) !=
	       -1) {
		switch (opt) {
		case XL_OPT_HELP:
			return 0;
		case XL_OPT_USAGE:
			return 2;
		case 'b':
			t.batch = 1;
			break;
		case 'd':
			if (delay_parse(optarg, &t.delay)) {
				fprintf(stderr,
					"xl top: -d '%s': give the delay in "
					"seconds, above 0 and at most %.0f\n",
					optarg, TOP_DELAY_MAX);
				return 2;
			}
			break;
		case 'i':
			if (xl_parse_ulong(optarg, 10, &t.iterations) ||
			    !t.iterations || t.iterations > UINT32_MAX) {
				fprintf(stderr,
					"xl top: -i '%s': give the number of "
					"updates, 1 or more\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			t.networks = 1;
			break;
		case 'v':
			t.vcpus = 1;
			break;
		case 'r':
			t.repeat = 1;
			break;
		case 'f':
			t.fullname = 1;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xl top: takes no operands (`%s')\n\n",
			argv[optind]);
		xl_cmd_help(xl_cmd_find("top"), 1);
		return 2;
	}
	if (!t.batch) {
		version_read(&t);
		ret = interactive(&t);
		goto out;
	}
	/* batch: SIGINT and the like end it as they end any filter */
	for (;;) {
		host_read(&t);
		ret = sample(&t);
		if (ret)
			break;
		cpu_pct(&t);
		ret = batch_print(&t);
		if (ret || (t.iterations && ++done >= t.iterations))
			break;
		sleep_s(t.delay);
	}
out:
	if (ret && t.err[0])
		fprintf(stderr, "%s\n", t.err);
	free(t.cur.d);
	free(t.prev.d);
	xl_buf_dispose(&t.out);
	return ret;
}
