// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the xl.cfg grammar and the resolved domain config. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_domcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fuzz_rnd(void *arg)
{
	uint32_t *n = arg;

	return (*n)++ * 2654435761u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xl_diag d = {0};
	struct xl_buf dump = {0};
	struct xl_domcfg dc;
	struct xl_cfg *cfg = xl_cfg_new();
	uint32_t n = 0;
	json_object *j;

	if (!cfg)
		return 0;
	if (!xl_cfg_parse(cfg, "fuzz.cfg", (const char *)data, size, &d)) {
		xl_cfg_dump(cfg, &dump);
		if (!xl_domcfg_resolve(cfg, &dc, &d, fuzz_rnd, &n)) {
			j = xl_domcfg_to_json(&dc);
			json_object_to_json_string(j);
			json_object_put(j);
			xl_domcfg_dispose(&dc);
		}
	}
	xl_buf_dispose(&dump);
	xl_diag_dispose(&d);
	xl_cfg_free(cfg);
	return 0;
}
