// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz-only: dev/vblk.c compiled with hooks into its statics, so the
 * request parser runs on the fuzzer's thread (hvt_fuzz.h).
 */
#include "../dev/vblk.c"

#include "hvt_fuzz.h"

/* Its thread, which __wrap_pthread_create (hvt_fuzz.c) never starts. */
void *(*const hvt_vblk_thread)(void *) = io_thread;

void hvt_vblk_unthread(struct hv_device *dev)
{
	struct hv_vblk *b = (struct hv_vblk *)dev;

	b->started = 0;	/* nothing to join */
}

void hvt_vblk_run(struct hv_device *dev)
{
	drain((struct hv_vblk *)dev);
}
