// SPDX-License-Identifier: GPL-2.0
/*
 * The migration sender: pre-copy over KVM's dirty log, in a thread of its
 * own so the control thread keeps answering.
 *
 *   1. dirty logging on, the image header, then pass 1: every page that
 *      holds data (memfd holes are skipped with SEEK_DATA; zero pages go
 *      as ZERO entries);
 *   2. dirty passes: each reads the dirty bitmap (which starts the next
 *      round) and sends what it marks, then estimates the downtime as
 *      dirty pages * 4096 / the rate the last pass measured.  It stops
 *      iterating when that fits max_downtime_ms, after max_passes, and
 *      throttles the vCPUs (auto-converge, hv_vm_throttle: 30 % more
 *      each time, at most 99 %) after each pass whose dirty count did not
 *      shrink;
 *   3. pause, the last dirty pages, disks flushed (fdatasync of every
 *      writable disk), the state records (state.c's sections), with
 *      DC_SEND_DEBUG a VERIFY record and every page again, then END.
 *
 * A failure, a cancel (the requesting connection closed) or the guest
 * stopping ends it early; a guest that was running runs on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "dev/devices.h"
#include "migstream.h"
#include "state.h"
#include "sandbox.h"

#define DEFAULT_DOWNTIME_MS	300
#define DEFAULT_PASSES		30
#define STUCK_PASSES		1	/* a pass that did not shrink: throttle */
#define THROTTLE_STEP		30
#define PROGRESS_NS		1000000000ULL

struct hv_send {
	struct hv_vm *vm;
	int fd;
	struct dc_send_opts opts;
	int was_running;
	hv_send_notify_fn *notify;
	void *opaque;
	pthread_t thread;
	int started;
	int cancel;			/* atomic */

	/* the thread's working state */
	struct hv_mig_wr *w;
	uint64_t *bitmap, *pfns;
	uint32_t npfns;
	uint64_t pages, t0, last_report, bw_t0, bw_bytes0;
	int paused;			/* by us */
	struct dc_send_progress cur;

	pthread_mutex_t lock;		/* guards what follows */
	struct dc_send_progress prog;
	int has_prog;
	int done;
	int rc;
	struct dc_send_result res;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void post(struct hv_send *s, int force)
{
	uint64_t t = now_ns();

	if (!force && t - s->last_report < PROGRESS_NS)
		return;
	s->last_report = t;
	s->cur.bytes_sent = hv_mig_wr_bytes(s->w);
	pthread_mutex_lock(&s->lock);
	s->prog = s->cur;
	s->has_prog = 1;
	pthread_mutex_unlock(&s->lock);
	s->notify(s->opaque);
}

static int check_going(struct hv_send *s)
{
	if (__atomic_load_n(&s->cancel, __ATOMIC_SEQ_CST))
		return -ECANCELED;
	if (hv_vm_stopped(s->vm) != HV_RUNNING)
		return -ESRCH;
	return 0;
}

/* Keep to max_bytes_per_s: sleep, in short naps that notice a cancel. */
static int bw_wait(struct hv_send *s)
{
	uint64_t cap = s->opts.max_bytes_per_s, sent, due;
	int rc;

	if (!cap || s->paused)
		return 0;
	for (;;) {
		rc = check_going(s);
		if (rc)
			return rc;
		sent = hv_mig_wr_bytes(s->w) - s->bw_bytes0;
		due = s->bw_t0 + (uint64_t)((double)sent * 1e9 / (double)cap);
		if (now_ns() >= due)
			return 0;
		{
			uint64_t d = due - now_ns();
			struct timespec ts = { 0, (long)(d > 100000000 ?
						100000000 : d) };

			nanosleep(&ts, NULL);
		}
		post(s, 0);
	}
}

/* One PAGE_DATA record of the batch (copied aside as it goes). */
static int flush_batch(struct hv_send *s)
{
	int rc;

	if (!s->npfns)
		return 0;
	rc = hv_mig_write_pages(s->w, s->pfns, s->npfns, s->vm->ram);
	s->cur.pages_sent += s->npfns;
	s->npfns = 0;
	if (!rc)
		rc = check_going(s);
	if (!rc)
		rc = bw_wait(s);
	post(s, 0);
	return rc;
}

static int add_page(struct hv_send *s, uint64_t pfn)
{
	s->pfns[s->npfns++] = pfn;
	return s->npfns == HV_MIG_BATCH ? flush_batch(s) : 0;
}

/* Every page that may hold data: memfd holes are zero on both sides. */
static int send_all(struct hv_send *s)
{
	struct hv_vm *vm = s->vm;
	uint64_t off = 0, start, end;
	int rc = 0;

	while (!rc && hv_state_next_data(vm->mem_fd, off, vm->ram_size, &start,
					 &end)) {
		for (uint64_t i = start / HV_MIG_PAGE;
		     !rc && i < s->pages && i * HV_MIG_PAGE < end; i++)
			rc = add_page(s, i);
		off = (end + HV_MIG_PAGE - 1) & ~(uint64_t)(HV_MIG_PAGE - 1);
	}
	return rc ? rc : flush_batch(s);
}

static uint64_t count_bits(const uint64_t *bm, uint64_t pages)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < (pages + 63) / 64; i++)
		n += (uint64_t)__builtin_popcountll(bm[i]);
	return n;
}

static int send_bitmap(struct hv_send *s)
{
	int rc = 0;

	for (uint64_t w = 0; !rc && w < (s->pages + 63) / 64; w++) {
		uint64_t bits = s->bitmap[w];

		while (!rc && bits) {
			uint64_t pfn = w * 64 + (uint64_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (pfn < s->pages)
				rc = add_page(s, pfn);
		}
	}
	return rc ? rc : flush_batch(s);
}

/* The dirty bitmap ORed into s->bitmap (which may hold pages unsent). */
static int read_dirty(struct hv_send *s, uint64_t *tmp, size_t len)
{
	int rc = hv_dirty_log_get(s->vm, 0, tmp, len);

	if (rc) {
		hv_err("send: read the dirty log: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < len / 8; i++)
		s->bitmap[i] |= tmp[i];
	return 0;
}

/* What the state records will say the KVM lacked, known up front. */
static uint32_t state_flags(struct hv_vm *vm)
{
	struct kvm_clock_data clock;
	uint32_t f = 0;

	memset(&clock, 0, sizeof(clock));
	if (!vm->caps.irqchip)
		f |= HV_STATE_F_NO_IRQCHIP;
	if (!vm->caps.pit)
		f |= HV_STATE_F_NO_PIT;
	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &clock) < 0)
		f |= HV_STATE_F_NO_CLOCK;
	return f;
}

static const uint32_t rec_of_sec[] = {
	[HV_SEC_VM] = HV_MIG_VM, [HV_SEC_CLOCK] = HV_MIG_CLOCK,
	[HV_SEC_IRQCHIP] = HV_MIG_IRQCHIP, [HV_SEC_PIT] = HV_MIG_PIT,
	[HV_SEC_VCPU] = HV_MIG_VCPU, [HV_SEC_DEVICE] = HV_MIG_DEVICE,
};

/*
 * The paused guest's state, taken before the last dirty read: taking a
 * device's state waits for its request in flight, whose writes to guest
 * RAM that read must then see.
 */
static int collect_state(struct hv_send *s, uint32_t want_flags,
			 struct hv_state_sec **secs, uint32_t *nr)
{
	uint32_t flags;
	int rc = hv_state_collect(s->vm, &flags, secs, nr);

	if (!rc && flags != want_flags) {
		hv_err("send: the state lacks %#x, the header said %#x",
		       flags, want_flags);
		hv_state_secs_free(*secs, *nr);
		*secs = NULL;
		*nr = 0;
		rc = -EIO;
	}
	return rc;
}

static int send_state(struct hv_send *s, const struct hv_state_sec *secs,
		      uint32_t nr)
{
	int rc = 0;

	for (uint32_t i = 0; !rc && i < nr; i++) {
		const struct hv_state_sec *sec = &secs[i];
		uint32_t idx[2] = { sec->instance, 0 };

		if (sec->type == HV_SEC_VCPU || sec->type == HV_SEC_DEVICE)
			rc = hv_mig_write_rec2(s->w, rec_of_sec[sec->type],
					       idx, sizeof(idx), sec->data,
					       (uint32_t)sec->len);
		else
			rc = hv_mig_write_rec(s->w, rec_of_sec[sec->type],
					      sec->data, (uint32_t)sec->len);
	}
	return rc;
}

/* Disks are shared: what the guest wrote must be on them before GO. */
static int flush_disks(struct hv_vm *vm)
{
	for (unsigned int i = 0; i < vm->cfg->nr_disks; i++) {
		int rc;

		if (vm->cfg->disk[i].ro)
			continue;
		/* on the disk's own descriptor: the sandbox opens no path */
		rc = hv_vblk_flush(vm, i);
		if (rc) {
			hv_err("send: flush disk %s: %s",
			       vm->cfg->disk[i].path, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void pause_vm(struct hv_send *s)
{
	hv_vm_throttle(s->vm, 0);
	s->cur.throttle_pct = 0;
	hv_vm_pause(s->vm);
	s->paused = 1;
	s->cur.paused = 1;
}

/* The link's rate and the guest's dirty rate over the pass since @t. */
static void rate_update(struct hv_send *s, uint64_t t, uint64_t b0,
			uint64_t dirty)
{
	uint64_t ns = now_ns() - t, bytes = hv_mig_wr_bytes(s->w) - b0;

	if (!ns)
		return;
	/* a pass too short to measure keeps the last figure */
	if (bytes >= 64 * HV_MIG_PAGE || !s->cur.bytes_per_s)
		s->cur.bytes_per_s = (uint64_t)((double)bytes * 1e9 /
						(double)ns);
	s->cur.dirty_pages_per_s = (uint64_t)((double)dirty * 1e9 /
					      (double)ns);
}

static int run(struct hv_send *s)
{
	struct hv_vm *vm = s->vm;
	int live = s->opts.flags & DC_SEND_LIVE, logging = 0, stuck = 0;
	uint64_t budget = s->opts.max_downtime_ms ? s->opts.max_downtime_ms :
						    DEFAULT_DOWNTIME_MS;
	uint32_t max_passes = s->opts.max_passes ? s->opts.max_passes :
						   DEFAULT_PASSES;
	size_t len = hv_dirty_bitmap_len(vm, 0);
	uint64_t *tmp = NULL, prev_dirty = UINT64_MAX, t_pause = 0;
	struct hv_mig_ihdr ih = { 0 };
	struct hv_state_sec *secs = NULL;
	uint32_t nr_secs = 0;
	int rc;

	s->pages = vm->ram_size / HV_MIG_PAGE;
	s->cur.pages_total = s->pages;
	s->bitmap = calloc(1, len);
	tmp = calloc(1, len);
	s->pfns = malloc(HV_MIG_BATCH * sizeof(*s->pfns));
	s->w = hv_mig_wr_new(s->fd);
	if (!s->bitmap || !tmp || !s->pfns || !s->w) {
		rc = -ENOMEM;
		goto out;
	}
	s->bw_t0 = now_ns();
	if (!live) {
		pause_vm(s);
		t_pause = now_ns();
	} else {
		rc = hv_dirty_log_enable(vm, 0, 1);
		if (rc) {
			hv_err("send: dirty logging: %s", strerror(-rc));
			goto out;
		}
		logging = 1;
	}
	rc = check_going(s);
	if (rc)
		goto out;
	ih = (struct hv_mig_ihdr){ .version = HV_MIG_VERSION,
				   .page_shift = HV_MIG_PAGE_SHIFT,
				   .nr_vcpus = vm->nr_vcpus,
				   .ram_size = vm->ram_size,
				   .flags = state_flags(vm) };
	rc = hv_mig_write_ihdr(s->w, &ih);
	if (rc)
		goto out;
	s->cur.pass = 1;
	s->cur.pages_dirty = s->pages;
	post(s, 1);
	{
		uint64_t t = now_ns(), b0 = hv_mig_wr_bytes(s->w);

		rc = send_all(s);
		rate_update(s, t, b0, 0);
	}
	s->res.passes = 1;
	while (!rc && live) {
		uint64_t t, b0, dirty, rate;

		/* the pass just sent: its rate; what it left dirty */
		rc = read_dirty(s, tmp, len);
		if (rc)
			break;
		dirty = count_bits(s->bitmap, s->pages);
		rate = s->cur.bytes_per_s;
		s->cur.pages_dirty = dirty;
		s->cur.est_downtime_ms = rate ? dirty * HV_MIG_PAGE * 1000 /
							rate :
						UINT64_MAX;
		if (s->cur.est_downtime_ms <= budget ||
		    s->res.passes >= max_passes)
			break;
		stuck = dirty >= prev_dirty ? stuck + 1 : 0;
		prev_dirty = dirty;
		if (stuck >= STUCK_PASSES && s->cur.throttle_pct < 99) {
			unsigned int pct = s->cur.throttle_pct + THROTTLE_STEP;

			s->cur.throttle_pct = pct > 99 ? 99 : pct;
			if (s->cur.throttle_pct > s->res.throttle_pct)
				s->res.throttle_pct = s->cur.throttle_pct;
			rc = hv_vm_throttle(vm, s->cur.throttle_pct);
			if (rc)
				break;
			stuck = 0;
		}
		s->cur.pass++;
		s->res.passes++;
		post(s, 1);
		t = now_ns();
		b0 = hv_mig_wr_bytes(s->w);
		rc = send_bitmap(s);
		memset(s->bitmap, 0, len);
		rate_update(s, t, b0, dirty);
	}
	if (rc)
		goto out;
	if (live) {
		pause_vm(s);
		t_pause = now_ns();
		rc = check_going(s);
		if (!rc)
			rc = collect_state(s, ih.flags, &secs, &nr_secs);
		if (!rc)
			rc = read_dirty(s, tmp, len);
		if (rc)
			goto out;
		s->cur.pages_dirty = count_bits(s->bitmap, s->pages);
		post(s, 1);
		rc = send_bitmap(s);
		if (rc)
			goto out;
	} else {
		post(s, 1);
		rc = collect_state(s, ih.flags, &secs, &nr_secs);
		if (rc)
			goto out;
	}
	rc = flush_disks(vm);
	if (!rc)
		rc = send_state(s, secs, nr_secs);
	if (!rc && s->opts.flags & DC_SEND_DEBUG) {
		rc = hv_mig_write_rec(s->w, HV_MIG_VERIFY, NULL, 0);
		if (!rc)
			rc = send_all(s);
	}
	if (!rc)
		rc = hv_mig_write_rec(s->w, HV_MIG_END, NULL, 0);
	if (!rc)
		rc = hv_mig_wr_flush(s->w);
	if (rc)
		goto out;
	s->res.downtime_ns = now_ns() - t_pause;
	s->res.bytes = hv_mig_wr_bytes(s->w);
	s->res.pages_sent = s->cur.pages_sent;
	s->res.total_ns = now_ns() - s->t0;
	s->cur.pages_dirty = 0;
	post(s, 1);
out:
	hv_vm_throttle(vm, 0);
	if (logging)
		hv_dirty_log_enable(vm, 0, 0);
	if (rc && s->paused && s->was_running)
		hv_vm_unpause(vm);
	if (rc && rc != -ECANCELED)
		hv_err("send: %s after %llu bytes: %s", rc == -ESRCH ?
		       "the guest stopped" : "failed",
		       s->w ? (unsigned long long)hv_mig_wr_bytes(s->w) : 0ULL,
		       strerror(-rc));
	else if (rc)
		hv_err("send: cancelled after %llu bytes",
		       (unsigned long long)hv_mig_wr_bytes(s->w));
	else
		hv_err("sent %llu MiB of RAM in %u live passes: %llu pages, "
		       "%llu bytes, downtime %.1f ms, %.2f s in all%s",
		       (unsigned long long)(vm->ram_size >> 20), s->res.passes,
		       (unsigned long long)s->res.pages_sent,
		       (unsigned long long)s->res.bytes,
		       (double)s->res.downtime_ns / 1e6,
		       (double)s->res.total_ns / 1e9,
		       s->res.throttle_pct ? " (throttled)" : "");
	hv_state_secs_free(secs, nr_secs);
	free(tmp);
	return rc;
}

static void *send_thread(void *arg)
{
	struct hv_send *s = arg;
	int rc;

	hv_sandbox_thread();
	rc = run(s);

	pthread_mutex_lock(&s->lock);
	s->rc = rc;
	s->done = 1;
	pthread_mutex_unlock(&s->lock);
	s->notify(s->opaque);
	return NULL;
}

struct hv_send *hv_send_start(struct hv_vm *vm, int fd,
			      const struct dc_send_opts *opts,
			      int was_running, hv_send_notify_fn *notify,
			      void *opaque)
{
	struct hv_send *s = calloc(1, sizeof(*s));
	int r;

	if (!s) {
		close(fd);
		return NULL;
	}
	s->vm = vm;
	s->fd = fd;
	s->opts = *opts;
	s->was_running = was_running;
	s->notify = notify;
	s->opaque = opaque;
	s->t0 = now_ns();
	pthread_mutex_init(&s->lock, NULL);
	r = pthread_create(&s->thread, NULL, send_thread, s);
	if (r) {
		hv_send_free(s);
		errno = r;
		return NULL;
	}
	s->started = 1;
	return s;
}

int hv_send_progress(struct hv_send *s, struct dc_send_progress *p)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&s->lock);
	if (s->has_prog) {
		*p = s->prog;
		s->has_prog = 0;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int hv_send_done(struct hv_send *s, struct dc_send_result *res)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&s->lock);
	if (s->done) {
		rc = s->rc;
		if (!rc)
			*res = s->res;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void hv_send_cancel(struct hv_send *s)
{
	__atomic_store_n(&s->cancel, 1, __ATOMIC_SEQ_CST);
}

void hv_send_free(struct hv_send *s)
{
	if (!s)
		return;
	if (s->started) {
		hv_send_cancel(s);
		pthread_join(s->thread, NULL);
	}
	hv_mig_wr_free(s->w);
	if (s->fd >= 0)
		close(s->fd);
	free(s->bitmap);
	free(s->pfns);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
