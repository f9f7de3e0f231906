// SPDX-License-Identifier: GPL-2.0
/*
 * memtouch: pass after pass, add one to the first byte of every page of a
 * region above the image, and check each pass left every page at the pass
 * number.  Runs in ring 3 (IOPL 3 for the ucall port), where PVM runs code
 * natively.  Command line: pages=N (1024), passes=N (100, 0 = forever),
 * report=N (print every N passes, 10), delay=N (spin N iterations after
 * each page: a lower dirty rate, for live migration tests; 0).
 */
#include "runtime.h"

#define PAGE		4096ULL
#define REGION_ALIGN	0x200000ULL

struct touch {
	uint8_t *base;
	uint64_t pages, passes, report, delay;
};

extern char _end[];
static struct touch touch;
static uint8_t user_stack[16384] __attribute__((aligned(16)));

static void touch_loop(void *arg)
{
	struct touch *t = arg;
	uint64_t pass;

	for (pass = 1; !t->passes || pass <= t->passes; pass++) {
		for (uint64_t i = 0; i < t->pages; i++) {
			t->base[i * PAGE]++;
			for (volatile uint64_t k = 0; k < t->delay; k++)
				;
		}
		for (uint64_t i = 0; i < t->pages; i++)
			GUEST_ASSERT_MSG(t->base[i * PAGE] == (uint8_t)pass,
					 "page %lu holds %u after pass %lu", i,
					 t->base[i * PAGE], pass);
		if (t->report && pass % t->report == 0)
			guest_printf("memtouch: pass %lu\n", pass);
	}
	guest_printf("memtouch: %lu passes over %lu pages ok\n", pass - 1,
		     t->pages);
	GUEST_DONE();
}

void guest_main(unsigned int cpu, const struct hv_boot_info *bi)
{
	uint64_t base = ((uintptr_t)_end + REGION_ALIGN - 1) &
			~(REGION_ALIGN - 1);

	if (cpu != 0)
		guest_halt_forever();
	touch.base = (uint8_t *)(uintptr_t)base;
	touch.pages = guest_cmdline_uint(bi, "pages", 1024);
	touch.passes = guest_cmdline_uint(bi, "passes", 100);
	touch.report = guest_cmdline_uint(bi, "report", 10);
	touch.delay = guest_cmdline_uint(bi, "delay", 0);
	GUEST_ASSERT_MSG(touch.pages && touch.pages <= (bi->ram_size - base) /
								PAGE,
			 "%lu pages from %lx do not fit in %lu MiB of RAM",
			 touch.pages, base, bi->ram_size >> 20);
	guest_printf("memtouch: %lu pages from %lx, %lu passes\n", touch.pages,
		     base, touch.passes);
	guest_enter_user(touch_loop, &touch, user_stack + sizeof(user_stack));
}
