// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz-only: dev/vballoon.c compiled with hooks into its statics, so the
 * discard thread's work runs on the fuzzer's thread (hvt_fuzz.h).  The
 * page lists themselves are served synchronously on QueueNotify.
 */
#include "../dev/vballoon.c"

#include "hvt_fuzz.h"

/* Its thread, which __wrap_pthread_create (hvt_fuzz.c) never starts. */
void *(*const hvt_vballoon_thread)(void *) = discard_thread;

void hvt_vballoon_unthread(struct hv_device *dev)
{
	struct hv_vballoon *b = (struct hv_vballoon *)dev;

	b->started = 0;	/* nothing to join */
}

void hvt_vballoon_run(struct hv_device *dev)
{
	struct hv_vballoon *b = (struct hv_vballoon *)dev;
	uint64_t at = 0, before = b->nr_pending;

	pthread_mutex_lock(&b->t.lock);
	while (b->nr_pending && at < b->ram_pages)
		at = discard_next(b, at);
	/* Every pending page was in RAM and past the first MiB. */
	if (b->nr_pending || b->discarded > b->ram_pages ||
	    before > b->ram_pages)
		abort();
	pthread_mutex_unlock(&b->t.lock);
}
