// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz-only: dev/vnet.c compiled with hooks into its statics, so the
 * transmit and receive paths run on the fuzzer's thread (hvt_fuzz.h).
 */
#include "../dev/vnet.c"

#include "hvt_fuzz.h"

/* Its thread, which __wrap_pthread_create (hvt_fuzz.c) never starts. */
void *(*const hvt_vnet_thread)(void *) = io_thread;

void hvt_vnet_unthread(struct hv_device *dev)
{
	struct hv_vnet *n = (struct hv_vnet *)dev;

	n->started = 0;	/* nothing to join */
}

void hvt_vnet_run(struct hv_device *dev)
{
	struct hv_vnet *n = (struct hv_vnet *)dev;

	/* As the I/O thread: transmit while more waits, then receive. */
	for (int i = 0; i < 8 && tx(n); i++)
		;
	rx(n);
}
