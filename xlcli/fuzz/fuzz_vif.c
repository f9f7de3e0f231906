// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: vif specification strings, with MAC generation. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlcli/xl_vif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fuzz_rnd(void *arg)
{
	uint32_t *n = arg;

	return (*n)++ * 2654435761u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xl_buf warn = {0};
	struct xl_vif vif;
	char *spec, *err = NULL;
	uint32_t n = 0;
	json_object *j;

	spec = strndup((const char *)data, size);
	if (!spec)
		return 0;
	if (!xl_vif_parse(spec, &vif, &err, &warn)) {
		xl_vif_assign_macs(&vif, 1, fuzz_rnd, &n);
		j = xl_vif_to_json(&vif);
		json_object_to_json_string(j);
		json_object_put(j);
		xl_vif_dispose(&vif);
	}
	xl_buf_dispose(&warn);
	free(err);
	free(spec);
	return 0;
}
